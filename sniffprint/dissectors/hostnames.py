"""What the name services have in common: datagrams in, the host names they bind to addresses out.

``HostNameDissector`` is the base of the NBNS (``nbns``) and LLMNR (``llmnr``) dissectors: each
says how a datagram yields ``(address, name)`` bindings (``_bindings``, its protocol's parsing);
the base reports the flow as not print (``PrintSeen(False)``, once) and keeps the distinct
bindings, at most ``MAX_NAMES`` per flow, as the ``host_names`` flow fact (``records.HostName``
with the subclass's ``source``), re-sent whenever a new one is learned.
"""
from __future__ import annotations

from typing import ClassVar

from ..model import Direction, FlowKey
from ..records import HostName
from .base import Dissector
from .events import Event, FlowFact, PrintSeen

MAX_NAMES = 32  # host names (address, name) reported per flow


class HostNameDissector(Dissector):
    source: ClassVar[str]  # HostName.source of every binding this dissector reports
    datagram = True

    def __init__(self, key: FlowKey) -> None:
        super().__init__(key)
        self.names: list[HostName] = []
        self.started = False

    def _bindings(self, direction: Direction, data: bytes) -> list[tuple[str, str]]:
        """The ``(address, name)`` bindings one datagram states (raise ProtocolViolation)."""
        raise NotImplementedError

    def feed(self, direction: Direction, data: bytes) -> list[Event]:
        found = self._bindings(direction, data)
        out: list[Event] = []
        if not self.started:
            self.started = True
            out.append(PrintSeen(False))
        before = len(self.names)
        for address, name in found:
            if not name:
                continue
            hn = HostName(address=address, name=name, source=self.source)
            if hn not in self.names and len(self.names) < MAX_NAMES:
                self.names.append(hn)
        if len(self.names) != before:
            out.append(FlowFact("host_names", list(self.names)))
        return out
