"""The streaming writer interface every output format implements (an ``api.Sink``).

``begin()``, then ``flow()``, ``job()``, ``anomaly()``, ``finding()`` as records become known,
``printer()`` at the end of the run, then ``end(summary)``. Records arrive typed
(``sniffprint.records``) and already redacted by the pipeline.
"""
from __future__ import annotations

from typing import Protocol

from ..records import Anomaly, Finding, FlowRecord, JobRecord, PrinterRecord, Summary


class TextSink(Protocol):
    """Where a writer writes: a text file, standard output, or the CLI's guarded ``Output``."""

    def write(self, s: str, /) -> int: ...
    def flush(self) -> None: ...


class Writer:
    def __init__(self, fp: TextSink, *, show_all: bool = False, reveal: bool = False) -> None:
        self.fp = fp
        self.show_all = show_all
        self.reveal = reveal

    def begin(self) -> None:
        return None

    def flow(self, rec: FlowRecord) -> None:
        return None

    def job(self, rec: JobRecord) -> None:
        return None

    def anomaly(self, rec: Anomaly) -> None:
        return None

    def finding(self, rec: Finding) -> None:
        return None

    def printer(self, rec: PrinterRecord) -> None:
        return None

    def end(self, stats: Summary) -> None:
        """``stats`` is the run summary; verify adds ``verdict``, ``exit_code`` and ``reasons``."""
        return None
