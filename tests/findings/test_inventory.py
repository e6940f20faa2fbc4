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
