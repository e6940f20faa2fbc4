"""What a protected print flow still exposes: the weaknesses of its TLS (SP201 old version, SP202
weak cipher, SP203 no forward secrecy, SP204 self-signed certificate, SP205 certificate not
observable, SP207 expired certificate), each judged against the policy.

Invariant: only flows whose protection is TLS are judged here; anything else has no finding of
this kind (SMB3 encryption and RPC privacy are protected as negotiated).
"""
from __future__ import annotations

from datetime import datetime, timezone

from ..model import Protection, Severity
from ..records import Finding, FlowRecord
from .codes import REMEDIATION
from .management import MakeFinding
from .policy import Policy

INFO, LOW, MEDIUM, HIGH = Severity.INFO, Severity.LOW, Severity.MEDIUM, Severity.HIGH


def tls_findings(flow: FlowRecord, policy: Policy, make: MakeFinding) -> list[Finding]:
    """The findings of a flow under TLS (``make``: ``Findings._finding``, which counts them)."""
    out: list[Finding] = []
    if flow.protection is not Protection.TLS:
        return out
    weak = list(flow.tls_weak or ())
    version = flow.tls_version
    old = [w for w in weak if w in ("SSLv3", "TLS 1.0", "TLS 1.1")]
    if old or policy.tls_too_old(version):
        out.append(make("SP201", HIGH, flow, remediation=REMEDIATION["tls"],
                                 detail=f"negotiated {version or 'an old version'}"))
    ciphers = [w for w in weak if w in policy.weak_ciphers]
    if ciphers:
        out.append(make("SP202", HIGH, flow, remediation=REMEDIATION["tls"],
                                 detail=f"{flow.tls_cipher}: {', '.join(ciphers)}"))
    if any("forward secrecy" in w for w in weak):
        out.append(make("SP203", LOW, flow, remediation=REMEDIATION["tls"],
                                 detail=f"{flow.tls_cipher}: RSA key exchange"))
    if flow.cert_self_signed:
        out.append(make("SP204", INFO if policy.allow_self_signed else MEDIUM, flow,
                                 remediation=REMEDIATION["cert"], detail=str(flow.cert_subject)))
    if flow.cert_observable is False:
        out.append(make("SP205", INFO if policy.allow_unobservable_certificate else LOW,
                                 flow, confidence="high",
                                 detail=f"{version or 'TLS'}: the certificate is encrypted"))
    not_after = flow.cert_not_after
    if isinstance(not_after, str) and flow.ts_start:
        try:
            expiry = datetime.fromisoformat(not_after.replace("Z", "+00:00"))
            if expiry < datetime.fromtimestamp(flow.ts_start, tz=timezone.utc):
                out.append(make("SP207", LOW, flow, remediation=REMEDIATION["cert"],
                                         detail=f"expired {not_after}"))
        except (ValueError, OverflowError, OSError):
            pass
    return out
