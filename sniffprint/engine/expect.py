"""Expected endpoints: ports a server announced for a service, as hints for the probe of later flows.

An RPC endpoint mapper (TCP 135) answers ept_map with the dynamic port an interface listens on
(MS-RPCE 2.2.1.2.5; MS-PAR print servers use such a port). The DCE/RPC dissector turns each answer
into an ``EndpointExpected`` event; the flow table records it here under the answering server's
address (MS-RPCE 3.1.3.5.3: a mapper only names endpoints of its own host, and the address in the
tower is ignored), and a new flow to that address and port gives the probe the service as a hint
(``dissectors.base.choose``): Zeek's "expected connections", kept as run-scoped state of the engine
so that dissectors stay stateless and the probe contract unchanged.

Invariants: at most ``MAX_EXPECTED`` endpoints are kept; a new one past the cap drops the least
recently announced. A hint only adds weight to a probe that found the protocol by itself.
"""
from __future__ import annotations

from collections import OrderedDict

from ..model import FlowKey, Service

MAX_EXPECTED = 4096


class Expectations:
    """(server address, port) -> the service announced there, bounded (LRU by announcement)."""

    __slots__ = ("entries", "cap")

    def __init__(self, cap: int = MAX_EXPECTED) -> None:
        self.entries: OrderedDict[tuple[str, int], Service] = OrderedDict()
        self.cap = cap

    def expect(self, server_ip: str, port: int, service: Service) -> None:
        k = (server_ip, port)
        self.entries[k] = service
        self.entries.move_to_end(k)
        while len(self.entries) > self.cap:
            self.entries.popitem(last=False)

    def hint(self, key: FlowKey) -> Service | None:
        """The service announced for this flow's server endpoint, if any."""
        return self.entries.get((key.server_ip, key.server_port))

    def __len__(self) -> int:
        return len(self.entries)
