"""The HTTP/1.x dissector: HTTP framing, body decoding, IPP jobs and the upgrade to TLS, joined.

It is the ``sink.FramingSink`` of its ``framing.Connection``; with what the framing reports it:
- announces the flow as HTTP, or as IPP (print traffic) from the first request with
  ``Content-Type: application/ipp`` (RFC 8010 section 4);
- decodes each body as it streams: removes its gzip/deflate codings (``coding.py``; a body with
  any other coding is counted, not decoded) and feeds an IPP body to an ``ipp.IppDecoder``,
  whose messages and document bytes ``ipp_jobs.IppJobs`` turns into job events;
- hands the bytes after an RFC 2817 upgrade to ``upgrade.TlsHandover``;
- reports that Basic credentials were sent (RFC 7617), never their value;
- says ``ContentDone`` when plain HTTP off port 631 has finished its first exchange, or once a
  tunnel or the TLS session needs no more bytes.

Invariants:
- Rule 1: only ``ProtocolViolation`` escapes (from the framing, the IPP decoder or the TLS
  parser); a coding error or a gap inside a coded or unfinished IPP body is a ``Note``, and the
  rest of that body is counted, not decoded.
- Rule 2: the same bytes give the same events however they are split across ``feed`` calls.
- Rule 3: no event quotes a header value; anomaly details carry lengths and fixed words only.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from ...model import Direction, FlowKey, Service
from .. import ipp
from ..base import Dissector
from ..events import ContentDone, Event, FlowFact, Note, PrintSeen, ServiceSeen
from .coding import HTTP_CODINGS, CodingError, Data, Inflater, undecoded
from .framing import Connection
from .head import METHOD_SP
from .ipp_jobs import Exchange, IppJobs, Job
from .sink import MessageHead, Request
from .upgrade import TlsHandover

IPP_MEDIA_TYPE = "application/ipp"  # RFC 8010 section 4


@dataclass(slots=True)
class _Body:
    """The decoding of one message body."""

    request: Request  # the exchange it belongs to
    is_request: bool
    codings: list[Inflater] = field(default_factory=list)  # applied in this order
    ipp: ipp.IppDecoder | None = None
    job: Job | None = None
    lost: bool = False  # a gap or a coding error destroyed the content: count, do not decode
    opaque: bool = False  # content we do not decode at all


def _exchange(req: Request) -> Exchange:
    """What the IPP job mapping keeps about ``req``'s exchange (made when first needed)."""
    if not isinstance(req.context, Exchange):
        req.context = Exchange()
    return req.context


class HttpDissector(Dissector):
    name = "http"
    service = Service.HTTP
    ports = frozenset({631, 80, 8080, 8000})

    def __init__(self, key: FlowKey) -> None:
        super().__init__(key)
        self.framing = Connection(self)
        self.out: list[Event] = []  # the events of the current feed, gap or close call
        self.bodies: list[_Body | None] = [None, None]  # per direction: the body being decoded
        self.jobs = IppJobs()
        self.tls = TlsHandover()
        self.announced = False  # ServiceSeen/PrintSeen sent
        self.ipp = False  # the flow carries IPP
        self.pairs = 0  # completed request/response exchanges
        self.done = False  # ContentDone sent
        self.basic_auth = False

    # ------------------------------------------------------------- contract
    @classmethod
    def probe(cls, c2s: bytes, s2c: bytes, key: FlowKey) -> float:
        head = c2s.lstrip(b"\r\n")
        if head.startswith(METHOD_SP):
            line_end = head.find(b"\n")
            if line_end < 0 or b" HTTP/1." in head[:line_end]:
                return min(1.0, 0.8 + cls.port_hint(key))
        if s2c.startswith(b"HTTP/1.") and not c2s:
            return 0.5
        return 0.0

    def feed(self, direction: Direction, data: bytes) -> list[Event]:
        self.out = []
        self.framing.feed(direction, data)  # calls the on_* methods below
        return self.out

    def gap(self, direction: Direction, length: int) -> list[Event]:
        self.out = []
        self.framing.gap(direction, length)
        return self.out

    def close(self) -> list[Event]:
        self.out = []
        self.framing.close()
        self.out += self.tls.close()
        return self.out

    # ------------------------------------------------------------- messages (sink.FramingSink)
    def on_head(self, head: MessageHead) -> None:
        is_ipp = head.fields.media_type() == IPP_MEDIA_TYPE
        if head.direction is Direction.C2S:
            self._request_facts(head, is_ipp)
        self.bodies[head.direction] = self._new_body(head, is_ipp) if head.has_body else None

    def _request_facts(self, head: MessageHead, is_ipp: bool) -> None:
        schemes = {v.strip().split(b" ", 1)[0].lower() for v in head.fields.values(b"authorization")}
        if b"basic" in schemes and not self.basic_auth:  # RFC 7617: the password is only base64
            self.basic_auth = True
            self.out.append(FlowFact("http_basic_auth", True))  # that it was sent, never the value
        if is_ipp and not self.ipp:
            self.ipp = self.announced = True
            self.out += [ServiceSeen(Service.IPP), PrintSeen(True)]
        elif not self.announced:
            self.announced = True
            self.out += [ServiceSeen(Service.HTTP), PrintSeen(False)]

    def _new_body(self, head: MessageHead, is_ipp: bool) -> _Body:
        is_request = head.direction is Direction.C2S
        body = _Body(head.request, is_request)
        for c in head.codings:
            if c not in HTTP_CODINGS:
                body.opaque = True
                self.out.append(Note("http_coding_unsupported", undecoded("body coding", c)))
            elif (kind := HTTP_CODINGS[c]) is not None:
                body.codings.append(Inflater(kind))
        if is_ipp and not body.opaque:
            body.ipp = ipp.IppDecoder(is_request)
        return body

    def on_tunnel(self) -> None:
        self.bodies = [None, None]
        self._content_done()

    def on_note(self, note: Note) -> None:
        self.out.append(note)

    def _content_done(self) -> None:
        if not self.done:
            self.done = True
            self.out.append(ContentDone())

    def _pair_done(self) -> None:
        """A response ended: plain HTTP off port 631 needs no more bytes."""
        self.pairs += 1
        if (not self.ipp and self.key.server_port != 631 and self.framing.upgrade_pending is None
                and self.tls.observer is None):
            self._content_done()

    # ------------------------------------------------------------- bodies
    def on_body_data(self, direction: Direction, data: Data) -> None:
        body = self.bodies[direction]
        if body is None or body.lost or body.opaque:
            return
        try:
            for c in body.codings:
                data = c.feed(data)
                if not data:
                    return
        except CodingError as exc:
            self._coding_failed(body, str(exc))
            return
        self._ipp_data(body, data)

    def _ipp_data(self, body: _Body, data: Data) -> None:
        if body.ipp is None:
            return
        msg, doc = body.ipp.feed(data)
        if msg is not None:
            if body.is_request:
                body.job = self.jobs.request(msg, _exchange(body.request), self.out)
            else:
                self.jobs.response(msg, _exchange(body.request))
        if doc and body.job is not None:
            self.jobs.document(body.job, doc, self.out)

    def on_body_gap(self, direction: Direction, length: int) -> None:
        body = self.bodies[direction]
        if body is None or body.opaque or body.lost:
            return
        if body.codings or (body.ipp is not None and not body.ipp.done):
            # A compressed stream or an unfinished attribute section cannot be continued.
            body.lost = True
            self.out.append(Note("http_body_gap", f"{length}-byte gap in a "
                                 f"{'coded' if body.codings else 'IPP'} body: the rest of the body "
                                 "is not decoded"))
        if body.job is not None:
            self.jobs.gap(body.job, length, self.out)

    def _coding_failed(self, body: _Body, why: str) -> None:
        body.lost = True
        self.out.append(Note("http_coding_error", why))
        if body.job is not None:
            self.jobs.interrupted(body.job, self.out)

    def on_body_end(self, direction: Direction) -> None:
        body = self.bodies[direction]
        self.bodies[direction] = None
        if body is not None and not body.lost and not body.opaque:
            try:
                data = b""
                for c in body.codings:
                    data = (c.feed(data) if data else b"") + c.flush()
                if data:
                    self._ipp_data(body, data)
            except CodingError as exc:
                self._coding_failed(body, str(exc))
            if body.ipp is not None and not body.lost:
                body.ipp.finish()
        if body is not None and body.job is not None:
            self.jobs.end(body.job, self.out)
        if direction is Direction.S2C:
            self._pair_done()

    def on_body_cut(self, direction: Direction) -> None:
        body = self.bodies[direction]
        self.bodies[direction] = None
        if body is not None and body.job is not None:
            self.jobs.cut(body.job, self.out)

    def on_body_skipped(self, direction: Direction) -> None:
        self.bodies[direction] = None  # nothing of it was seen

    # ------------------------------------------------------------- after an RFC 2817 upgrade
    def on_tls_start(self) -> None:
        self.tls.start(self.out)

    def on_tls_data(self, direction: Direction, data: bytes) -> None:
        self._tls_events(self.tls.feed(direction, data))

    def on_tls_gap(self, direction: Direction, length: int) -> None:
        self._tls_events(self.tls.gap(direction, length))

    def _tls_events(self, events: list[Event]) -> None:
        self.out += events
        if self.tls.done:
            self.done = True  # the TLS parser said ContentDone itself
