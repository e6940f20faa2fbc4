"""End-to-end: ``sniffprint verify`` on captures of real print software (root only).

Every scenario records one capture in its own lab (see ``scenarios.py``), checks first what the
flow analysis (``sniffprint scan``) sees -- so a failure says whether the traffic or the verdict
is wrong -- then asserts verify's contract: exit 0 protected, 1 exposed (SP1xx cleartext job,
SP2xx weak protection, SP3xx cleartext listener), 3 inconclusive (no print traffic, only
encrypted SMB that the policy does not name a print server).
"""
from __future__ import annotations

import pytest

from tests.e2e import scenarios as sc


def _print_flows(res: sc.CliResult, ip: str, port: int) -> list[dict]:
    return [f for f in res.flows(server_ip=ip, port=port) if f.get("print")]


def _recording(e2e_work, kind: str, name: str, driver: sc.Driver) -> sc.Recording:
    sc.require(kind)
    return sc.record(e2e_work, name, driver)


# ---------------------------------------------------------------------------- fixtures
@pytest.fixture(scope="module")
def tls9100(e2e_work):
    return _recording(e2e_work, "tls", "tls9100", sc.raw9100(tls=True))


@pytest.fixture(scope="module")
def tls10_9100(e2e_work):
    return _recording(e2e_work, "tls", "tls10-9100", sc.raw9100(tls=True, tls_opts=sc.TLS10))


@pytest.fixture(scope="module")
def ipp_query(e2e_work):
    return _recording(e2e_work, "ipp", "ipp-query", sc.ipp(secure=False, job=False))


@pytest.fixture(scope="module")
def ipp_clear(e2e_work):
    return _recording(e2e_work, "ipp", "ipp-clear", sc.ipp(secure=False))


@pytest.fixture(scope="module")
def ipps(e2e_work):
    return _recording(e2e_work, "ipp", "ipps", sc.ipp(secure=True))


@pytest.fixture(scope="module")
def smb_encrypted(e2e_work):
    return _recording(e2e_work, "smb", "smb-encrypted", sc.smb(encrypted=True))


@pytest.fixture(scope="module")
def smb_clear(e2e_work):
    return _recording(e2e_work, "smb", "smb-clear", sc.smb(encrypted=False))


@pytest.fixture(scope="module")
def quiet(e2e_work):
    return _recording(e2e_work, "quiet", "quiet", sc.quiet)


@pytest.fixture(scope="module")
def listener_no_job(e2e_work):
    return _recording(e2e_work, "raw", "listener-no-job", sc.raw9100(send=False))


@pytest.fixture(scope="module")
def closed_port(e2e_work):
    return _recording(e2e_work, "raw", "closed-port", sc.raw9100(send=False, listen=False))


# ---------------------------------------------------------------------------- 1. raw 9100 in clear
def test_cleartext_raw9100_job_is_exposed(raw9100_recording):
    rec = raw9100_recording
    assert rec.facts["client_rc"] == 0, rec.facts
    assert rec.facts["received_sha256"] == [rec.facts["sent_sha256"]], "the printer got the job"
    seen = sc.scan(rec.pcap)
    flows = _print_flows(seen, rec.printer_ip, sc.RAW_PORT)
    assert len(flows) == 1, seen.explain()
    assert flows[0]["service"] == "raw9100" and flows[0]["protection"] == "none", flows[0]
    assert flows[0]["jobs"] == 1, flows[0]

    sc.need_verify()
    res = sc.verify(rec.pcap)
    assert res.rc == 1, res.explain()
    assert res.findings(server_ip=rec.printer_ip, port=sc.RAW_PORT, prefix="SP1"), res.explain()
    printer = res.printer(rec.printer_ip)
    assert printer is not None and printer["verdict"] == "exposed", res.explain()
    assert res.stderr.strip(), "verify prints its human summary on stderr"


def test_exit_zero_and_fail_on_critical_change_only_the_status(raw9100_recording):
    sc.need_verify()
    pcap = raw9100_recording.pcap
    res = sc.verify(pcap, "--exit-zero")
    assert res.rc == 0, res.explain()
    assert res.findings(prefix="SP1"), "--exit-zero keeps the findings"
    # the payroll page carries an SSN and a card number: SP101 is critical, so still 1
    strict = sc.verify(pcap, "--fail-on", "critical")
    assert strict.rc in (0, 1), strict.explain()
    worst = {f["severity"] for f in strict.findings(prefix="SP1")}
    assert strict.rc == (1 if "critical" in worst else 0), strict.explain()


# ---------------------------------------------------------------------------- 2. TLS-wrapped 9100
def test_tls_wrapped_raw9100_is_protected(tls9100):
    rec = tls9100
    assert rec.facts["client_rc"] == 0, rec.facts
    assert rec.facts["received_sha256"] == [rec.facts["sent_sha256"]], "the printer got the job"
    seen = sc.scan(rec.pcap)
    flows = _print_flows(seen, rec.printer_ip, sc.RAW_PORT)
    assert len(flows) == 1, seen.explain()
    assert flows[0]["protection"] == "tls" and flows[0]["tls_version"] in ("TLSv1.2", "TLSv1.3"), flows[0]
    assert flows[0]["jobs"] == 0 and not flows[0]["languages"], "nothing readable inside TLS"

    sc.need_verify()
    res = sc.verify(rec.pcap)
    assert res.rc == 0, res.explain()
    assert not res.findings(prefix="SP1"), res.explain()
    assert not res.findings(prefix="SP3"), res.explain()
    printer = res.printer(rec.printer_ip)
    assert printer is not None and printer["verdict"] == "protected", res.explain()


def test_tls10_wrapped_raw9100_is_weak(tls10_9100):
    rec = tls10_9100
    assert rec.facts["client_rc"] == 0, rec.facts
    seen = sc.scan(rec.pcap)
    flows = _print_flows(seen, rec.printer_ip, sc.RAW_PORT)
    assert len(flows) == 1 and flows[0]["tls_version"] == "TLSv1.0", seen.explain()

    sc.need_verify()
    res = sc.verify(rec.pcap)
    assert res.rc == 1, res.explain()
    assert res.findings(server_ip=rec.printer_ip, port=sc.RAW_PORT, prefix="SP2"), res.explain()
    assert not res.findings(prefix="SP1"), "the job itself was encrypted: " + res.explain()
    printer = res.printer(rec.printer_ip)
    assert printer is not None and printer["verdict"] == "weak", res.explain()


# ---------------------------------------------------------------------------- 3. IPP / IPPS
def test_ipp_print_job_in_clear_is_exposed(ipp_clear):
    rec = ipp_clear
    seen = sc.scan(rec.pcap)
    flows = _print_flows(seen, rec.printer_ip, 631)
    assert flows and all(f["protection"] == "none" for f in flows), seen.explain()
    assert sum(f["jobs"] for f in flows) >= 1, seen.explain()

    sc.need_verify()
    res = sc.verify(rec.pcap)
    assert res.rc == 1, res.explain()
    assert res.findings(server_ip=rec.printer_ip, port=631, prefix="SP1"), res.explain()
    printer = res.printer(rec.printer_ip)
    assert printer is not None and printer["verdict"] == "exposed", res.explain()


def test_ipp_query_in_clear_without_job_is_exposed(ipp_query):
    rec = ipp_query
    seen = sc.scan(rec.pcap)
    flows = seen.flows(server_ip=rec.printer_ip, port=631)
    assert flows and all(f["protection"] == "none" and f["jobs"] == 0 for f in flows), seen.explain()

    sc.need_verify()
    res = sc.verify(rec.pcap)
    assert res.rc == 1, res.explain()
    assert not res.findings(prefix="SP1"), res.explain()
    assert res.findings(server_ip=rec.printer_ip, port=631, prefix="SP3"), res.explain()


def test_ipps_only_is_protected(ipps):
    rec = ipps
    seen = sc.scan(rec.pcap)
    flows = _print_flows(seen, rec.printer_ip, 631)
    assert flows and all(f["protection"] == "tls" for f in flows), seen.explain()
    assert sum(f["jobs"] for f in flows) == 0, seen.explain()

    sc.need_verify()
    res = sc.verify(rec.pcap)
    assert res.rc == 0, res.explain()
    assert not res.findings(prefix="SP1") and not res.findings(prefix="SP3"), res.explain()


# ---------------------------------------------------------------------------- 4. SMB
def test_smb_encrypted_without_policy_is_inconclusive(smb_encrypted):
    rec = smb_encrypted
    seen = sc.scan(rec.pcap)
    flows = seen.flows(server_ip=rec.printer_ip, port=445)
    assert flows and all(f["protection"] == "smb3-encrypted" for f in flows), seen.explain()

    sc.need_verify()
    res = sc.verify(rec.pcap)
    assert res.rc == 3, res.explain()
    assert not res.findings(prefix="SP1"), res.explain()


def test_smb_encrypted_to_a_policy_print_server_is_protected(smb_encrypted):
    sc.need_verify()
    rec = smb_encrypted
    policy = sc.write_policy(rec.work / "policy.toml", print_servers=[rec.printer_ip])
    res = sc.verify(rec.pcap, "--policy", policy)
    assert res.rc == 0, res.explain()
    printer = res.printer(rec.printer_ip)
    assert printer is not None and printer["verdict"] == "protected", res.explain()
    # a CIDR names the server as well
    cidr = sc.write_policy(rec.work / "policy-cidr.toml", print_servers=["10.77.0.0/24"])
    assert sc.verify(rec.pcap, "--policy", cidr).rc == 0


def test_smb_printing_without_encryption_is_exposed(smb_clear):
    rec = smb_clear
    seen = sc.scan(rec.pcap)
    flows = seen.flows(server_ip=rec.printer_ip, port=445)
    assert flows and all(f["protection"] == "none" for f in flows), seen.explain()
    assert any(f["print"] and f["jobs"] >= 1 for f in flows), seen.explain()

    sc.need_verify()
    res = sc.verify(rec.pcap)
    assert res.rc == 1, res.explain()
    assert res.findings(server_ip=rec.printer_ip, port=445, prefix="SP1"), res.explain()


# ---------------------------------------------------------------------------- 5. nothing seen
def test_observer_that_sees_nothing_is_inconclusive(quiet):
    seen = sc.scan(quiet.pcap)
    assert seen.rc == 0 and not seen.of_type("flow"), seen.explain()

    sc.need_verify()
    res = sc.verify(quiet.pcap)
    assert res.rc == 3, res.explain()
    assert not res.findings(prefix="SP1") and not res.findings(prefix="SP3"), res.explain()


# ---------------------------------------------------------------------------- 6. listener / closed
def test_cleartext_listener_without_job_is_exposed(listener_no_job):
    rec = listener_no_job
    assert rec.facts["client_rc"] == 0, rec.facts
    seen = sc.scan(rec.pcap)
    flows = seen.flows(server_ip=rec.printer_ip, port=sc.RAW_PORT)
    assert len(flows) == 1, seen.explain()
    assert flows[0]["c2s_bytes"] == 0 and "h" in flows[0]["history"].lower(), flows[0]

    sc.need_verify()
    res = sc.verify(rec.pcap)
    assert res.rc == 1, res.explain()
    assert res.findings(server_ip=rec.printer_ip, port=sc.RAW_PORT, prefix="SP3"), res.explain()
    assert not res.findings(prefix="SP1"), "no job was sent: " + res.explain()


def test_closed_print_port_alone_is_inconclusive(closed_port):
    rec = closed_port
    assert rec.facts["client_rc"] != 0, "nothing listens: the client's connect is refused"
    seen = sc.scan(rec.pcap)
    flows = seen.flows(server_ip=rec.printer_ip, port=sc.RAW_PORT)
    assert len(flows) == 1 and "r" in flows[0]["history"].lower(), seen.explain()

    sc.need_verify()
    res = sc.verify(rec.pcap)
    assert res.rc == 3, res.explain()
    assert not res.findings(prefix="SP1"), res.explain()
    # a RST is evidence the cleartext path is off: at most the informational SP303
    assert all(f["code"] == "SP303" for f in res.findings(prefix="SP3")), res.explain()
