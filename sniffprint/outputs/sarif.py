"""SARIF 2.1.0 (OASIS) for code-scanning dashboards: one rule per finding code, one result per
finding; the printer's address stands in the logical location (there is no source file)."""
from __future__ import annotations

import json
from typing import Any

from .._version import __version__
from ..findings.rules import TITLES
from .base import Writer

LEVEL = {"critical": "error", "high": "error", "medium": "warning", "low": "note", "info": "note"}


class SarifWriter(Writer):
    def begin(self) -> None:
        self.results: list[dict[str, Any]] = []
        self.rules: set[str] = set()

    def flow(self, rec: dict[str, Any]) -> None:
        return None

    def finding(self, rec: dict[str, Any]) -> None:
        code = str(rec["code"])
        self.rules.add(code)
        where = f"{rec['server_ip']}:{rec['server_port']}" if rec.get("server_ip") else "capture"
        result: dict[str, Any] = {
            "ruleId": code,
            "level": LEVEL.get(str(rec["severity"]), "warning"),
            "message": {"text": f"{rec['title']} ({where}): {rec.get('detail') or ''}".rstrip(": ")},
            "locations": [{"logicalLocations": [{"name": where, "kind": "resource",
                                                 "fullyQualifiedName": f"{rec.get('protocol')}://{where}"}]}],
            "properties": {"severity": rec["severity"], "confidence": rec.get("confidence"),
                           "uid": rec.get("uid"), "client": rec.get("client_ip"),
                           "bytes_exposed": rec.get("bytes_exposed"), "evidence": rec.get("evidence") or {}},
        }
        if rec.get("suppressed"):
            result["suppressions"] = [{"kind": "external", "justification": rec["suppressed"]}]
        self.results.append(result)

    def end(self, stats: dict[str, Any]) -> None:
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
                "invocations": [{"executionSuccessful": stats.get("exit_code", 0) in (0, 1),
                                 "properties": {"verdict": stats.get("verdict"),
                                                "reasons": stats.get("reasons") or []}}],
            }],
        }
        self.fp.write(json.dumps(doc, indent=2, default=str) + "\n")
