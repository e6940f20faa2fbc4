"""Tests for sniffprint/dissectors/ipp.py: the IPP message decoder (RFC 8010 section 3).

Byte vectors come from the small encoder below (``Enc``), written from RFC 8010 section 3.1.
The HTTP framing around IPP, and IPP jobs, are tested in tests/dissectors/http/.
"""
from __future__ import annotations

import random
import struct

import pytest

from sniffprint.dissectors import ipp
from sniffprint.errors import ProtocolViolation
from sniffprint.model import Direction
from tests.helpers import fuzz


# ----------------------------------------------------------------- a tiny IPP encoder
def _u16(n: int) -> bytes:
    return struct.pack("!H", n)


class Enc:
    """Builds attribute records: ``Enc().group(1).kw("name", "v")... .end()``."""

    def __init__(self, code: int = 0x0002, request_id: int = 1, version: bytes = b"\x02\x00") -> None:
        self.out = bytearray(version + struct.pack("!HI", code, request_id))

    def raw(self, tag: int, name: str | bytes, value: bytes) -> Enc:
        nb = name.encode() if isinstance(name, str) else name
        self.out += bytes([tag]) + _u16(len(nb)) + nb + _u16(len(value)) + value
        return self

    def group(self, tag: int) -> Enc:
        self.out.append(tag)
        return self

    def s(self, tag: int, name: str, value: str) -> Enc:
        return self.raw(tag, name, value.encode())

    def kw(self, name: str, value: str) -> Enc:
        return self.s(0x44, name, value)

    def name(self, name: str, value: str) -> Enc:
        return self.s(0x42, name, value)

    def int(self, name: str, value: int, tag: int = 0x21) -> Enc:
        return self.raw(tag, name, struct.pack("!i", value))

    def ops(self, **attrs: str) -> Enc:
        """operation-attributes group with charset, language and the given name values."""
        self.group(0x01).s(0x47, "attributes-charset", "utf-8").s(0x48, "attributes-natural-language", "en")
        self.s(0x45, "printer-uri", "ipp://10.0.0.2/ipp/print")
        for k, v in attrs.items():
            key = k.replace("_", "-")
            if key == "document-format":
                self.s(0x49, key, v)
            elif key in ("compression",):
                self.kw(key, v)
            elif key == "job-id":
                self.int(key, int(v))
            else:
                self.name(key, v)
        return self

    def end(self, data: bytes = b"") -> bytes:
        return bytes(self.out) + b"\x03" + data


def with_lang(lang: str, text: str) -> bytes:
    return _u16(len(lang)) + lang.encode() + _u16(len(text)) + text.encode()


DATETIME = struct.pack("!HBBBBBBcBB", 2026, 11, 25, 6, 12, 40, 3, b"+", 1, 0)


def every_type() -> bytes:
    e = Enc(0x0002, 7).ops(requesting_user_name="alice")
    e.group(0x02)
    e.int("copies", 2)
    e.raw(0x22, "page-ranges-supported", b"\x01")
    e.int("orientation-requested", 4, tag=0x23)
    e.raw(0x30, "job-password", b"\x00\xff")
    e.raw(0x31, "date-time-at-creation", DATETIME)
    e.raw(0x32, "printer-resolution", struct.pack("!iib", 600, 1200, 3))
    e.raw(0x33, "page-ranges", struct.pack("!ii", 1, 5))
    e.raw(0x33, "", struct.pack("!ii", 7, 9))  # additional value
    e.raw(0x35, "job-message-to-operator", with_lang("de", "Hallo"))
    e.raw(0x36, "job-name", with_lang("en", "Quarterly"))
    e.s(0x41, "job-description", "text value")
    e.s(0x44, "sides", "two-sided-long-edge")
    e.s(0x44, "", "one-sided")
    e.s(0x45, "job-uri", "ipp://h/jobs/1")
    e.s(0x46, "uri-scheme", "ipps")
    e.s(0x47, "charset-x", "utf-8")
    e.s(0x48, "lang-x", "fr-ca")
    e.s(0x49, "format-x", "application/pdf")
    e.raw(0x13, "job-hold-until", b"")  # out-of-band no-value
    e.raw(0x12, "", b"")  # additional out-of-band 'unknown'
    e.raw(0x7F, "vendor-ext", b"\x00\x00\x10\x00ab")
    # media-col = { media-size = { x-dimension 21000, y-dimension 29700 }, media-type "stationery" }
    e.raw(0x34, "media-col", b"")
    e.raw(0x4A, "", b"media-size").raw(0x34, "", b"")
    e.raw(0x4A, "", b"x-dimension").int("", 21000).raw(0x4A, "", b"y-dimension").int("", 29700)
    e.raw(0x37, "", b"")
    e.raw(0x4A, "", b"media-type").s(0x44, "", "stationery").s(0x44, "", "plain")
    e.raw(0x37, "", b"")
    e.raw(0x34, "", b"")  # a second collection value of media-col
    e.raw(0x4A, "", b"media-color").s(0x44, "", "blue")
    e.raw(0x37, "", b"")
    e.group(0x09).kw("document-state", "pending")
    return e.end(b"%PDF-1.7 document bytes")


def decode(data: bytes, splits: list[int] | None = None, is_request: bool = True
           ) -> tuple[ipp.IppMessage, bytes]:
    d = ipp.IppDecoder(is_request)
    msg = None
    doc = bytearray()
    pieces = [data] if splits is None else [data[a:b] for a, b in zip([0, *splits], [*splits, len(data)], strict=True)]
    for p in pieces:
        m, rest = d.feed(p)
        if m is not None:
            assert msg is None
            msg = m
        doc += rest
    d.finish()
    assert msg is not None
    return msg, bytes(doc)


# ----------------------------------------------------------------- tests
def test_every_value_type() -> None:
    msg, doc = decode(every_type())
    assert (msg.version, msg.code, msg.request_id, msg.operation) == ((2, 0), 2, 7, "Print-Job")
    assert [g for g, _ in msg.groups] == [0x01, 0x02, 0x09]
    assert doc == b"%PDF-1.7 document bytes"
    v = {a.name: a.values for _, attrs in msg.groups for a in attrs}
    assert v["attributes-charset"] == ["utf-8"]
    assert v["requesting-user-name"] == ["alice"]
    assert v["copies"] == [2]
    assert v["page-ranges-supported"] == [True]
    assert v["orientation-requested"] == [4]
    assert v["job-password"] == [b"\x00\xff"]
    assert v["date-time-at-creation"] == ["2026-11-25T06:12:40.3+01:00"]
    assert v["printer-resolution"] == [(600, 1200, 3)]
    assert v["page-ranges"] == [(1, 5), (7, 9)]
    assert v["job-message-to-operator"] == [ipp.WithLanguage("de", "Hallo")]
    assert v["job-name"] == [ipp.WithLanguage("en", "Quarterly")]
    assert v["job-description"] == ["text value"]
    assert v["sides"] == ["two-sided-long-edge", "one-sided"]
    assert v["uri-scheme"] == ["ipps"]
    assert v["format-x"] == ["application/pdf"]
    assert v["job-hold-until"] == [ipp.OutOfBand("no-value"), ipp.OutOfBand("unknown")]
    assert v["vendor-ext"] == [b"\x00\x00\x10\x00ab"]
    assert v["media-col"] == [
        {"media-size": [{"x-dimension": [21000], "y-dimension": [29700]}],
         "media-type": ["stationery", "plain"]},
        {"media-color": ["blue"]},
    ]
    assert v["document-state"] == ["pending"]
    assert msg.text("job-name") == "Quarterly"
    assert msg.text("requesting-user-name", group=0x01) == "alice"
    assert msg.get("copies", group=0x01) is None


def test_streaming_any_split_gives_the_same_message() -> None:
    data = every_type()
    whole = decode(data)
    assert decode(data, list(range(1, len(data)))) == whole
    rnd = random.Random(3)
    for _ in range(50):
        cuts = sorted(rnd.sample(range(1, len(data)), rnd.randint(1, 20)))
        assert decode(data, cuts) == whole


def test_document_bytes_are_passed_through_not_buffered() -> None:
    d = ipp.IppDecoder(True)
    msg, rest = d.feed(Enc().ops().end(b"AB"))
    assert msg is not None and rest == b"AB"
    big = b"x" * (4 << 20)
    assert d.feed(big) == (None, big)
    assert len(d.buf) == 0


def test_response_status_names() -> None:
    msg, _ = decode(Enc(0x0000, 9).ops().end(), is_request=False)
    assert msg.status == "successful-ok" and not msg.is_request


def test_wrong_fixed_sizes_stay_raw() -> None:
    msg, _ = decode(Enc().group(1).raw(0x21, "copies", b"\x01").raw(0x22, "b", b"\x00\x01")
                    .raw(0x31, "d", b"short").raw(0x35, "t", b"\x00\x09x").end())
    assert [a.values for _, g in msg.groups for a in g] == [[b"\x01"], [b"\x00\x01"], [b"short"],
                                                            [b"\x00\x09x"]]


@pytest.mark.parametrize("data, reason", [
    (b"\x07\x00\x00\x02\x00\x00\x00\x01\x03", "version"),
    (Enc().raw(0x44, "x", b"y").end(), "before any group"),
    (Enc().group(1).raw(0x44, "", b"y").end(), "additional value"),
    (Enc().group(1).raw(0x4A, "", b"m").end(), "outside a collection"),
    (Enc().group(1).raw(0x37, "", b"").end(), "outside a collection"),
    (Enc().group(1).raw(0x34, "c", b"").group(2).end(), "inside a collection"),
    (Enc().group(1).raw(0x34, "c", b"").raw(0x44, "named", b"v").end(), "named attribute"),
    (Enc().group(1).raw(0x34, "c", b"").raw(0x44, "", b"v").end(), "before memberAttrName"),
    (Enc().group(0x0F).end(), "reserved delimiter"),
])
def test_malformed(data: bytes, reason: str) -> None:
    with pytest.raises(ProtocolViolation, match=reason):
        decode(data)


def test_truncated_message_is_a_violation_at_finish() -> None:
    data = Enc().ops(job_name="x").end()
    for cut in (3, 8, 20, len(data) - 1):
        d = ipp.IppDecoder(True)
        assert d.feed(data[:cut]) == (None, b"")
        with pytest.raises(ProtocolViolation, match="truncated"):
            d.finish()


def test_collection_depth_is_bounded() -> None:
    e = Enc().group(1).raw(0x34, "c", b"")
    for _ in range(ipp.MAX_DEPTH + 1):
        e.raw(0x4A, "", b"m").raw(0x34, "", b"")
    with pytest.raises(ProtocolViolation, match="nested"):
        decode(e.end())


def test_attribute_section_is_bounded() -> None:
    d = ipp.IppDecoder(True, max_attr_bytes=10_000)
    e = Enc().group(1)
    for i in range(400):
        e.kw(f"a{i}", "v" * 20)
    with pytest.raises(ProtocolViolation, match="over 10000"):
        for i in range(0, len(e.out), 7):
            d.feed(bytes(e.out[i:i + 7]))
    # a flood of group tags counts too
    d = ipp.IppDecoder(True, max_attr_bytes=1000)
    with pytest.raises(ProtocolViolation, match="over 1000"):
        d.feed(Enc().out + b"\x01" * 2000)
    # what stays buffered is one incomplete record, never the document
    d = ipp.IppDecoder(True)
    d.feed(bytes(Enc().group(1).out) + b"\x44\x00\x01a\xff\xff" + b"v" * 1000)
    assert len(d.buf) < 70_000


class _Adapter:
    """The decoder under the fuzz helper's feed/close contract."""

    def __init__(self) -> None:
        self.d = ipp.IppDecoder(True, max_attr_bytes=4096)

    def feed(self, direction: Direction, data: bytes) -> list[object]:
        self.d.feed(data)
        return []

    def close(self) -> list[object]:
        self.d.finish()
        return []


def test_fuzz() -> None:
    seeds = [every_type(), Enc().ops(job_name="j", requesting_user_name="u").end(b"%!PS\n"),
             Enc(0, 3).ops().group(2).int("job-id", 5).end()]
    fuzz(_Adapter, seeds, cases=2500, rnd_seed=11)
