"""JSON lines on stdout: one record per line, written as soon as it is known (a public contract).

Record types: ``flow``, ``job``, ``finding``, ``anomaly``, ``printer`` and a closing ``summary``.
Field names are pinned in the README and never renamed; new fields may be added.
"""
from __future__ import annotations

import json
from typing import Any

from ..evidence.redact import redact_flow, redact_job
from .base import Writer


class JsonLinesWriter(Writer):
    def _write(self, rec: dict[str, Any]) -> None:
        self.fp.write(json.dumps(rec, separators=(",", ":"), ensure_ascii=False, default=str))
        self.fp.write("\n")

    def flow(self, rec: dict[str, Any]) -> None:
        self._write(rec if self.reveal else redact_flow(rec))

    def job(self, rec: dict[str, Any]) -> None:
        self._write(rec if self.reveal else redact_job(rec))

    def anomaly(self, rec: dict[str, Any]) -> None:
        self._write(rec)

    def finding(self, rec: dict[str, Any]) -> None:
        self._write(rec)
        self.fp.flush()  # live mode: a finding is printed the moment it is known

    def printer(self, rec: dict[str, Any]) -> None:
        self._write(rec)

    def end(self, stats: dict[str, Any]) -> None:
        self._write({"type": "summary", **stats})
        self.fp.flush()
