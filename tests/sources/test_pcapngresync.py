"""pcapng damage and resync: damage costs the blocks it touches, a cut block is truncation, the
prefilter and the search for the next plausible block."""
from __future__ import annotations

import io
import random
import struct
from dataclasses import dataclass, field

import pytest

from sniffprint.anomalies import AnomalySink
from sniffprint.sources.framing import TS_WINDOW, CaptureStats, ReadBuffer
from sniffprint.sources.pcapngblocks import BT_EPB, KNOWN, PCAPNG_SHB, Iface
from sniffprint.sources.pcapngresync import Resync, candidate_pattern
from tests.hostile.make_hostile import T0, block, epbs, idb, shb
from tests.sources.pcapngvectors import print_frames, read_ng


@pytest.mark.parametrize("seed", range(150))
def test_a_damaged_block_header_costs_that_block_only(seed):
    rnd = random.Random(seed)
    frames = print_frames()
    blocks = epbs(frames)
    k = rnd.randrange(len(blocks))
    b = bytearray(blocks[k])
    spots = list(range(8)) + list(range(len(b) - 4, len(b)))  # type, length, trailing length
    for _ in range(rnd.randint(1, 3)):
        b[rnd.choice(spots)] = rnd.randrange(256)
    blocks[k] = bytes(b)
    got, stats, anomalies = read_ng(shb() + idb() + b"".join(blocks))
    data = [f.data for f in got]
    others = frames[:k] + frames[k + 1:]
    assert [d for d in data if d in frames] in (others, frames), (seed, k, [a.detail for a in anomalies])
    assert len(data) <= len(frames)


@pytest.mark.parametrize("seed", range(60))
def test_inserted_or_removed_bytes_cost_the_blocks_they_touch(seed):
    rnd = random.Random(seed)
    frames = print_frames()
    blocks = epbs(frames)
    k = rnd.randrange(1, len(blocks))
    blob = bytearray(b"".join(blocks))
    at = sum(len(x) for x in blocks[:k]) + rnd.randrange(-20, 20)
    if rnd.random() < 0.5:
        blob[at:at] = rnd.randbytes(rnd.randint(1, 3000))
    else:
        del blob[at:at + rnd.randint(1, 40)]
    got, stats, anomalies = read_ng(shb() + idb() + bytes(blob))
    untouched = frames[:k - 1] + frames[k + 1:]
    assert [f.data for f in got if f.data in untouched] == untouched, seed
    assert stats.damaged


def test_a_block_cut_by_the_end_is_truncation_not_damage():
    frames = print_frames()
    data = shb() + idb() + b"".join(epbs(frames))
    got, stats, anomalies = read_ng(data[:-9])
    assert [f.data for f in got] == frames[:-1]
    assert stats.truncated and not stats.damaged and [a.kind for a in anomalies] == ["truncated_capture"]


@dataclass
class _State:
    endian: str = "<"
    ifaces: list[Iface] = field(default_factory=lambda: [Iface(1, 0, 1e6, 0)])
    last_ts: float | None = None


def _resync(data: bytes, state: _State | None = None) -> tuple[Resync, ReadBuffer, AnomalySink, CaptureStats]:
    sink, stats = AnomalySink(), CaptureStats(path="t.pcapng")
    r = ReadBuffer(io.BytesIO(data))
    assert r.need(16)  # as the framing leaves it: a block header in view at r.pos
    return Resync("t.pcapng", sink, stats, state or _State()), r, sink, stats


@pytest.mark.parametrize("e", ["<", ">"])
def test_the_prefilter_matches_the_start_of_every_known_block(e):
    pattern = candidate_pattern(e)
    for btype in sorted(KNOWN):
        b = shb(e) if btype == PCAPNG_SHB else block(btype, b"\0" * 20, e)
        assert pattern.match(b), hex(btype)
        if btype != PCAPNG_SHB:
            assert not pattern.match(struct.pack(e + "II", btype, len(b) + 2)), hex(btype)  # not a multiple of 4
    assert not pattern.match(block(0x0F0F, b"\0" * 20, e))  # unknown types are not searched for
    assert not pattern.match(struct.pack(e + "II", BT_EPB, 1 << 25))  # beyond 16 MiB


def test_damage_is_skipped_to_the_next_plausible_block_and_reported():
    blocks = epbs(print_frames()[:6])
    junk = b"\x06\x00\x00\x00" + b"\x99" * 33  # an EPB type with an impossible length, then noise
    rs, r, sink, stats = _resync(junk + b"".join(blocks))
    rs.damage(r, "test damage")
    assert r.offset == len(junk) and stats.skipped_bytes == len(junk) and stats.damaged
    [a] = sink.kept
    assert a.kind == "capture_damaged" and f"bytes 0-{len(junk) - 1} skipped" in a.detail and "test damage" in a.detail


def test_a_candidate_must_fit_its_interface_and_be_confirmed_by_the_blocks_after_it():
    frames = print_frames()[:6]
    blocks = epbs(frames)
    # a packet block on an interface the section does not have is not a place to resume
    strays = epbs(frames[:2], ifid=3)
    rs, r, _sink, _stats = _resync(b"\x99" * 8 + b"".join(strays) + b"".join(blocks[2:]))
    rs.damage(r, "x")
    assert r.offset == 8 + len(b"".join(strays))
    # nor is one whose link-layer header does not fit the interface's link type
    rs, r, sink, _stats = _resync(b"".join(blocks), _State(ifaces=[Iface(113, 0, 1e6, 0)]))
    rs.damage(r, "x")
    assert r.offset == len(b"".join(blocks)) and sink.kept[0].detail.endswith("no valid record after it")
    # near the last good frame in time, one block after it confirms a candidate; far, two must
    data = b"\x99" * 8 + blocks[0] + blocks[1] + b"\x99" * 8 + b"".join(blocks[2:])
    for last_ts, resumed in ((T0, 8), (T0 + 2 * TS_WINDOW, 8 + len(blocks[0]) + len(blocks[1]) + 8)):
        rs, r, _sink, _stats = _resync(data, _State(last_ts=last_ts))
        rs.damage(r, "x")
        assert r.offset == resumed, last_ts


def test_a_block_whose_successor_is_cut_by_the_end_is_taken():
    blocks = epbs(print_frames()[:2])
    rs, r, sink, _stats = _resync(blocks[0] + blocks[1][:20])
    assert r.need(len(blocks[0]) + 12)
    kept = rs.confirm(r, BT_EPB, len(blocks[0]))
    assert kept is not None and kept[0][kept[1]:kept[1] + len(blocks[0])] == blocks[0]
    assert r.pos == len(blocks[0]) and sink.kept == []
