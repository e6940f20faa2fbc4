"""JUnit XML for CI pipelines, from the run's one verdict (``findings.verdict``).

- One test case per printer: failed when one of its findings fails the run (``verdict.fails`` at
  the run's ``--fail-on``, policy exceptions honoured), skipped when its protection could not be
  verified, passed otherwise. A failing finding whose server is no printer gets a case of its own.
- One test case for the capture: an error when the verdict is inconclusive (exit 3) or an internal
  error (exit 4), with the reasons.
So ``failures > 0`` exactly when the verdict is "exposed", and ``errors > 0`` exactly when it is
inconclusive or an internal error: a dashboard never shows red while the gate passes.

Every value written (attributes and text) goes through ``escape.safe``: the characters XML 1.0
forbids (NUL, ESC, the other C0 and C1 controls, U+FFFE/U+FFFF...) would make the file ill-formed
and a CI dashboard would drop the whole report; they, and newlines inside values, are escaped.
"""
from __future__ import annotations

import xml.etree.ElementTree as ET

from ..findings.verdict import finding_fails
from ..model import PrinterVerdict, Severity
from ..records import Finding, PrinterRecord, Summary
from .base import Writer
from .escape import safe


class JunitWriter(Writer):
    def begin(self) -> None:
        self.printers: list[PrinterRecord] = []
        self.findings: list[Finding] = []

    def finding(self, rec: Finding) -> None:
        self.findings.append(rec)

    def printer(self, rec: PrinterRecord) -> None:
        self.printers.append(rec)

    def end(self, stats: Summary) -> None:
        fail_on = stats.fail_on or Severity.MEDIUM
        failing = [f for f in self.findings if finding_fails(f, fail_on)]
        suite = ET.Element("testsuite", name="sniffprint")
        props = ET.SubElement(suite, "properties")  # first, as the JUnit schema orders them
        for name, value in (("verdict", stats.verdict), ("fail_on", fail_on.value),
                            ("reasons", "; ".join(stats.reasons or ()))):
            ET.SubElement(props, "property", name=name, value=safe(value or ""))
        failures = errors = 0
        cases: list[tuple[str, PrinterRecord | None]] = [(p.server_ip, p) for p in self.printers]
        known = {p.server_ip for p in self.printers}
        cases += [(ip, None) for ip in sorted({f.server_ip or "capture" for f in failing} - known)]
        for ip, p in cases:
            case = ET.SubElement(suite, "testcase", classname="sniffprint.printer", name=safe(ip))
            mine = [f for f in failing if (f.server_ip or "capture") == ip]
            if mine:
                failures += 1
                worst = max(mine, key=lambda f: f.severity)
                verdict = p.verdict.value if p is not None else "exposed"
                el = ET.SubElement(case, "failure", type=worst.code,
                                   message=safe(f"{ip}: {verdict} ({worst.title})"))
                el.text = "\n".join(f"{f.code} {f.severity.value} {safe(f.server_ip)}:{f.server_port} "
                                    f"{safe(f.title)}: {safe(f.detail)}\n  fix: {safe(f.remediation)}" for f in mine)
            elif p is not None and p.verdict is PrinterVerdict.UNKNOWN:
                ET.SubElement(case, "skipped", message=safe(f"{ip}: protection could not be verified"))
        case = ET.SubElement(suite, "testcase", classname="sniffprint.capture", name="verdict")
        if stats.verdict in ("inconclusive", "internal-error"):
            errors += 1
            ET.SubElement(case, "error", type=stats.verdict, message=safe("; ".join(stats.reasons or ())))
        suite.set("tests", str(len(cases) + 1))
        suite.set("failures", str(failures))
        suite.set("errors", str(errors))
        ET.indent(suite)
        self.fp.write(ET.tostring(suite, encoding="unicode", xml_declaration=True) + "\n")
