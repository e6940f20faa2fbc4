"""SARIF 2.1.0 (OASIS) for code-scanning dashboards: one rule per finding code, one result per
finding; the printer's address stands in the logical location (there is no source file)."""
from __future__ import annotations

import json
from typing import Any

from .._version import __version__
from ..findings.codes import TITLES
from ..findings.verdict import finding_fails
from ..model import Severity
from ..records import Finding, Summary
from ..report import to_json
from .base import Writer

# A result is an "error" exactly when it fails the run (findings.verdict.fails at the run's
# --fail-on): SARIF levels then say what the exit status says. Otherwise by severity.
LEVEL = {"critical": "warning", "high": "warning", "medium": "warning", "low": "note", "info": "note"}


class SarifWriter(Writer):
    def begin(self) -> None:
        self.results: list[dict[str, Any]] = []
        self.findings: list[Finding] = []
        self.rules: set[str] = set()

    def finding(self, rec: Finding) -> None:
        code = rec.code
        self.rules.add(code)
        where = f"{rec.server_ip}:{rec.server_port}" if rec.server_ip else "capture"
        result: dict[str, Any] = {
            "ruleId": code,
            "level": LEVEL.get(rec.severity.value, "warning"),
            "message": {"text": f"{rec.title} ({where}): {rec.detail or ''}".rstrip(": ")},
            "locations": [{"logicalLocations": [{"name": where, "kind": "resource",
                                                 "fullyQualifiedName": f"{rec.protocol}://{where}"}]}],
            "properties": {"severity": rec.severity.value, "confidence": rec.confidence,
                           "uid": rec.uid, "client": rec.client_ip, "bytes_exposed": rec.bytes_exposed,
                           "evidence": to_json(rec.evidence, top=False) if rec.evidence else {}},
        }
        if rec.suppressed:
            result["suppressions"] = [{"kind": "external", "justification": rec.suppressed}]
        self.results.append(result)
        self.findings.append(rec)

    def end(self, stats: Summary) -> None:
        fail_on = stats.fail_on or Severity.MEDIUM
        for result, rec in zip(self.results, self.findings, strict=True):
            if finding_fails(rec, fail_on):
                result["level"] = "error"
        doc = {
            "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
            "version": "2.1.0",
            "runs": [{
                "tool": {"driver": {
                    "name": "sniffprint", "version": __version__,
                    "rules": [{"id": c, "name": c, "shortDescription": {"text": TITLES.get(c, c)}}
                              for c in sorted(self.rules)],
                }},
                "results": self.results,
                "invocations": [{"executionSuccessful": stats.verdict != "internal-error",
                                 "properties": {"verdict": stats.verdict, "fail_on": fail_on.value,
                                                "reasons": list(stats.reasons or ())}}],
            }],
        }
        self.fp.write(json.dumps(doc, indent=2, default=str) + "\n")
