"""HTTP/1.x message heads (RFC 9112 sections 2-6): start lines, header fields, body framing.

What is parsed: one complete head (start line, header fields, the empty line) handed over by
``framing.Connection`` once its end has been found, into a ``RequestHead`` or ``ResponseHead``:

- request-line = method SP request-target SP HTTP-version (section 3); status-line =
  HTTP-version SP status-code SP [ reason-phrase ] (section 4);
- field-line = field-name ":" OWS field-value OWS (section 5), obs-fold joined with SP
  (section 5.2), lines ended by CRLF or a bare LF (section 2.2);
- how the body is delimited (section 6.3): Transfer-Encoding chunked, Content-Length, nothing
  (a request without either has no body), or the end of the connection (a response without
  either); and which codings were applied, in the order to remove them.

Invariants:
- Rule 1: these functions see only complete heads, already bounded by the framing (64 KiB).
- Rule 2: only ``ProtocolViolation`` escapes, and its reason never quotes the offending bytes:
  a request line or a header field can carry names (queue, user, document) that no output may
  show. ``describe`` tells such bytes by their length and character class only.
"""
from __future__ import annotations

import enum
import re
from dataclasses import dataclass

from ...errors import ProtocolViolation
from . import upgrade

METHODS = (b"GET", b"POST", b"PUT", b"HEAD", b"OPTIONS", b"DELETE", b"PATCH", b"CONNECT", b"TRACE")
METHOD_SP = tuple(m + b" " for m in METHODS)  # a request line starts with one of these
# RFC 9112 section 3: request-line = method SP request-target SP HTTP-version
_REQUEST_LINE = re.compile(rb"([!#$%&'*+.^_`|~0-9A-Za-z-]+) ([\x21-\x7e\x80-\xff]+) HTTP/(\d)\.(\d)")
# section 4: status-line = HTTP-version SP status-code SP [ reason-phrase ]
_STATUS_LINE = re.compile(rb"HTTP/(\d)\.(\d) (\d{3})(?: [\t\x20-\x7e\x80-\xff]*)?")
# section 5.1: field-name is a token; OWS around the value is not part of it
_FIELD_LINE = re.compile(rb"([!#$%&'*+.^_`|~0-9A-Za-z-]+)[ \t]*:[ \t]*(.*?)[ \t]*")
_CONTROL = re.compile(rb"[\x00-\x08\x0a-\x1f\x7f]")  # C0 controls but HTAB, and DEL


def describe(raw: bytes) -> str:
    """Malformed wire bytes told without quoting them: their length and character class."""
    if _CONTROL.search(raw):
        kind = "with control bytes"
    elif not raw.isascii():
        kind = "non-ASCII text"
    else:
        kind = "ASCII text"
    return f"({len(raw)} bytes, {kind})"


def blank_line(buf: bytearray, scan: int) -> int:
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


def could_be_request(prefix: bytes) -> bool | None:
    """Does ``prefix`` start a request line? None while too short to say."""
    for m in METHOD_SP:
        n = min(len(m), len(prefix))
        if prefix[:n] == m[:n]:
            if len(prefix) >= len(m):
                return True
            return None
    return False


def _lines(head: bytes) -> list[bytes]:
    return [ln[:-1] if ln.endswith(b"\r") else ln for ln in head.split(b"\n")]


class Fields:
    """Header fields by lowercase name, each with its values in order (RFC 9112 section 5)."""

    __slots__ = ("by_name",)

    def __init__(self, lines: list[bytes], at: int) -> None:
        self.by_name: dict[bytes, list[bytes]] = {}
        last: list[bytes] | None = None
        for ln in lines:
            if not ln:
                continue
            if ln[:1] in (b" ", b"\t"):  # obs-fold (section 5.2): replaced by SP
                if last is None:
                    raise ProtocolViolation("continuation line before the first header field", at)
                last[-1] = last[-1] + b" " + ln.strip()
                continue
            m = _FIELD_LINE.fullmatch(ln)
            if m is None:
                raise ProtocolViolation(f"malformed header field {describe(ln)}", at)
            last = self.by_name.setdefault(m.group(1).lower(), [])
            last.append(m.group(2))

    def __contains__(self, name: bytes) -> bool:
        return name in self.by_name

    def values(self, name: bytes) -> list[bytes]:
        return self.by_name.get(name) or []

    def tokens(self, name: bytes) -> list[str]:
        """The comma-separated list elements of every ``name`` field, lowercased."""
        values = self.by_name.get(name)
        if not values:
            return []
        return [t.strip().lower().decode("latin-1") for v in values for t in v.split(b",") if t.strip()]

    def media_type(self) -> str:
        """Content-Type without parameters, lowercased ('' if absent)."""
        values = self.by_name.get(b"content-type")
        return values[0].split(b";")[0].strip().lower().decode("latin-1") if values else ""

    def content_length(self, at: int) -> int:
        # RFC 9112 section 6.3 rule 5: a list of identical values is that value; otherwise invalid.
        found = {v.strip() for x in self.by_name[b"content-length"] for v in x.split(b",")}
        if len(found) != 1:
            raise ProtocolViolation("conflicting Content-Length values", at)
        v = found.pop()
        if not v.isdigit() or len(v) > 18:
            raise ProtocolViolation(f"invalid Content-Length {describe(v)}", at)
        return int(v)


class Delimit(enum.Enum):
    """How a message body ends (RFC 9112 section 6.3)."""

    NONE = "none"  # no body: HEAD response, 204, 304 (RFC 9110 section 6.4.1)
    LENGTH = "length"  # Content-Length bytes (0 is an empty body)
    CHUNKED = "chunked"  # Transfer-Encoding ending in chunked
    CLOSE = "close"  # a response body read until the connection ends (rule 8)


@dataclass(slots=True)  # not frozen: built per message, and frozen costs 3x to build
class RequestHead:
    method: bytes
    fields: Fields
    delimit: Delimit  # LENGTH or CHUNKED: a request always has a (possibly empty) body
    length: int  # LENGTH: the Content-Length
    codings: list[str]  # transfer then content codings, in the order to remove them
    upgrade_tls: bool  # Upgrade: TLS/x.y (RFC 2817 section 3.2)
    expect: bool  # Expect: 100-continue (RFC 9110 section 10.1.1)

    @classmethod
    def parse(cls, head: bytes, at: int) -> RequestHead:
        """A complete request head; ``at`` is its stream offset (for violations)."""
        lines = _lines(head)
        m = _REQUEST_LINE.fullmatch(lines[0])
        if m is None:
            raise ProtocolViolation(f"malformed request line {describe(lines[0])}", at)
        fields = Fields(lines[1:], at)
        # Section 6.3: Transfer-Encoding wins over Content-Length; in a request, chunked must be
        # the final coding (rule 4), and no framing at all means no body (rule 6).
        te = fields.tokens(b"transfer-encoding")
        if te and te[-1] != "chunked":
            raise ProtocolViolation("request Transfer-Encoding does not end in chunked", at)
        length = 0
        if not te and b"content-length" in fields.by_name:
            length = fields.content_length(at)
        return cls(
            method=m.group(1),
            fields=fields,
            delimit=Delimit.CHUNKED if te else Delimit.LENGTH,
            length=length,
            codings=te[-2::-1] + fields.tokens(b"content-encoding")[::-1],
            upgrade_tls=upgrade.wants_tls(fields.tokens(b"upgrade")),
            expect="100-continue" in fields.tokens(b"expect"),
        )


@dataclass(slots=True)
class ResponseHead:
    status: int
    fields: Fields

    @classmethod
    def parse(cls, head: bytes, at: int) -> ResponseHead:
        lines = _lines(head)
        m = _STATUS_LINE.fullmatch(lines[0])
        if m is None:
            raise ProtocolViolation(f"malformed status line {describe(lines[0])}", at)
        return cls(int(m.group(3)), Fields(lines[1:], at))

    @property
    def interim(self) -> bool:
        """1xx but 101: the final response is still to come (RFC 9110 section 15.2)."""
        return 100 <= self.status < 200 and self.status != 101

    def body(self, method: bytes, at: int) -> tuple[Delimit, int, list[str]]:
        """(how the body ends, Content-Length, codings in removal order) for a final response
        to a ``method`` request; the Content-Length is only read (and checked) when it counts."""
        if method == b"HEAD" or self.status in (204, 304):
            return Delimit.NONE, 0, []
        te = self.fields.tokens(b"transfer-encoding")
        chunked = bool(te) and te[-1] == "chunked"
        transfer = te[-2::-1] if chunked else te[::-1]
        codings = transfer + self.fields.tokens(b"content-encoding")[::-1]
        if chunked:
            return Delimit.CHUNKED, 0, codings
        if te or b"content-length" not in self.fields.by_name:
            return Delimit.CLOSE, 0, codings  # rule 8: the body ends with the connection
        return Delimit.LENGTH, self.fields.content_length(at), codings
