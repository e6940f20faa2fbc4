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
    __slots__ = ("per_kind_limit", "kept", "counts", "listener", "capture")

    def __init__(self, per_kind_limit: int = 200,
                 listener: Callable[[Anomaly], None] | None = None) -> None:
        self.per_kind_limit = per_kind_limit
        self.kept: list[Anomaly] = []
        self.counts: Counter[str] = Counter()
        self.listener = listener  # called for each kept anomaly (streaming outputs)
        self.capture: str | None = None  # the capture being read (set by the composition root)

    def add(self, ts: float | None, uid: str | None, layer: str, kind: str, detail: str) -> None:
        n = self.counts[kind] + 1
        self.counts[kind] = n
        if n <= self.per_kind_limit:
            a = Anomaly(ts=ts, uid=uid, capture=self.capture, layer=layer, kind=kind, detail=detail)
            self.kept.append(a)
            if self.listener is not None:
                self.listener(a)

    def suppressed(self) -> dict[str, int]:
        return {k: n - self.per_kind_limit for k, n in self.counts.items() if n > self.per_kind_limit}

    def summary_anomalies(self) -> list[Anomaly]:
        """One closing record per kind that hit its limit."""
        return [Anomaly(ts=None, uid=None, layer="capture", kind="anomalies_suppressed",
                        detail=f"{n} more '{k}' anomalies counted but not listed")
                for k, n in sorted(self.suppressed().items())]

    def total(self, kind: str | None = None) -> int:
        return self.counts[kind] if kind else sum(self.counts.values())
