"""Compare a report with ground truth in the MANIFEST.json / *.truth.json format.

Both the shared reference corpus and the project's own ``pcaps/*.truth.json`` describe each print
flow by endpoints, protocol, encryption and distinct stream bytes per direction, and list the
other TCP flows; the same comparison serves both.
"""
from __future__ import annotations

import ipaddress
from typing import Any

PRINT_PORTS = {9100, 515, 631}
SERVICES = {"raw9100": {"raw9100"}, "raw-nonstd": {"raw9100"}, "lpd": {"lpd"}, "ipp": {"ipp"},
            "ipps": {"tls", "ipp"}, "ipp-upgrade-tls": {"ipp", "http", "tls"}, "tls9100": {"tls", "raw9100"},
            "smb2": {"smb"}, "smb1": {"smb"}, "dcerpc": {"dcerpc"}}
# what an encrypted print flow's protection is, by its truth protocol (print RPC: sealed at privacy)
ENCRYPTED = {"smb2": "smb3-encrypted", "dcerpc": "rpc-privacy"}


def endpoint(text: str) -> tuple[str, int]:
    host, _, port = text.rpartition(":")
    return ipaddress.ip_address(host.strip("[]")).compressed, int(port)


def find(report: Any, pf: dict[str, Any]) -> dict[str, Any] | None:
    want = (*endpoint(pf["client"]), *endpoint(pf["server"]))
    for f in report.flows:
        got = (ipaddress.ip_address(f.client_ip).compressed, f.client_port,
               ipaddress.ip_address(f.server_ip).compressed, f.server_port)
        if got == want:
            return f
    return None


def _fact(flow: Any, name: str) -> Any:
    v = getattr(flow, name, None)
    return list(v) if isinstance(v, tuple) else v


def check_flows(report: Any, cap: dict[str, Any]) -> list[str]:
    """Every miss as a line (empty list = all good)."""
    misses: list[str] = []
    for pf in cap["print_flows"]:
        tag = f"{cap['file']} {pf['client']}->{pf['server']}"
        f = find(report, pf)
        if f is None:
            misses.append(f"{tag}: no flow record")
            continue
        want = {"c2s_bytes": pf["client_to_server_stream_bytes"], "s2c_bytes": pf["server_to_client_stream_bytes"],
                "protection": ("none" if not pf["encrypted"] else ENCRYPTED.get(pf["protocol"], "tls"))}
        for k, v in want.items():
            if getattr(f, k) != v:
                misses.append(f"{tag}: {k} {getattr(f, k)!r} != {v!r}")
        if f.service not in SERVICES.get(pf["protocol"], {pf["protocol"]}):
            misses.append(f"{tag}: service {f.service.value!r} for {pf['protocol']}")
        for fact in ("rpc_interfaces", "rpc_auth_level", "smb_dialect"):  # when the truth states them
            if pf.get(fact) is not None and not pf.get("encrypted") and _fact(f, fact) != pf[fact]:
                misses.append(f"{tag}: {fact} {_fact(f, fact)!r} != {pf[fact]!r}")
        ok_print = (True, None) if pf["protocol"] == "smb2" and pf["encrypted"] else (True,)
        if f.print not in ok_print:
            misses.append(f"{tag}: print {f.print!r}")
    for of in cap.get("other_tcp_flows", []):
        f = find(report, of)
        if f is None:
            continue
        port = endpoint(of["server"])[1]
        if of.get("ground_truth") == "smb-disk-copy":  # a file copy is not printing
            allowed: tuple[bool | None, ...] = (False, None) if of.get("encrypted") else (False,)
        elif port in PRINT_PORTS | {445}:
            continue  # e.g. a CUPS status-monitoring connection: a print path, judged elsewhere
        else:
            allowed = (False,)
        if f.print not in allowed:
            misses.append(f"{cap['file']} {of['server']} ({of.get('ground_truth')}): print {f.print!r}")
    return misses


# ------------------------------------------------------------------ the fleet facts (issue 12)
UDP_SERVICES = {"snmp": "snmp", "snmp-trap": "snmp", "mdns": "mdns", "cups-browse": "cups-browse", "nbns": "nbns"}
CREDENTIAL_KINDS = {"basic", "digest", "form-urlencoded", "form-multipart", "session-cookie"}
OFFERS = {"_ipp._tcp": "ipp", "_ipps._tcp": "ipps", "_pdl-datastream._tcp": "raw", "_printer._tcp": "lpd",
          "_http._tcp": "http-admin", "_https._tcp": "https-admin"}
ANSWERED_OFFERS = {9100: "raw", 515: "lpd", 631: "ipp", 80: "http-admin"}
TLS_OFFERS = {"ipps": "ipps", "tls9100": "raw-tls"}
HANDSHAKE_TOLERANCE_MS = 2.0  # the same packet times; the record's first vs. last segment at most


def find_udp(report: Any, uf: dict[str, Any], *, either_way: bool = False) -> Any:
    """The UDP flow record of a truth flow (whose client is the first sender). ``either_way``: also
    the flow sniffprint oriented the other way (an answer from a well-known port to a client's
    ephemeral port is first seen from the server side)."""
    want = (*endpoint(uf["client"]), *endpoint(uf["server"]))
    flipped = (*want[2:], *want[:2])
    for f in report.flows:
        got = (f.client_ip, f.client_port, f.server_ip, f.server_port)
        if f.proto == "udp" and (got == want or either_way and got == flipped):
            return f
    return None


def check_fleet(report: Any, cap: dict[str, Any]) -> list[str]:
    """The facts of the fleet captures (UDP flows, admin panels, SNMP, discovery, printer facts,
    TLS handshake times) against what sniffprint reports; every miss as a line."""
    misses: list[str] = []
    name = cap["file"]
    for uf in cap.get("udp_flows", []):
        misses += _udp(report, uf, name)
    for tf in cap["print_flows"] + cap["other_tcp_flows"]:
        f = find(report, tf)
        if f is None:
            continue
        tag = f"{name} {tf['client']}->{tf['server']}"
        hs = tf.get("tls_handshake")
        if hs and tf.get("tls_version") == "TLS 1.3":
            # TLS 1.3: every record after the ServerHello is application_data, so "the later of
            # each direction's first protected record" is tshark's first type-23 record, both ways
            want = hs["ms_to_first_type23_record"]["both"]
            if f.tls_handshake_ms is None or abs(f.tls_handshake_ms - want) > HANDSHAKE_TOLERANCE_MS:
                misses.append(f"{tag}: tls_handshake_ms {f.tls_handshake_ms} vs {want}")
        facts = tf.get("facts") or {}
        if facts.get("service") == "http-admin":
            misses += _http_admin(f, facts, tag)
    misses += _printer_facts(report, cap)
    return misses


def _udp(report: Any, uf: dict[str, Any], name: str) -> list[str]:
    tag = f"{name} udp {uf['client']}->{uf['server']}"
    f = find_udp(report, uf, either_way=True)
    if f is None:
        return [f"{tag}: no UDP flow record"]
    misses = []
    if f.service != UDP_SERVICES.get(uf["service"], uf["service"]):
        misses.append(f"{tag}: service {f.service.value!r} for {uf['service']}")
    got = (f.c2s_packets, f.s2c_packets, f.c2s_bytes, f.s2c_bytes)
    if f.client_ip != endpoint(uf["client"])[0] or f.client_port != endpoint(uf["client"])[1]:
        got = (f.s2c_packets, f.c2s_packets, f.s2c_bytes, f.c2s_bytes)  # oriented the other way
    want = (uf["datagrams_c2s"], uf["datagrams_s2c"], uf["payload_bytes_c2s"], uf["payload_bytes_s2c"])
    if got != want if uf.get("exact_counts") else any(g < w for g, w in zip(got, want, strict=True)):
        misses.append(f"{tag}: datagrams/bytes {got} vs {want}")
    facts = uf.get("facts") or {}
    if uf["service"].startswith("snmp"):
        misses += _snmp(f, facts, tag)
    elif uf["service"] == "mdns" and facts.get("service_types") is not None:
        if sorted(f.mdns_services or ()) != sorted(facts["service_types"]):
            misses.append(f"{tag}: mdns_services {f.mdns_services} vs {facts['service_types']}")
    return misses


def _snmp(f: Any, facts: dict[str, Any], tag: str) -> list[str]:
    misses = []
    if facts.get("version") not in (f.snmp_versions or ()):
        misses.append(f"{tag}: snmp_versions {f.snmp_versions} lacks {facts.get('version')}")
    pdus = facts.get("pdu_types") or facts.get("pdu_types_in_clear") or []
    if not set(pdus) <= set(f.snmp_pdus or ()):
        misses.append(f"{tag}: snmp_pdus {f.snmp_pdus} vs {pdus}")
    if facts.get("version") != "v3" and bool(f.snmp_set) != facts.get("set_sent"):
        misses.append(f"{tag}: snmp_set {f.snmp_set} vs set_sent {facts.get('set_sent')}")
    if facts.get("community") is not None:
        lengths = [c.secret_length for c in f.credentials or () if c.kind == "snmp-community"]
        if lengths != [len(facts["community"])]:
            misses.append(f"{tag}: community credential lengths {lengths}")
    if facts.get("security_level") and f.snmp_security != facts["security_level"]:
        misses.append(f"{tag}: snmp_security {f.snmp_security} vs {facts['security_level']}")
    return misses


def _http_admin(f: Any, facts: dict[str, Any], tag: str) -> list[str]:
    misses = []
    if f.service != "http-admin":
        misses.append(f"{tag}: service {f.service.value!r} for http-admin")
    creds = {c.kind: c for c in f.credentials or () if c.kind in CREDENTIAL_KINDS}
    for req in facts.get("requests", []):
        cred = req.get("credentials")
        if cred:
            got = creds.get(cred["kind"])
            if got is None:
                misses.append(f"{tag}: no {cred['kind']} credential")
            elif cred.get("password_length") is not None and got.secret_length != cred["password_length"]:
                misses.append(f"{tag}: {cred['kind']} secret_length {got.secret_length} vs {cred['password_length']}")
            elif bool(got.user_hash) != bool(cred.get("user")):
                misses.append(f"{tag}: {cred['kind']} user_hash {got.user_hash!r} vs a user {bool(cred.get('user'))}")
        if req.get("redirect_to_https") and not f.http_redirect_https:
            misses.append(f"{tag}: redirect to https not seen")
        if req["status"] == 200 and not cred and not f.http_pages:
            misses.append(f"{tag}: page served in clear not counted")
    if not facts.get("requests") or all(not r.get("credentials") for r in facts["requests"]):
        extra = sorted(k for k in creds if k != "session-cookie")
        if extra:
            misses.append(f"{tag}: credentials {extra} where none crossed")
    return misses


def _printer_facts(report: Any, cap: dict[str, Any]) -> list[str]:
    misses = []
    printers = {p.server_ip: p for p in report.printers}
    facts = cap.get("facts") or {}
    name = cap["file"]
    snmp = facts.get("snmp") or {}
    returned = snmp.get("printer_facts_returned")
    if returned:
        ip = endpoint(snmp["agent"])[0]
        p = printers.get(ip)
        want = (returned.get("sysName"), returned.get("hrDeviceDescr"), returned.get("prtGeneralSerialNumber"))
        got = (p.name, p.make_model, p.serial) if p else None
        if got != want or "snmp" not in (p.offers or ()):
            misses.append(f"{name}: SNMP printer facts {got} vs {want}")
    for host, info in (facts.get("mdns") or {}).items():
        ip = cap["topology"][host]["ipv4"]
        p = printers.get(ip)
        if p is None:
            misses.append(f"{name}: no printer record for announced {host} ({ip})")
            continue
        # ports from the announcement itself (a _printer._tcp of port 0 is "no LPD"), from the facts
        # or from what tshark dissected in that host's datagrams
        seen = {s["type"]: s for uf in cap.get("udp_flows", []) if (uf.get("facts") or {}).get("sender") == host
                for s in (uf.get("tshark_services") or {}).values()}
        services = info.get("services") or {t: seen.get(t, {}) for t in info.get("service_types", [])}
        offers = {OFFERS[t] for t, s in services.items() if t in OFFERS and s.get("port", 1) != 0}
        if not offers <= set(p.offers or ()):
            misses.append(f"{name}: {host} offers {p.offers} lack {sorted(offers - set(p.offers or ()))}")
        txt = next(iter(services.values()), {}).get("txt") or {}
        if info.get("instance") and p.name != info["instance"]:
            misses.append(f"{name}: {host} name {p.name!r} vs {info['instance']!r}")
        if txt.get("ty") and p.make_model != txt["ty"]:
            misses.append(f"{name}: {host} make_model {p.make_model!r} vs {txt['ty']!r}")
        if ("TLS" in txt or "_ipps._tcp" in services) and not p.tls_advertised:
            misses.append(f"{name}: {host} announces TLS, tls_advertised {p.tls_advertised}")
    browse = facts.get("cups_browse")
    if browse:
        ip = endpoint(browse["uri"].split("//", 1)[1].split("/", 1)[0])[0]
        p = printers.get(ip)
        if p is None or p.make_model != browse["make_model"] or "ipp" not in (p.offers or ()):
            misses.append(f"{name}: CUPS browse printer {ip}: {p}")
    printer = facts.get("printer")
    if printer:
        p = printers.get(printer["address"])
        want = {ANSWERED_OFFERS[port] for port in printer["answered_in_clear"]}
        want |= {TLS_OFFERS[t] for t in printer["tls_in_use"]}
        if p is None or not want <= set(p.offers or ()):
            misses.append(f"{name}: printer offers {p.offers if p else None} lack {sorted(want)}")
        elif bool(printer["tls_in_use"]) != bool(p.clear_despite_tls):
            misses.append(f"{name}: clear_despite_tls {p.clear_despite_tls} with TLS in use {printer['tls_in_use']}")
        elif printer["tls_in_use"] and sorted(p.clear_still_enabled or ()) != sorted(printer["answered_in_clear"]):
            misses.append(f"{name}: clear_still_enabled {p.clear_still_enabled} vs {printer['answered_in_clear']}")
        elif not printer["tls_in_use"] and p.clear_still_enabled:
            misses.append(f"{name}: clear_still_enabled {p.clear_still_enabled} without TLS in use")
        elif sorted(p.protocols_protected or ()) != sorted(TLS_NAMES[t] for t in printer["tls_in_use"]):
            misses.append(f"{name}: protocols_protected {p.protocols_protected} vs {printer['tls_in_use']}")
    misses += _workstations(report, facts.get("workstations") or {}, name)
    return misses


TLS_NAMES = {"ipps": "ipps", "tls9100": "raw-tls"}  # the truth's protocol names -> sniffprint's


def _workstations(report: Any, want: dict[str, Any], name: str) -> list[str]:
    """The workstation view (client records) against the migration captures' per-workstation facts."""
    misses = []
    clients = {c.client_ip: c for c in report.client_records()}
    for ip, w in want.items():
        c = clients.get(ip)
        if c is None:
            misses.append(f"{name}: no client record for {ip}")
            continue
        got = (sorted(c.protocols_clear), sorted(c.protocols_protected), c.jobs_clear, list(c.printers))
        exp = (sorted(w["protocols_clear"]), sorted(TLS_NAMES[t] for t in w["protocols_protected"]), w["jobs_clear"],
               w["prints_to"])
        if got != exp:
            misses.append(f"{name}: client {ip} (clear, protected, jobs, printers) {got} vs {exp}")
        if not set(w.get("hostnames", {})) <= set(c.hostname_sources):
            misses.append(f"{name}: client {ip} names from {c.hostname_sources}, expected {sorted(w['hostnames'])}")
        if c.verdict.value != ("exposed" if w["protocols_clear"] else "protected"):
            misses.append(f"{name}: client {ip} verdict {c.verdict.value}")
    return misses
