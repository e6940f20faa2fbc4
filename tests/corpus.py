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
