"""The dissector contract: sans-IO protocol parsers chosen per flow by content.

One file per protocol, one line in ``DISSECTORS`` (``dissectors/__init__.py``). Every dissector
subclasses ``Dissector`` and implements:

- ``probe(c2s, s2c, key) -> float``: confidence in [0, 1] from the first bytes of each direction
  (the same idea as Zeek's dynamic protocol detection). A port match adds weight, never decides
  alone. The flow table asks every dissector on every new chunk of the heads until one reaches
  ``CONFIDENT``, or the heads are long enough (``PROBE_BYTES``) or the flow ends, then takes the
  best above ``PLAUSIBLE``. An endpoint announced by another flow (an RPC endpoint mapper naming
  a dynamic port) adds ``HINT_WEIGHT`` to the announced service's probe, never decides alone.
- ``feed(direction, data) -> list[Event]``: bytes in order; ``[]`` means "need more".
- ``gap(direction, length) -> list[Event]``: a hole of known length; resynchronise or give up.
- ``close() -> list[Event]``: flush at FIN, RST, timeout or end of capture.
- Malformed input raises ``ProtocolViolation`` and nothing else (the fuzz tests hold every
  dissector to this). The flow table records it, marks the service ``-name``, detaches the
  dissector and keeps what it found. Internal buffers are bounded (``_buffer.Buffer``).
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from ..model import Direction, FlowKey, Service
from .events import Event

CONFIDENT = 0.75
PLAUSIBLE = 0.3
HINT_WEIGHT = 0.3  # added to a dissector whose service the flow's endpoint was announced for
PROBE_BYTES = 2048  # head bytes per direction kept for probing


class Dissector:
    """Base class: subclasses set the class attributes and implement the four methods."""

    name: ClassVar[str] = "?"
    service: ClassVar[Service] = Service.OTHER
    ports: ClassVar[frozenset[int]] = frozenset()

    def __init__(self, key: FlowKey) -> None:
        self.key = key

    @classmethod
    def probe(cls, c2s: bytes, s2c: bytes, key: FlowKey) -> float:
        raise NotImplementedError

    @classmethod
    def port_hint(cls, key: FlowKey) -> float:
        return 0.15 if key.server_port in cls.ports else 0.0

    def feed(self, direction: Direction, data: bytes) -> list[Event]:
        raise NotImplementedError

    def gap(self, direction: Direction, length: int) -> list[Event]:
        return []

    def close(self) -> list[Event]:
        return []


def choose(registry: Sequence[type[Dissector]], c2s: bytes, s2c: bytes, key: FlowKey,
           final: bool, hint: Service | None = None) -> tuple[type[Dissector] | None, bool]:
    """(dissector class or None, decided). Not decided means: wait for more bytes.

    ``hint``: the service another flow announced for this endpoint (``EndpointExpected``); it adds
    ``HINT_WEIGHT`` to a dissector of that service whose own probe found something.
    """
    best: type[Dissector] | None = None
    score = 0.0
    for cls in registry:
        s = cls.probe(c2s, s2c, key)
        if hint is not None and s > 0 and cls.service is hint:
            s += HINT_WEIGHT
        if s > score:
            best, score = cls, s
    if score >= CONFIDENT:
        return best, True
    if final or (len(c2s) >= PROBE_BYTES and len(s2c) >= PROBE_BYTES):
        return (best if score >= PLAUSIBLE else None), True
    return None, False
