"""What HTTP/1.x framing (``framing.Connection``) tells its consumer, and in which order.

The framing calls the methods of a ``FramingSink`` (the callback style of HTTP parsers such as
llhttp: no object is built per piece of body data). For each message of a direction:
``on_head``, then ``on_body_data`` / ``on_body_gap`` in order, then exactly one of
``on_body_end`` (complete), ``on_body_cut`` (a gap across its end, or the end of the capture) or
``on_body_skipped`` (an ``Expect: 100-continue`` body that never came). A response that cannot
have a body (RFC 9110 section 6.4.1) is an ``on_head`` with ``has_body`` False and an
``on_body_end``. After ``on_tunnel`` nothing more comes and any body in progress is dropped
without an end; after ``on_tls_start`` (RFC 2817) a direction's bytes come as ``on_tls_data`` and
``on_tls_gap``. ``on_note`` reports what is noteworthy but not a violation.

Invariants:
- Rule 1: calls are made as soon as the framing has parsed what they report, before it reads
  further; a sink that raises stops the parse exactly there.
- Rule 2: a request and its response carry the same ``Request`` object, so a sink can keep what
  it learnt from a request (``Request.context``) for its response.
- Rule 3: ``data`` may be a view of the bytes given to ``feed`` (no copy).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from ...model import Direction
from ..events import Note
from .head import Fields


@dataclass(slots=True)
class Request:
    """One request/response exchange, from the request head on."""

    method: bytes
    upgrade_tls: bool  # Upgrade: TLS/x.y (RFC 2817)
    expect: bool  # Expect: 100-continue
    final_seen: bool = False  # a final (non-1xx) response to it has been parsed
    context: object = None  # the sink's own data about this exchange; framing never reads it


@dataclass(slots=True)  # not frozen: built per message, and frozen costs 3x to build
class MessageHead:
    direction: Direction
    request: Request  # the request itself (C2S) or the one this response answers (S2C)
    fields: Fields
    codings: list[str]  # transfer then content codings, in the order to remove them
    has_body: bool  # False only for responses that cannot have one (HEAD, 204, 304)


class FramingSink(Protocol):
    def on_head(self, head: MessageHead) -> None: ...

    def on_body_data(self, direction: Direction, data: bytes | memoryview) -> None: ...

    def on_body_gap(self, direction: Direction, length: int) -> None: ...

    def on_body_end(self, direction: Direction) -> None: ...

    def on_body_cut(self, direction: Direction) -> None: ...

    def on_body_skipped(self, direction: Direction) -> None: ...

    def on_tunnel(self) -> None:
        """CONNECT or a non-TLS ``101``: the rest of the connection is opaque."""

    def on_tls_start(self) -> None:
        """TLS starts after an RFC 2817 upgrade (may be called once per direction)."""

    def on_tls_data(self, direction: Direction, data: bytes) -> None: ...

    def on_tls_gap(self, direction: Direction, length: int) -> None: ...

    def on_note(self, note: Note) -> None: ...
