"""pcapng block layouts: the section header check, interface description blocks and their options."""
from __future__ import annotations

import struct

import pytest

from sniffprint.errors import CaptureError
from sniffprint.sources.pcapngblocks import OPT_IF_TSOFFSET, OPT_IF_TSRESOL, Iface, check_header, options
from tests.hostile.make_hostile import block, shb


def _opt(code: int, value: bytes, e: str = "<") -> bytes:
    return struct.pack(e + "HH", code, len(value)) + value + b"\0" * (-len(value) % 4)


def _idb(opts: bytes, linktype: int = 1, snaplen: int = 65535, e: str = "<") -> bytes:
    return block(1, struct.pack(e + "HHI", linktype, 0, snaplen) + opts, e)


@pytest.mark.parametrize("e", ["<", ">"])
def test_an_interface_reads_its_link_type_snaplen_and_timestamp_options(e):
    offset = _opt(OPT_IF_TSOFFSET, struct.pack(e + "q", -3600), e)
    data = _idb(_opt(2, b"eth0", e) + _opt(OPT_IF_TSRESOL, b"\x09", e) + offset + _opt(0, b"", e), linktype=113, e=e)
    assert Iface.parse(data, 0, len(data), e) == Iface(113, 65535, 1e9, -3600)
    binary = _idb(_opt(OPT_IF_TSRESOL, b"\x94", e), e=e)  # high bit: a power of two, 2^20
    assert Iface.parse(binary, 0, len(binary), e).div == float(2 ** 20)
    assert Iface.parse(_idb(b"", e=e), 0, 20, e) == Iface(1, 65535, 1e6, 0)  # defaults: microseconds


def test_options_end_at_endofopt_or_at_a_value_cut_short():
    body = _opt(1, b"comment") + _opt(0, b"") + _opt(OPT_IF_TSRESOL, b"\x03")
    assert list(options(body, 0, len(body), "<")) == [(1, b"comment")]
    cut = _opt(1, b"x" * 40)[:20]
    assert list(options(cut, 0, len(cut), "<")) == []
    assert list(options(body, 0, 3, "<")) == []  # no room for an option header


def test_any_resolution_byte_is_a_finite_divisor():
    for v in range(256):
        data = _idb(_opt(OPT_IF_TSRESOL, bytes([v])))
        div = Iface.parse(data, 0, len(data), "<").div
        assert 1 <= div < float("inf") and div == float(2 ** (v & 0x7F) if v & 0x80 else 10 ** v), v


def test_the_section_header_check():
    check_header(shb()[:12], "x.pcapng")
    check_header(shb(">")[:12], "x.pcapng")
    with pytest.raises(CaptureError, match="cut short"):
        check_header(shb()[:11], "x.pcapng")
    with pytest.raises(CaptureError, match="byte-order magic"):
        check_header(shb()[:8] + b"\0\0\0\0", "x.pcapng")
