"""JUnit XML for CI pipelines: one test case per printer (failed when exposed or weak), plus one
for the capture itself (error when the run is inconclusive)."""
from __future__ import annotations

import xml.etree.ElementTree as ET

from ..model import PrinterVerdict, Severity
from ..records import Finding, PrinterRecord, Summary
from .base import Writer


class JunitWriter(Writer):
    def begin(self) -> None:
        self.printers: list[PrinterRecord] = []
        self.findings: list[Finding] = []

    def finding(self, rec: Finding) -> None:
        self.findings.append(rec)

    def printer(self, rec: PrinterRecord) -> None:
        self.printers.append(rec)

    def end(self, stats: Summary) -> None:
        suite = ET.Element("testsuite", name="sniffprint verify")
        failures = errors = 0
        for p in self.printers:
            case = ET.SubElement(suite, "testcase", classname="sniffprint.printer", name=p.server_ip)
            mine = [f for f in self.findings if f.server_ip == p.server_ip and not f.suppressed]
            if p.verdict in (PrinterVerdict.EXPOSED, PrinterVerdict.WEAK):
                failures += 1
                worst_code = p.worst.code if p.worst else p.verdict.value
                worst_title = p.worst.title if p.worst else ""
                el = ET.SubElement(case, "failure", type=worst_code,
                                   message=f"{p.server_ip}: {p.verdict.value} ({worst_title})")
                el.text = "\n".join(f"{f.code} {f.severity.value} {f.server_ip}:{f.server_port} "
                                    f"{f.title}: {f.detail}\n  fix: {f.remediation}" for f in mine
                                    if f.severity is not Severity.INFO)
            elif p.verdict is PrinterVerdict.UNKNOWN:
                ET.SubElement(case, "skipped", message=f"{p.server_ip}: protection could not be verified")
        reasons = stats.reasons or ()
        case = ET.SubElement(suite, "testcase", classname="sniffprint.capture", name="capture is conclusive")
        if stats.exit_code == 3:
            errors += 1
            ET.SubElement(case, "error", type="inconclusive", message="; ".join(reasons))
        suite.set("tests", str(len(self.printers) + 1))
        suite.set("failures", str(failures))
        suite.set("errors", str(errors))
        ET.indent(suite)
        self.fp.write(ET.tostring(suite, encoding="unicode", xml_declaration=True) + "\n")
