"""findings/protection.py: the weaknesses of a print flow under TLS, each judged against the policy."""
from __future__ import annotations

from sniffprint.findings.policy import Policy, parse
from sniffprint.findings.protection import tls_findings
from sniffprint.records import Finding
from tests.records import flow_record

TLS = {"service": "tls", "protection": "tls", "server_port": 9100}
DEFAULT = Policy()


def _codes(policy: Policy = DEFAULT, **kw) -> dict[str, Finding]:
    def make(code, severity, flow, **_kw):  # noqa: ANN001, ANN202 - Findings._finding's shape
        return Finding(uid=flow.uid, code=code, title="", severity=severity, confidence="high", client_ip=None,
                       client_port=None, server_ip=None, server_port=None, protocol=None, language=None,
                       bytes_exposed=0, evidence=None, remediation="", detail=_kw.get("detail", ""),
                       job_index=None, ts=None, suppressed=None)

    return {f.code: f for f in tls_findings(flow_record(**{**TLS, **kw}), policy, make)}


def test_a_sound_tls_flow_has_no_finding():
    assert _codes(tls_version="TLSv1.3", cert_observable=True) == {}
    assert _codes(protection="smb3-encrypted", service="smb", tls_version="TLSv1.0") == {}  # TLS only


def test_each_weakness_has_its_code():
    found = _codes(tls_version="TLSv1.0", tls_cipher="TLS_RSA_WITH_RC4_128_SHA",
                   tls_weak=("TLS 1.0", "RC4", "no forward secrecy"), cert_self_signed=True,
                   cert_subject="CN=printer", cert_observable=False, cert_not_after="2020-01-01T00:00:00Z")
    assert {c: f.severity for c, f in found.items()} == {
        "SP201": "high", "SP202": "high", "SP203": "low", "SP204": "info", "SP205": "info", "SP207": "low"}
    assert found["SP201"].detail == "negotiated TLSv1.0" and found["SP207"].detail == "expired 2020-01-01T00:00:00Z"


def test_the_policy_decides_what_is_too_old_and_how_bad_a_certificate_is():
    strict = parse({"min_tls_version": "1.3", "allow_self_signed": False, "allow_unobservable_certificate": False})
    found = _codes(strict, tls_version="TLSv1.2", cert_self_signed=True, cert_observable=False)
    assert {c: f.severity for c, f in found.items()} == {"SP201": "high", "SP204": "medium", "SP205": "low"}


def test_an_unreadable_expiry_is_no_finding():
    assert "SP207" not in _codes(tls_version="TLSv1.3", cert_not_after="not a date")
