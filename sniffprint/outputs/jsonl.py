"""JSON lines on stdout: one record per line, written as soon as it is known (a public contract).

Record types: ``flow``, ``job``, ``finding``, ``anomaly``, ``printer`` and a closing ``summary``.
Each line is ``report.to_json`` of a typed record: the keys are the record's schema
(``sniffprint.records``), documented in ``docs/json.md`` and never renamed; new fields may be added.
"""
from __future__ import annotations

import json
from typing import Any

from ..records import Anomaly, Finding, FlowRecord, JobRecord, PrinterRecord, Summary
from ..report import to_json
from .base import Writer


class JsonLinesWriter(Writer):
    def _write(self, rec: Any) -> None:
        self.fp.write(json.dumps(to_json(rec), separators=(",", ":"), ensure_ascii=False, default=str))
        self.fp.write("\n")

    def flow(self, rec: FlowRecord) -> None:
        self._write(rec)

    def job(self, rec: JobRecord) -> None:
        self._write(rec)

    def anomaly(self, rec: Anomaly) -> None:
        self._write(rec)

    def finding(self, rec: Finding) -> None:
        self._write(rec)
        self.fp.flush()  # live mode: a finding is printed the moment it is known

    def printer(self, rec: PrinterRecord) -> None:
        self._write(rec)

    def end(self, stats: Summary) -> None:
        self._write(stats)
        self.fp.flush()
