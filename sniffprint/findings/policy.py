"""Verification policy (TOML): what counts as protected, as print, and which exceptions apply.

Keys (all optional)::

    min_tls_version = "1.2"            # a print flow below this is SP201 (weak protection)
    weak_ciphers = ["RC4", "3DES", "DES", "NULL cipher", "EXPORT", "anonymous"]
    allow_self_signed = true           # false: SP204 becomes medium
    allow_unobservable_certificate = true   # false: SP205 (TLS 1.3) becomes low
    require_smb_encryption = true      # false: cleartext SMB printing is still reported, but low
    print_servers = ["10.0.0.5", "10.1.0.0/24"]  # encrypted SMB to these hosts counts as print
    print_ports = [9100, 515, 631]     # ports whose cleartext listeners are SP301
    print_protocols = ["raw9100", "lpd", "ipp", "smb", "dcerpc"]   # protocols that count as printing

    [[exceptions]]                     # findings matching host/cidr/port are kept but suppressed
    host = "10.0.0.9"                  # or cidr = "10.2.0.0/16"; port = 9100 (alone or with a host)
    reason = "label printer on an isolated VLAN, ticket SEC-123"

Besides the servers the policy names, a run learns print servers from the traffic itself
(``PrintServers``): a server seen serving print under protection (print RPC at packet privacy, an
IPP flow upgraded to TLS, an SMB print share before encryption started) is a print server for
the rest of the run, so its SMB3-encrypted sessions count as protected print. A server never seen
serving print stays unknown unless the policy names it.

An invalid policy raises ``OptionsError`` naming the file and the line at fault.
"""
from __future__ import annotations

import ipaddress
import re
import sys
from collections import OrderedDict
from collections.abc import Container
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10: the same parser, from PyPI
    import tomli as tomllib

from ..errors import OptionsError
from ..model import PRINT_PORTS, PRINT_SERVICES, FlowKey, Protection, Service

TLS_VERSIONS = {"1.0": 1, "1.1": 2, "1.2": 3, "1.3": 4}
TLS_RANK = {"SSLv3": 0, "TLSv1.0": 1, "TLSv1.1": 2, "TLSv1.2": 3, "TLSv1.3": 4}
DEFAULT_WEAK = ("RC4", "3DES", "DES", "NULL cipher", "EXPORT", "anonymous")
PROTOCOLS = tuple(sorted(s.value for s in PRINT_SERVICES))
MAX_LEARNED_SERVERS = 65536  # print servers a run learns from its traffic (oldest dropped past this)

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@dataclass(slots=True, frozen=True)
class Exception_:
    networks: tuple[Network, ...]
    port: int | None
    reason: str

    def matches(self, ip: str, port: int) -> bool:
        if self.port is not None and port != self.port:
            return False
        if not self.networks:
            return True
        addr = ipaddress.ip_address(ip)
        return any(addr in n for n in self.networks)


@dataclass(slots=True, frozen=True)
class Policy:
    min_tls_version: str = "1.2"
    weak_ciphers: tuple[str, ...] = DEFAULT_WEAK
    allow_self_signed: bool = True
    allow_unobservable_certificate: bool = True
    require_smb_encryption: bool = True
    print_servers: tuple[Network, ...] = ()
    print_ports: frozenset[int] = PRINT_PORTS
    print_protocols: frozenset[str] = frozenset(PROTOCOLS)
    exceptions: tuple[Exception_, ...] = field(default=())
    source: str | None = None

    def is_print_server(self, ip: str) -> bool:
        try:
            addr = ipaddress.ip_address(ip)
        except ValueError:
            return False
        return any(addr in n for n in self.print_servers)

    def is_print(self, service: Service, content: bool | None, protection: Protection,
                 key: FlowKey) -> bool | None:
        """Whether a flow is print traffic: the one place this is decided (flow records, findings,
        verdict and the live recorder all read the flow record's ``print``).

        ``content`` is what the dissector saw (``PrintSeen``). A TLS flow's content cannot be seen:
        it prints when it goes to one of ``print_ports``. An encrypted SMB session whose share
        cannot be seen is unknown (None) unless this policy names the host a print server (the
        findings then count it as protected print if the run saw the server serve print under
        protection, ``serves_print``). A protocol the policy leaves out of ``print_protocols`` is
        not printing.
        """
        if service is Service.TLS or protection is Protection.TLS:
            printing: bool | None = bool(content) or key.server_port in self.print_ports
        elif service is Service.SMB and content is None:
            if protection is not Protection.SMB3:
                return False
            return True if self.is_print_server(key.server_ip) else None
        else:
            printing = bool(content)
        if printing and service.value in PROTOCOLS and service.value not in self.print_protocols:
            return False
        return printing

    @staticmethod
    def serves_print(printing: bool | None, protection: Protection) -> bool:
        """Whether a finished flow shows its server serving print under protection (print RPC at
        privacy, IPPS or TLS-wrapped 9100, a print share seen before SMB3 encryption). Such a
        server is a print server for the run: its encrypted SMB sessions count as protected
        print (``findings.rules``, at the end of the run)."""
        return printing is True and protection not in (Protection.NONE, Protection.UNKNOWN)

    def exception_for(self, ip: str, port: int) -> str | None:
        for e in self.exceptions:
            if e.matches(ip, port):
                return e.reason
        return None

    def tls_too_old(self, version: str | None) -> bool:
        if not version or version not in TLS_RANK:
            return False
        return TLS_RANK[version] < TLS_VERSIONS[self.min_tls_version]


class PrintServers(Container[str]):
    """The print servers a run learned from its traffic (``Policy.serves_print``), bounded."""

    __slots__ = ("seen", "cap")

    def __init__(self, cap: int = MAX_LEARNED_SERVERS) -> None:
        self.seen: OrderedDict[str, None] = OrderedDict()
        self.cap = cap

    def add(self, ip: str) -> None:
        self.seen[ip] = None
        self.seen.move_to_end(ip)
        while len(self.seen) > self.cap:
            self.seen.popitem(last=False)

    def __contains__(self, ip: object) -> bool:
        return ip in self.seen

    def __len__(self) -> int:
        return len(self.seen)


_KEYS = {"min_tls_version", "weak_ciphers", "allow_self_signed", "allow_unobservable_certificate",
         "require_smb_encryption", "print_servers", "print_ports", "print_protocols", "exceptions"}


def _line_of(text: str, key: str) -> int:
    m = re.search(rf"^\s*{re.escape(key)}\s*=", text, re.M)
    return text.count("\n", 0, m.start()) + 1 if m else 1


def load(path: str) -> Policy:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise OptionsError(f"policy {path}: cannot read ({exc.strerror})") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise OptionsError(f"policy {path}: invalid TOML: {exc}") from None
    return parse(data, text, path)


def parse(data: dict[str, Any], text: str = "", path: str = "<policy>") -> Policy:
    def bad(key: str, why: str) -> OptionsError:
        return OptionsError(f"policy {path} line {_line_of(text, key)}: {key}: {why}")

    for key in data:
        if key not in _KEYS:
            raise bad(key, f"unknown key (known: {', '.join(sorted(_KEYS))})")
    kw: dict[str, Any] = {"source": path}
    if "min_tls_version" in data:
        v = str(data["min_tls_version"]).removeprefix("TLSv").removeprefix("TLS ")
        if v not in TLS_VERSIONS:
            raise bad("min_tls_version", f"{data['min_tls_version']!r} is not one of 1.0, 1.1, 1.2, 1.3")
        kw["min_tls_version"] = v
    for key in ("allow_self_signed", "allow_unobservable_certificate", "require_smb_encryption"):
        if key in data:
            if not isinstance(data[key], bool):
                raise bad(key, "must be true or false")
            kw[key] = data[key]
    if "weak_ciphers" in data:
        if not isinstance(data["weak_ciphers"], list) or not all(isinstance(x, str) for x in data["weak_ciphers"]):
            raise bad("weak_ciphers", "must be a list of strings")
        kw["weak_ciphers"] = tuple(data["weak_ciphers"])
    if "print_servers" in data:
        kw["print_servers"] = tuple(_networks(data["print_servers"], lambda why: bad("print_servers", why)))
    if "print_ports" in data:
        ports = data["print_ports"]
        if not isinstance(ports, list) or not all(isinstance(p, int) and 0 < p < 65536 for p in ports):
            raise bad("print_ports", "must be a list of port numbers")
        kw["print_ports"] = frozenset(ports)
    if "print_protocols" in data:
        protos = data["print_protocols"]
        if not isinstance(protos, list) or not all(p in PROTOCOLS for p in protos):
            raise bad("print_protocols", f"must be a list drawn from {', '.join(PROTOCOLS)}")
        kw["print_protocols"] = frozenset(protos)
    if "exceptions" in data:
        items = data["exceptions"]
        if not isinstance(items, list) or not all(isinstance(x, dict) for x in items):
            raise bad("exceptions", "must be an array of tables ([[exceptions]])")
        out = []
        for item in items:
            unknown = set(item) - {"host", "cidr", "port", "reason"}
            if unknown:
                raise bad("exceptions", f"unknown key(s) {sorted(unknown)} in an exception")
            if not item.get("reason"):
                raise bad("exceptions", "every exception needs a reason")
            nets = []
            for k in ("host", "cidr"):
                if k in item:
                    nets += _networks([item[k]], lambda why: bad("exceptions", why))
            port = item.get("port")
            if port is not None and not (isinstance(port, int) and 0 < port < 65536):
                raise bad("exceptions", f"port {port!r} is not a port number")
            if not nets and port is None:
                raise bad("exceptions", "an exception needs a host, a cidr or a port")
            out.append(Exception_(tuple(nets), port, str(item["reason"])))
        kw["exceptions"] = tuple(out)
    return Policy(**kw)


def _networks(values: Any, bad: Any) -> list[Network]:
    if not isinstance(values, list):
        raise bad("must be a list of hosts or CIDRs")
    out = []
    for v in values:
        try:
            out.append(ipaddress.ip_network(str(v), strict=False))
        except ValueError:
            raise bad(f"{v!r} is not an IP address or CIDR") from None
    return out
