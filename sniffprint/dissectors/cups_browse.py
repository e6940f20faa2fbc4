"""CUPS 1.x browse packets (UDP 631): print queues a CUPS server announces to its subnet.

Spec: the CUPS browsing protocol as CUPS 1.x ``cupsd`` and today's ``cups-browsed`` write it
(CUPS "Printer Browsing" design notes; cups-browsed ``BrowseLocalProtocols CUPS``): one text line
per queue, sent as one datagram to the broadcast address, port 631::

    type state uri "location" "info" "make-and-model" [name=value ...] LF

``type`` is the queue's ``printer-type`` bit field and ``state`` its ``printer-state`` (both in
hexadecimal, no ``0x``), ``uri`` the queue's ``ipp://`` or ``ipps://`` URI, the three strings are
quoted (a backslash escapes the next character), and optional ``name=value`` attributes follow
(``lease-duration``, ``uuid=urn:uuid:...``, default job options).

What a flow gives: ``printer_adverts`` (one ``records.Advert`` per announced queue: service
ipp/ipps by the URI scheme, host the URI's address when it is a literal address, else the
sender's, the queue name, make-and-model, the uuid), reported again whenever it changes.

Invariants:
- Rule 1: only ``ProtocolViolation`` escapes: a datagram that is not such a line is one.
- Rule 2: bounded: a line of at most ``MAX_LINE`` bytes is read; at most ``MAX_QUEUES`` queues
  are kept per flow; values are cut at ``MAX_VALUE`` characters.
"""
from __future__ import annotations

import dataclasses
import ipaddress
import re
from urllib.parse import unquote, urlsplit

from ..errors import ProtocolViolation
from ..model import Direction, FlowKey, Service
from ..records import Advert
from .base import Dissector
from .events import Event, FlowFact, PrintSeen

PORT = 631
MAX_LINE = 8192
MAX_QUEUES = 64
MAX_VALUE = 200
_LINE = re.compile(rb"([0-9A-Fa-f]{1,8}) ([0-9A-Fa-f]{1,8}) ((?:ipps?|https?)://[\x21-\x7e]{1,1024})"
                   rb'((?: +"(?:[^"\\]|\\.)*"){0,3})(.*)', re.S)
_QUOTED = re.compile(rb'"((?:[^"\\]|\\.)*)"')
_ATTR = re.compile(rb"([A-Za-z][A-Za-z0-9_-]*)=(\S*)")


def _text(raw: bytes) -> str:
    return re.sub(rb"\\(.)", rb"\1", raw).decode("utf-8", "replace")[:MAX_VALUE]


def parse(data: bytes) -> Advert:
    """The queue one browse line announces (its host as the URI names it)."""
    line = data.rstrip(b"\r\n\x00")
    if not line or len(line) > MAX_LINE or b"\n" in line:
        raise ProtocolViolation("not a CUPS browse line", 0)
    m = _LINE.fullmatch(line)
    if m is None:
        raise ProtocolViolation("not a CUPS browse line", 0)
    strings = [_text(s) for s in _QUOTED.findall(m.group(4))]
    attrs = {k.decode("ascii"): v.decode("utf-8", "replace") for k, v in _ATTR.findall(m.group(5))}
    uri = m.group(3).decode("ascii")
    try:
        parts = urlsplit(uri)
        host, port = parts.hostname, parts.port
    except ValueError:
        raise ProtocolViolation("CUPS browse line with an unusable URI", 0) from None
    scheme = parts.scheme.lower()
    service = "ipps" if scheme in ("ipps", "https") else "ipp"
    queue = unquote(parts.path.rstrip("/").rsplit("/", 1)[-1]) or None
    uuid = attrs.get("uuid", "").removeprefix("urn:uuid:") or None
    return Advert(host=host or "", source="cups-browse", service=service, port=port or 631,
                  name=queue[:MAX_VALUE] if queue else None,
                  make_model=(strings[2] if len(strings) > 2 and strings[2] else None),
                  uuid=uuid[:MAX_VALUE] if uuid else None, rp=parts.path.lstrip("/")[:MAX_VALUE] or None)


class CupsBrowseDissector(Dissector):
    name = "cups-browse"
    service = Service.CUPS_BROWSE
    ports = frozenset({PORT})
    datagram = True

    def __init__(self, key: FlowKey) -> None:
        super().__init__(key)
        self.queues: list[Advert] = []
        self.announced = False

    @classmethod
    def probe(cls, c2s: bytes, s2c: bytes, key: FlowKey) -> float:
        head = c2s or s2c
        try:
            parse(head)
        except ProtocolViolation:
            return 0.0
        return min(1.0, 0.8 + cls.port_hint(key))

    def feed(self, direction: Direction, data: bytes) -> list[Event]:
        ad = parse(data)
        out: list[Event] = []
        if not self.announced:
            self.announced = True
            out.append(PrintSeen(False))
        sender = self.key.client_ip if direction is Direction.C2S else self.key.server_ip
        try:
            ipaddress.ip_address(ad.host)
        except ValueError:  # a host name: the sender is the server that announces it
            ad = dataclasses.replace(ad, host=sender)
        if ad not in self.queues and len(self.queues) < MAX_QUEUES:
            self.queues.append(ad)
            out.append(FlowFact("printer_adverts", list(self.queues)))
        return out

