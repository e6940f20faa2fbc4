"""Where a run's records go: the ``Sink`` protocol every output writer meets, a parallel worker's
share (``Part``), and the two sinks of the API itself: ``ReportSink`` (collects a ``Report``) and
the evidence folder's sink (findings, printer and client records as JSON lines, then the manifest).

Invariant: a sink receives records already redacted by the pipeline; it never redacts or judges.
"""
from __future__ import annotations

from typing import Any, Protocol

from ..evidence.folder import EvidenceFolder
from ..records import Anomaly, ClientRecord, Evidence, Finding, FlowRecord, JobRecord, PrinterRecord, Summary
from ..report import Report, to_json


class Sink(Protocol):
    """What the pipeline streams records to (every output writer is one)."""

    def flow(self, rec: FlowRecord) -> None: ...
    def job(self, rec: JobRecord) -> None: ...
    def anomaly(self, rec: Anomaly) -> None: ...
    def finding(self, rec: Finding) -> None: ...
    def printer(self, rec: PrinterRecord) -> None: ...
    def client(self, rec: ClientRecord) -> None: ...
    def end(self, stats: Summary) -> None: ...


class Part(Protocol):
    """A worker's share of a parallel run (``parallel.WorkerPart``): which flows it analyses and
    where their records go."""

    index: int

    def owns(self, seg: tuple[Any, ...]) -> bool: ...
    def flow(self, rec: FlowRecord, jobs: list[tuple[JobRecord, Evidence | None]]) -> None: ...
    def anomaly(self, a: Anomaly) -> None: ...


class ReportSink:
    """Collects the records into a ``Report`` (the Python API's sink)."""

    def __init__(self, report: Report) -> None:
        self.report = report
        self.flow = self.job = self.anomaly = self.finding = self.printer = self.client = report.add

    def end(self, stats: Summary) -> None:
        self.report.stats = stats


class FolderSink:
    """The evidence folder keeps the findings, printer and client records (JSON lines) and a manifest."""

    def __init__(self, folder: EvidenceFolder) -> None:
        self.folder = folder

    def flow(self, rec: FlowRecord) -> None:
        return None

    def job(self, rec: JobRecord) -> None:
        return None

    def anomaly(self, rec: Anomaly) -> None:
        return None

    def finding(self, rec: Finding) -> None:
        self.folder.record(to_json(rec))

    def printer(self, rec: PrinterRecord) -> None:
        self.folder.record(to_json(rec))

    def client(self, rec: ClientRecord) -> None:
        self.folder.record(to_json(rec))

    def end(self, stats: Summary) -> None:
        self.folder.finish(to_json(stats))
