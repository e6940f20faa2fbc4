"""Tests for sniffprint/dissectors/http/coding.py: gzip and deflate removed incrementally, the
bomb bound, and anomaly details that never quote a coding name off the wire."""
from __future__ import annotations

import gzip
import zlib
from collections.abc import Callable

import pytest

from sniffprint.dissectors.events import DocumentData, FlowFact, Note
from sniffprint.dissectors.http import coding
from sniffprint.dissectors.http.coding import DEFLATE, GZIP, CodingError, Inflater, undecoded
from tests.dissectors.http.vectors import (
    C2S,
    IPP_HELLO,
    PDF,
    PJ_FIELDS,
    PS,
    factory,
    job_events,
    post,
    print_job,
)
from tests.helpers import feed_every_way


def test_http_content_encoding_gzip() -> None:
    body = gzip.compress(print_job())
    ev = feed_every_way(factory(), [(C2S, post(body, extra="Content-Encoding: gzip\r\n"))])
    assert ev == IPP_HELLO + [FlowFact("ipp_operations", ["Print-Job"])] + job_events(PJ_FIELDS, PDF)


# ----------------------------------------------------------------- the decoder alone
def _inflate(kind: str, data: bytes, step: int) -> bytes:
    inf = Inflater(kind)
    out = b"".join(inf.feed(data[i:i + step]) for i in range(0, len(data), step))
    return out + inf.flush()


@pytest.mark.parametrize("kind, packer", [
    (GZIP, gzip.compress),
    (DEFLATE, zlib.compress),  # RFC 1950 zlib wrapper, as HTTP's deflate says
    (DEFLATE, lambda b: zlib.compress(b)[2:-4]),  # raw RFC 1951, as many senders do
])
@pytest.mark.parametrize("step", [1, 7, 1 << 20])
def test_inflate_whole_and_in_pieces(kind: str, packer: Callable[[bytes], bytes], step: int) -> None:
    doc = PS * 50
    assert _inflate(kind, packer(doc), step) == doc


def test_trailing_bytes_after_the_stream_are_ignored() -> None:
    assert _inflate(GZIP, gzip.compress(PS) + gzip.compress(b"second member"), 5) == PS


def test_output_bound_stops_decoding(monkeypatch: pytest.MonkeyPatch) -> None:
    # Real deflate stays under ~1032:1 per layer, below INFLATE_RATIO; a tighter bound shows the
    # mechanism: decoding stops with CodingError instead of growing without limit.
    monkeypatch.setattr(coding, "INFLATE_RATIO", 10)
    monkeypatch.setattr(coding, "INFLATE_SLACK", 0)
    with pytest.raises(CodingError, match="decompression bomb"):
        _inflate(GZIP, gzip.compress(bytes(1 << 20)), 1 << 16)
    assert _inflate(GZIP, gzip.compress(bytes(range(256)) * 4), 64) == bytes(range(256)) * 4


def test_corrupt_stream_is_a_coding_error() -> None:
    with pytest.raises(CodingError, match="gzip"):
        _inflate(GZIP, b"not gzip at all", 4)


def test_fewer_than_two_deflate_bytes_decode_to_nothing() -> None:
    assert _inflate(DEFLATE, b"x", 1) == b""


# ----------------------------------------------------------------- anomaly details
def test_undecoded_names_only_registered_codings() -> None:
    assert undecoded("body coding", "br") == "body coding 'br' is not decoded"
    assert undecoded("body coding", "x-salary-review") == "unknown body coding (15 bytes) is not decoded"


def test_unsupported_body_coding_is_not_quoted() -> None:
    wire = "x-alice-salary"
    ev = feed_every_way(factory(), [(C2S, post(print_job(), extra=f"Content-Encoding: {wire}, br\r\n"))])
    notes = [e for e in ev if isinstance(e, Note) and e.kind == "http_coding_unsupported"]
    assert [n.detail for n in notes] == ["body coding 'br' is not decoded",
                                         "unknown body coding (14 bytes) is not decoded"]
    assert not any(wire in repr(e) for e in ev)
    assert not any(isinstance(e, DocumentData) for e in ev)  # an undecodable body is only counted
