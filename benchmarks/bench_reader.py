#!/usr/bin/env python3
"""The capture reader alone (framing, no decoding): frames per second of ``sources.pcapfile``.

    python3 benchmarks/make_capture.py --size-mb 120 --out /tmp/b.pcap
    python3 benchmarks/bench_reader.py /tmp/b.pcap                      # this tree
    python3 benchmarks/bench_reader.py /tmp/b.pcap --tree /tmp/old --tree .   # A/B, interleaved

Each run is a fresh child process that iterates ``read_capture`` to the end; the figure kept is
the best CPU time (``time.process_time``) over ``--repeat`` runs, trees interleaved, because CPU
time moves less than wall time on a shared machine. ``--sha256`` also hashes the raw input while
reading (``ReadLimits(sha256=True)``; trees without ``open_capture`` fail on it).
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

CHILD = r"""
import sys, time
sys.path.insert(0, sys.argv[1])
from sniffprint.anomalies import AnomalySink
path, sha = sys.argv[2], sys.argv[3] == "1"
sink = AnomalySink()
t, w = time.process_time(), time.perf_counter()
n = 0
if sha:
    from sniffprint.sources.pcapfile import ReadLimits, open_capture
    with open_capture(path, limits=ReadLimits(sha256=True)) as cap:
        for _ in cap.frames(sink):
            n += 1
else:
    from sniffprint.sources.pcapfile import CaptureStats, read_capture
    for _ in read_capture(path, sink, CaptureStats(path=path)):
        n += 1
print(time.process_time() - t, time.perf_counter() - w, n, sink.total())
"""


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("capture")
    ap.add_argument("--tree", action="append", help="a source tree holding sniffprint/ (repeatable)")
    ap.add_argument("--repeat", type=int, default=7)
    ap.add_argument("--sha256", action="store_true")
    args = ap.parse_args()
    trees = args.tree or [str(Path(__file__).resolve().parents[1])]
    best: dict[str, tuple[float, float]] = {t: (float("inf"), float("inf")) for t in trees}
    frames = anomalies = 0
    for _ in range(args.repeat):
        for tree in trees:
            out = subprocess.run([sys.executable, "-c", CHILD, os.path.abspath(tree), args.capture,
                                  "1" if args.sha256 else "0"], capture_output=True, text=True, check=True)
            cpu, wall, n, a = out.stdout.split()
            frames, anomalies = int(n), int(a)
            best[tree] = (min(best[tree][0], float(cpu)), min(best[tree][1], float(wall)))
    mib = os.path.getsize(args.capture) / 2**20
    for tree, (cpu, wall) in best.items():
        print(f"{tree}: {frames} frames, {anomalies} anomalies, best CPU {cpu:.3f} s "
              f"({mib / cpu:.0f} MiB/s, {frames / cpu / 1e6:.2f} M frames/s), best wall {wall:.3f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
