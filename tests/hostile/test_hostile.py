"""Damage never makes a capture look protected (issue 9, bullet 1; gzip cases of bullet 3).

Each crafted capture of ``make_hostile`` is read three ways: by the reader alone (every frame after
the damage is delivered, the damage is counted and reported with its byte range), through
``analyze`` (the cleartext job after the damage gives SP101) and, for a few, through
``python3 -m sniffprint scan --format json`` as a user runs it.
"""
from __future__ import annotations

import io
import json
import re
import subprocess
import sys

import pytest

from sniffprint import analyze
from sniffprint.anomalies import AnomalySink
from sniffprint.sources.pcapfile import open_stream
from tests.conftest import ROOT
from tests.hostile import make_hostile as mh

HOSTILE = {make.__name__: make() for make in mh.CAPTURES}  # built once (about 0.5 s)


def read(h: mh.Hostile):
    sink = AnomalySink()
    cap = open_stream(io.BytesIO(h.data), h.name)
    frames = list(cap.frames(sink))
    return frames, cap.stats, sink.kept


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_reader_delivers_what_follows_the_damage(name):
    h = HOSTILE[name]
    frames, stats, anomalies = read(h)
    data = [f.data for f in frames]
    if h.after:
        assert data[len(data) - len(h.after):] == h.after, f"{name}: frames after the damage were lost"
    assert stats.damaged is h.damaged, anomalies
    assert stats.truncated is h.truncated, anomalies
    kinds = {a.kind for a in anomalies}
    assert h.kinds <= kinds, anomalies
    if not h.damaged:
        assert "capture_damaged" not in kinds and stats.skipped_bytes == 0, anomalies
    for a in anomalies:
        if a.kind == "capture_damaged" and a.detail.startswith(h.name + ": bytes "):
            lo, hi, n = map(int, re.search(r"bytes (\d+)-(\d+) skipped \((\d+) bytes\)", a.detail).groups())
            assert hi - lo + 1 == n
    skipped = sum(int(m) for a in anomalies for m in re.findall(r"skipped \((\d+) bytes\)", a.detail))
    assert skipped == stats.skipped_bytes or "undeclared_interface" in kinds


@pytest.mark.parametrize("name", sorted(n for n, h in HOSTILE.items() if h.job))
def test_the_job_after_the_damage_is_found(name, tmp_path):
    h = HOSTILE[name]
    p = tmp_path / h.name
    p.write_bytes(h.data)
    rep = analyze(str(p))
    jobs = [f for f in rep.findings if f.code == "SP101" and f.client_port == 40000]
    assert len(jobs) == 1, [(f.code, f.client_port) for f in rep.findings]
    if h.damaged:
        assert rep.stats.captures[0].damaged is True


@pytest.mark.parametrize("name", ["ng_zero_length", "ng_length_swallows", "ng_undeclared_interface",
                                  "pcap_incl_above_orig"])
def test_scan_json_reports_the_job_after_the_damage(name, tmp_path):
    h = HOSTILE[name]
    p = tmp_path / h.name
    p.write_bytes(h.data)
    out = subprocess.run([sys.executable, "-m", "sniffprint", "scan", "--format", "json", str(p)],
                         cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert out.returncode in (0, 1), out.stderr
    records = [json.loads(line) for line in out.stdout.splitlines() if line.strip()]
    sp101 = [r for r in records if r.get("type") == "finding" and r["code"] == "SP101"
             and r["client_port"] == 40000 and r["server_port"] == 9100]
    assert len(sp101) == 1, out.stdout[-2000:]
    assert any(r.get("type") == "anomaly" and r["kind"] in h.kinds for r in records)


def test_the_captures_are_deterministic():
    for make in mh.CAPTURES:
        assert make().data == HOSTILE[make.__name__].data, make.__name__


def test_make_hostile_writes_every_capture_and_an_index(tmp_path):
    assert mh.main(["--out", str(tmp_path)]) == 0
    index = json.loads((tmp_path / "index.json").read_text())
    assert set(index) == {h.name for h in HOSTILE.values()}
    assert all((tmp_path / name).stat().st_size > 0 for name in index)


class _Trickle(io.RawIOBase):
    """Hands out at most ``step`` bytes per read, so record and block headers, candidates and
    gzip members straddle every possible buffer boundary."""

    def __init__(self, data: bytes, step: int) -> None:
        self.data, self.pos, self.step = data, 0, step

    def readable(self) -> bool:
        return True

    def read(self, n: int = -1) -> bytes:
        out = self.data[self.pos:self.pos + min(n, self.step)]
        self.pos += len(out)
        return out


@pytest.mark.parametrize("step", [1, 7, 4093])
@pytest.mark.parametrize("name", sorted(n for n in HOSTILE if n != "gz_bomb"))
def test_short_reads_change_nothing(name, step):
    h = HOSTILE[name]
    whole, stats, anomalies = read(h)
    sink = AnomalySink()
    cap = open_stream(_Trickle(h.data, step), h.name)
    got = list(cap.frames(sink))
    assert got == whole
    assert [(a.kind, a.detail) for a in sink.kept] == [(a.kind, a.detail) for a in anomalies]
    assert (cap.stats.skipped_bytes, cap.stats.damaged, cap.stats.truncated) == \
        (stats.skipped_bytes, stats.damaged, stats.truncated)
