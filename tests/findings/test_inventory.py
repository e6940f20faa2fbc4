"""findings/inventory.py (with printers.py): which hosts are printers, names, models, offers, TLS cost."""
from __future__ import annotations

from sniffprint.findings.rules import Findings
from sniffprint.records import Advert
from tests.records import flow_record, job_record, summary


def records(*flows, jobs=None):  # noqa: ANN001, ANN202
    f = Findings()
    for i, fl in enumerate(flows):
        f.flow(fl, (jobs or {}).get(i, []))
    f.finish(summary())
    return {p.server_ip: p for p in f.printers.records()}


def _ad(**kw):  # noqa: ANN003, ANN202
    base = {"host": "10.0.0.9", "source": "mdns", "service": "ipps", "port": 631, "name": "Floor 3",
            "make_model": "Acme P1", "uuid": "u-1", "tls": "1.2"}
    base.update(kw)
    return Advert(**base)


def test_an_announcement_makes_a_printer_with_what_it_offers() -> None:
    mdns = flow_record(proto="udp", service="mdns", print=False, client_ip="10.0.0.9", server_ip="224.0.0.251",
                       server_port=5353, printer_adverts=(_ad(), _ad(service="raw", port=9100, tls=None)))
    p = records(mdns)["10.0.0.9"]
    assert p.identified_by == ("mdns",) and p.verdict == "unknown"
    assert (p.name, p.make_model, p.uuid, p.offers, p.tls_advertised) == ("Floor 3", "Acme P1", "u-1",
                                                                          ("ipps", "raw"), True)
    assert "224.0.0.251" not in records(mdns)


def test_a_web_page_announced_alone_makes_no_printer() -> None:
    mdns = flow_record(proto="udp", service="mdns", print=False, printer_adverts=(_ad(service="http-admin", port=80),))
    assert records(mdns) == {}


def test_descriptions_come_from_the_most_trusted_source() -> None:
    snmp = flow_record(proto="udp", service="snmp", print=False, server_port=161, s2c_packets=1, snmp_printer_mib=True,
                       snmp_sys_name="floor2-lj", snmp_sys_descr="HP LaserJet 4250 (agent)", snmp_serial="CN1",
                       snmp_device_descr="HP LaserJet 4250")
    p = records(snmp)["10.0.0.2"]
    assert (p.name, p.make_model, p.serial, p.offers, p.identified_by) == (
        "floor2-lj", "HP LaserJet 4250", "CN1", ("snmp",), ("snmp",))
    ipp = flow_record(uid="C2", service="ipp", server_port=631, ipp_printer_make_model="HP LaserJet 4250 PS",
                      ipp_printer_name="lj4250", ipp_printer_uris=("ipp://p/ipp/print", "ipps://p/ipp/print"),
                      ipp_uri_security=("none", "tls"))
    p = records(snmp, ipp)["10.0.0.2"]
    assert (p.name, p.make_model, p.tls_advertised) == ("lj4250", "HP LaserJet 4250 PS", True)
    assert set(p.offers) == {"snmp", "ipp", "ipps"} and set(p.identified_by) == {"snmp", "ipp", "print", "port"}


def test_snmp_without_printer_objects_stays_a_candidate() -> None:
    switch = flow_record(proto="udp", service="snmp", print=False, server_port=161, s2c_packets=1,
                         snmp_sys_descr="Cisco IOS", snmp_sys_name="sw1")
    assert records(switch) == {}
    later = flow_record(uid="C2", print=True)  # the same host prints later: now a printer, with its name
    assert records(switch, later)["10.0.0.2"].name == "sw1"


def test_pjl_info_id_and_offers_seen_answering() -> None:
    raw = flow_record(pjl_info_id="HP LaserJet 4250", history="ShADadFf")
    lpd = flow_record(uid="C2", service="lpd", server_port=515, history="ShADadFf")
    tls = flow_record(uid="C3", service="tls", protection="tls", server_port=9100, history="ShADadFf",
                      tls_handshake_ms=8.0)
    p = records(raw, lpd, tls)["10.0.0.2"]
    assert p.make_model == "HP LaserJet 4250" and p.offers == ("lpd", "raw", "raw-tls")


def test_tls_handshake_percentiles_per_printer() -> None:
    times = [5.0, 7.0, 9.0, 11.0, 100.0] + [6.0] * 15
    flows = [flow_record(uid=f"C{i}", service="tls", protection="tls", server_port=631, history="ShADad",
                         tls_handshake_ms=ms) for i, ms in enumerate(times)]
    p = records(*flows)["10.0.0.2"]
    assert p.tls_handshakes == 20 and p.tls_handshake_ms_p50 == 6.0
    assert p.tls_handshake_ms_p95 == 11.0  # nearest rank: the 19th of 20 sorted values


def test_tls_to_a_web_port_counts_only_for_printers() -> None:
    web = flow_record(service="tls", protection="tls", print=False, server_port=443, history="ShADad",
                      tls_handshake_ms=40.0)
    assert records(web) == {}
    prints = flow_record(uid="C2", history="ShADad")
    p = records(web, prints)["10.0.0.2"]
    assert "https-admin" in p.offers and p.tls_handshakes == 1 and p.tls_handshake_ms_p50 == 40.0


def test_clear_printing_although_tls_is_offered_is_the_unfinished_step() -> None:
    job = job_record(protocol="raw9100")
    clear = flow_record(jobs=1)
    tls = flow_record(uid="C2", service="tls", protection="tls", server_port=631, history="ShADad")
    p = records(clear, tls, jobs={0: [(job, None)]})["10.0.0.2"]
    assert p.clear_despite_tls == ("raw9100",)
    assert records(clear, jobs={0: [(job, None)]})["10.0.0.2"].clear_despite_tls is None  # no TLS: not a migration
    status = job_record(language="PJL", languages=("PJL",), bytes=56)  # a status query is no print job
    assert records(flow_record(jobs=1), tls, jobs={0: [(status, None)]})["10.0.0.2"].clear_despite_tls is None


# ------------------------------------------------------------------- the migration view (issue 13)
def _clear(port: int, service: str, uid: str, ts: float, **kw):  # noqa: ANN003, ANN202
    return flow_record(uid=uid, server_port=port, service=service, ts_start=ts, ts_end=ts + 1, **kw)


def test_tls_in_use_and_cleartext_still_enabled_lists_ports_and_evidence() -> None:
    ipps = _clear(631, "tls", "T1", 10.0, protection="tls", c2s_bytes=2000, s2c_bytes=2000)
    raw_tls = _clear(9100, "tls", "T2", 11.0, protection="tls", c2s_bytes=2000, s2c_bytes=2000)
    job = _clear(9100, "raw9100", "C1", 12.0, jobs=1, languages=("PJL", "PCL5"))
    pjl = _clear(9100, "raw9100", "C2", 13.0, jobs=1, languages=("PJL",), s2c_bytes=96, history="ShADadFf")
    lpd = _clear(515, "lpd", "C3", 14.0, c2s_bytes=8, s2c_bytes=27, history="ShADadFf")
    web = _clear(80, "http-admin", "C4", 15.0, print=False, c2s_bytes=74, s2c_bytes=517, http_pages=1,
                 history="ShADadFf")
    closed_ipp = _clear(631, "other", "C5", 16.0, print=False, c2s_bytes=0, history="Sr", state="REJ")
    jobs = {2: [(job_record(uid="C1", protocol="raw9100", languages=("PJL", "PCL5"), user="u"), None)]}
    p = records(ipps, raw_tls, job, pjl, lpd, web, closed_ipp, jobs=jobs)["10.0.0.2"]
    assert p.protocols_protected == ("ipps", "raw-tls") and p.protocols_clear == ("raw9100",)
    assert [(c.port, c.service, c.evidence, c.uids) for c in p.clear_ports] == [
        (9100, "raw9100", ("job", "reply"), ("C1", "C2")), (515, "lpd", ("reply",), ("C3",)),
        (80, "http-admin", ("page", "reply"), ("C4",))]
    assert p.clear_still_enabled == (9100, 515, 80)
    assert p.clear_still_enabled_reason == "TLS in use (ipps, raw-tls), cleartext still enabled on 9100/515/80"
    assert p.closed_ports == (631,)


def test_a_connect_proves_cleartext_only_on_a_port_without_tls_and_only_when_closed() -> None:
    connect = _clear(9100, "other", "C1", 10.0, print=False, c2s_bytes=0, history="ShAFf")
    cut = _clear(515, "other", "C2", 11.0, print=False, c2s_bytes=0, history="ShA", state="S1")
    p = records(connect, cut)["10.0.0.2"]
    assert [(c.port, c.evidence) for c in p.clear_ports] == [(9100, ("syn-ack",))]
    assert p.clear_still_enabled is None  # no protected printing: nothing "still" about it
    tls = _clear(9100, "tls", "T1", 12.0, protection="tls", c2s_bytes=500, s2c_bytes=500)
    for order in ((connect, tls), (tls, connect)):  # the same in any order of judging
        p = records(*order)["10.0.0.2"]
        assert p.clear_ports is None and p.clear_still_enabled is None


def test_clear_port_evidence_keeps_the_earliest_flows_in_any_order() -> None:
    flows = [_clear(9100, "raw9100", f"C{i}", 100.0 - i, s2c_bytes=10, history="ShADadFf") for i in range(8)]
    a, b = records(*flows)["10.0.0.2"], records(*reversed(flows))["10.0.0.2"]
    assert a == b
    assert a.clear_ports[0].uids == ("C7", "C6", "C5", "C4") and a.clear_ports[0].flows == 8


def test_smb3_encryption_says_encryption_in_use() -> None:
    smb3 = _clear(445, "smb", "S1", 10.0, protection="smb3-encrypted")
    smb = _clear(445, "smb", "S2", 11.0, jobs=1, languages=("PostScript",), s2c_bytes=300)
    p = records(smb3, smb, jobs={1: [(job_record(uid="S2", protocol="smb"), None)]})["10.0.0.2"]
    assert p.clear_still_enabled_reason == "encryption in use (smb3-encrypted), cleartext still enabled on 445"
