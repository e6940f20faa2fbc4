"""Hostile input end to end: mutated, truncated, dropped and shuffled frames of real captures go
through the whole pipeline; nothing raises and no stage records an internal error (a bug)."""
from __future__ import annotations

import random

import pytest

from sniffprint import analyze
from sniffprint.anomalies import AnomalySink
from sniffprint.sources.pcapfile import CaptureStats, read_capture
from tests import pcapgen as g
from tests.conftest import PCAPS

CAPTURES = sorted(str(p) for p in PCAPS.glob("*.pcap"))


def _mutate(frames: list[bytes], rnd: random.Random) -> list[bytes]:
    out = []
    for frame in frames:
        f = bytearray(frame)
        if f and rnd.random() < 0.3:
            for _ in range(rnd.randint(1, 6)):
                if not f:
                    break
                p = rnd.randrange(len(f))
                if rnd.random() < 0.7:
                    f[p] = rnd.randrange(256)  # mostly payload and header bytes flipped
                else:
                    del f[p:p + rnd.randint(1, 20)]
        if rnd.random() >= 0.05:  # some frames lost
            out.append(bytes(f))
    if rnd.random() < 0.3:
        rnd.shuffle(out)
    return out


@pytest.mark.parametrize("seed", range(40))
def test_mutated_captures_never_crash_any_stage(seed, tmp_path):
    rnd = random.Random(seed)
    src = rnd.choice(CAPTURES)
    frames = [f.data for f in read_capture(src, AnomalySink(), CaptureStats(path=src))]
    path = tmp_path / "fuzzed.pcap"
    path.write_bytes(g.pcap(_mutate(frames, rnd)))
    report = analyze(str(path))
    assert [a for a in report.anomalies if a.kind == "internal_error"] == []
