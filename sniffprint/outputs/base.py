"""The streaming writer interface every output format implements (an ``api.Sink``).

``begin()``, then ``flow()``, ``job()``, ``anomaly()``, ``finding()`` as records become known,
``printer()`` and ``client()`` at the end of the run, then ``end(summary)``. Records arrive typed
(``sniffprint.records``) and already redacted by the pipeline.

Where a writer writes: ``fp`` (standard output or ``-o FILE``), or, for the formats that write one
file per table, ``directory`` (``DIRECTORY`` says when: ``"never"``, ``"always"`` (Parquet), or
``"asked"``: when ``-o`` names a directory (CSV)). ``table`` chooses the table a one-table format
writes; ``evidence_dir`` is the evidence folder of the same run (the HTML report embeds its
thumbnails). A writer that cannot write its files sets ``failure`` and lets the run finish: the CLI
reports it (exit 2, unless an exposure was proven).
"""
from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, Protocol

from ..errors import OutputError
from ..records import Anomaly, ClientRecord, Finding, FlowRecord, JobRecord, PrinterRecord, Summary

if TYPE_CHECKING:  # pragma: no cover
    from ..report import Report


class TextSink(Protocol):
    """Where a writer writes: a text file, standard output, or the CLI's guarded ``Output``."""

    def write(self, s: str, /) -> int: ...
    def flush(self) -> None: ...


class Writer:
    DIRECTORY: ClassVar[str] = "never"  # never | always | asked: when it writes a folder of files

    def __init__(self, fp: TextSink, *, show_all: bool = False, reveal: bool = False, directory: str | None = None,
                 table: str = "flows", evidence_dir: str | None = None) -> None:
        self.fp = fp
        self.show_all = show_all
        self.reveal = reveal
        self.directory = directory
        self.table = table
        self.evidence_dir = evidence_dir
        self.failure: OutputError | None = None

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

    def client(self, rec: ClientRecord) -> None:
        return None

    def end(self, stats: Summary) -> None:
        """``stats`` is the run summary; verify adds ``verdict``, ``exit_code`` and ``reasons``."""
        return None


class CollectingWriter(Writer):
    """A format written whole at the end of the run (Parquet, HTML): keeps every record in
    ``report`` (memory grows with the records, as the human table's does)."""

    def begin(self) -> None:
        from ..report import Report

        self.report: Report = Report()

    def flow(self, rec: FlowRecord) -> None:
        self.report.flows.append(rec)

    def job(self, rec: JobRecord) -> None:
        self.report.jobs.append(rec)

    def anomaly(self, rec: Anomaly) -> None:
        self.report.anomalies.append(rec)

    def finding(self, rec: Finding) -> None:
        self.report.findings.append(rec)

    def printer(self, rec: PrinterRecord) -> None:
        self.report.printers.append(rec)

    def client(self, rec: ClientRecord) -> None:
        self.report.clients.append(rec)

    def end(self, stats: Summary) -> None:
        self.report.stats = stats
