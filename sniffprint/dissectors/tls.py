"""TLS record layer (RFC 8446 section 5.1; RFC 5246 section 6.2), on any port.

A TLS flow starts with a handshake record: content type 22, legacy version 3.x, a length of at
most 2^14 + 2048, and a ClientHello (handshake type 1). Its content cannot be seen: a TLS flow to
a print port (9100, 515, 631) counts as print traffic.
"""
from __future__ import annotations

import struct

from ..events import ContentDone, Event, PrintSeen, ProtectionSeen
from ..model import PRINT_PORTS, Direction, Protection, Service
from . import Dissector

CT_HANDSHAKE = 22
HS_CLIENT_HELLO = 1
HS_SERVER_HELLO = 2


def looks_like_record(buf: bytes, hs_type: int | None = None) -> bool:
    if len(buf) < 5 or buf[0] != CT_HANDSHAKE or buf[1] != 3 or buf[2] > 4:
        return False
    length = struct.unpack_from("!H", buf, 3)[0]
    if not 4 <= length <= (1 << 14) + 2048:
        return False
    return hs_type is None or len(buf) < 6 or buf[5] == hs_type


class TlsDissector(Dissector):
    name = "tls"
    service = Service.TLS
    ports = frozenset({443, 631, 9100, 8443, 993, 995, 465, 636})

    def __init__(self, key) -> None:  # type: ignore[no-untyped-def]
        super().__init__(key)
        self.started = False

    @classmethod
    def probe(cls, c2s: bytes, s2c: bytes, key) -> float:  # type: ignore[no-untyped-def]
        if c2s and looks_like_record(c2s, HS_CLIENT_HELLO):
            return 0.95
        if not c2s and looks_like_record(s2c, HS_SERVER_HELLO):
            return 0.8
        return 0.0

    def feed(self, direction: Direction, data: bytes) -> list[Event]:
        if self.started:
            return []
        self.started = True
        return [ProtectionSeen(Protection.TLS), PrintSeen(self.key.server_port in PRINT_PORTS),
                ContentDone()]
