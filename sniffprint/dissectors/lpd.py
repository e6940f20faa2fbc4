"""LPD, the Line Printer Daemon protocol (RFC 1179).

Daemon commands are one octet 01-05 followed by a queue name and LF (section 5); inside
"receive a printer job" (02), subcommands 02 (control file) and 03 (data file) carry
``<count> SP <name> LF`` and then exactly ``count`` bytes plus a NUL (section 6); the server
acknowledges each with a single zero octet.
"""
from __future__ import annotations

import re

from ..events import Event, PrintSeen
from ..model import Direction, Service
from . import Dissector

_CMD = re.compile(rb"[\x01-\x05][\x21-\x7e]{1,255}(?:[ \t][\x20-\x7e]*)?\n")
_SUB = re.compile(rb"[\x02\x03][0-9]{1,12} [\x21-\x7e]{1,255}\n")


class LpdDissector(Dissector):
    name = "lpd"
    service = Service.LPD
    ports = frozenset({515})

    def __init__(self, key) -> None:  # type: ignore[no-untyped-def]
        super().__init__(key)
        self.seen = False

    @classmethod
    def probe(cls, c2s: bytes, s2c: bytes, key) -> float:  # type: ignore[no-untyped-def]
        m = _CMD.match(c2s)
        if not m:
            return 0.0
        score = 0.55
        if c2s[0] == 2 and _SUB.match(c2s, m.end()):
            score = 0.9  # a receive-job command followed by a well-formed subcommand
        if s2c[:1] == b"\x00":
            score += 0.1
        return min(1.0, score + 2 * cls.port_hint(key))

    def feed(self, direction: Direction, data: bytes) -> list[Event]:
        if self.seen:
            return []
        self.seen = True
        return [PrintSeen(True)]
