"""The run's anomaly sink: every stage appends here instead of raising.

Memory stays bounded on hostile input: each ``kind`` keeps its first ``per_kind_limit`` records in
full and only counts the rest; ``summary()`` reports how many of each kind were suppressed, so a
flood of garbage packets is one line per kind, not millions of records.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Callable

from .records import Anomaly


class AnomalySink:
    __slots__ = ("per_kind_limit", "kept", "kept_counts", "counts", "listener", "capture", "flows_only")

    def __init__(self, per_kind_limit: int = 200,
                 listener: Callable[[Anomaly], None] | None = None, *, flows_only: bool = False) -> None:
        self.per_kind_limit = per_kind_limit
        self.kept: list[Anomaly] = []
        self.kept_counts: Counter[str] = Counter()  # kept per kind (absorbed ones included)
        self.counts: Counter[str] = Counter()
        self.listener = listener  # called for each kept anomaly (streaming outputs)
        self.capture: str | None = None  # the capture being read (set by the composition root)
        # a parallel worker other than the first sees every frame but records only what happens on
        # its own flows: the capture and frame anomalies are the first worker's to record
        self.flows_only = flows_only

    def add(self, ts: float | None, uid: str | None, layer: str, kind: str, detail: str) -> None:
        if uid is None and self.flows_only:
            return
        n = self.counts[kind] + 1
        self.counts[kind] = n
        if n <= self.per_kind_limit:
            a = Anomaly(ts=ts, uid=uid, capture=self.capture, layer=layer, kind=kind, detail=detail)
            self.kept.append(a)
            self.kept_counts[kind] += 1
            if self.listener is not None:
                self.listener(a)

    def absorb(self, a: Anomaly) -> None:
        """A worker's anomaly (already counted there: ``merge_counts``): kept within this sink's
        per-kind limit and streamed to the listener."""
        if self.kept_counts[a.kind] < self.per_kind_limit:
            self.kept.append(a)
            self.kept_counts[a.kind] += 1
            if self.listener is not None:
                self.listener(a)

    def merge_counts(self, counts: Counter[str]) -> None:
        self.counts.update(counts)

    def suppressed(self) -> dict[str, int]:
        return {k: n - self.per_kind_limit for k, n in self.counts.items() if n > self.per_kind_limit}

    def summary_anomalies(self) -> list[Anomaly]:
        """One closing record per kind that hit its limit."""
        return [Anomaly(ts=None, uid=None, layer="capture", kind="anomalies_suppressed",
                        detail=f"{n} more '{k}' anomalies counted but not listed")
                for k, n in sorted(self.suppressed().items())]

    def total(self, kind: str | None = None) -> int:
        return self.counts[kind] if kind else sum(self.counts.values())
