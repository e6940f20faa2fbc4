"""Classic pcap framing: writer quirks are read, damage to one record costs that record only."""
from __future__ import annotations

import io
import random
import struct

import pytest

from sniffprint.anomalies import AnomalySink
from sniffprint.sources.pcapfile import open_stream
from tests import pcapgen as g


def _frames() -> list[bytes]:
    out: list[bytes] = []
    for i in range(4):
        out += g.print_job_frames(cport=41000 + i)[0]
    return out


def _read(data: bytes):
    sink = AnomalySink()
    cap = open_stream(io.BytesIO(data), "t.pcap")
    return [f for f in cap.frames(sink)], cap.stats, sink.kept


def _records(frames: list[bytes], t0: float = 1_700_000_000.0, gap: float = 0.001,
             orig=lambda f: len(f), e: str = "<") -> list[bytes]:
    out = []
    for i, f in enumerate(frames):
        us = round((t0 + i * gap) * 1e6)
        out.append(struct.pack(e + "IIII", us // 1_000_000, us % 1_000_000, len(f), orig(f)) + f)
    return out


def _header(snaplen: int = 262_144, e: str = "<") -> bytes:
    return struct.pack(e + "IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, snaplen, 1)


@pytest.mark.parametrize("seed", range(150))
def test_a_damaged_record_header_costs_that_record_only(seed):
    rnd = random.Random(seed)
    frames = _frames()
    recs = _records(frames)
    k = rnd.randrange(len(recs))
    rec = bytearray(recs[k])
    for _ in range(rnd.randint(1, 4)):
        rec[rnd.randrange(16)] = rnd.randrange(256)
    recs[k] = bytes(rec)
    got, stats, anomalies = _read(_header() + b"".join(recs))
    data = [f.data for f in got]
    known = [d for d in data if d in frames]
    others = frames[:k] + frames[k + 1:]
    assert known in (others, frames), (seed, k, [a.detail for a in anomalies])
    assert len(data) - len(known) <= 1  # at most a cut copy of record k
    if known == others:
        assert anomalies, seed


@pytest.mark.parametrize("seed", range(60))
def test_inserted_or_removed_bytes_cost_the_records_they_touch(seed):
    rnd = random.Random(seed)
    frames = _frames()
    recs = _records(frames)
    k = rnd.randrange(1, len(recs))
    blob = bytearray(b"".join(recs))
    at = sum(len(r) for r in recs[:k]) + rnd.randrange(-20, 20)
    if rnd.random() < 0.5:
        blob[at:at] = rnd.randbytes(rnd.randint(1, 3000))
    else:
        del blob[at:at + rnd.randint(1, 40)]
    got, stats, anomalies = _read(_header() + bytes(blob))
    data = [f.data for f in got]
    untouched = frames[:k - 1] + frames[k + 1:]
    assert [d for d in data if d in untouched] == untouched, (seed, k)
    assert stats.damaged and anomalies


def test_captured_length_above_the_wire_length_on_every_record_is_a_quirk_not_damage():
    frames = _frames()
    got, stats, anomalies = _read(_header() + b"".join(_records(frames, orig=lambda f: len(f) - 4)))
    assert [f.data for f in got] == frames
    assert not stats.damaged and {a.kind for a in anomalies} == {"bad_record_length"}


def test_records_above_a_snaplen_field_that_was_not_rewritten_are_read_silently():
    frames = [g.ether(g.tcp("10.0.0.1", "10.0.0.2", 1, 9100, 1, 1, g.ACK, bytes(8000)))] * 3 + _frames()
    got, stats, anomalies = _read(_header(snaplen=1500) + b"".join(_records(frames)))
    assert [f.data for f in got] == frames and anomalies == [] and not stats.damaged


def test_records_sliced_below_the_snaplen_are_read_silently():
    """``editcap -s 64`` style slices with the file's snaplen field left at 262144."""
    frames = _frames()
    sliced = [f[:64] for f in frames]
    recs = [r for r in _records(sliced)]
    recs = [r[:12] + struct.pack("<I", len(f)) + r[16:] for r, f in zip(recs, frames, strict=True)]
    got, stats, anomalies = _read(_header() + b"".join(recs))
    assert [f.data for f in got] == sliced and [f.wirelen for f in got] == [len(f) for f in frames]
    assert anomalies == [] and not stats.damaged


def test_a_timestamp_jump_of_days_is_not_damage_and_resync_finds_records_after_one():
    frames = _frames()
    half = len(frames) // 2
    recs = _records(frames[:half]) + _records(frames[half:], t0=1_700_300_000.0)  # 3.5 days later
    got, stats, anomalies = _read(_header() + b"".join(recs))
    assert [f.data for f in got] == frames and anomalies == []
    junk = bytes(range(7, 250)) * 3  # damage right before the jump
    got, stats, anomalies = _read(_header() + b"".join(recs[:half]) + junk + b"".join(recs[half:]))
    assert [f.data for f in got] == frames and stats.skipped_bytes == len(junk)


def test_big_endian_nanosecond_records_resync():
    frames = _frames()
    e = ">"
    recs = []
    for i, f in enumerate(frames):
        ns = 1_700_000_000_000_000_000 + i * 1_000_003
        recs.append(struct.pack(e + "IIII", ns // 10**9, ns % 10**9, len(f), len(f)) + f)
    hdr = struct.pack(e + "IHHiIII", 0xA1B23C4D, 2, 4, 0, 0, 262_144, 1)
    data = hdr + b"".join(recs[:5]) + b"\xff" * 999 + b"".join(recs[5:])
    got, stats, anomalies = _read(data)
    assert [f.data for f in got] == frames and stats.skipped_bytes == 999
    assert got[7].ts == pytest.approx(1_700_000_000 + 7 * 0.001000003, abs=1e-6)


def test_a_record_cut_by_the_end_is_truncation_not_damage():
    frames = _frames()
    data = _header() + b"".join(_records(frames))
    got, stats, anomalies = _read(data[:-5])
    assert [f.data for f in got] == frames[:-1]
    assert stats.truncated and not stats.damaged and [a.kind for a in anomalies] == ["truncated_capture"]
