"""HTTP/1.x (RFC 9112) in both directions, and IPP carried in it (RFC 8010 section 4, RFC 8011).

What is parsed:
- Request and status lines, header sections (bounded: ``HEAD_MAX``), bodies framed as RFC 9112
  section 6.3 says: Transfer-Encoding chunked (section 7.1, with chunk extensions and trailer
  fields), Content-Length, no body for requests without either, read-until-close for responses
  without either. Responses to HEAD and 1xx/204/304 responses have no body (RFC 9110 section 6.4.1).
- Keep-alive and pipelining: any number of messages per flow; responses are matched to requests in
  order (RFC 9112 section 9.3). Interim 1xx responses (``Expect: 100-continue``, RFC 9110 section
  10.1.1) do not consume a request. A client that got a final status before sending the body of an
  ``Expect: 100-continue`` request may skip the body and send its next request: that is detected.
- Content-Encoding / transfer codings gzip and deflate are removed incrementally (``zlib``).
- IPP: a request with ``Content-Type: application/ipp`` makes the flow ``ipp`` and is decoded by
  ``ipp.IppDecoder``. Print-Job and Send-Document carry a document: their operation attributes
  become job fields and the data after end-of-attributes the document (decompressed if the IPP
  ``compression`` attribute says gzip or deflate, RFC 8011 section 4.2.1.1 / 5.4.32). Create-Job's
  job-name and user carry over to the Send-Document of the same job on the same flow. Every
  operation's name goes into the ``ipp_operations`` flow fact.
- RFC 2817 upgrade: a request with ``Upgrade: TLS/1.x`` answered by ``101 Switching Protocols``,
  or followed directly by the client's TLS record, makes the rest of the flow TLS; those bytes go
  to one observer (``_make_tls_observer``). Jobs sent before stay cleartext jobs.

Invariants:
- Rule 1: every buffer is bounded (header sections 64 KiB, chunk-size lines 4 KiB, the IPP
  attribute section 1 MiB); document bytes are streamed, never accumulated.
- Rule 2: only ``ProtocolViolation`` escapes; malformed framing raises it, a lost stretch (``gap``)
  is resynchronised inside a body of known length, else at the next request (or status) line.
- Rule 3: the same bytes give the same events however they are split across ``feed`` calls.
"""
from __future__ import annotations

import enum
import re
import zlib
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from sniffprint.dissectors.events import (
    ContentDone,
    DocumentData,
    DocumentGap,
    Event,
    FlowFact,
    JobEnded,
    JobField,
    JobStarted,
    Note,
    PrintSeen,
    ProtectionSeen,
    ServiceSeen,
)
from sniffprint.errors import ProtocolViolation
from sniffprint.model import Direction, FlowKey, Protection, Service

from ..evidence.masking import mask_text
from . import ipp
from ._buffer import Buffer
from .base import Dissector
from .tls.observer import TlsObserver

C2S = Direction.C2S
S2C = Direction.S2C

HEAD_MAX = 64 * 1024  # request/status line plus header fields (h11 uses 16 KiB; CUPS cookies grow)
LINE_MAX = 4096  # a chunk-size line with its extensions
RESYNC_MAX = 8 << 20  # bytes skipped looking for a message start after a gap before giving up
MAX_OPERATIONS = 64  # distinct IPP operation names kept per flow
INFLATE_RATIO = 1100  # deflate cannot exceed ~1032:1 in one layer; this stops nested bombs
INFLATE_SLACK = 1 << 20

_METHODS = (b"GET", b"POST", b"PUT", b"HEAD", b"OPTIONS", b"DELETE", b"PATCH", b"CONNECT", b"TRACE")
_METHOD_SP = tuple(m + b" " for m in _METHODS)
# RFC 9112 section 3: request-line = method SP request-target SP HTTP-version
_REQUEST_LINE = re.compile(rb"([!#$%&'*+.^_`|~0-9A-Za-z-]+) ([\x21-\x7e\x80-\xff]+) HTTP/(\d)\.(\d)")
# section 4: status-line = HTTP-version SP status-code SP [ reason-phrase ]
_STATUS_LINE = re.compile(rb"HTTP/(\d)\.(\d) (\d{3})(?: [\t\x20-\x7e\x80-\xff]*)?")
_HEADER = re.compile(rb"([!#$%&'*+.^_`|~0-9A-Za-z-]+)[ \t]*:[ \t]*(.*?)[ \t]*")
_CHUNK_SIZE = re.compile(rb"[ \t]*([0-9A-Fa-f]{1,16})[ \t]*(?:;.*)?")
# where to pick the stream up after a gap: a request or status line at a line start
_RESYNC = {
    C2S: re.compile(rb"\n((?:" + b"|".join(_METHODS) + rb") [\x21-\x7e]{1,2048} HTTP/1\.[01]\r?\n)"),
    S2C: re.compile(rb"\n(HTTP/1\.[01] [1-5]\d\d[\t\x20-\x7e]{0,1024}\r?\n)"),
}
View = memoryview  # what readers pass along (see HttpDissector.feed)
Data = bytes | memoryview  # what body sinks take
_NL = re.compile(rb"\n")
RESYNC_KEEP = 4096  # longer than any match above, so a match is never cut by a chunk boundary


class State(enum.IntEnum):
    HEAD = 0  # start line + header section
    LENGTH = 1  # body of known remaining length
    CHUNK_SIZE = 2
    CHUNK_DATA = 3
    CHUNK_END = 4  # the CRLF after chunk data
    TRAILER = 5
    UNTIL_CLOSE = 6  # response body delimited by the end of the connection
    EXPECT = 7  # body of an Expect: 100-continue request that may never come
    RESYNC = 8  # lost framing after a gap: looking for a message start
    TLS = 9  # after an RFC 2817 upgrade
    TUNNEL = 10  # CONNECT or a non-TLS upgrade: opaque
    CHUNK_LF = 11  # the LF of that CRLF


@dataclass(slots=True)
class _Request:
    method: bytes
    ipp: bool
    upgrade_tls: bool
    expect: bool  # Expect: 100-continue
    final_seen: bool = False  # a final (non-1xx) response to it has been parsed
    op: int | None = None  # IPP operation-id once decoded
    create_fields: list[tuple[str, str]] | None = None  # Create-Job: fields for Send-Document


class _Inflater:
    """Incremental gzip / deflate decoder with an output bound (decompression bombs)."""

    __slots__ = ("kind", "d", "head", "seen_in", "seen_out")

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self.d: zlib._Decompress | None = zlib.decompressobj(31) if kind == "gzip" else None
        self.head = b""  # deflate: the first two bytes decide zlib wrapper or raw (RFC 1950 vs 1951)
        self.seen_in = 0
        self.seen_out = 0

    def feed(self, data: Data) -> bytes:
        if self.d is None:
            data = self.head + data
            if len(data) < 2:
                self.head = bytes(data)
                return b""
            self.head = b""
            zlib_hdr = data[0] & 0x0F == 8 and (data[0] << 8 | data[1]) % 31 == 0
            self.d = zlib.decompressobj(15 if zlib_hdr else -15)
        if self.d.eof:
            return b""  # trailing bytes after the stream end (another gzip member) are ignored
        self.seen_in += len(data)
        room = INFLATE_RATIO * self.seen_in + INFLATE_SLACK - self.seen_out
        try:
            out = self.d.decompress(data, max(room, 1))
        except zlib.error as exc:
            raise _CodingError(f"{self.kind}: {exc}") from None
        if self.d.unconsumed_tail:
            raise _CodingError(f"{self.kind}: output over {INFLATE_RATIO}:1 (decompression bomb?)")
        self.seen_out += len(out)
        return out

    def flush(self) -> bytes:
        if self.d is None:
            return b""  # fewer than two bytes ever arrived: nothing to decode
        try:
            return self.d.flush() if not self.d.eof else b""
        except zlib.error as exc:
            raise _CodingError(f"{self.kind}: {exc}") from None


class _CodingError(Exception):
    """A content or IPP compression coding failed; internal to this module (never escapes)."""


@dataclass(slots=True)
class _Job:
    fields: list[tuple[str, str]]
    op: int
    job_id: int | None
    inflater: _Inflater | None = None
    started: bool = False
    partial: bool = False
    dropping: bool = False  # the document can no longer be decoded (coding error or gap)


@dataclass(slots=True)
class _Body:
    req: _Request
    is_request: bool
    codings: list[_Inflater] = field(default_factory=list)  # applied in this order
    ipp: ipp.IppDecoder | None = None
    job: _Job | None = None
    lost: bool = False  # a gap or a coding error destroyed the content: count, do not decode
    opaque: bool = False  # content we do not decode at all


@dataclass(slots=True)
class _Side:
    """One direction's reader."""

    direction: Direction
    state: State = State.HEAD
    buf: Buffer = field(default_factory=lambda: Buffer(max_size=HEAD_MAX))
    scan: int = 0  # resume point of the blank-line search in buf
    remaining: int = 0  # LENGTH / CHUNK_DATA
    chunked_next: bool = False  # EXPECT: the body, if it comes, is chunked (else LENGTH)
    body: _Body | None = None
    skipped: int = 0  # RESYNC: bytes skipped so far
    tail: bytes = b""  # RESYNC: bytes kept to find a match cut by a chunk boundary


def _blank_line(buf: bytearray, scan: int) -> int:
    """End offset (exclusive) of the first empty line at or after ``scan``, or -1.

    RFC 9112 section 2.2 lets a recipient accept a bare LF as a line terminator.
    """
    a = buf.find(b"\n\r\n", scan)
    b = buf.find(b"\n\n", scan)
    if a < 0 and b < 0:
        return -1
    if b < 0 or (0 <= a < b):
        return a + 3
    return b + 2


def _lines(head: bytes) -> list[bytes]:
    return [ln[:-1] if ln.endswith(b"\r") else ln for ln in head.split(b"\n")]


def _headers(lines: list[bytes], at: int) -> dict[bytes, list[bytes]]:
    """Header fields by lowercase name (RFC 9112 section 5); obs-fold joins with SP."""
    out: dict[bytes, list[bytes]] = {}
    last: list[bytes] | None = None
    for ln in lines:
        if not ln:
            continue
        if ln[:1] in (b" ", b"\t"):
            if last is None:
                raise ProtocolViolation("continuation line before the first header field", at)
            last[-1] = last[-1] + b" " + ln.strip()
            continue
        m = _HEADER.fullmatch(ln)
        if m is None:
            raise ProtocolViolation(f"malformed header field {_shape(ln[:40])}", at)
        last = out.setdefault(m.group(1).lower(), [])
        last.append(m.group(2))
    return out


def _tokens(values: list[bytes] | None) -> list[str]:
    if not values:
        return []
    return [t.strip().lower().decode("latin-1") for v in values for t in v.split(b",") if t.strip()]


def _media_type(values: list[bytes] | None) -> str:
    if not values:
        return ""
    return values[0].split(b";")[0].strip().lower().decode("latin-1")


def _content_length(values: list[bytes], at: int) -> int:
    # RFC 9112 section 6.3 rule 5: a list of identical values is that value; otherwise invalid.
    found = {v.strip() for x in values for v in x.split(b",")}
    if len(found) != 1:
        raise ProtocolViolation("conflicting Content-Length values", at)
    v = found.pop()
    if not v.isdigit() or len(v) > 18:
        raise ProtocolViolation(f"invalid Content-Length {_shape(v[:20])}", at)
    return int(v)


def _could_be_request(prefix: bytes) -> bool | None:
    """Does ``prefix`` start a request line? None while too short to say."""
    for m in _METHOD_SP:
        n = min(len(m), len(prefix))
        if prefix[:n] == m[:n]:
            if len(prefix) >= len(m):
                return True
            return None
    return False


def _str(v: object) -> str | None:
    if isinstance(v, ipp.WithLanguage):
        return v.text
    return v if isinstance(v, str) else None


class StreamObserver(Protocol):
    """What the bytes after an RFC 2817 upgrade go to: the dissector contract without probe."""

    def feed(self, direction: Direction, data: bytes) -> list[Event]: ...

    def gap(self, direction: Direction, length: int) -> list[Event]: ...

    def close(self) -> list[Event]: ...


def _shape(raw: bytes | str) -> str:
    """Malformed input quoted in an anomaly keeps only its word shape: a request line can carry
    names (queue, user, document) that default output must not show."""
    text = raw.decode("latin-1") if isinstance(raw, (bytes, bytearray)) else str(raw)
    return repr(mask_text(text))


class HttpDissector(Dissector):
    name = "http"
    service = Service.HTTP
    ports = frozenset({631, 80, 8080, 8000})

    def __init__(self, key: FlowKey) -> None:
        super().__init__(key)
        self.sides = (_Side(C2S), _Side(S2C))
        self.requests: deque[_Request] = deque()  # sent, no final response parsed yet
        self.announced = False  # ServiceSeen/PrintSeen sent
        self.ipp = False  # the flow carries IPP
        self.pairs = 0  # completed request/response exchanges
        self.done = False  # ContentDone sent
        self.upgrade_pending: _Request | None = None  # Upgrade: TLS sent, no final answer yet
        self.tls: StreamObserver | None = None
        self.basic_auth = False
        self.operations: list[str] = []
        self.created: dict[int, list[tuple[str, str]]] = {}  # job-id -> Create-Job fields
        self.last_created: list[tuple[str, str]] | None = None
        self.documented: set[int] = set()  # job-ids that already had a document on this flow

    # ------------------------------------------------------------- contract
    @classmethod
    def probe(cls, c2s: bytes, s2c: bytes, key: FlowKey) -> float:
        head = c2s.lstrip(b"\r\n")
        if head.startswith(_METHOD_SP):
            line_end = head.find(b"\n")
            if line_end < 0 or b" HTTP/1." in head[:line_end]:
                return min(1.0, 0.8 + cls.port_hint(key))
        if s2c.startswith(b"HTTP/1.") and not c2s:
            return 0.5
        return 0.0

    def feed(self, direction: Direction, data: bytes) -> list[Event]:
        side = self.sides[direction]
        out: list[Event] = []
        # Readers pass a memoryview along: slicing off what each consumed costs O(1), so one
        # large feed holding many chunks stays linear.
        view = memoryview(data)
        while view:
            view = self._READERS[side.state](self, side, view, out)
        return out

    def gap(self, direction: Direction, length: int) -> list[Event]:
        side = self.sides[direction]
        out: list[Event] = []
        st = side.state
        if st is State.TLS:
            return self._tls_call(lambda t: t.gap(direction, length))
        if st is State.TUNNEL:
            return out
        if st is State.RESYNC:
            side.tail = b"\n"  # the bytes after a hole may start a message
            return out
        if st in (State.LENGTH, State.CHUNK_DATA, State.EXPECT) and length < side.remaining:
            side.remaining -= length
            if st is State.EXPECT:
                side.state = State.LENGTH  # (a chunked EXPECT has remaining 0: never here)
            self._body_gap(side, length, out)
            return out
        if st is State.LENGTH and length == side.remaining:
            side.remaining = 0
            self._body_gap(side, length, out)
            self._body_end(side, out)
            side.state = State.HEAD
            return out
        if st is State.CHUNK_DATA and length == side.remaining:
            side.remaining = 0
            self._body_gap(side, length, out)
            side.state = State.CHUNK_END
            return out
        if st is State.UNTIL_CLOSE:
            self._body_gap(side, length, out)
            return out
        # The hole swallowed a message boundary: whatever was in progress is cut.
        if st is State.TRAILER:
            self._body_end(side, out)  # the body was complete; only trailer fields are lost
        elif side.body is not None:
            cut = side.remaining if st in (State.LENGTH, State.CHUNK_DATA) else 0
            self._body_gap(side, min(length, cut) if cut else length, out)
            self._body_abort(side, out)
        out.append(Note("http_resync", f"{'c2s' if direction is C2S else 's2c'}: {length}-byte gap "
                        "broke the message framing; looking for the next message start"))
        side.buf.clear()
        side.scan = 0
        side.state = State.RESYNC
        side.skipped = 0
        side.tail = b"\n"
        return out

    def close(self) -> list[Event]:
        out: list[Event] = []
        for side in self.sides:
            if side.body is None:
                continue
            if side.state is State.UNTIL_CLOSE:
                self._body_end(side, out, eof=True)  # the end of the connection ends this body
            else:
                self._body_abort(side, out)
        if self.tls is not None:
            out += self.tls.close()
        return out

    # ------------------------------------------------------------- readers
    def _read_head(self, side: _Side, data: View, out: list[Event]) -> View:
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
                self._enter_tls(out)
                side.state = State.TLS
                return data
        old = len(buf.data)
        room = HEAD_MAX - old
        buf.feed(bytes(data[:room]))
        end = _blank_line(buf.data, side.scan)
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
            self._request_head(side, head, at, out)
        else:
            self._response_head(side, head, at, out)
        return rest

    def _tls_starts(self, side: _Side, data: View) -> bool:
        # RFC 2817 section 3.3: after requesting the upgrade the client waits for 101 and then
        # starts the handshake; a TLS handshake record (type 22) right after the request is taken
        # as the upgrade having happened even if the 101 was not captured. No start line of HTTP
        # begins with 0x16.
        if data[0] != 0x16:
            return False
        return self.upgrade_pending is not None if side.direction is C2S else self.tls is not None

    def _read_length(self, side: _Side, data: View, out: list[Event]) -> View:
        n = min(side.remaining, len(data))
        side.remaining -= n
        self._body_data(side, data[:n] if n < len(data) else data, out)
        if side.remaining == 0:
            self._body_end(side, out)
            side.state = State.HEAD
        return data[n:]

    def _read_chunk_size(self, side: _Side, data: View, out: list[Event]) -> View:
        buf = side.buf
        old = len(buf.data)
        room = LINE_MAX - old
        nl = _NL.search(data, 0, room)  # copy only the line, not the chunk data behind it
        buf.feed(bytes(data[:nl.end() if nl else room]))
        line = buf.take_until(b"\n")
        if line is None:
            if len(data) > room:
                raise ProtocolViolation(f"chunk-size line over {LINE_MAX} bytes", buf.consumed)
            return data[len(data):]
        rest = data[len(line) - old:]
        buf.clear()
        m = _CHUNK_SIZE.fullmatch(line.rstrip(b"\r\n"))
        if m is None:
            raise ProtocolViolation(f"malformed chunk-size line {_shape(line[:40])}", buf.consumed)
        size = int(m.group(1), 16)
        if size == 0:
            side.state = State.TRAILER
            side.scan = 0
        else:
            side.remaining = size
            side.state = State.CHUNK_DATA
        return rest

    def _read_chunk_data(self, side: _Side, data: View, out: list[Event]) -> View:
        n = min(side.remaining, len(data))
        side.remaining -= n
        self._body_data(side, data[:n] if n < len(data) else data, out)
        if side.remaining == 0:
            side.state = State.CHUNK_END
        return data[n:]

    def _read_chunk_end(self, side: _Side, data: View, out: list[Event]) -> View:
        # RFC 9112 section 7.1: chunk = chunk-size [ chunk-ext ] CRLF chunk-data CRLF; a bare LF
        # is accepted as the line end (section 2.2).
        if data[0] == 0x0A:
            side.state = State.CHUNK_SIZE
        elif data[0] == 0x0D:
            side.state = State.CHUNK_LF
        else:
            raise ProtocolViolation("chunk data not followed by CRLF", None)
        return data[1:]

    def _read_chunk_lf(self, side: _Side, data: View, out: list[Event]) -> View:
        if data[0] != 0x0A:
            raise ProtocolViolation("chunk data not followed by CRLF", None)
        side.state = State.CHUNK_SIZE
        return data[1:]

    def _read_trailer(self, side: _Side, data: View, out: list[Event]) -> View:
        buf = side.buf
        old = len(buf.data)
        room = HEAD_MAX - old
        buf.feed(bytes(data[:room]))
        d = buf.data
        if d[:2] == b"\r\n":
            end = 2
        elif d[:1] == b"\n":
            end = 1
        elif d[:1] == b"\r" and len(d) < 2:
            return data[len(data):]
        else:
            end = _blank_line(d, side.scan)
        if end < 0:
            if len(data) > room:
                raise ProtocolViolation(f"trailer section over {HEAD_MAX} bytes", buf.consumed)
            side.scan = max(0, len(d) - 2)
            return data[len(data):]
        buf.take(end)  # trailer fields carry nothing we use (RFC 9112 section 7.1.2)
        rest = data[end - old:]
        buf.clear()
        side.scan = 0
        self._body_end(side, out)
        side.state = State.HEAD
        return rest

    def _read_until_close(self, side: _Side, data: View, out: list[Event]) -> View:
        self._body_data(side, data, out)
        return data[len(data):]

    def _read_expect(self, side: _Side, data: View, out: list[Event]) -> View:
        # The client announced a body but the server already answered with a final status: the
        # client may have dropped the body (RFC 9110 section 10.1.1) and sent its next request.
        buf = side.buf
        req = side.body.req if side.body is not None else None
        if req is None or not req.final_seen:
            side.state = State.CHUNK_SIZE if side.chunked_next else State.LENGTH
            return data
        room = 8 - len(buf.data)
        buf.feed(bytes(data[:room]))
        verdict = _could_be_request(bytes(buf.data))
        if verdict is None:
            if len(data) > room:
                verdict = False
            else:
                return data[len(data):]
        held = bytes(buf.data[:len(buf.data) - min(len(data), room)])  # bytes of earlier calls
        buf.clear()
        rest = memoryview(held + bytes(data)) if held else data  # once per such request
        if verdict:
            out.append(Note("http_expect_body_skipped", "request body announced with "
                            "Expect: 100-continue was not sent after a final response"))
            side.body = None
            side.state = State.HEAD
        else:
            side.state = State.CHUNK_SIZE if side.chunked_next else State.LENGTH
        return rest

    def _read_resync(self, side: _Side, data: View, out: list[Event]) -> View:
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

    def _read_tls(self, side: _Side, data: View, out: list[Event]) -> View:
        out += self._tls_call(lambda t: t.feed(side.direction, bytes(data)))
        return data[len(data):]

    def _read_tunnel(self, side: _Side, data: View, out: list[Event]) -> View:
        return data[len(data):]

    _READERS = {
        State.HEAD: _read_head,
        State.LENGTH: _read_length,
        State.CHUNK_SIZE: _read_chunk_size,
        State.CHUNK_DATA: _read_chunk_data,
        State.CHUNK_END: _read_chunk_end,
        State.CHUNK_LF: _read_chunk_lf,
        State.TRAILER: _read_trailer,
        State.UNTIL_CLOSE: _read_until_close,
        State.EXPECT: _read_expect,
        State.RESYNC: _read_resync,
        State.TLS: _read_tls,
        State.TUNNEL: _read_tunnel,
    }

    # ------------------------------------------------------------- messages
    def _request_head(self, side: _Side, head: bytes, at: int, out: list[Event]) -> None:
        lines = _lines(head)
        m = _REQUEST_LINE.fullmatch(lines[0])
        if m is None:
            raise ProtocolViolation(f"malformed request line {_shape(lines[0][:60])}", at)
        hdrs = _headers(lines[1:], at)
        req = _Request(
            method=m.group(1),
            ipp=_media_type(hdrs.get(b"content-type")) == "application/ipp",
            upgrade_tls=any(t.startswith("tls/") for t in _tokens(hdrs.get(b"upgrade"))),
            expect="100-continue" in _tokens(hdrs.get(b"expect")),
        )
        self.requests.append(req)
        if len(self.requests) > 1024:  # a server that never answers: forget the oldest
            self.requests.popleft()
        if req.upgrade_tls:
            self.upgrade_pending = req
        schemes = {v.strip().split(b" ", 1)[0].lower() for v in hdrs.get(b"authorization") or []}
        if b"basic" in schemes and not self.basic_auth:  # RFC 7617: the password is only base64
            self.basic_auth = True
            out.append(FlowFact("http_basic_auth", True))  # that it was sent, never the value
        if req.ipp and not self.ipp:
            self.ipp = self.announced = True
            out += [ServiceSeen(Service.IPP), PrintSeen(True)]
        elif not self.announced:
            self.announced = True
            out += [ServiceSeen(Service.HTTP), PrintSeen(False)]
        # RFC 9112 section 6.3: Transfer-Encoding wins over Content-Length; in a request, chunked
        # must be the final coding (rule 4), and no framing at all means no body (rule 6).
        te = _tokens(hdrs.get(b"transfer-encoding"))
        if te and te[-1] != "chunked":
            raise ProtocolViolation("request Transfer-Encoding does not end in chunked", at)
        length = 0
        if not te and b"content-length" in hdrs:
            length = _content_length(hdrs[b"content-length"], at)
        codings = te[-2::-1] + _tokens(hdrs.get(b"content-encoding"))[::-1]
        side.body = self._new_body(req, True, req.ipp, codings, out)
        side.chunked_next = bool(te)
        if te:
            side.state = State.EXPECT if req.expect else State.CHUNK_SIZE
        elif length:
            side.remaining = length
            side.state = State.EXPECT if req.expect else State.LENGTH
        else:
            self._body_end(side, out)

    def _response_head(self, side: _Side, head: bytes, at: int, out: list[Event]) -> None:
        lines = _lines(head)
        m = _STATUS_LINE.fullmatch(lines[0])
        if m is None:
            raise ProtocolViolation(f"malformed status line {_shape(lines[0][:60])}", at)
        status = int(m.group(3))
        hdrs = _headers(lines[1:], at)
        if 100 <= status < 200 and status != 101:
            return  # interim response (100 Continue, 102, 103): the final one is still to come
        req = self.requests.popleft() if self.requests else _Request(b"", False, False, False)
        req.final_seen = True
        if req is self.upgrade_pending:
            self.upgrade_pending = None
        if status == 101:
            if req.upgrade_tls:
                # RFC 2817 section 3.3: the TLS handshake starts right after the 101's empty line.
                self._enter_tls(out)
                side.state = State.TLS
                c2s = self.sides[C2S]
                if c2s.state is State.HEAD and not c2s.buf.data:
                    c2s.state = State.TLS
            else:
                self._tunnel(out)
            return
        if req.method == b"CONNECT" and 200 <= status < 300:
            self._tunnel(out)
            return
        if req.method == b"HEAD" or status in (204, 304):
            side.body = None
            self._body_end(side, out)
            return
        te = _tokens(hdrs.get(b"transfer-encoding"))
        chunked = bool(te) and te[-1] == "chunked"
        transfer = te[-2::-1] if chunked else te[::-1]
        codings = transfer + _tokens(hdrs.get(b"content-encoding"))[::-1]
        is_ipp = _media_type(hdrs.get(b"content-type")) == "application/ipp"
        side.body = self._new_body(req, False, is_ipp, codings, out)
        if chunked:
            side.state = State.CHUNK_SIZE
        elif te or b"content-length" not in hdrs:
            side.state = State.UNTIL_CLOSE  # rule 8: the body ends with the connection
        else:
            length = _content_length(hdrs[b"content-length"], at)
            if length:
                side.remaining = length
                side.state = State.LENGTH
            else:
                self._body_end(side, out)

    def _new_body(self, req: _Request, is_request: bool, is_ipp: bool, codings: list[str],
                  out: list[Event]) -> _Body:
        body = _Body(req, is_request)
        for c in codings:
            if c in ("gzip", "x-gzip"):
                body.codings.append(_Inflater("gzip"))
            elif c == "deflate":
                body.codings.append(_Inflater("deflate"))
            elif c != "identity":
                body.opaque = True
                out.append(Note("http_coding_unsupported", f"body coding {c!r} is not decoded"))
        if is_ipp and not body.opaque:
            body.ipp = ipp.IppDecoder(is_request)
        return body

    def _tunnel(self, out: list[Event]) -> None:
        for s in self.sides:
            s.state = State.TUNNEL
            s.body = None
        if not self.done:
            self.done = True
            out.append(ContentDone())

    def _pair_done(self, out: list[Event]) -> None:
        """A response ended: plain HTTP off port 631 needs no more bytes."""
        self.pairs += 1
        if (not self.ipp and not self.done and self.key.server_port != 631
                and self.upgrade_pending is None and self.tls is None):
            self.done = True
            out.append(ContentDone())

    # ------------------------------------------------------------- bodies
    def _body_data(self, side: _Side, data: Data, out: list[Event]) -> None:
        body = side.body
        if body is None or body.lost or body.opaque:
            return
        try:
            for c in body.codings:
                data = c.feed(data)
                if not data:
                    return
        except _CodingError as exc:
            self._coding_failed(body, str(exc), out)
            return
        self._ipp_data(body, data, out)

    def _ipp_data(self, body: _Body, data: Data, out: list[Event]) -> None:
        if body.ipp is None:
            return
        msg, doc = body.ipp.feed(data)
        if msg is not None:
            if body.is_request:
                self._on_request(body, msg, out)
            else:
                self._on_response(body, msg)
        if doc and body.job is not None:
            self._doc(body.job, doc, out)

    def _body_gap(self, side: _Side, n: int, out: list[Event]) -> None:
        body = side.body
        if body is None or body.opaque or body.lost:
            return
        job = body.job
        if body.codings or (body.ipp is not None and not body.ipp.done):
            # A compressed stream or an unfinished attribute section cannot be continued.
            body.lost = True
            out.append(Note("http_body_gap", f"{n}-byte gap in a {'coded' if body.codings else 'IPP'}"
                            " body: the rest of the body is not decoded"))
        if job is not None:
            self._job_start(job, out)
            job.partial = True
            if job.inflater is not None:
                job.dropping = True
            out.append(DocumentGap(n))

    def _coding_failed(self, body: _Body, why: str, out: list[Event]) -> None:
        body.lost = True
        out.append(Note("http_coding_error", why))
        if body.job is not None:
            self._job_start(body.job, out)
            body.job.partial = True

    def _body_end(self, side: _Side, out: list[Event], eof: bool = False) -> None:
        body = side.body
        side.body = None
        if body is not None and not body.lost and not body.opaque:
            try:
                data = b""
                for c in body.codings:
                    data = (c.feed(data) if data else b"") + c.flush()
                if data:
                    self._ipp_data(body, data, out)
            except _CodingError as exc:
                self._coding_failed(body, str(exc), out)
            if body.ipp is not None and not body.lost:
                body.ipp.finish()
        if body is not None and body.job is not None:
            job = body.job
            # An empty closing Send-Document (last-document only) after the job's document adds
            # no document of its own.
            if not job.started and not (job.op == ipp.OP_SEND_DOCUMENT and job.job_id in self.documented):
                self._job_start(job, out)
            if job.started:
                if job.inflater is not None and not job.dropping:
                    try:
                        tail = job.inflater.flush()
                    except _CodingError as exc:
                        out.append(Note("ipp_compression_error", str(exc)))
                        job.partial = True
                        tail = b""
                    if tail:
                        out.append(DocumentData(tail))
                out.append(JobEnded(partial=job.partial, eof=eof))
        if side.direction is S2C:
            self._pair_done(out)

    def _body_abort(self, side: _Side, out: list[Event]) -> None:
        """The body was cut (a gap across its end, or the end of the capture)."""
        body = side.body
        side.body = None
        if body is not None and body.job is not None:
            self._job_start(body.job, out)
            out.append(JobEnded(partial=True))

    # ------------------------------------------------------------- IPP
    def _on_request(self, body: _Body, msg: ipp.IppMessage, out: list[Event]) -> None:
        req = body.req
        req.op = msg.code
        name = msg.operation
        if name not in self.operations and len(self.operations) < MAX_OPERATIONS:
            self.operations.append(name)
            out.append(FlowFact("ipp_operations", list(self.operations)))
        fields = self._fields(msg)
        if msg.code == ipp.OP_CREATE_JOB:
            req.create_fields = fields
            self.last_created = fields
        elif msg.code in ipp.DOCUMENT_OPERATIONS:
            jid = msg.first("job-id")
            job_id = jid if isinstance(jid, int) and not isinstance(jid, bool) else None
            if msg.code == ipp.OP_SEND_DOCUMENT:
                # RFC 8011 section 4.2.1.1: job-name etc. were given to Create-Job; the document
                # arrives here. Take them from that job's Create-Job on this flow.
                base = self.created.get(job_id) if job_id is not None else None
                if base is None:
                    base = self.last_created or []
                have = {n for n, _ in fields}
                fields = fields + [f for f in base if f[0] not in have]
            job = _Job(fields, msg.code, job_id)
            compression = _str(msg.first("compression"))
            if compression in ("gzip", "deflate"):
                job.inflater = _Inflater(compression)
            elif compression not in (None, "none"):
                out.append(Note("ipp_compression_unsupported",
                                f"document compression {compression!r} is not decoded"))
            body.job = job

    def _on_response(self, body: _Body, msg: ipp.IppMessage) -> None:
        req = body.req
        if req.op == ipp.OP_CREATE_JOB and req.create_fields is not None and msg.code < 0x0100:
            jid = msg.first("job-id")
            if isinstance(jid, int) and not isinstance(jid, bool):
                self.created[jid] = req.create_fields
                if len(self.created) > 256:
                    del self.created[next(iter(self.created))]

    _FIELDS = (("user", "requesting-user-name"), ("job_name", "job-name"),
               ("document_name", "document-name"), ("document_format", "document-format"),
               ("host", "job-originating-host-name"), ("compression", "compression"))

    @classmethod
    def _fields(cls, msg: ipp.IppMessage) -> list[tuple[str, str]]:
        out = []
        for field_name, attr in cls._FIELDS:
            v = _str(msg.first(attr))
            if v:
                out.append((field_name, v))
        return out

    def _job_start(self, job: _Job, out: list[Event]) -> None:
        if job.started:
            return
        job.started = True
        out.append(JobStarted("ipp"))
        out += [JobField(n, v, "ipp") for n, v in job.fields]
        if job.job_id is not None:
            self.documented.add(job.job_id)

    def _doc(self, job: _Job, data: Data, out: list[Event]) -> None:
        if job.dropping:
            return
        self._job_start(job, out)
        if job.inflater is not None:
            try:
                data = job.inflater.feed(data)
            except _CodingError as exc:
                out.append(Note("ipp_compression_error", str(exc)))
                job.dropping = job.partial = True
                return
        if data:
            out.append(DocumentData(bytes(data)))

    # ------------------------------------------------------------- RFC 2817 upgrade
    def _enter_tls(self, out: list[Event]) -> None:
        if self.tls is None:
            self.tls = self._make_tls_observer()
            out += [ProtectionSeen(Protection.TLS), FlowFact("http_upgrade_tls", True)]

    def _make_tls_observer(self) -> StreamObserver:
        # The bytes after an RFC 2817 upgrade are a TLS session like any other: the same record
        # parser reports version, cipher and certificate, and raises ProtocolViolation if the
        # upgrade is not followed by TLS records.
        return TlsObserver()

    def _tls_call(self, call: Callable[[StreamObserver], list[Event]]) -> list[Event]:
        if self.tls is None:
            return []
        events = call(self.tls)
        if any(type(e) is ContentDone for e in events):
            self.done = True
        return events
