"""JSON lines on stdout: one record per line, written as soon as it is known (a public contract).

Record types: ``flow``, ``job``, ``finding``, ``anomaly``, ``printer``, ``client`` and a closing
``summary``.
Each line is ``report.to_json`` of a typed record: the keys are the record's schema
(``sniffprint.records``), documented in ``docs/json.md`` and never renamed; new fields may be added.

Text is UTF-8 as is, except the characters that act on a terminal (``verify`` writes JSON to it by
default) or end a line for some readers: JSON already escapes C0 controls, and DEL, the C1
controls (U+0085 NEL among them), the line and paragraph separators and the bidirectional and
zero-width format characters are written as ``\\uXXXX`` too. The decoded values are unchanged.
"""
from __future__ import annotations

import json
import re
from typing import Any

from ..records import Anomaly, ClientRecord, Finding, FlowRecord, JobRecord, PrinterRecord, Summary
from ..report import to_json
from .base import Writer

_ACTIVE = re.compile("[\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff\ufff9-\ufffb]")


def _u(m: re.Match[str]) -> str:
    return f"\\u{ord(m.group()):04x}"


class JsonLinesWriter(Writer):
    def _write(self, rec: Any) -> None:
        line = json.dumps(to_json(rec), separators=(",", ":"), ensure_ascii=False, default=str)
        self.fp.write(_ACTIVE.sub(_u, line))
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

    def client(self, rec: ClientRecord) -> None:
        self._write(rec)

    def end(self, stats: Summary) -> None:
        self._write(stats)
        self.fp.flush()
