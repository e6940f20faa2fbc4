"""Multicast DNS and DNS-SD announcements (UDP 5353) as a printer inventory.

Specs: RFC 6762 (mDNS: responses announce records, section 8.3; cache-flush bit, 10.2; names in
rdata may be compressed, 18.14), RFC 6763 (DNS-SD: PTR <service>.<domain> -> instance, SRV
instance -> target and port, TXT instance -> key=value, sections 4-6), the Bonjour Printing
Specification 1.2 (service types ``_ipp._tcp``, ``_ipps._tcp``, ``_pdl-datastream._tcp``
(raw 9100), ``_printer._tcp`` (LPD; port 0 means "no LPD", a name placeholder only, section 9.2),
``_http._tcp`` / ``_https._tcp`` (the web interface); TXT keys ``ty``, ``product``, ``adminurl``,
``TLS``, ``rp``, ``UUID``), PWG 5100.14 (IPP Everywhere: ``TLS`` = highest TLS version supported).
The DNS wire format is ``dns``.

What a flow gives (a datagram dissector; one flow is one sender's announcements, usually a host
multicasting to 224.0.0.251 or ff02::fb):
- ``mdns_services``: every service type announced in an answer (questions are not offers);
- ``printer_adverts``: one ``records.Advert`` per printer host and offer: ipp, ipps, raw, lpd
  (``_printer`` with a port), and http-admin / https-admin (``_http``, ``_https``, the scheme of
  ``adminurl``) for hosts that announce a print service too (a NAS's web page is no printer's).
  The host is the SRV target's address when the message carries it (the sender's own address
  first), else the sender's;
- ``host_names``: every name announced with an A or AAAA record (a host announcing its own
  address, section 8.3), as ``records.HostName`` (source ``mdns``), for the workstation view.

Invariants:
- Rule 1: only ``ProtocolViolation`` escapes (from ``dns.parse``).
- Rule 2: bounded per flow: ``MAX_INSTANCES`` service instances, ``MAX_TYPES`` types,
  ``MAX_ADDRESSES`` addresses per target name, ``MAX_HOSTS`` target names; beyond, new ones are
  ignored.
- Rule 3: records are joined across datagrams (an SRV in one announcement, its TXT in the next);
  the adverts are reported again (replacing the last report) whenever they change.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlsplit

from ..model import Direction, FlowKey, Service
from ..records import Advert, HostName
from . import dns
from .base import Dissector
from .events import Event, FlowFact, PrintSeen

PORT = 5353
MAX_INSTANCES = 64
MAX_TYPES = 64
MAX_HOSTS = 64
MAX_ADDRESSES = 8
MAX_VALUE = 200  # characters kept of a TXT value
MAX_NAMES = 32  # host names (name, address) reported per flow
# DNS-SD service type (first label) -> offer
PRINT_TYPES = {"_ipp": "ipp", "_ipps": "ipps", "_pdl-datastream": "raw", "_printer": "lpd"}
WEB_TYPES = {"_http": "http-admin", "_https": "https-admin"}
TXT_KEYS = ("ty", "product", "adminurl", "TLS", "UUID", "rp")
META_TYPE = "_dns-sd._udp"  # service type enumeration, not a service


@dataclass(slots=True)
class _Instance:
    stype: str  # "_ipp._tcp"
    port: int | None = None
    target: dns.Name | None = None
    txt: dict[str, str] = field(default_factory=dict)
    sender: str = ""


def service_type(n: dns.Name) -> tuple[str, int] | None:
    """('_ipp._tcp', index of its first label) for a DNS-SD name, or None (RFC 6763 section 7)."""
    for i in range(len(n) - 1, 0, -1):
        if n[i] in ("_tcp", "_udp") and n[i - 1].startswith("_"):
            return f"{n[i - 1]}.{n[i]}", i - 1
    return None


def _web_offer(url: str) -> tuple[str | None, int | None]:
    """(http-admin or https-admin, port) from an adminurl, (None, None) if it is neither."""
    try:
        parts = urlsplit(url)
        offer = {"http": "http-admin", "https": "https-admin"}.get(parts.scheme.lower())
        port = parts.port
    except ValueError:  # a port that is not a number: the URL says nothing usable
        return None, None
    if offer is None:
        return None, None
    return offer, port if port is not None else (443 if offer == "https-admin" else 80)


def _clip(v: str | None) -> str | None:
    return v[:MAX_VALUE] if v else None


class MdnsDissector(Dissector):
    name = "mdns"
    service = Service.MDNS
    ports = frozenset({PORT})
    datagram = True

    def __init__(self, key: FlowKey) -> None:
        super().__init__(key)
        self.types: list[str] = []
        self.instances: dict[dns.Name, _Instance] = {}
        self.addresses: dict[dns.Name, list[str]] = {}
        self.reported: list[Advert] = []
        self.names: list[HostName] = []
        self.announced = False

    @classmethod
    def probe(cls, c2s: bytes, s2c: bytes, key: FlowKey) -> float:
        if PORT not in (key.server_port, key.client_port):
            return 0.0  # mDNS is port 5353 by definition (RFC 6762 section 3)
        try:
            dns.parse(c2s or s2c)
        except Exception:  # noqa: BLE001 - a probe only says yes or no; ProtocolViolation in practice
            return 0.0
        return 0.95

    def feed(self, direction: Direction, data: bytes) -> list[Event]:
        msg = dns.parse(data)
        out: list[Event] = []
        if not self.announced:
            self.announced = True
            out.append(PrintSeen(False))
        if not msg.response:
            return out
        sender = self.key.client_ip if direction is Direction.C2S else self.key.server_ip
        types_before = len(self.types)
        for rec in msg.records:
            self._record(rec, sender)
        if len(self.types) != types_before:
            out.append(FlowFact("mdns_services", list(self.types)))
        names = self._host_names()
        if names != self.names:
            self.names = names
            out.append(FlowFact("host_names", list(names)))
        adverts = self._adverts()
        if adverts != self.reported:
            self.reported = adverts
            out.append(FlowFact("printer_adverts", list(adverts)))
        return out

    def _record(self, rec: dns.Record, sender: str) -> None:
        if rec.rtype == dns.PTR and isinstance(rec.data, tuple):
            st = service_type(rec.name)
            if st is None:
                return
            if st[0] == META_TYPE:  # PTR _services._dns-sd._udp -> <type> (RFC 6763 section 9)
                target = service_type(rec.data)
                if target is not None and target[1] == 0:
                    self._type(target[0])
                return
            self._type(st[0])
            self._instance(rec.data, sender)  # PTR <type> (or a subtype of it) -> <instance>
        elif rec.rtype == dns.SRV_TYPE and isinstance(rec.data, tuple):
            inst = self._instance(rec.name, sender)
            if inst is not None:
                port, target = rec.data
                inst.port, inst.target = int(port), target
        elif rec.rtype == dns.TXT and isinstance(rec.data, tuple):
            inst = self._instance(rec.name, sender)
            if inst is not None and rec.data:
                pairs = dns.txt_pairs(rec.data)
                wanted = {k.lower(): k for k in TXT_KEYS}
                inst.txt.update({wanted[k.lower()]: v[:MAX_VALUE] for k, v in pairs.items() if k.lower() in wanted})
        elif rec.rtype in (dns.A, dns.AAAA) and isinstance(rec.data, str):
            addrs = self.addresses.get(rec.name)
            if addrs is None:
                if len(self.addresses) >= MAX_HOSTS:
                    return
                addrs = self.addresses[rec.name] = []
            if rec.data not in addrs and len(addrs) < MAX_ADDRESSES:
                addrs.append(rec.data)

    def _host_names(self) -> list[HostName]:
        """The names announced with their addresses (A/AAAA answers: RFC 6762 section 8.3 announces
        a host's own address records), at most ``MAX_NAMES``, in order of first appearance."""
        out: list[HostName] = []
        for n, addrs in self.addresses.items():
            for addr in addrs:
                if len(out) < MAX_NAMES:
                    out.append(HostName(address=addr, name=".".join(n), source="mdns"))
        return out

    def _type(self, stype: str) -> None:
        if stype not in self.types and len(self.types) < MAX_TYPES:
            self.types.append(stype)

    def _instance(self, n: dns.Name, sender: str) -> _Instance | None:
        inst = self.instances.get(n)
        if inst is not None:
            return inst
        st = service_type(n)
        if st is None or st[1] != 1 or len(self.instances) >= MAX_INSTANCES:
            return None  # an instance name is <Instance>.<_service>.<_proto>.<domain> (RFC 6763 4.1)
        self._type(st[0])
        inst = self.instances[n] = _Instance(st[0], sender=sender)
        return inst

    def _host(self, inst: _Instance) -> str:
        addrs = self.addresses.get(inst.target, []) if inst.target is not None else []
        if not addrs or inst.sender in addrs:
            return inst.sender
        v4 = [a for a in addrs if ":" not in a]
        return (v4 or addrs)[0]

    def _adverts(self) -> list[Advert]:
        found: dict[tuple[str, str, int | None], Advert] = {}
        web: list[Advert] = []
        for n, inst in self.instances.items():
            if inst.port is None:
                continue  # no SRV yet: no host or port to offer
            first = inst.stype.split(".")[0]
            offer = PRINT_TYPES.get(first) or WEB_TYPES.get(first)
            if offer is None or (offer == "lpd" and inst.port == 0):
                continue  # _printer._tcp port 0: "no LPD here", a name placeholder (Bonjour Printing 9.2)
            t = inst.txt
            host = self._host(inst)
            ad = Advert(host=host, source="mdns", service=offer, port=inst.port, name=_clip(n[0]),
                        make_model=_clip(t.get("ty") or t.get("product", "").strip("()")),
                        adminurl=_clip(t.get("adminurl")), tls=_clip(t.get("TLS")), uuid=_clip(t.get("UUID")),
                        rp=_clip(t.get("rp")))
            if offer in WEB_TYPES.values():
                web.append(ad)
            else:
                found.setdefault((host, offer, ad.port), ad)
        printers = {host for host, _, _ in found}
        for ad in web:
            if ad.host in printers:
                found.setdefault((ad.host, ad.service, ad.port), ad)
        for ad in list(found.values()):  # the scheme of adminurl says which web interface is offered
            url = ad.adminurl
            if url and ad.service in PRINT_TYPES.values():
                offer, port = _web_offer(url)
                if offer is not None:
                    found.setdefault((ad.host, offer, port), Advert(
                        host=ad.host, source="mdns", service=offer, port=port, name=ad.name,
                        make_model=ad.make_model, adminurl=url, tls=ad.tls, uuid=ad.uuid, rp=None))
        return sorted(found.values(), key=lambda a: (a.host, a.service, a.port or 0, a.name or ""))
