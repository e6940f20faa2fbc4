"""SARIF 2.1.0 (OASIS) that a code-scanning service accepts: one rule per finding code, one result
per finding, located in the capture it was found in.

What code-scanning services require beyond the schema (GitHub's upload rules, checked in the tests
by Microsoft's SARIF multitool with its GitHub rule set), and how a capture meets it:

- rules: ``shortDescription`` (the title), ``fullDescription`` (``codes.DESCRIPTIONS``), ``help``
  as text and markdown (the remediation of every protocol the code applies to, ``codes.FIXES``),
  ``properties.security-severity`` (a number in a string, from the worst severity this run gave the
  code: the policy can raise SP204/SP205) and ``properties.tags``;
- results: a physical location naming the capture (``artifactLocation.uri``: relative paths stay
  relative, absolute ones become ``file://`` URIs) with ``region.startLine`` 1, since a capture has no
  lines and services require a start line; the printer (``ip:port``) and the flow (its uid) as
  logical locations; ``partialFingerprints`` that depend only on the capture's content and the
  finding (code, endpoints, flow start, job), never on the run's order of captures or findings, so
  the same capture gives the same fingerprints in every run;
- ``run.artifacts``: each capture, with its SHA-256 and length when the file is readable.

Invariant: a result is ``"error"`` exactly when it fails the run (``findings.verdict.finding_fails``
at the run's ``--fail-on``, policy exceptions honoured), so SARIF levels say what the exit status
says; otherwise ``warning`` or ``note`` by severity.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
from pathlib import Path
from typing import Any
from urllib.parse import quote

from .._version import __version__
from ..findings.codes import DESCRIPTIONS, FIXES, HELP_NOTES, REMEDIATION, TITLES
from ..findings.verdict import NEVER_FAIL, finding_fails
from ..model import Severity
from ..records import Finding, Summary
from ..report import to_json
from .base import Writer

LEVEL = {"critical": "warning", "high": "warning", "medium": "warning", "low": "note", "info": "note"}
# GitHub's bands: over 9.0 critical, 7.0-8.9 high, 4.0-6.9 medium, 0.1-3.9 low
SECURITY_SEVERITY = {"critical": "9.5", "high": "8.0", "medium": "5.5", "low": "3.0", "info": "0.0"}
PROBLEM_SEVERITY = {"critical": "error", "high": "error", "medium": "warning", "low": "recommendation",
                    "info": "recommendation"}
FINGERPRINT = "sniffprint/v1"  # the key of partialFingerprints; bump /vN if its recipe changes
PROTOCOL_NAMES = {"raw9100": "Raw port 9100 (JetDirect/AppSocket)", "lpd": "LPD", "ipp": "IPP", "smb": "SMB",
                  "tls": "TLS", "cert": "Certificate", "pjlfs": "PJL file system", "smb-unknown": "Encrypted SMB",
                  "capture": "Capture", "http-admin": "Printer web interface", "snmp": "SNMP"}


def artifact_uri(path: str) -> str:
    """The capture as an ``artifactLocation.uri``: a relative path stays a relative URI reference,
    an absolute one becomes a ``file://`` URI; ``-`` (standard input) and ``live:IF`` are names."""
    if path == "-":
        return "stdin"
    if path.startswith("live:"):
        return quote(path.replace(":", "/", 1))  # "live/eth0": a name, never a URI scheme
    p = Path(path)
    if p.is_absolute():
        return p.as_uri()
    return quote(p.as_posix())


def _rule_name(title: str) -> str:
    """A readable rule name (SARIF wants it to differ from the opaque id): the title in CamelCase."""
    words = re.findall(r"[A-Za-z0-9]+", title)
    return "".join(w[:1].upper() + w[1:] for w in words)


def rule_help(code: str) -> tuple[str, str]:
    """The remediation of a code, as text and as markdown."""
    fixes = [(PROTOCOL_NAMES.get(k, k), REMEDIATION[k]) for k in FIXES.get(code, ())]
    note = HELP_NOTES.get(code, "")
    if len(fixes) == 1:
        text = fixes[0][1]
        md = fixes[0][1]
    else:
        text = " ".join(f"{name}: {fix}" for name, fix in fixes)
        md = "\n".join(f"- **{name}**: {fix}" for name, fix in fixes)
    if note:
        text = f"{text} {note}".strip()
        md = f"{md}\n\n{note}".strip()
    return text, f"**{code} {TITLES[code]}**\n\n{DESCRIPTIONS[code]}\n\n**Remediation**\n\n{md}"


def _rule(code: str, worst: Severity) -> dict[str, Any]:
    text, md = rule_help(code)
    security = not code.startswith("SP9")
    return {
        "id": code,
        "name": _rule_name(TITLES[code]),
        "shortDescription": {"text": TITLES[code]},
        "fullDescription": {"text": DESCRIPTIONS[code]},
        "help": {"text": text, "markdown": md},
        "defaultConfiguration": {"level": LEVEL[worst.value]},
        "properties": {
            "security-severity": SECURITY_SEVERITY[worst.value],
            "problem.severity": PROBLEM_SEVERITY[worst.value],
            "precision": "high",
            "tags": (["security", "print", "cleartext" if code.startswith(("SP1", "SP3")) else "tls"]
                     if security else ["capture-quality", "print"])
                    + (["never-fails"] if code.startswith(NEVER_FAIL) else []),
        },
    }


def _sha256(path: str) -> str | None:
    """The SHA-256 of a capture file, or None when it is not a readable regular file."""
    try:
        if not os.path.isfile(path):
            return None
        h = hashlib.sha256()
        with open(path, "rb") as fp:
            for chunk in iter(lambda: fp.read(1 << 20), b""):
                h.update(chunk)
        return h.hexdigest()
    except OSError:
        return None


class SarifWriter(Writer):
    def begin(self) -> None:
        self.findings: list[Finding] = []

    def finding(self, rec: Finding) -> None:
        self.findings.append(rec)

    def end(self, stats: Summary) -> None:
        fail_on = stats.fail_on or Severity.MEDIUM
        paths = [c.path for c in stats.captures]
        for f in self.findings:  # a finding names its capture; keep one artifact per capture
            if f.capture is not None and f.capture not in paths:
                paths.append(f.capture)
        hashes = {p: _sha256(p) for p in paths if p != "-" and not p.startswith("live:")}
        artifacts = []
        for p in paths:
            art: dict[str, Any] = {"location": {"uri": artifact_uri(p)}, "roles": ["analysisTarget"]}
            if hashes.get(p):
                art["hashes"] = {"sha-256": hashes[p]}
                art["length"] = os.path.getsize(p)
            artifacts.append(art)
        index = {p: i for i, p in enumerate(paths)}

        worst: dict[str, Severity] = {}
        for f in self.findings:
            worst[f.code] = max(worst.get(f.code, f.severity), f.severity)
        codes = sorted(worst)
        rule_index = {c: i for i, c in enumerate(codes)}

        seen: dict[str, int] = {}
        results = []
        for f in self.findings:
            where = f"{f.server_ip}:{f.server_port}" if f.server_ip else "capture"
            level = "error" if finding_fails(f, fail_on) else LEVEL.get(f.severity.value, "warning")
            logical: list[dict[str, Any]] = []
            if f.server_ip:
                logical.append({"name": where, "kind": "resource", "fullyQualifiedName":
                                f"{f.protocol or 'tcp'}://{where}"})
            if f.uid:
                logical.append({"name": f.uid, "kind": "object", "fullyQualifiedName": f"{where}/flow/{f.uid}"})
            # a capture-level finding with no capture of its own (no print traffic in the whole run)
            # is located in every capture the run read (at most ten, as services allow)
            mine = [f.capture] if f.capture is not None else paths[:10]
            locations = []
            for i, p in enumerate(mine):
                loc: dict[str, Any] = {"physicalLocation": {
                    "artifactLocation": {"uri": artifact_uri(p), "index": index[p]},
                    "region": {"startLine": 1}}}
                if logical and i == 0:
                    loc["logicalLocations"] = logical
                locations.append(loc)
            fp = self._fingerprint(f, [hashes.get(p) or p for p in mine])
            seen[fp] = seen.get(fp, 0) + 1
            if seen[fp] > 1:  # the same capture given twice in one run: keep fingerprints unique
                fp = hashlib.sha256(f"{fp}|{seen[fp]}".encode()).hexdigest()
            result: dict[str, Any] = {
                "ruleId": f.code,
                "ruleIndex": rule_index[f.code],
                "level": level,
                "message": {"text": f"{f.title} ({where}): {f.detail or ''}".rstrip(": ")},
                "locations": locations,
                "partialFingerprints": {FINGERPRINT: fp},
                "properties": {"severity": f.severity.value, "confidence": f.confidence, "uid": f.uid,
                               "client": f.client_ip, "bytes_exposed": f.bytes_exposed,
                               "remediation": f.remediation,
                               "evidence": to_json(f.evidence, top=False) if f.evidence else {}},
            }
            if f.suppressed:
                result["suppressions"] = [{"kind": "external", "justification": f.suppressed}]
            results.append(result)

        doc = {
            "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
            "version": "2.1.0",
            "runs": [{
                "tool": {"driver": {
                    "name": "sniffprint", "version": __version__, "semanticVersion": __version__,
                    "rules": [_rule(c, worst[c]) for c in codes],
                }},
                "artifacts": artifacts,
                "results": results,
                "invocations": [{"executionSuccessful": stats.verdict != "internal-error",
                                 "properties": {"verdict": stats.verdict, "fail_on": fail_on.value,
                                                "reasons": list(stats.reasons or ())}}],
                "columnKind": "unicodeCodePoints",
            }],
        }
        self.fp.write(json.dumps(doc, indent=2, default=str) + "\n")

    @staticmethod
    def _fingerprint(f: Finding, captures: list[str]) -> str:
        """What identifies a finding across runs of the same capture: its code and the capture's
        content (SHA-256; the path when it cannot be read), and for a flow its endpoints, first
        timestamp and job. Per-printer findings (SP301, SP303) are one per printer and port, whatever
        capture showed them first. Never the uid (it depends on the capture's place in the run)."""
        if f.code in ("SP301", "SP303"):
            parts = [f.code, str(f.server_ip), str(f.server_port)]
        elif f.server_ip is None:
            parts = [f.code, *sorted(captures)]
        else:
            parts = [f.code, *captures, f"{f.client_ip}|{f.client_port}|{f.server_ip}|{f.server_port}",
                     f"{f.ts:.6f}" if f.ts is not None else "-", str(f.job_index)]
        return hashlib.sha256("\x1f".join(parts).encode("utf-8", "surrogateescape")).hexdigest()
