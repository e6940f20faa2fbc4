"""CSV of the flow records (one row per flow; jobs and anomalies are in the JSON output)."""
from __future__ import annotations

import csv
from typing import Any

from .base import Writer
from .table import matters

COLUMNS = ["uid", "client_ip", "client_port", "server_ip", "server_port", "service", "protection",
           "print", "languages", "c2s_bytes", "s2c_bytes", "c2s_packets", "s2c_packets", "missed_bytes",
           "history", "state", "ts_start", "ts_end", "tls_version", "tls_cipher", "smb_dialect"]


class CsvWriter(Writer):
    def begin(self) -> None:
        self.w = csv.DictWriter(self.fp, fieldnames=COLUMNS, extrasaction="ignore", lineterminator="\n")
        self.w.writeheader()

    def flow(self, rec: dict[str, Any]) -> None:
        if self.show_all or matters(rec):
            row = dict(rec)
            row["languages"] = ";".join(rec.get("languages") or [])
            row["print"] = "" if rec["print"] is None else str(rec["print"]).lower()
            self.w.writerow(row)
