"""dissectors/mdns.py: DNS-SD announcements as printer adverts, joined across datagrams, bounds."""
from __future__ import annotations

import struct

from sniffprint.dissectors.events import FlowFact, PrintSeen
from sniffprint.dissectors.mdns import MAX_INSTANCES, MdnsDissector
from sniffprint.model import Direction, FlowKey
from sniffprint.records import Advert
from tests.conftest import PCAPS
from tests.dissectors import dns_vectors as v
from tests.helpers import fuzz_datagrams

C2S = Direction.C2S
KEY = FlowKey("udp", "10.77.0.20", 5353, "224.0.0.251", 5353)
NAME = "Floor2 LaserJet 4250"
TXT = ("txtvers=1", "ty=HP LaserJet 4250", "product=(HP LaserJet 4250)", "adminurl=https://prn.local/hp/device/",
       "TLS=1.2", "UUID=6f0b1c2e-3d4a", "rp=ipp/print")


def inst(stype: str) -> tuple[str, ...]:
    return (NAME, *stype.split("."), "local")


def service(stype: str, port: int, *txt: str) -> list[bytes]:
    return [v.ptr(f"{stype}.local", inst(stype)), v.srv(inst(stype), port, "prn.local"), v.txt(inst(stype), *txt)]


def adverts(events: list) -> list[Advert]:
    found = [e.value for e in events if isinstance(e, FlowFact) and e.name == "printer_adverts"]
    return found[-1] if found else []


def feed(*datagrams: bytes, key: FlowKey = KEY) -> list:
    d = MdnsDissector(key)
    return [e for dg in datagrams for e in d.feed(C2S, dg)] + d.close()


def test_an_announcement_lists_what_the_printer_offers() -> None:
    msg = v.message(*service("_ipp._tcp", 631, *TXT), *service("_ipps._tcp", 631, *TXT),
                    *service("_pdl-datastream._tcp", 9100, "ty=HP LaserJet 4250"), *service("_printer._tcp", 515),
                    *service("_http._tcp", 80, "path=/"), additional=(v.a("prn.local", "10.77.0.20"),))
    ev = feed(msg)
    assert ev[0] == PrintSeen(False)
    ads = adverts(ev)
    assert [(a.service, a.port) for a in ads] == [("http-admin", 80), ("https-admin", 443), ("ipp", 631),
                                                  ("ipps", 631), ("lpd", 515), ("raw", 9100)]
    ipp = next(a for a in ads if a.service == "ipp")
    assert ipp == Advert(host="10.77.0.20", source="mdns", service="ipp", port=631, name=NAME,
                         make_model="HP LaserJet 4250", adminurl="https://prn.local/hp/device/", tls="1.2",
                         uuid="6f0b1c2e-3d4a", rp="ipp/print")
    types = [e.value for e in ev if isinstance(e, FlowFact) and e.name == "mdns_services"][-1]
    assert types == ["_ipp._tcp", "_ipps._tcp", "_pdl-datastream._tcp", "_printer._tcp", "_http._tcp"]


def test_records_join_across_datagrams_and_the_advert_is_reported_again() -> None:
    srv = v.message(v.ptr("_ipp._tcp.local", inst("_ipp._tcp")), v.srv(inst("_ipp._tcp"), 631, "prn.local"))
    txt = v.message(v.txt(inst("_ipp._tcp"), "product=(Model X)"))
    ev = feed(srv, txt, txt)
    reports = [e.value for e in ev if isinstance(e, FlowFact) and e.name == "printer_adverts"]
    assert [r[0].make_model for r in reports] == [None, "Model X"]  # no report when nothing changed


def test_lpd_port_zero_is_only_a_name_and_a_web_page_alone_is_no_printer() -> None:
    ev = feed(v.message(*service("_printer._tcp", 0), *service("_http._tcp", 80)))
    assert adverts(ev) == []
    assert [e.value for e in ev if isinstance(e, FlowFact) and e.name == "mdns_services"][-1] == \
        ["_printer._tcp", "_http._tcp"]


def test_the_host_is_the_srv_target_address_else_the_sender() -> None:
    other = v.message(*service("_ipp._tcp", 631),
                      additional=(v.a("prn.local", "fd77::20"), v.a("prn.local", "10.9.9.9")))
    assert adverts(feed(other))[0].host == "10.9.9.9"  # a proxy's announcement: the target's IPv4
    mine = v.message(*service("_ipp._tcp", 631),
                     additional=(v.a("prn.local", "10.9.9.9"), v.a("prn.local", "10.77.0.20")))
    assert adverts(feed(mine))[0].host == "10.77.0.20"
    assert adverts(feed(v.message(*service("_ipp._tcp", 631))))[0].host == "10.77.0.20"


def test_questions_and_the_type_enumeration_offer_nothing() -> None:
    q = v.message(questions=(v.question("_ipp._tcp.local"),), response=False)
    enum = v.message(v.ptr("_services._dns-sd._udp.local", "_ipps._tcp.local"))
    ev = feed(q, enum)
    assert adverts(ev) == []
    assert [e.value for e in ev if isinstance(e, FlowFact) and e.name == "mdns_services"] == [["_ipps._tcp"]]


def test_instances_are_bounded() -> None:
    answers = []
    for i in range(MAX_INSTANCES + 10):
        owner = (f"p{i}", "_ipp", "_tcp", "local")
        answers += [v.ptr("_ipp._tcp.local", owner), v.srv(owner, 631, f"h{i}.local")]
    d = MdnsDissector(KEY)
    d.feed(C2S, v.message(*answers))
    assert len(d.instances) == MAX_INSTANCES


def test_probe_needs_port_5353() -> None:
    msg = v.message(*service("_ipp._tcp", 631))
    assert MdnsDissector.probe(msg, b"", KEY) >= 0.9
    assert MdnsDissector.probe(msg, b"", FlowKey("udp", "a", 1000, "b", 53)) == 0.0
    assert MdnsDissector.probe(b"\x00\x01", b"", KEY) == 0.0


def _lab_datagrams() -> list[bytes]:
    data = (PCAPS / "mdns-printer.pcap").read_bytes()
    out, off = [], 24
    while off < len(data):
        caplen = struct.unpack_from("<I", data, off + 8)[0]
        frame = data[off + 16:off + 16 + caplen]
        off += 16 + caplen
        if frame[23] == 17:
            l4 = 14 + (frame[14] & 15) * 4
            if struct.unpack_from("!H", frame, l4 + 2)[0] == 5353:
                out.append(frame[l4 + 8:l4 + struct.unpack_from("!H", frame, l4 + 4)[0]])
    return out


def test_avahi_announcements_of_the_lab_and_fuzz() -> None:
    dgs = _lab_datagrams()
    assert len(dgs) > 20
    ads = adverts(feed(*dgs))  # every sender's datagrams in one flow: hosts by their addresses
    assert {(a.host, a.service) for a in ads} >= {("10.77.0.20", "ipps"), ("10.77.0.20", "raw"), ("10.77.0.21", "ipps")}
    fuzz_datagrams(lambda: MdnsDissector(KEY), dgs, cases=1000)


def test_announced_addresses_are_host_names() -> None:
    from sniffprint.records import HostName

    ev = feed(v.message(v.a("ws2.local", "10.77.0.11"), v.a("ws2.local", "fd77::11")))
    found = [e.value for e in ev if isinstance(e, FlowFact) and e.name == "host_names"]
    assert found == [[HostName(address="10.77.0.11", name="ws2.local", source="mdns"),
                      HostName(address="fd77::11", name="ws2.local", source="mdns")]]
    query = v.message(v.a("ws9.local", "10.77.0.99"), questions=(v.question("ws9.local", v.A),), response=False)
    assert not [e for e in feed(query) if isinstance(e, FlowFact) and e.name == "host_names"]  # known answers
