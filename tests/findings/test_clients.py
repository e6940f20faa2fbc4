"""findings/clients.py: the workstation view from flow and job records, in any order."""
from __future__ import annotations

import itertools
import random

from sniffprint.findings.clients import MAX_PATHS, Clients, clients_of
from sniffprint.model import PrinterVerdict
from sniffprint.records import ClientPath, HostName
from tests.records import flow_record, job_record

WS, WS2, PRN, PRN2 = "10.77.0.10", "10.77.0.11", "10.77.0.20", "10.77.0.21"


def flow(uid: str, client: str = WS, server: str = PRN, port: int = 9100, ts: float = 100.0, **kw):  # noqa: ANN003, ANN202
    return flow_record(uid=uid, client_ip=client, server_ip=server, server_port=port, ts_start=ts, ts_end=ts + 2,
                       **kw)


def job(uid: str, protocol: str = "raw9100", **kw):  # noqa: ANN003, ANN202
    return job_record(uid=uid, protocol=protocol, **kw)


RAW = flow("C1", c2s_bytes=1392, jobs=1, languages=("PJL", "PostScript"))
LPD_QUERY = flow("C2", port=515, service="lpd", c2s_bytes=8, s2c_bytes=27, ts=110.0)
PJL_QUERY = flow("C3", c2s_bytes=56, s2c_bytes=96, jobs=1, languages=("PJL",), ts=111.0)
IPPS = flow("T1", port=631, service="tls", protection="tls", c2s_bytes=2217, ts=90.0)
WS2_RAW = flow("C4", client=WS2, c2s_bytes=599, jobs=1, languages=("PJL", "PCL5"), ts=120.0)
JOBS = {"C1": [job("C1", host="ws.lab", sources={"host": "lpd"})], "C3": [job("C3", languages=("PJL",),
                                                                             language=None, bytes=56)],
        "C4": [job("C4")]}
NAMES = flow_record(uid="U1", proto="udp", service="nbns", print=False, client_ip=WS, server_ip="10.77.0.255",
                    server_port=137, host_names=(HostName(address=WS, name="WS-ALICE", source="nbns"),
                                                 HostName(address="10.77.0.99", name="OTHER", source="nbns")))


def run(*flows):  # noqa: ANN002, ANN202
    agg = Clients()
    for f in flows:
        agg.flow(f, JOBS.get(f.uid, ()))
    return {c.client_ip: c for c in agg.records()}


def test_a_workstation_that_still_prints_in_clear() -> None:
    c = run(RAW, NAMES)[WS]
    assert c.verdict is PrinterVerdict.EXPOSED
    assert (c.printers, c.protocols_clear, c.protocols_protected, c.queries_clear) == ((PRN,), ("raw9100",), (), ())
    assert (c.jobs_clear, c.bytes_clear, c.flows_clear, c.first_seen, c.last_seen, c.last_clear) == \
        (1, 1392, 1, 100.0, 102.0, 102.0)
    assert c.hostnames == ("WS-ALICE", "ws.lab") and c.hostname_sources == ("lpd", "nbns")
    assert c.reason == "prints in clear: raw9100 to 10.77.0.20 (1 job)"
    assert c.paths == (ClientPath(printer=PRN, protocol="raw9100", protected=False, use="print", jobs=1, flows=1,
                                  bytes=1392, first_seen=100.0, last_seen=102.0),)


def test_moved_to_tls_but_still_querying_in_clear_is_protected() -> None:
    c = run(IPPS, LPD_QUERY, PJL_QUERY)[WS]
    assert c.verdict is PrinterVerdict.PROTECTED
    assert (c.protocols_clear, c.protocols_protected, c.queries_clear, c.jobs_clear) == \
        ((), ("ipps",), ("lpd", "raw9100"), 0)
    assert c.reason == "prints protected only (ipps); still queries in clear: lpd, raw9100 to 10.77.0.20"
    assert (c.flows_clear, c.flows_protected, c.bytes_clear, c.bytes_protected) == (2, 1, 64, 2217)


def test_queries_alone_are_all_its_print_traffic_in_clear() -> None:
    c = run(LPD_QUERY)[WS]
    assert c.verdict is PrinterVerdict.EXPOSED and c.protocols_clear == () and c.queries_clear == ("lpd",)
    assert c.reason.startswith("all its print traffic is in clear")


def test_weak_tls_and_jobs_sent_before_an_upgrade() -> None:
    weak = flow("T2", port=631, service="ipp", protection="tls", tls_weak=("TLS 1.0",))
    assert run(weak)[WS].verdict is PrinterVerdict.WEAK
    fs_only = flow("T3", port=631, service="ipp", protection="tls", tls_weak=("no forward secrecy (RSA key exchange)",))
    assert run(fs_only)[WS].verdict is PrinterVerdict.PROTECTED
    upgraded = flow("T4", port=631, service="ipp", protection="tls", c2s_bytes=3000)
    JOBS["T4"] = [job("T4", protocol="ipp", protection="none", bytes=1000)]
    try:
        c = run(upgraded)[WS]
    finally:
        del JOBS["T4"]
    assert c.verdict is PrinterVerdict.EXPOSED and c.protocols_clear == ("ipp",) and c.protocols_protected == ("ipps",)
    assert c.jobs_clear == 1 and c.bytes_clear == 1000


def test_not_print_and_unknown_print_make_no_client() -> None:
    smb_unknown = flow("S1", port=445, service="smb", protection="smb3-encrypted", print=None)
    web = flow("H1", port=80, service="http-admin", print=False)
    assert run(smb_unknown, web, NAMES) == {}


def test_any_order_gives_the_same_records() -> None:
    flows = [RAW, LPD_QUERY, PJL_QUERY, IPPS, WS2_RAW, NAMES, flow("C9", server=PRN2, port=515, service="lpd",
                                                                  jobs=1, languages=("PostScript",), ts=50.0)]
    JOBS["C9"] = [job("C9", protocol="lpd")]
    try:
        want = run(*flows)
        for perm in itertools.islice(itertools.permutations(flows), 0, None, 97):
            assert run(*perm) == want
    finally:
        del JOBS["C9"]
    assert want[WS2].reason == "prints in clear: raw9100 to 10.77.0.20 (1 job)"


def test_a_saved_reports_records_give_the_same_clients() -> None:
    flows = [RAW, PJL_QUERY, WS2_RAW, NAMES]
    jobs = [j for f in flows for j in JOBS.get(f.uid, ())]
    random.Random(3).shuffle(jobs)
    assert {c.client_ip: c for c in clients_of(flows, jobs)} == run(*flows)


def test_bounded_paths() -> None:
    agg = Clients()
    for i in range(MAX_PATHS + 20):
        agg.flow(flow(f"C{i}", server=f"10.1.{i // 250}.{i % 250}", jobs=1, languages=("PostScript",)),
                 [job(f"C{i}")])
    assert len(agg.records()[0].paths) == MAX_PATHS
