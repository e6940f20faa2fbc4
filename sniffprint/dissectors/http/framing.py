"""HTTP/1.x message framing (RFC 9112) of one connection, both directions, sans-IO.

What is parsed: the bytes of each direction, in order, into calls of a ``sink.FramingSink``:
message heads, body data, gaps and ends, and the switches that end HTTP on the connection.

- Heads end at their empty line and are parsed by ``head.py``; bodies are delimited as RFC 9112
  section 6.3 says: chunked (``chunked.py``), Content-Length, no body for requests without either,
  until the connection closes for responses without either, none for HEAD, 1xx, 204 and 304.
- Keep-alive and pipelining: responses are matched to requests in order (section 9.3); interim
  1xx responses do not consume a request. A client that got a final status before sending the
  body of an ``Expect: 100-continue`` request may skip the body and send its next request
  (RFC 9110 section 10.1.1): that is detected (``on_body_skipped``).
- ``101 Switching Protocols`` or a successful CONNECT end HTTP (``on_tunnel``), except an RFC 2817
  upgrade to TLS (``upgrade.py``), whose bytes go on to ``on_tls_data``.

Invariants:
- Rule 1: every buffer is bounded (heads ``HEAD_MAX``, the search for a message start after a gap
  ``RESYNC_MAX``); body bytes are passed on as they come, never accumulated.
- Rule 2: only ``ProtocolViolation`` escapes; a gap is absorbed inside a body of known length,
  else the framing resynchronises at the next request (or status) line.
- Rule 3: the same bytes give the same calls however they are split across ``feed`` calls.
- Rule 4: the sink is called as soon as a piece is parsed, before the next bytes are read, so a
  sink that raises stops the parse exactly there.
"""
from __future__ import annotations

import enum
import re
from collections import deque
from dataclasses import dataclass, field

from ...errors import ProtocolViolation
from ...model import Direction
from .._buffer import Buffer
from ..events import Note
from . import upgrade
from .chunked import Chunked, Step
from .head import METHODS, Delimit, RequestHead, ResponseHead, blank_line, could_be_request
from .sink import FramingSink, MessageHead, Request

C2S = Direction.C2S
S2C = Direction.S2C

HEAD_MAX = 64 * 1024  # request/status line plus header fields (h11 uses 16 KiB; CUPS cookies grow)
RESYNC_MAX = 8 << 20  # bytes skipped looking for a message start after a gap before giving up
RESYNC_KEEP = 4096  # longer than any match below, so a match is never cut by a chunk boundary
MAX_REQUESTS = 1024  # requests waiting for a response; a server that never answers: drop the oldest
# where to pick the stream up after a gap: a request or status line at a line start
_RESYNC = {
    C2S: re.compile(rb"\n((?:" + b"|".join(METHODS) + rb") [\x21-\x7e]{1,2048} HTTP/1\.[01]\r?\n)"),
    S2C: re.compile(rb"\n(HTTP/1\.[01] [1-5]\d\d[\t\x20-\x7e]{0,1024}\r?\n)"),
}
View = memoryview  # what readers pass along: slicing off what each consumed costs O(1)


class State(enum.IntEnum):
    HEAD = 0  # start line + header section
    LENGTH = 1  # body of known remaining length
    CHUNKED = 2  # chunked body (``chunked.Chunked`` knows where in it)
    UNTIL_CLOSE = 3  # response body delimited by the end of the connection
    EXPECT = 4  # body of an Expect: 100-continue request that may never come
    RESYNC = 5  # lost framing after a gap: looking for a message start
    TLS = 6  # after an RFC 2817 upgrade
    TUNNEL = 7  # CONNECT or a non-TLS upgrade: opaque


@dataclass(slots=True)
class _Side:
    """One direction's reader."""

    direction: Direction
    state: State = State.HEAD
    buf: Buffer = field(default_factory=lambda: Buffer(max_size=HEAD_MAX))
    scan: int = 0  # resume point of the blank-line search in buf
    remaining: int = 0  # LENGTH and EXPECT: body bytes still to come (0 for a chunked body)
    chunked: Chunked | None = None  # CHUNKED: the body's decoder
    chunked_next: bool = False  # EXPECT: the body, if it comes, is chunked (else LENGTH)
    message: Request | None = None  # the exchange whose body is in progress (None: no body)
    skipped: int = 0  # RESYNC: bytes skipped so far
    tail: bytes = b""  # RESYNC: bytes kept to find a match cut by a chunk boundary


class Connection:
    """The framing of one HTTP/1.x connection: ``feed``, ``gap`` and ``close`` call ``sink``."""

    def __init__(self, sink: FramingSink) -> None:
        self.sink = sink
        self.sides = (_Side(C2S), _Side(S2C))
        self.requests: deque[Request] = deque()  # sent, no final response parsed yet
        self.upgrade_pending: Request | None = None  # Upgrade: TLS sent, no final answer yet
        self.upgraded = False  # TLS has started (RFC 2817)

    def feed(self, direction: Direction, data: bytes) -> None:
        """Parse ``data``, calling the sink for each piece as soon as it is complete."""
        side = self.sides[direction]
        view = memoryview(data)
        while view:
            view = self._READERS[side.state](self, side, view)

    def gap(self, direction: Direction, length: int) -> None:
        """A hole of ``length`` bytes in ``direction``."""
        side = self.sides[direction]
        st = side.state
        if st is State.TLS:
            self.sink.on_tls_gap(direction, length)
            return
        if st is State.TUNNEL:
            return
        if st is State.RESYNC:
            side.tail = b"\n"  # the bytes after a hole may start a message
            return
        if st in (State.LENGTH, State.EXPECT) and length < side.remaining:
            side.remaining -= length
            if st is State.EXPECT:
                side.state = State.LENGTH  # (a chunked EXPECT has remaining 0: never here)
            self.sink.on_body_gap(direction, length)
            return
        if st is State.LENGTH and length == side.remaining:
            side.remaining = 0
            self.sink.on_body_gap(direction, length)
            self._end(side)
            side.state = State.HEAD
            return
        chunked = side.chunked if st is State.CHUNKED else None
        if chunked is not None and chunked.gap(length):  # inside chunk data
            self.sink.on_body_gap(direction, length)
            return
        if st is State.UNTIL_CLOSE:
            self.sink.on_body_gap(direction, length)
            return
        # The hole swallowed a message boundary: whatever was in progress is cut.
        if chunked is not None and chunked.step is Step.TRAILER:
            self._end(side)  # the body was complete; only trailer fields are lost
        elif side.message is not None:
            cut = side.remaining if st is State.LENGTH else 0
            if chunked is not None and chunked.step is Step.DATA:
                cut = chunked.remaining
            self.sink.on_body_gap(direction, min(length, cut) if cut else length)
            self._cut(side)
        self.sink.on_note(Note("http_resync", f"{'c2s' if direction is C2S else 's2c'}: {length}-byte "
                               "gap broke the message framing; looking for the next message start"))
        side.buf.clear()
        side.scan = 0
        side.state = State.RESYNC
        side.skipped = 0
        side.tail = b"\n"

    def close(self) -> None:
        """The connection ended: bodies in progress end or are cut."""
        for side in self.sides:
            if side.message is None:
                continue
            if side.state is State.UNTIL_CLOSE:
                self._end(side)  # the end of the connection ends this body
            else:
                self._cut(side)

    # ------------------------------------------------------------- readers
    # Each takes the side and the unread bytes, and returns what it did not read.
    def _read_head(self, side: _Side, data: View) -> View:
        buf = side.buf
        if not buf.data:
            # RFC 9112 section 2.2: ignore empty lines received before a start line.
            i = 0
            while i < len(data) and data[i] in (0x0D, 0x0A):
                i += 1
            data = data[i:]
            if not data:
                return data
            if self._tls_starts(side, data):
                self._start_tls()
                side.state = State.TLS
                return data
        old = len(buf.data)
        room = HEAD_MAX - old
        buf.feed(bytes(data[:room]))
        end = blank_line(buf.data, side.scan)
        if end < 0:
            if len(data) > room:
                raise ProtocolViolation(f"header section over {HEAD_MAX} bytes", buf.consumed)
            side.scan = max(0, len(buf.data) - 2)
            return data[len(data):]
        at = buf.consumed
        head = buf.take(end)
        rest = data[end - old:]  # the head ends inside this call's bytes: earlier ones had no end
        buf.clear()
        side.scan = 0
        if side.direction is C2S:
            self._request_head(side, RequestHead.parse(head, at))
        else:
            self._response_head(side, ResponseHead.parse(head, at), at)
        return rest

    def _tls_starts(self, side: _Side, data: View) -> bool:
        # RFC 2817 section 3.3: after requesting the upgrade the client waits for 101 and then
        # starts the handshake; a TLS handshake record right after the request is taken as the
        # upgrade having happened even if the 101 was not captured.
        if data[0] != upgrade.TLS_HANDSHAKE:
            return False
        return self.upgrade_pending is not None if side.direction is C2S else self.upgraded

    def _read_length(self, side: _Side, data: View) -> View:
        n = min(side.remaining, len(data))
        side.remaining -= n
        self.sink.on_body_data(side.direction, data[:n] if n < len(data) else data)
        if side.remaining == 0:
            self._end(side)
            side.state = State.HEAD
        return data[n:]

    def _read_chunked(self, side: _Side, data: View) -> View:
        assert side.chunked is not None  # set with the state
        rest, piece, ended = side.chunked.read(data)
        if piece is not None:
            self.sink.on_body_data(side.direction, piece)
        if ended:
            self._end(side)
            side.state = State.HEAD
        return rest

    def _read_until_close(self, side: _Side, data: View) -> View:
        self.sink.on_body_data(side.direction, data)
        return data[len(data):]

    def _read_expect(self, side: _Side, data: View) -> View:
        # The client announced a body but the server already answered with a final status: the
        # client may have dropped the body (RFC 9110 section 10.1.1) and sent its next request.
        buf = side.buf
        req = side.message
        if req is None or not req.final_seen:
            self._body_starts(side, side.chunked_next)
            return data
        room = 8 - len(buf.data)
        buf.feed(bytes(data[:room]))
        verdict = could_be_request(bytes(buf.data))
        if verdict is None:
            if len(data) > room:
                verdict = False
            else:
                return data[len(data):]
        held = bytes(buf.data[:len(buf.data) - min(len(data), room)])  # bytes of earlier calls
        buf.clear()
        rest = memoryview(held + bytes(data)) if held else data  # once per such request
        if verdict:
            self.sink.on_note(Note("http_expect_body_skipped", "request body announced with "
                                   "Expect: 100-continue was not sent after a final response"))
            side.message = None
            self.sink.on_body_skipped(side.direction)
            side.state = State.HEAD
        else:
            self._body_starts(side, side.chunked_next)
        return rest

    def _read_resync(self, side: _Side, data: View) -> View:
        hay = side.tail + data
        m = _RESYNC[side.direction].search(hay)
        if m is None:
            side.skipped += len(data)
            if side.skipped > RESYNC_MAX:
                raise ProtocolViolation(f"no HTTP message start within {RESYNC_MAX} bytes after a gap")
            side.tail = hay[-RESYNC_KEEP:]
            return data[len(data):]
        side.state = State.HEAD
        side.tail = b""
        side.skipped = 0
        if side.direction is S2C:
            self.requests.clear()  # which requests the lost responses answered is unknown
        return memoryview(hay)[m.start(1):]

    def _read_tls(self, side: _Side, data: View) -> View:
        self.sink.on_tls_data(side.direction, bytes(data))
        return data[len(data):]

    def _read_tunnel(self, side: _Side, data: View) -> View:
        return data[len(data):]

    _READERS = {
        State.HEAD: _read_head,
        State.LENGTH: _read_length,
        State.CHUNKED: _read_chunked,
        State.UNTIL_CLOSE: _read_until_close,
        State.EXPECT: _read_expect,
        State.RESYNC: _read_resync,
        State.TLS: _read_tls,
        State.TUNNEL: _read_tunnel,
    }

    # ------------------------------------------------------------- messages
    def _request_head(self, side: _Side, h: RequestHead) -> None:
        req = Request(h.method, h.upgrade_tls, h.expect)
        self.requests.append(req)
        if len(self.requests) > MAX_REQUESTS:
            self.requests.popleft()
        if req.upgrade_tls:
            self.upgrade_pending = req
        side.message = req
        self.sink.on_head(MessageHead(C2S, req, h.fields, h.codings, True))
        side.chunked_next = h.delimit is Delimit.CHUNKED
        side.remaining = h.length  # (0 when chunked)
        if req.expect and (side.chunked_next or h.length):
            side.state = State.EXPECT
        elif side.chunked_next or h.length:
            self._body_starts(side, side.chunked_next)
        else:
            self._end(side)

    def _response_head(self, side: _Side, h: ResponseHead, at: int) -> None:
        if h.interim:
            return  # interim response (100 Continue, 102, 103): the final one is still to come
        req = self.requests.popleft() if self.requests else Request(b"", False, False)
        req.final_seen = True
        if req is self.upgrade_pending:
            self.upgrade_pending = None
        if h.status == 101:
            if req.upgrade_tls:
                # RFC 2817 section 3.3: the TLS handshake starts right after the 101's empty line.
                self._start_tls()
                side.state = State.TLS
                c2s = self.sides[C2S]
                if c2s.state is State.HEAD and not c2s.buf.data:
                    c2s.state = State.TLS
            else:
                self._tunnel()
            return
        if req.method == b"CONNECT" and 200 <= h.status < 300:
            self._tunnel()
            return
        delimit, length, codings = h.body(req.method, at)
        if delimit is Delimit.NONE:
            self.sink.on_head(MessageHead(S2C, req, h.fields, codings, False))
            self._end(side)
            return
        side.message = req
        self.sink.on_head(MessageHead(S2C, req, h.fields, codings, True))
        if delimit is Delimit.CHUNKED:
            self._body_starts(side, chunked=True)
        elif delimit is Delimit.CLOSE:
            side.state = State.UNTIL_CLOSE
        elif length:
            side.remaining = length
            side.state = State.LENGTH
        else:
            self._end(side)

    def _body_starts(self, side: _Side, chunked: bool) -> None:
        """The body's bytes come next (after the head, or after an Expect: 100-continue)."""
        if chunked:
            side.chunked = Chunked(side.buf)
            side.state = State.CHUNKED
        else:
            side.state = State.LENGTH

    def _end(self, side: _Side) -> None:
        side.message = None
        self.sink.on_body_end(side.direction)

    def _cut(self, side: _Side) -> None:
        side.message = None
        self.sink.on_body_cut(side.direction)

    def _start_tls(self) -> None:
        self.upgraded = True
        self.sink.on_tls_start()

    def _tunnel(self) -> None:
        for s in self.sides:
            s.state = State.TUNNEL
            s.message = None
        self.sink.on_tunnel()
