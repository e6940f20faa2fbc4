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
        self.findings: list[dict[str, Any]] = []
        self.printers: list[dict[str, Any]] = []
        self.counts = {"flows": 0, "print": 0, "clear": 0, "protected": 0, "unknown": 0}

    def finding(self, rec: dict[str, Any]) -> None:
        if self.show_all or rec["severity"] != "info" or rec["code"] in ("SP204", "SP205", "SP206", "SP303"):
            self.findings.append({k: rec.get(k) for k in ("code", "severity", "title", "server_ip", "server_port",
                                                            "client_ip", "detail", "suppressed", "evidence")})

    def printer(self, rec: dict[str, Any]) -> None:
        self.printers.append(rec)

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
        if self.findings:
            self.fp.write("\nfindings:\n")
            order = {"critical": 0, "high": 1, "medium": 2, "low": 3, "info": 4}
            for f in sorted(self.findings, key=lambda f: (order.get(f["severity"], 5), f["code"])):
                where = _ep(f["server_ip"], f["server_port"]) if f["server_ip"] else "capture"
                sup = f"  [excepted: {f['suppressed']}]" if f["suppressed"] else ""
                self.fp.write(f"  {f['code']} {f['severity']:<8} {where:<22} {f['title']}{sup}\n")
                if f["detail"]:
                    self.fp.write(f"         {f['detail']}\n")
                ev = f.get("evidence") or {}
                if ev.get("masked_excerpt"):
                    self.fp.write(f"         text (masked): {ev['masked_excerpt'][:100]}\n")
        if self.printers:
            self.fp.write("\nprinters:\n")
            for p in self.printers:
                worst = (p.get("worst") or {}).get("code", "-")
                self.fp.write(f"  {p['server_ip']:<16} {p['verdict']:<9} protocols {','.join(p['protocols']) or '-'}"
                              f"  clear {_size(p['bytes_clear'])}, protected {_size(p['bytes_protected'])}"
                              f"  worst {worst}\n")
        c = self.counts
        trunc = " (capture truncated)" if stats.get("truncated") else ""
        self.fp.write(
            f"\n{stats['frames']} frames, {c['flows']} TCP flows, {c['print']} print flows: "
            f"{c['clear']} in clear, {c['protected']} protected, {c['unknown']} unknown; "
            f"{stats['anomalies']} anomalies{trunc}\n")
