"""findings/management.py: SP106 (admin panels over HTTP) and SP107 (SNMP in clear), decided at the
end of the run, aggregated, and never quoting a credential."""
from __future__ import annotations

from sniffprint.findings.rules import Findings
from sniffprint.findings.verdict import ExitCode, decide
from sniffprint.records import Credential
from tests.records import flow_record, summary

PRINTS = flow_record(uid="P1", history="ShADFf")  # 10.0.0.2 prints: it is a printer
BASIC = Credential(kind="basic", label="Authorization", user_hash="aa" * 16, secret_length=18, secret_hash="bb" * 16)
FORM = Credential(kind="form-urlencoded", label="PasswordTextBox", secret_length=14, secret_hash="cc" * 16)
ISSUED = Credential(kind="session-set", label="sessionId", secret_length=32, secret_hash="dd" * 16)
SENT = Credential(kind="session-cookie", label="sessionId", secret_length=32, secret_hash="dd" * 16)
OTHER_COOKIE = Credential(kind="session-cookie", label="sessionId", secret_length=32, secret_hash="ee" * 16)
COMMUNITY = Credential(kind="snmp-community", label="community", secret_length=6, secret_hash="ff" * 16)


def web(uid: str, **kw):  # noqa: ANN003, ANN202
    base = {"uid": uid, "service": "http-admin", "print": False, "server_port": 80, "history": "ShADadFf"}
    base.update(kw)
    return flow_record(**base)


def snmp(uid: str, **kw):  # noqa: ANN003, ANN202
    base = {"uid": uid, "proto": "udp", "service": "snmp", "print": False, "server_port": 161, "history": "Dd",
            "snmp_versions": ("v2c",), "snmp_pdus": ("get-request", "get-response"), "credentials": (COMMUNITY,)}
    base.update(kw)
    return flow_record(**base)


def run(*flows):  # noqa: ANN002, ANN202
    f = Findings()
    out = []
    for fl in flows:
        out += f.flow(fl, [])
    out += f.finish(summary())
    return f, [x for x in out if x.code in ("SP106", "SP107")]


def test_logins_make_one_critical_finding_per_printer_port_and_client() -> None:
    f, found = run(PRINTS, web("W1", credentials=(BASIC,), http_pages=1), web("W2", credentials=(BASIC,)),
                   web("W3", credentials=(FORM, ISSUED)), web("W4", http_pages=3))
    (sp106,) = found
    assert (sp106.severity, sp106.uid, sp106.server_port, sp106.protocol) == ("critical", "W1", 80, "http-admin")
    assert "4 flows" in sp106.detail and "password 18 characters, hash bbbbbbbb" in sp106.detail
    assert "field PasswordTextBox" in sp106.detail and "user aaaaaaaa" in sp106.detail
    assert f.printers.records()[0].worst.code == "SP106"
    assert decide(f, summary()).exit_code is ExitCode.EXPOSED


def test_a_session_cookie_counts_as_a_login_only_when_a_login_issued_it() -> None:
    _, found = run(PRINTS, web("W1", credentials=(OTHER_COOKIE,), http_pages=1))
    assert [x.severity for x in found] == ["medium"]
    # the cookie comes back on a connection that ends before the login's: matched at the end all the same
    _, found = run(PRINTS, web("W1", client_port=1, credentials=(SENT,), http_pages=1),
                   web("W2", client_port=2, credentials=(ISSUED,), http_redirect_https=True))
    (sp106,) = found
    assert sp106.severity == "critical" and "session cookie sessionId set at a login" in sp106.detail


def test_pages_prompts_and_redirects() -> None:
    _, found = run(PRINTS, web("W1", http_login_prompt=True))
    assert found[0].severity == "medium" and "the next login will cross in clear" in found[0].detail
    _, found = run(PRINTS, web("W1", http_redirect_https=True), web("W2", http_redirect_https=True))
    assert [(x.severity, x.code) for x in found] == [("info", "SP106")]
    _, found = run(PRINTS, web("W1"))
    assert found == []  # a 404 is nothing


def test_a_web_server_that_is_no_printer_raises_nothing_but_a_later_printer_does() -> None:
    _, found = run(web("W1", credentials=(BASIC,), http_pages=2))
    assert found == []
    _, found = run(web("W1", credentials=(BASIC,), http_pages=2), PRINTS)
    assert [x.code for x in found] == ["SP106"]


def test_https_and_ipp_flows_are_not_admin_panels_in_clear() -> None:
    _, found = run(PRINTS, web("W1", service="tls", protection="tls", credentials=(BASIC,)),
                   web("W2", service="ipp", server_port=631, credentials=(BASIC,), print=True))
    assert found == []


def test_snmp_reads_are_medium_sets_are_high_traps_count_for_the_agent() -> None:
    trap = snmp("S3", client_ip="10.0.0.2", client_port=4000, server_ip="10.0.0.1", server_port=162,
                snmp_pdus=("snmpV2-trap",), s2c_packets=0)
    f, found = run(PRINTS, snmp("S1"), trap)
    (sp107,) = found
    assert (sp107.severity, sp107.server_ip, sp107.uid) == ("medium", "10.0.0.2", "S1")
    assert "ffffffff (6 characters)" in sp107.detail and "2 flows" in sp107.detail
    _, found = run(PRINTS, snmp("S1"), snmp("S2", snmp_pdus=("set-request",), snmp_set=True))
    assert found[0].severity == "high" and found[0].uid == "S2" and "set-request sent" in found[0].detail
    f, found = run(trap, snmp("S4", snmp_printer_mib=True, s2c_packets=1))  # no print flow: the agent says so
    assert [x.severity for x in found] == ["medium"]
    assert f.printers.records()[0].verdict == "exposed"


def test_snmpv3_auth_priv_is_protected_without_privacy_is_not() -> None:
    v3 = {"snmp_versions": ("v3",), "credentials": None, "snmp_user": "u"}
    _, found = run(PRINTS, snmp("S1", **v3, snmp_security="authPriv"))
    assert found == []
    _, found = run(PRINTS, snmp("S1", **v3, snmp_security="authNoPriv"))
    assert "SNMPv3 authNoPriv" in found[0].detail and found[0].severity == "medium"
    _, found = run(PRINTS, snmp("S1", **{**v3, "snmp_user": None}))  # an engine discovery only
    assert found == []


def test_snmp_to_a_host_that_is_no_printer_raises_nothing() -> None:
    _, found = run(snmp("S1", server_ip="10.0.0.99"))
    assert found == []
