"""The shared pieces of the framing: link-layer plausibility, link-type guessing, the resync scan."""
from __future__ import annotations

import io
import re

import pytest

from sniffprint.sources.framing import ReadBuffer, guess_linktype, looks_like, scan
from tests import pcapgen as g

IP4 = g.tcp("10.0.0.1", "10.0.0.2", 1000, 9100, 1, 1, g.ACK, b"x")
IP6 = g.tcp("fd00::1", "fd00::2", 1000, 9100, 1, 1, g.ACK, b"x")


@pytest.mark.parametrize("linktype,data,expected", [
    (1, g.ether(IP4), True), (1, g.ether(IP6, vlans=(5,)), True), (1, bytes(14) + IP4, False),
    (1, b"\x00" * 12 + b"\x05\xf0", False), (1, b"short", False),
    (101, IP4, True), (101, IP6, True), (101, b"\x45\x00", False), (101, b"\x75" + bytes(40), False),
    (0, g.null_lo(IP4), True), (0, g.null_lo(IP6, big_endian=True), True), (0, b"\x09\0\0\0" + IP4, False),
    (113, g.sll(IP4), True), (276, g.sll2(IP4), True), (113, b"\x00\x09" + bytes(20), False),
    (147, b"anything goes for a link type we cannot judge", True),
])
def test_looks_like(linktype, data, expected):
    assert looks_like(linktype, data) is expected


def test_guess_linktype_prefers_the_declared_ones_then_content():
    assert guess_linktype(g.ether(IP4), [1]) == (1, "the only declared link type")
    assert guess_linktype(IP4, [1, 101]) == (101, "a declared link type its header matches")
    assert guess_linktype(g.ether(IP4), []) == (1, "Ethernet by content")
    assert guess_linktype(IP6, []) == (101, "raw IP by content")
    assert guess_linktype(b"\xff" * 40, [113]) == (113, "the last declared link type")
    assert guess_linktype(b"\xff" * 40, [])[0] is None


def _scan_all(data: bytes, pattern: bytes, step: int) -> list[int]:
    """Every position ``scan`` stops at when each candidate is accepted."""
    class Trickle(io.RawIOBase):
        pos = 0

        def readable(self) -> bool:
            return True

        def read(self, n: int = -1) -> bytes:
            out = data[self.pos:self.pos + min(n, step)]
            self.pos += len(out)
            return out

    r = ReadBuffer(Trickle())
    r.pos = -1  # scan() starts one byte on
    found = []
    while scan(r, re.compile(pattern, re.DOTALL), lambda r: True, 4):
        found.append(r.offset)
    return found


@pytest.mark.parametrize("step", [1, 3, 64, 1 << 20])
def test_scan_finds_every_candidate_across_read_boundaries_and_zero_runs(step):
    data = bytes(200) + b"ABCD" + bytes(5) + b"zzABCDABCD" + bytes(1000) + b"\x01BCD" + b"ABC"
    want = [m.start() for m in re.finditer(b"(?=[A\x01]BCD)", data)]
    assert _scan_all(data, b"[A\x01]BCD", step) == want == [200, 211, 215, 1219]
