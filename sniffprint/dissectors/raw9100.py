"""Raw JetDirect / AppSocket printing (TCP 9100, and any port whose content says so).

There is no protocol envelope: the client -> server bytes *are* the print job (PJL, PCL 5, PCL XL,
PostScript, PDF, raster). Printer -> host bytes are PJL status replies (``@PJL INFO``,
``@PJL USTATUS``) or PostScript messages.

Detection: the client's first bytes are a print language (``classify.detect``); port 9100-9102
adds weight. Job boundaries inside the stream are refined by the job assembler.
"""
from __future__ import annotations

from .. import classify
from ..events import DocumentData, DocumentGap, Event, JobEnded, JobStarted, PrintSeen
from ..model import Direction, Service
from . import Dissector


class Raw9100Dissector(Dissector):
    name = "raw9100"
    service = Service.RAW9100
    ports = frozenset({9100, 9101, 9102})

    def __init__(self, key) -> None:  # type: ignore[no-untyped-def]
        super().__init__(key)
        self.in_job = False
        self.partial = False

    @classmethod
    def probe(cls, c2s: bytes, s2c: bytes, key) -> float:  # type: ignore[no-untyped-def]
        if not c2s:
            return 0.0
        lang = classify.detect(c2s)
        if lang is None:
            return 0.0
        # a lone ESC sequence or "%!" is weak evidence on an unrelated port
        base = 0.85 if lang in ("PJL", "PCLXL", "PDF", "PostScript", "PWG-Raster", "URF") else 0.6
        return min(1.0, base + cls.port_hint(key))

    def feed(self, direction: Direction, data: bytes) -> list[Event]:
        if direction is Direction.S2C:
            return []
        out: list[Event] = []
        if not self.in_job:
            self.in_job = True
            out += [PrintSeen(True), JobStarted("raw9100")]
        out.append(DocumentData(data))
        return out

    def gap(self, direction: Direction, length: int) -> list[Event]:
        if direction is Direction.S2C or not self.in_job:
            return []
        self.partial = True
        return [DocumentGap(length)]

    def close(self) -> list[Event]:
        if not self.in_job:
            return []
        self.in_job = False
        return [JobEnded(partial=self.partial)]
