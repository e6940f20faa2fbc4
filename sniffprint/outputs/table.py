"""The human table: the flows that matter (print services, TLS, anything on a print port), then
a summary line. ``--all`` lists every flow."""
from __future__ import annotations

from typing import Any

from ..model import PRINT_PORTS
from .base import Writer

PRINT_SERVICES = frozenset({"raw9100", "lpd", "ipp", "smb"})


def matters(rec: dict[str, Any]) -> bool:
    return (rec["print"] is not False or rec["service"] in PRINT_SERVICES or rec["service"] == "tls"
            or rec["server_port"] in PRINT_PORTS)


def _size(n: int) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024  # type: ignore[assignment]
    return str(n)


def _ep(ip: str, port: int) -> str:
    return f"[{ip}]:{port}" if ":" in ip else f"{ip}:{port}"


class TableWriter(Writer):
    def begin(self) -> None:
        self.rows: list[dict[str, Any]] = []
        self.counts = {"flows": 0, "print": 0, "clear": 0, "protected": 0, "unknown": 0}

    def flow(self, rec: dict[str, Any]) -> None:
        c = self.counts
        c["flows"] += 1
        if rec["print"] is not False:
            c["print"] += 1
            if rec["print"] is None or rec["protection"] == "unknown":
                c["unknown"] += 1
            elif rec["protection"] == "none":
                c["clear"] += 1
            else:
                c["protected"] += 1
        if self.show_all or matters(rec):
            self.rows.append(rec)

    def end(self, stats: dict[str, Any]) -> None:
        head = ["uid", "client", "server", "service", "protection", "print", "languages", "c2s", "s2c",
                "missed", "history"]
        lines = [head]
        for r in sorted(self.rows, key=lambda r: r["ts_start"]):
            pr = {True: "yes", False: "no", None: "unknown"}[r["print"]]
            lines.append([r["uid"][:10], _ep(r["client_ip"], r["client_port"]),
                          _ep(r["server_ip"], r["server_port"]), r["service"], r["protection"], pr,
                          ",".join(r.get("languages") or []) or "-", _size(r["c2s_bytes"]),
                          _size(r["s2c_bytes"]), _size(r["missed_bytes"]) if r["missed_bytes"] else "-",
                          r["history"]])
        if len(lines) > 1:
            widths = [max(len(str(row[i])) for row in lines) for i in range(len(head))]
            for row in lines:
                self.fp.write("  ".join(str(v).ljust(w) for v, w in zip(row, widths, strict=True)).rstrip() + "\n")
        else:
            self.fp.write("no print, TLS or print-port flows (use --all to list every flow)\n")
        c = self.counts
        trunc = " (capture truncated)" if stats.get("truncated") else ""
        self.fp.write(
            f"\n{stats['frames']} frames, {c['flows']} TCP flows, {c['print']} print flows: "
            f"{c['clear']} in clear, {c['protected']} protected, {c['unknown']} unknown; "
            f"{stats['anomalies']} anomalies{trunc}\n")
