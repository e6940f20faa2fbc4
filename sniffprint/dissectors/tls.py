"""TLS from the first byte, on any port (RFC 8446 5.1 record layer; RFC 5246 6.2).

The parsing lives in ``tlsparse`` (so HTTP can reuse it after an RFC 2817 upgrade); this module
is the flow-level wrapper:

- **Probe**: a handshake record carrying a ClientHello (client side), or a ServerHello when only
  the server side was captured, or, for a capture that starts mid-session, a chain of plausible
  record headers (content type 20-24, version 3.x, length <= 2^14 + 2048). The port adds weight
  only (``Dissector.port_hint``).
- **Print**: the content of a TLS flow cannot be seen, so a TLS flow to a print port (9100, 515,
  631) counts as print traffic (``PrintSeen``), whatever it carries.
- **Cost**: once both directions are encrypted the observer returns ``ContentDone`` and the flow
  table stops handing over the bulk ciphertext.
"""
from __future__ import annotations

from ..model import PRINT_PORTS, Direction, FlowKey, Service
from .base import Dissector
from .events import Event, PrintSeen, ProtectionSeen
from .tlsparse import CT_HANDSHAKE, MAX_RECORD, RECORD, TlsObserver, probe


def looks_like_record(buf: bytes, hs_type: int | None = None) -> bool:
    """A handshake record header (and, if given and present, the handshake type) at ``buf[0]``."""
    if len(buf) < 5:
        return False
    ct, ver, length = RECORD.unpack_from(buf)
    if ct != CT_HANDSHAKE or ver >> 8 != 3 or ver & 0xFF > 4 or not 4 <= length <= MAX_RECORD:
        return False
    return hs_type is None or len(buf) < 6 or buf[5] == hs_type


class TlsDissector(Dissector):
    name = "tls"
    service = Service.TLS
    ports = frozenset({443, 631, 9100, 8443, 993, 995, 465, 636})

    def __init__(self, key: FlowKey) -> None:
        super().__init__(key)
        self.observer = TlsObserver()

    @classmethod
    def probe(cls, c2s: bytes, s2c: bytes, key: FlowKey) -> float:
        score = probe(c2s, s2c)
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
