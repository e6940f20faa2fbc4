"""One line per finding, written and flushed as soon as it is known (``live --format line``).
Every value goes through ``escape.safe``: a name or certificate subject from the wire cannot clear
the screen or forge a line."""
from __future__ import annotations

import time

from ..records import Finding, PrinterRecord, Summary
from .base import Writer
from .escape import safe


class LineWriter(Writer):
    """``live --format line``: one line per finding, as soon as it is known."""

    def printer(self, rec: PrinterRecord) -> None:
        self.fp.write(f"printer {safe(rec.server_ip)}: {rec.verdict.value}\n")

    def finding(self, rec: Finding) -> None:
        ts = time.strftime("%H:%M:%S", time.localtime(rec.ts)) if rec.ts else "--:--:--"
        where = f"{rec.client_ip} -> {rec.server_ip}:{rec.server_port}" if rec.server_ip else "capture"
        self.fp.write(f"{ts} {rec.code} {rec.severity.value:<8} {safe(where)} {safe(rec.title)}"
                      f"{': ' + safe(rec.detail) if rec.detail else ''}\n")
        self.fp.flush()

    def end(self, stats: Summary) -> None:
        self.fp.flush()
