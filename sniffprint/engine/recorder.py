"""``live --write-pcap``: keep the packets of print flows, and only those, in a capture file.

A flow's first packets arrive before its content says whether it prints, so each undecided flow
keeps up to ``HOLD_FRAMES`` frames (``HOLD_BYTES`` bytes) until the probe decides: print flows
(and anything to a print port, where a bare SYN already matters) are written, others dropped.
Memory is bounded by those caps times the live flows, which the flow table bounds.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from ..model import PRINT_PORTS
from ..sources.pcapwriter import PcapWriter

if TYPE_CHECKING:  # pragma: no cover
    from .flows import Flow

HOLD_FRAMES = 64
HOLD_BYTES = 256 * 1024
RECORD_PORTS = PRINT_PORTS | {445, 139}


class PrintFlowRecorder:
    def __init__(self, path: str, linktype: int) -> None:
        self.out = PcapWriter.create(path, linktype)
        self.held: dict[str, list[tuple[float, bytes, int]]] = {}
        self.verdict: dict[str, bool] = {}

    def frame(self, flow: Flow, ts: float, data: bytes, wirelen: int) -> None:
        keep = self.verdict.get(flow.uid)
        if keep is None:
            keep = self._decide(flow)
        if keep is True:
            for t, d, w in self.held.pop(flow.uid, ()):
                self.out.write(t, d, w)
            self.out.write(ts, data, wirelen)
        elif keep is None:
            held = self.held.setdefault(flow.uid, [])
            if len(held) < HOLD_FRAMES and sum(len(d) for _, d, _ in held) < HOLD_BYTES:
                held.append((ts, data, wirelen))
        else:
            self.held.pop(flow.uid, None)

    def _decide(self, flow: Flow) -> bool | None:
        if flow.key.server_port in RECORD_PORTS or flow.is_print():
            self.verdict[flow.uid] = True
        elif flow.decided and flow.is_print() is False:
            self.verdict[flow.uid] = False
        else:
            return None
        if len(self.verdict) > 100_000:  # bound the memo; a forgotten flow is decided again
            self.verdict.clear()
        return self.verdict.get(flow.uid)

    def flush(self) -> None:
        self.out.flush()

    def close(self) -> None:
        self.out.close()
