"""The TLS session state machine: what one session's cleartext part shows, as events (sans-IO).

Specs: RFC 8446 (5.1 record layer, 2 and 4.1.3: everything after a TLS 1.3 ServerHello is
encrypted, 4.1.4 HelloRetryRequest, D.4 middlebox compatibility mode), RFC 5246 (6.2 record
layer, 7.1 ChangeCipherSpec, 7.4 handshake protocol, appendix E.2 SSL 2.0 compatible hello).
The framing is in ``record``, the messages in ``handshake`` and ``certificate``, the names and
weakness rules in ``suites``; this module decides what to read and what it means.

``TlsDissector`` drives one observer per flow that is TLS from the first byte; the HTTP dissector
drives one after an RFC 2817 ``Upgrade: TLS``. ``TlsObserver.feed(direction, data)`` returns:
- ``ProtectionSeen(Protection.TLS)`` once, at the first valid record header (or SSL 2.0
  compatible CLIENT-HELLO header);
- ``FlowFact`` for ``sni``, ``tls_alpn`` (the protocols the client offered), ``tls_offered_versions``
  (ClientHello); ``tls_version``, ``tls_cipher``, ``tls_weak`` (ServerHello, not the
  HelloRetryRequest; a client that opened with an SSL 2.0 hello also gets ``tls_weak`` =
  ["SSLv2 hello"] at its hello, which the ServerHello's list then replaces and still contains);
  ``cert_observable`` and, for TLS <= 1.2, ``cert_subject``, ``cert_issuer``, ``cert_not_after``,
  ``cert_self_signed``, ``cert_key`` (first certificate of the server's Certificate message);
- ``ContentDone()`` once both directions are encrypted (or lost to a gap): nothing more can be
  learnt, so the flow table stops handing over bulk ciphertext;
- ``Note`` for oddities that are not violations (an unparseable certificate, an oversized
  handshake message).

Invariants:
- Rule 1: only ``ProtocolViolation`` escapes (a record header that is not TLS, a malformed hello).
  A certificate that ``cryptography`` cannot read is a ``Note``, not a violation: the stream is
  still TLS.
- Rule 2: bounded memory. Encrypted record bodies are skipped by counting, never buffered; the
  per-direction handshake buffer holds at most one message of ``MAX_HANDSHAKE`` bytes (a bigger
  one is skipped by counting); a partial record header is at most 4 bytes; an SSL 2.0 hello at
  most 2^15 bytes.
- Rule 3: the events do not depend on how the bytes were split into ``feed`` calls.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum

from ...errors import ProtocolViolation
from ...model import Direction, Protection
from ..events import ContentDone, Event, FlowFact, Note, ProtectionSeen
from .certificate import CertInfo, describe_certificate, first_certificate
from .handshake import HANDSHAKE_HEADER, MAX_HANDSHAKE, ClientHello, HandshakeType, ServerHello
from .record import CONTENT_TYPES, MAX_RECORD, RECORD, TLS13, ContentType, V2HelloHeader, version_name
from .suites import SSLV2_HELLO, cipher_name, weaknesses


class Body(Enum):
    """What to do with the fragment of the record being read."""

    SKIP = "skip"  # ciphertext, alerts, heartbeats: count the bytes, keep none
    HANDSHAKE = "handshake"  # cleartext handshake: reassemble messages across records
    SMALL = "small"  # the one-byte ChangeCipherSpec, checked at the record's end
    V2_HELLO = "v2-hello"  # the SSL 2.0 compatible CLIENT-HELLO, parsed at the record's end


# Bound once as module constants: on Python 3.11 reading ``Body.SKIP`` is a descriptor call
# (~0.3 us), comparing with an IntEnum member costs half again an int compare, and ``RECORD.size``
# is an attribute lookup; the record loop below pays each of them per record of bulk ciphertext.
_SKIP, _HANDSHAKE, _SMALL, _V2_HELLO = Body.SKIP, Body.HANDSHAKE, Body.SMALL, Body.V2_HELLO
_CT_CCS = int(ContentType.CHANGE_CIPHER_SPEC)
_CT_HANDSHAKE = int(ContentType.HANDSHAKE)
_CT_APPDATA = int(ContentType.APPLICATION_DATA)
_HEADER = RECORD.size  # 5 bytes


@dataclass(slots=True)
class _Side:
    """Per-direction state of the record layer."""

    hdr: bytearray = field(default_factory=bytearray)  # a record header split across feeds (< 5 bytes)
    need: int = 0  # body bytes of that record still to come (0: a header is next)
    mode: Body = _SKIP  # what to do with the body
    small: bytearray = field(default_factory=bytearray)  # a ChangeCipherSpec or SSL 2.0 hello body
    hs: bytearray = field(default_factory=bytearray)  # handshake bytes (messages span records, RFC 8446 5.1)
    hs_skip: int = 0  # bytes of an oversized handshake message still to drop
    pos: int = 0  # stream offset in this direction, for violations
    ccs: bool = False  # a ChangeCipherSpec was seen
    encrypted: bool = False  # what follows is ciphertext: nothing more to parse
    lost: bool = False  # a gap broke the record framing
    v2_version: int = 0  # the version an SSL 2.0 compatible CLIENT-HELLO being read offers


class TlsObserver:
    """Watches both directions of one TLS session and reports what the cleartext part shows.

    Usage (also from another dissector, e.g. HTTP after ``Upgrade: TLS``): create one per TLS
    session, pass each direction's bytes in order to ``feed`` from the first byte of TLS on,
    report holes with ``gap`` and call ``close`` at the end. Stop feeding once ``done`` is True
    (``feed`` then ignores its input and returns ``[]``).
    """

    def __init__(self) -> None:
        self.sides = (_Side(), _Side())
        self.started = False  # ProtectionSeen sent
        self.done = False  # ContentDone sent
        self.version: int | None = None  # negotiated (or announced by a HelloRetryRequest)
        self.server_dir: Direction | None = None  # who sent the ServerHello
        self.cert_reported = False
        self.client_hello: ClientHello | None = None
        self.server_hello: ServerHello | None = None
        self.cert: CertInfo | None = None

    # ------------------------------------------------------------- record layer
    def feed(self, direction: Direction, data: bytes) -> list[Event]:
        side = self.sides[direction]
        if self.done or side.lost or not data:
            return []
        out: list[Event] = []
        mv = memoryview(data)
        i, n = 0, len(data)
        while i < n and not self._all_quiet():
            if side.need == 0:
                take = min(_HEADER - len(side.hdr), n - i)
                side.hdr += mv[i:i + take]
                i += take
                if len(side.hdr) < _HEADER:
                    break
                self._header(side, out)
                if side.need:
                    continue
            else:
                take = min(side.need, n - i)
                if side.mode is _HANDSHAKE:
                    self._handshake_bytes(direction, side, mv[i:i + take], out)
                elif side.mode is not _SKIP:
                    side.small += mv[i:i + take]
                i += take
                side.need -= take
                side.pos += take
                if side.need:
                    continue
            self._record_end(direction, side, out)
        self._check_done(out)
        return out

    def _header(self, side: _Side, out: list[Event]) -> None:
        # RecordHeader's fields and record.framing_ok, inlined: this runs once per record.
        ct, version, length = RECORD.unpack_from(side.hdr)
        if ct not in CONTENT_TYPES or version >> 8 != 3 or version & 0xFF > 4:
            # An SSL 2.0 header (high bit set) is never a content type, so it is looked for only
            # here, off the per-record path, and only as the first bytes of the direction.
            if side.pos == 0 and self._v2_hello_header(side, out):
                return
            raise ProtocolViolation(f"not a TLS record header: {bytes(side.hdr).hex()}", side.pos)
        if length > MAX_RECORD:
            raise ProtocolViolation(f"TLS record of {length} bytes (limit 2^14+2048)", side.pos)
        side.hdr.clear()
        side.pos += _HEADER
        if not self.started:
            self._protection_seen(out)
        side.need = length
        if ct == _CT_APPDATA:
            side.encrypted = True
            side.mode = _SKIP
        elif side.encrypted:
            side.mode = _SKIP
        elif ct == _CT_HANDSHAKE:
            # After a ChangeCipherSpec, TLS <= 1.2 handshake records are encrypted (Finished).
            # TLS 1.3 middlebox-compatibility CCS (RFC 8446 D.4) changes nothing: a second
            # ClientHello after a HelloRetryRequest may follow it in the clear.
            side.mode = _HANDSHAKE if not side.ccs or self.version == TLS13 else _SKIP
        elif ct == _CT_CCS:
            # RFC 5246 7.1: "The message consists of a single byte of value 1."
            if length != 1:
                raise ProtocolViolation(f"ChangeCipherSpec record of {length} bytes", side.pos)
            side.mode = _SMALL
        else:
            side.mode = _SKIP

    def _v2_hello_header(self, side: _Side, out: list[Event]) -> bool:
        """The first bytes of a direction as an SSL 2.0 compatible CLIENT-HELLO (RFC 5246 E.2)."""
        v2 = V2HelloHeader.parse(side.hdr)
        if v2 is None:
            return False
        side.hdr.clear()
        side.pos += _HEADER
        if not self.started:
            self._protection_seen(out)
        side.need = v2.length - 3  # msg_type and version are already read
        side.v2_version = v2.version
        side.mode = _V2_HELLO
        return True

    def _protection_seen(self, out: list[Event]) -> None:
        self.started = True
        out.append(ProtectionSeen(Protection.TLS))

    def _record_end(self, direction: Direction, side: _Side, out: list[Event]) -> None:
        mode = side.mode  # _SMALL is set for ChangeCipherSpec records only
        if mode is _SMALL:
            if bytes(side.small) != b"\x01":
                raise ProtocolViolation(f"ChangeCipherSpec body {bytes(side.small).hex()!r}", side.pos)
            side.ccs = True
            if self.version is not None and self.version < TLS13:
                side.encrypted = True
            if direction == self._server() and not self.cert_reported and self.version != TLS13:
                # The server switched to ciphertext without a Certificate: a resumed session or
                # an anonymous/PSK suite. Either way no certificate can be seen on this flow.
                self.cert_reported = True
                out.append(FlowFact("cert_observable", False))
        elif mode is _V2_HELLO:
            ch = ClientHello.parse_v2(side.v2_version, bytes(side.small))
            side.mode = _SKIP
            self._client_hello(ch, out)
        side.small.clear()

    def _server(self) -> Direction:
        return self.server_dir if self.server_dir is not None else Direction.S2C

    def _all_quiet(self) -> bool:
        return all(s.encrypted or s.lost for s in self.sides)

    def _check_done(self, out: list[Event]) -> None:
        if not self.done and self.started and self._all_quiet():
            self.done = True
            out.append(ContentDone())

    # ------------------------------------------------------------- handshake layer
    def _handshake_bytes(self, direction: Direction, side: _Side, chunk: memoryview, out: list[Event]) -> None:
        if side.hs_skip:
            drop = min(side.hs_skip, len(chunk))
            side.hs_skip -= drop
            chunk = chunk[drop:]
        side.hs += chunk
        hs = side.hs
        while len(hs) >= HANDSHAKE_HEADER and not side.hs_skip:
            msg_type = hs[0]
            length = int.from_bytes(hs[1:HANDSHAKE_HEADER], "big")
            if length > MAX_HANDSHAKE:
                out.append(Note("tls_handshake_oversized",
                                f"handshake message type {msg_type} of {length} bytes skipped"))
                drop = min(len(hs), HANDSHAKE_HEADER + length)
                side.hs_skip = HANDSHAKE_HEADER + length - drop
                del hs[:drop]
                continue
            if len(hs) < HANDSHAKE_HEADER + length:
                break
            body = bytes(hs[HANDSHAKE_HEADER:HANDSHAKE_HEADER + length])
            del hs[:HANDSHAKE_HEADER + length]
            self._message(direction, msg_type, body, out)
            if side.encrypted:  # a TLS 1.3 ServerHello: what follows is not ours to read
                hs.clear()
                side.mode = _SKIP
                break

    def _message(self, direction: Direction, msg_type: int, body: bytes, out: list[Event]) -> None:
        if msg_type == HandshakeType.CLIENT_HELLO:
            self._client_hello(ClientHello.parse(body), out)
        elif msg_type == HandshakeType.SERVER_HELLO:
            self._server_hello(direction, ServerHello.parse(body), out)
        elif msg_type == HandshakeType.CERTIFICATE and direction == self._server() and self.version != TLS13 \
                and not self.cert_reported:
            self.cert_reported = True
            self._certificate(body, out)

    def _client_hello(self, ch: ClientHello, out: list[Event]) -> None:
        if ch == self.client_hello:
            return  # the second ClientHello after a HelloRetryRequest usually repeats the first
        self.client_hello = ch
        if ch.sni is not None:
            out.append(FlowFact("sni", ch.sni))
        if ch.alpn:
            out.append(FlowFact("tls_alpn", list(ch.alpn)))
        out.append(FlowFact("tls_offered_versions", ch.offered_versions()))
        if ch.sslv2_format:
            # Known before any answer: the weakness stands even if the server never replies.
            out.append(FlowFact("tls_weak", [SSLV2_HELLO]))

    def _server_hello(self, direction: Direction, sh: ServerHello, out: list[Event]) -> None:
        self.server_dir = direction
        self.version = sh.version
        if sh.retry:
            return  # the real ServerHello follows (RFC 8446 4.1.4); report that one
        self.server_hello = sh
        v2 = self.client_hello is not None and self.client_hello.sslv2_format
        out.append(FlowFact("tls_version", version_name(sh.version)))
        out.append(FlowFact("tls_cipher", cipher_name(sh.cipher)))
        out.append(FlowFact("tls_weak", weaknesses(sh.version, sh.cipher, sslv2_hello=v2)))
        if sh.version == TLS13:
            # RFC 8446 2: everything after the ServerHello is encrypted, the Certificate too.
            self.sides[direction].encrypted = True
            if not self.cert_reported:
                self.cert_reported = True
                out.append(FlowFact("cert_observable", False))
        else:
            for s in self.sides:  # a CCS fed before this ServerHello now counts
                if s.ccs:
                    s.encrypted = True

    def _certificate(self, body: bytes, out: list[Event]) -> None:
        der = first_certificate(body)
        if der is None:
            out.append(FlowFact("cert_observable", False))
            out.append(Note("tls_empty_certificate", "the server sent an empty certificate list"))
            return
        out.append(FlowFact("cert_observable", True))
        try:
            info = describe_certificate(der)
        # Hostile DER goes into a third-party parser whose failure modes (ValueError, TypeError,
        # UnsupportedAlgorithm, ...) are not ours to enumerate; any of them means "certificate
        # unreadable", never "not TLS", so none may escape as anything but a Note.
        except Exception as exc:  # noqa: BLE001
            out.append(Note("tls_certificate_unparsed", f"{type(exc).__name__}: {exc}"[:200]))
            return
        self.cert = info
        out += [FlowFact("cert_subject", info.subject), FlowFact("cert_issuer", info.issuer),
                FlowFact("cert_not_after", info.not_after),
                FlowFact("cert_self_signed", info.self_signed), FlowFact("cert_key", info.key)]

    # ------------------------------------------------------------- holes and end
    def gap(self, direction: Direction, length: int) -> list[Event]:
        """A hole: inside a skipped record body it costs nothing; elsewhere the framing is lost."""
        side = self.sides[direction]
        if self.done or side.lost:
            return []
        if side.need and side.mode is _SKIP and length <= side.need:
            side.need -= length
            side.pos += length
            out: list[Event] = []
            if side.need == 0:
                self._record_end(direction, side, out)
            return out
        side.lost = True
        side.hdr.clear()
        side.hs.clear()
        side.small.clear()
        out = []
        self._check_done(out)
        return out

    def close(self) -> list[Event]:
        return []
