"""findings.py: job findings as soon as the job ends, printer verdicts, policy exceptions."""
from __future__ import annotations

from sniffprint.api import Engine
from sniffprint.findings.policy import parse
from sniffprint.findings.rules import Findings
from tests import pcapgen as g
from tests.dissectors.http.vectors import ipp_ok, post, print_job, response


def test_a_job_is_reported_when_it_ends_not_when_its_keep_alive_flow_does(tmp_path):
    c = g.Conversation(sport=631)
    frames = c.handshake() + c.c2s(post(print_job())) + c.s2c(response(ipp_ok()))  # no FIN: kept alive
    p = tmp_path / "keepalive.pcap"
    p.write_bytes(g.pcap([g.ether(f) for f in frames]))
    order: list[str] = []
    engine = Engine(on_flow=lambda r: order.append("flow"), on_finding=lambda r: order.append(r["code"]))
    engine.run([str(p)])
    assert order.index("SP101") < order.index("flow")
    assert order.count("SP101") == 1  # not reported a second time when the flow ends


def _flow(**kw):
    base = {"uid": "C1", "client_ip": "10.0.0.1", "client_port": 5000, "server_ip": "10.0.0.2",
            "server_port": 9100, "service": "raw9100", "protection": "none", "print": True,
            "history": "ShADFf", "c2s_bytes": 100, "missed_bytes": 0}
    return {**base, **kw}


JOB = {"job_index": 0, "protocol": "raw9100", "language": "PostScript", "bytes": 100, "partial": False,
       "protection": "none", "sha256": "ab" * 32}


def test_printer_verdicts():
    f = Findings()
    f.flow(_flow(), [(JOB, {"pii_counts": {"ssn": 1}})])
    f.flow(_flow(uid="C2", server_ip="10.0.0.3", protection="tls", service="tls", tls_version="TLSv1.3"), [])
    f.flow(_flow(uid="C3", server_ip="10.0.0.4", protection="tls", service="tls", tls_version="TLSv1.0",
                 tls_weak=["TLS 1.0"]), [])
    f.flow(_flow(uid="C4", server_ip="10.0.0.5", service="smb", server_port=445, protection="smb3-encrypted",
                 print=None), [])
    f.finish({"frames": 10})
    verdicts = {p["server_ip"]: p["verdict"] for p in f.printer_records()}
    assert verdicts == {"10.0.0.2": "exposed", "10.0.0.3": "protected", "10.0.0.4": "weak", "10.0.0.5": "unknown"}
    sp101 = next(k for k in f.tally if k[0] == "SP101")
    assert sp101[1] == "critical"  # sensitive data in the document


def test_policy_exception_suppresses_but_keeps_the_finding():
    f = Findings(parse({"exceptions": [{"host": "10.0.0.2", "port": 9100, "reason": "lab printer"}]}))
    out = f.flow(_flow(), [(JOB, None)])
    assert out and all(x["suppressed"] == "lab printer" for x in out)


def test_listener_without_job_and_closed_port():
    f = Findings()
    f.flow(_flow(service="other", print=False, c2s_bytes=0, history="ShAFf"), [])
    f.flow(_flow(uid="C9", server_ip="10.0.0.8", service="other", print=False, history="Sr", state="REJ"), [])
    codes = [x["code"] for x in f.finish({"frames": 4})]
    assert "SP301" in codes and "SP303" in codes and "SP904" in codes
