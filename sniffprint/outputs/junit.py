"""JUnit XML for CI pipelines: one test case per printer (failed when exposed or weak), plus one
for the capture itself (error when the run is inconclusive)."""
from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Any

from .base import Writer


class JunitWriter(Writer):
    def begin(self) -> None:
        self.printers: list[dict[str, Any]] = []
        self.findings: list[dict[str, Any]] = []

    def flow(self, rec: dict[str, Any]) -> None:
        return None

    def finding(self, rec: dict[str, Any]) -> None:
        self.findings.append({k: rec.get(k) for k in ("code", "severity", "title", "server_ip", "server_port",
                                                        "detail", "suppressed", "remediation")})

    def printer(self, rec: dict[str, Any]) -> None:
        self.printers.append(rec)

    def end(self, stats: dict[str, Any]) -> None:
        suite = ET.Element("testsuite", name="sniffprint verify")
        failures = errors = 0
        for p in self.printers:
            case = ET.SubElement(suite, "testcase", classname="sniffprint.printer", name=p["server_ip"])
            mine = [f for f in self.findings if f["server_ip"] == p["server_ip"] and not f["suppressed"]]
            if p["verdict"] in ("exposed", "weak"):
                failures += 1
                worst = p.get("worst") or {}
                el = ET.SubElement(case, "failure", type=str(worst.get("code", p["verdict"])),
                                   message=f"{p['server_ip']}: {p['verdict']} ({worst.get('title', '')})")
                el.text = "\n".join(f"{f['code']} {f['severity']} {f['server_ip']}:{f['server_port']} "
                                    f"{f['title']}: {f['detail']}\n  fix: {f['remediation']}" for f in mine
                                    if f["severity"] not in ("info",))
            elif p["verdict"] == "unknown":
                ET.SubElement(case, "skipped", message=f"{p['server_ip']}: protection could not be verified")
        reasons = stats.get("reasons") or []
        case = ET.SubElement(suite, "testcase", classname="sniffprint.capture", name="capture is conclusive")
        if stats.get("exit_code") == 3:
            errors += 1
            ET.SubElement(case, "error", type="inconclusive", message="; ".join(reasons))
        suite.set("tests", str(len(self.printers) + 1))
        suite.set("failures", str(failures))
        suite.set("errors", str(errors))
        ET.indent(suite)
        self.fp.write(ET.tostring(suite, encoding="unicode", xml_declaration=True) + "\n")
