"""gzip inputs lose nothing (issue 9, bullet 3): cuts, members, damage, trailers, bombs."""
from __future__ import annotations

import gzip
import io
import random
import struct
import zlib

import pytest

from sniffprint.anomalies import AnomalySink
from sniffprint.errors import CaptureError
from sniffprint.sources.gzipstream import SALVAGE_STEP, GzipStream
from sniffprint.sources.pcapfile import ReadLimits, open_stream
from tests import pcapgen as g


def _capture(n_jobs: int = 6) -> tuple[bytes, list[bytes]]:
    frames: list[bytes] = []
    for i in range(n_jobs):
        job = b"%!PS\n<" + random.Random(i).randbytes(1500).hex().encode() + b"> image\nshowpage\n"
        frames += g.print_job_frames(job=job, cport=40000 + i)[0]
    return g.pcap(frames), frames


def _read(data: bytes, limits: ReadLimits | None = None):
    sink = AnomalySink()
    cap = open_stream(io.BytesIO(data), "c.pcap.gz", limits=limits)
    got = [f.data for f in cap.frames(sink)]
    return got, cap.stats, [(a.kind, a.detail) for a in sink.kept]


def _complete_records(prefix: bytes, frames: list[bytes]) -> int:
    """How many records lie wholly inside ``prefix`` (the file header, then 16 + len each)."""
    n, end = 0, 24
    for f in frames:
        end += 16 + len(f)
        if end > len(prefix):
            break
        n += 1
    return n


def _zcat(data: bytes) -> bytes:
    """What zlib's own streaming inflate gets out of ``data`` (what zcat recovers from a cut file)."""
    d = zlib.decompressobj(31)
    out = []
    for i in range(0, len(data), 512):
        try:
            out.append(d.decompress(data[i:i + 512]))
        except zlib.error:
            break
    return b"".join(out)


def test_a_cut_gzip_delivers_every_record_zcat_can_recover():
    raw, frames = _capture()
    comp = gzip.compress(raw, compresslevel=6, mtime=0)
    assert len(comp) > 2000
    cuts = list(range(40, len(comp) - 8, 61)) + list(range(len(comp) - 40, len(comp)))
    for cut in cuts:
        prefix = _zcat(comp[:cut])
        if len(prefix) < 24:  # not even the file header: not a capture (yet)
            with pytest.raises(CaptureError):
                _read(comp[:cut])
            continue
        got, stats, notes = _read(comp[:cut])
        want = _complete_records(prefix, frames)
        assert got == frames[:want], (cut, len(got), want)
        assert stats.truncated is True, cut
        assert any(k == "truncated_capture" for k, _ in notes), cut


def test_several_members_read_as_one_capture():
    raw, frames = _capture()
    parts = [raw[i:i + 1000] for i in range(0, len(raw), 1000)]  # members split inside records
    got, stats, notes = _read(b"".join(gzip.compress(p, mtime=0) for p in parts))
    assert got == frames and notes == [] and not stats.truncated and not stats.damaged


def test_zero_padding_after_the_last_member_is_ignored_and_garbage_is_reported():
    raw, frames = _capture(2)
    comp = gzip.compress(raw, mtime=0)
    got, stats, notes = _read(comp + bytes(4096))
    assert got == frames and notes == []
    got, stats, notes = _read(comp + b"trailing junk" * 10)
    assert got == frames and stats.damaged
    assert [k for k, _ in notes] == ["capture_damaged"] and "not gzip data" in notes[0][1]


def test_a_bad_trailer_is_reported_and_the_data_kept():
    raw, frames = _capture(2)
    comp = bytearray(gzip.compress(raw, mtime=0))
    comp[-8] ^= 0xFF  # CRC-32
    got, stats, notes = _read(bytes(comp))
    assert got == frames and stats.damaged
    assert [k for k, _ in notes] == ["capture_damaged"] and "CRC-32" in notes[0][1]


def test_a_cut_inside_the_trailer_keeps_every_record():
    raw, frames = _capture(2)
    comp = gzip.compress(raw, mtime=0)
    got, stats, notes = _read(comp[:-3])
    assert got == frames and stats.truncated and "trailer" in notes[-1][1]


def _first_breaking_flip(comp: bytes) -> tuple[int, bytes]:
    """The first byte (from the middle on) whose flip makes zlib raise, deterministically."""
    for pos in range(len(comp) // 2, len(comp) - 8):
        bad = comp[:pos] + bytes([comp[pos] ^ 0xA5]) + comp[pos + 1:]
        try:
            zlib.decompress(bad, 31)
        except zlib.error:
            return pos, bad
    raise AssertionError("no flip breaks the stream")


def test_damaged_deflate_data_keeps_what_came_before():
    raw, frames = _capture(12)
    comp = gzip.compress(raw, compresslevel=1, mtime=0)
    pos, bad = _first_breaking_flip(comp)
    before = _zcat(bad)  # right up to the flip, then garbage until zlib notices
    good = next((i for i, (a, b) in enumerate(zip(before, raw, strict=False)) if a != b), len(before))
    got, stats, notes = _read(bad)
    want = _complete_records(raw[:min(good, len(before) - SALVAGE_STEP)], frames)
    assert want > 10 and got[:want] == frames[:want], (len(got), want)
    assert stats.damaged and any("is damaged" in d for k, d in notes if k == "capture_damaged")


def test_an_inflation_bomb_stops_at_the_ratio_limit():
    d = zlib.compressobj(9, zlib.DEFLATED, 31)
    bomb = d.compress(g.pcap([])) + b"".join(d.compress(bytes(1 << 20)) for _ in range(8)) + d.flush()
    got, stats, notes = _read(bomb, ReadLimits(max_ratio=100, ratio_after=1 << 20))
    assert stats.truncated and any(k == "limit_exceeded" and "100:1" in v for k, v in notes)
    assert got == []
    # without the limit the whole 8 MiB inflates (and the zeros are reported as damage)
    got, stats, notes = _read(bomb, ReadLimits(max_ratio=10_000))
    assert not any(k == "limit_exceeded" for k, _ in notes) and stats.skipped_bytes == 8 << 20


def test_a_hard_cap_on_inflated_bytes():
    raw, frames = _capture(12)
    got, stats, notes = _read(gzip.compress(raw, mtime=0), ReadLimits(max_inflated=20_000))
    assert stats.truncated and any(k == "limit_exceeded" and "configured cap" in v for k, v in notes)
    assert 0 < len(got) < len(frames) and got == frames[:len(got)]


@pytest.mark.parametrize("flags", [0x08, 0x10, 0x04, 0x02, 0x1E])
def test_optional_header_fields(flags):
    raw, frames = _capture(1)
    body = zlib.compressobj(6, zlib.DEFLATED, -15)
    deflated = body.compress(raw) + body.flush()
    hdr = struct.pack("<2sBBIBB", b"\x1f\x8b", 8, flags, 0, 0, 255)
    if flags & 0x04:
        hdr += struct.pack("<H", 6) + b"ab\x02\x00xy"
    if flags & 0x08:
        hdr += b"capture.pcap\x00"
    if flags & 0x10:
        hdr += b"a comment\x00"
    if flags & 0x02:
        hdr += struct.pack("<H", zlib.crc32(hdr) & 0xFFFF)
    member = hdr + deflated + struct.pack("<II", zlib.crc32(raw), len(raw))
    got, stats, notes = _read(member)
    assert got == frames and notes == []


class _Trickle(io.RawIOBase):
    """A stream that returns one byte per read (a slow pipe)."""

    def __init__(self, data: bytes) -> None:
        self.data, self.pos = data, 0

    def readable(self) -> bool:
        return True

    def read(self, n: int = -1) -> bytes:
        out = self.data[self.pos:self.pos + 1]
        self.pos += len(out)
        return out


def test_one_byte_per_read_and_bounded_reads():
    raw, frames = _capture(1)
    gz = GzipStream(_Trickle(gzip.compress(raw, mtime=0)))
    out = []
    while chunk := gz.read(100):
        assert len(chunk) <= 100
        out.append(chunk)
    assert b"".join(out) == raw and gz.notes == [] and not gz.cut
