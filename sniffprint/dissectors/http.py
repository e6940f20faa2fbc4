"""HTTP/1.x (RFC 9112) and IPP over it (RFC 8010 section 3, RFC 8011; ``application/ipp``).

A flow is ``ipp`` when a request carries ``Content-Type: application/ipp`` (CUPS and every IPP
client do), otherwise ``http``.
"""
from __future__ import annotations

import re

from ..events import ContentDone, Event, PrintSeen, ServiceSeen
from ..model import Direction, Service
from . import Dissector
from ._buffer import Buffer

_METHODS = (b"GET ", b"POST ", b"PUT ", b"HEAD ", b"OPTIONS ", b"DELETE ", b"PATCH ", b"CONNECT ",
            b"TRACE ")
_IPP_CT = re.compile(rb"^content-type:[ \t]*application/ipp\b", re.I | re.M)


class HttpDissector(Dissector):
    name = "http"
    service = Service.HTTP
    ports = frozenset({631, 80, 8080, 8000})

    def __init__(self, key) -> None:  # type: ignore[no-untyped-def]
        super().__init__(key)
        self.head = Buffer(max_size=64 * 1024)
        self.decided = False

    @classmethod
    def probe(cls, c2s: bytes, s2c: bytes, key) -> float:  # type: ignore[no-untyped-def]
        if c2s.startswith(_METHODS):
            line_end = c2s.find(b"\n")
            if line_end < 0 or b" HTTP/1." in c2s[:line_end]:
                return 0.8 + cls.port_hint(key)
        if s2c.startswith(b"HTTP/1.") and not c2s:
            return 0.5
        return 0.0

    def feed(self, direction: Direction, data: bytes) -> list[Event]:
        if self.decided or direction is Direction.S2C:
            return []
        self.head.feed(data)
        headers = self.head.take_until(b"\r\n\r\n")
        if headers is None:
            return []
        self.decided = True
        if _IPP_CT.search(headers):
            return [ServiceSeen(Service.IPP), PrintSeen(True)]
        return [ServiceSeen(Service.HTTP), PrintSeen(False), ContentDone()]
