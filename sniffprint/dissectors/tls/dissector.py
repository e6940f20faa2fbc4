"""TLS from the first byte, on any port: the flow-level wrapper around ``TlsObserver``.

Specs: RFC 8446 5.1 and RFC 5246 6.2 (record layer, the basis of the probe), RFC 8446 4.1.2 /
4.1.3 (the hello a session opens with), RFC 5246 appendix E.2 (a legacy client's SSL 2.0
compatible CLIENT-HELLO).

- **Probe**: a handshake record carrying a ClientHello (client side), an SSL 2.0 compatible
  CLIENT-HELLO offering SSL 3.0+ (client side), a ServerHello when only the server side was
  captured, or, for a capture that starts mid-session, a chain of plausible record headers
  (content type 20-24, version 3.x, length <= 2^14 + 2048). The port adds weight only
  (``Dissector.port_hint``).
- **Print**: the content of a TLS flow cannot be seen, so a TLS flow to a print port (9100, 515,
  631) counts as print traffic (``PrintSeen``), whatever it carries.
- **Cost**: once both directions are encrypted the observer returns ``ContentDone`` and the flow
  table stops handing over the bulk ciphertext.

Invariant: ``head_score`` looks at bytes only; the same heads always give the same score.
"""
from __future__ import annotations

from ...model import PRINT_PORTS, Direction, FlowKey, Service
from ..base import Dissector
from ..events import Event, PrintSeen, ProtectionSeen
from .handshake import HandshakeType
from .observer import TlsObserver
from .record import ContentType, V2HelloHeader, record_run


def head_score(c2s: bytes, s2c: bytes) -> float:
    """Confidence that the heads are TLS, from record headers alone (no port involved)."""
    if c2s:
        n, ok = record_run(c2s)
        if ok and n and c2s[0] == ContentType.HANDSHAKE and (len(c2s) < 6 or c2s[5] == HandshakeType.CLIENT_HELLO):
            return 0.95
        v2 = V2HelloHeader.parse(c2s)
        # What follows a legacy hello is the client's next flight in TLS records, when present.
        if v2 is not None and record_run(c2s[2 + v2.length:])[1]:
            return 0.95
    elif s2c:
        n, ok = record_run(s2c)
        if ok and n and s2c[0] == ContentType.HANDSHAKE and (len(s2c) < 6 or s2c[5] == HandshakeType.SERVER_HELLO):
            return 0.8
    # Mid-stream start (no handshake captured): a chain of record headers is strong evidence;
    # 4 plausible bytes out of 5 at random are about 1 in 10^7, so even one header counts.
    runs = [record_run(h) for h in (c2s, s2c) if h]
    if not runs or not all(ok and n for n, ok in runs):
        return 0.0
    if sum(n for n, _ in runs) >= 2:
        return 0.8
    return 0.5


class TlsDissector(Dissector):
    name = "tls"
    service = Service.TLS
    ports = frozenset({443, 631, 9100, 8443, 993, 995, 465, 636})

    def __init__(self, key: FlowKey) -> None:
        super().__init__(key)
        self.observer = TlsObserver()

    @classmethod
    def probe(cls, c2s: bytes, s2c: bytes, key: FlowKey) -> float:
        score = head_score(c2s, s2c)
        return min(1.0, score + cls.port_hint(key)) if score else 0.0

    def feed(self, direction: Direction, data: bytes) -> list[Event]:
        return self._with_print(self.observer.feed(direction, data))

    def gap(self, direction: Direction, length: int) -> list[Event]:
        return self._with_print(self.observer.gap(direction, length))

    def close(self) -> list[Event]:
        return self.observer.close()

    def _with_print(self, events: list[Event]) -> list[Event]:
        # ProtectionSeen comes once, with the first valid record: that is when the flow is known
        # to be TLS, so that is when it becomes print traffic if its port says so.
        for i, ev in enumerate(events):
            if type(ev) is ProtectionSeen:
                events.insert(i + 1, PrintSeen(self.key.server_port in PRINT_PORTS))
                break
        return events
