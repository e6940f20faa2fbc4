"""The RFC 2817 upgrade from HTTP/1.1 to TLS on the same connection, and the handover to TLS.

What it covers:
- the request side: ``Upgrade: TLS/1.x`` (RFC 2817 section 3.2, a list of protocol tokens,
  RFC 9110 section 7.8) asks the server to switch (``wants_tls``);
- where TLS starts: right after the empty line of the ``101 Switching Protocols`` response
  (section 3.3), or at a TLS handshake record (``TLS_HANDSHAKE``) that follows the request
  directly when the 101 was not captured; ``framing.Connection`` applies both;
- the handover (``TlsHandover``): from then on the flow's bytes are a TLS session like any other,
  so the same record parser (``tls.observer.TlsObserver``) reports version, cipher and certificate,
  and raises ``ProtocolViolation`` if the upgrade is not followed by TLS records.

Invariants:
- Rule 1: one observer per flow, created once; ``ProtectionSeen(TLS)`` and the
  ``http_upgrade_tls`` flow fact are reported once, however often TLS is seen to start.
- Rule 2: jobs sent before the upgrade stay cleartext jobs: the handover adds events, it never
  revises earlier ones.
"""
from __future__ import annotations

from typing import Protocol

from ...model import Direction, Protection
from ..events import ContentDone, Event, FlowFact, ProtectionSeen
from ..tls.observer import TlsObserver

TLS_HANDSHAKE = 0x16  # TLS ContentType handshake (RFC 8446 section 5.1); no HTTP start line begins so


def wants_tls(upgrade_tokens: list[str]) -> bool:
    """Does an Upgrade field (its lowercased list elements) ask for TLS (RFC 2817 section 3.2)?"""
    return any(t.startswith("tls/") for t in upgrade_tokens)


class StreamObserver(Protocol):
    """What the bytes after an RFC 2817 upgrade go to: the dissector contract without probe."""

    def feed(self, direction: Direction, data: bytes) -> list[Event]: ...

    def gap(self, direction: Direction, length: int) -> list[Event]: ...

    def close(self) -> list[Event]: ...


class TlsHandover:
    """The TLS session that follows an upgrade on one flow."""

    __slots__ = ("observer", "done")

    def __init__(self) -> None:
        self.observer: StreamObserver | None = None  # set when TLS starts
        self.done = False  # the observer needs no more bytes (it returned ContentDone)

    def start(self, out: list[Event]) -> None:
        if self.observer is None:
            self.observer = self._make_observer()
            out += [ProtectionSeen(Protection.TLS), FlowFact("http_upgrade_tls", True)]

    def _make_observer(self) -> StreamObserver:
        return TlsObserver()

    def feed(self, direction: Direction, data: bytes) -> list[Event]:
        if self.observer is None:
            return []
        return self._seen(self.observer.feed(direction, data))

    def gap(self, direction: Direction, length: int) -> list[Event]:
        if self.observer is None:
            return []
        return self._seen(self.observer.gap(direction, length))

    def close(self) -> list[Event]:
        return self.observer.close() if self.observer is not None else []

    def _seen(self, events: list[Event]) -> list[Event]:
        if any(type(e) is ContentDone for e in events):
            self.done = True
        return events
