"""IPP message decoder (RFC 8010 section 3, "Encoding of the Operation Layer"), sans-IO.

Not a dissector of its own: IPP travels as the body of an HTTP POST with
``Content-Type: application/ipp`` (RFC 8010 section 4), so ``http.HttpDissector`` feeds each such
body (after removing the HTTP transfer and content codings) into one ``IppDecoder``, and
``http/ipp_jobs.py`` turns the decoded messages into jobs. This module is the wire format only.

Wire format (RFC 8010 section 3.1.1, all integers big-endian)::

    version-number (2) | operation-id or status-code (2) | request-id (4)
    { begin-attribute-group-tag (1) { attribute }* }*
    end-of-attributes-tag (1) = 0x03
    data (the document, to the end of the HTTP body)

    attribute       = value-tag (1) | name-length (2) | name | value-length (2) | value
    additional value: the same with name-length 0 (section 3.1.5)
    collection      : begCollection (0x34) { memberAttrName (0x4A, value = member name)
                      member value(s), name-length 0 }* endCollection (0x37)   (section 3.1.6)

Tags (section 3.5): 0x00-0x0F delimiters (0x03 end-of-attributes; 0x01 operation, 0x02 job,
0x04 printer, 0x05 unsupported, 0x06 subscription, 0x07 event-notification, 0x08 resource,
0x09 document, 0x0A system), 0x10-0x1F out-of-band values, 0x20-0x2F integer types, 0x30-0x3F
octetString types, 0x40-0x5F character-string types, 0x7F extension (a 4-byte type code leads the
value).

Invariants:
- Rule 1: the attribute section is parsed one complete record at a time and resumes at the last
  record boundary, so feeding byte by byte costs O(n); it is bounded by ``max_attr_bytes``
  (1 MiB): past it, ``ProtocolViolation``.
- Rule 2: document data after end-of-attributes is never buffered: each ``feed`` passes it on.
- Rule 3: only ``ProtocolViolation`` escapes. A value whose length does not fit its tag's fixed
  size (RFC 8010 section 3.9) is kept as raw bytes rather than refused: a passive observer records
  what the sender sent.
"""
from __future__ import annotations

import struct
from dataclasses import dataclass, field

from ..errors import ProtocolViolation
from .ipp_names import operation_name, status_name

HEADER = struct.Struct("!BBHI")  # version major, minor, operation-id | status-code, request-id
U16 = struct.Struct("!H")
I32 = struct.Struct("!i")
RESOLUTION = struct.Struct("!iib")  # cross-feed, feed, units (3 = dpi, 4 = dots per cm)
RANGE = struct.Struct("!ii")  # lower, upper
DATETIME = struct.Struct("!HBBBBBBcBB")  # RFC 2579 DateAndTime, 11 octets

# Delimiter tags (RFC 8010 section 3.5.1; IANA "Attribute Group Tags")
TAG_END = 0x03  # end-of-attributes
GROUP_NAMES = {
    0x01: "operation-attributes", 0x02: "job-attributes", 0x04: "printer-attributes",
    0x05: "unsupported-attributes", 0x06: "subscription-attributes",
    0x07: "event-notification-attributes", 0x08: "resource-attributes",
    0x09: "document-attributes", 0x0A: "system-attributes",
}

# Value tags (RFC 8010 section 3.5.2)
OUT_OF_BAND = {0x10: "unsupported", 0x11: "default", 0x12: "unknown", 0x13: "no-value",
               0x15: "not-settable", 0x16: "delete-attribute", 0x17: "admin-define"}
TAG_INTEGER = 0x21
TAG_BOOLEAN = 0x22
TAG_ENUM = 0x23
TAG_OCTETSTRING = 0x30
TAG_DATETIME = 0x31
TAG_RESOLUTION = 0x32
TAG_RANGE = 0x33
TAG_BEGIN_COLLECTION = 0x34
TAG_TEXT_LANG = 0x35  # textWithLanguage: u16 len + language, u16 len + text
TAG_NAME_LANG = 0x36  # nameWithLanguage
TAG_END_COLLECTION = 0x37
TAG_MEMBER_NAME = 0x4A  # memberAttrName: the value is the member's name
TAG_EXTENSION = 0x7F
TAG_NAMES = {
    **OUT_OF_BAND, 0x21: "integer", 0x22: "boolean", 0x23: "enum", 0x30: "octetString",
    0x31: "dateTime", 0x32: "resolution", 0x33: "rangeOfInteger", 0x34: "begCollection",
    0x35: "textWithLanguage", 0x36: "nameWithLanguage", 0x37: "endCollection",
    0x41: "textWithoutLanguage", 0x42: "nameWithoutLanguage", 0x44: "keyword", 0x45: "uri",
    0x46: "uriScheme", 0x47: "charset", 0x48: "naturalLanguage", 0x49: "mimeMediaType",
    0x4A: "memberAttrName", 0x7F: "extension",
}

MAX_DEPTH = 32  # nesting of collections; real ones nest 3 or 4 deep (media-col > media-size)



@dataclass(slots=True, frozen=True)
class OutOfBand:
    """An out-of-band value (RFC 8010 section 3.8): 'no-value', 'unknown', 'unsupported'..."""

    name: str


@dataclass(slots=True, frozen=True)
class WithLanguage:
    """textWithLanguage / nameWithLanguage (RFC 8010 section 3.9)."""

    language: str
    text: str


@dataclass(slots=True)
class Attribute:
    """One attribute: its value tag (of the first value) and every value, in order.

    Value types: int (integer, enum), bool, str (text, name, keyword, uri...), bytes
    (octetString, extension, malformed fixed-size values), ``WithLanguage``, ``OutOfBand``,
    tuple (resolution ``(x, y, units)``, rangeOfInteger ``(lo, hi)``, dateTime as an ISO 8601
    string), dict (collection: member name -> list of values).
    """

    name: str
    tag: int
    values: list[object] = field(default_factory=list)


@dataclass(slots=True)
class IppMessage:
    """A decoded request or response up to end-of-attributes."""

    version: tuple[int, int]
    code: int  # operation-id (request) or status-code (response)
    request_id: int
    is_request: bool
    groups: list[tuple[int, list[Attribute]]] = field(default_factory=list)

    @property
    def operation(self) -> str:
        return operation_name(self.code)

    @property
    def status(self) -> str:
        return status_name(self.code)

    def get(self, name: str, group: int | None = None) -> Attribute | None:
        """The first attribute called ``name`` (in ``group`` if given)."""
        for tag, attrs in self.groups:
            if group is not None and tag != group:
                continue
            for a in attrs:
                if a.name == name:
                    return a
        return None

    def first(self, name: str, group: int | None = None) -> object | None:
        """The first value of the first attribute called ``name``, or None."""
        a = self.get(name, group)
        return a.values[0] if a is not None and a.values else None

    def text(self, name: str, group: int | None = None) -> str | None:
        """The first value as text (textWithLanguage reduced to its text), or None."""
        v = self.first(name, group)
        if isinstance(v, WithLanguage):
            return v.text
        return v if isinstance(v, str) else None


def _text(b: bytes) -> str:
    # attributes-charset is 'utf-8' in practice (RFC 8011 section 4.1.4.1 requires support for
    # it); invalid sequences are replaced rather than refused.
    return b.decode("utf-8", "replace")


def _datetime(v: bytes) -> str:
    y, mo, d, h, mi, s, ds, sign, zh, zm = DATETIME.unpack(v)
    return (f"{y:04d}-{mo:02d}-{d:02d}T{h:02d}:{mi:02d}:{s:02d}.{ds}"
            f"{sign.decode('latin-1')}{zh:02d}:{zm:02d}")


def decode_value(tag: int, v: bytes) -> object:
    """One value by its tag (RFC 8010 section 3.9); wrong fixed sizes stay raw bytes."""
    n = len(v)
    if tag in OUT_OF_BAND or 0x10 <= tag <= 0x1F:
        return OutOfBand(OUT_OF_BAND.get(tag, f"0x{tag:02x}"))
    if 0x20 <= tag <= 0x2F:
        if tag == TAG_BOOLEAN:
            return bool(v[0]) if n == 1 else v
        return I32.unpack(v)[0] if n == 4 else v
    if tag == TAG_DATETIME:
        return _datetime(v) if n == 11 and v[8:9] in (b"+", b"-") else v
    if tag == TAG_RESOLUTION:
        return RESOLUTION.unpack(v) if n == 9 else v
    if tag == TAG_RANGE:
        return RANGE.unpack(v) if n == 8 else v
    if tag in (TAG_TEXT_LANG, TAG_NAME_LANG):
        if n >= 4:
            ln = U16.unpack_from(v, 0)[0]
            if 4 + ln <= n:
                tn = U16.unpack_from(v, 2 + ln)[0]
                if 4 + ln + tn == n:
                    return WithLanguage(_text(v[2:2 + ln]), _text(v[4 + ln:]))
        return v
    if 0x40 <= tag <= 0x5F:
        return _text(v)
    return v  # octetString, extension, unassigned


class IppDecoder:
    """Decodes one IPP message fed in pieces; ``feed`` returns ``(message, data)``.

    ``message`` is the ``IppMessage`` on the call that completes the attribute section (else
    None); ``data`` is the document bytes carried by this call (possibly empty). ``finish()`` at
    the end of the body raises ``ProtocolViolation`` if the attribute section never ended.
    """

    __slots__ = ("is_request", "max_attr_bytes", "buf", "pos", "msg", "done", "group",
                 "last", "stack", "member", "seen")

    def __init__(self, is_request: bool, max_attr_bytes: int = 1 << 20) -> None:
        self.is_request = is_request
        self.max_attr_bytes = max_attr_bytes
        self.buf = bytearray()
        self.pos = 0  # parse position in buf: always a record boundary
        self.msg: IppMessage | None = None
        self.done = False  # end-of-attributes seen: the rest is data
        self.group: list[Attribute] | None = None
        self.last: Attribute | None = None  # target of additional values (name-length 0)
        # open collections: (the dict being filled, member name currently filled)
        self.stack: list[tuple[dict[str, list[object]], str | None]] = []
        self.member: str | None = None
        self.seen = 0  # attribute-section bytes consumed before buf[0]

    def feed(self, data: bytes | memoryview) -> tuple[IppMessage | None, bytes | memoryview]:
        if self.done:
            return None, data
        self.buf += data
        msg = self._parse()
        if msg is None:
            # What stays buffered is at most one incomplete record (< 2 x 64 KiB + 5).
            return None, b""
        rest = bytes(self.buf[self.pos:])
        self.buf = bytearray()
        return msg, rest

    def finish(self) -> None:
        """End of the HTTP body: the attribute section must have ended."""
        if not self.done:
            what = "header" if self.msg is None else "attribute section"
            raise ProtocolViolation(f"IPP message truncated in its {what}", self.seen + self.pos)

    # ------------------------------------------------------------- parsing
    def _parse(self) -> IppMessage | None:
        buf = self.buf
        n = len(buf)
        if self.msg is None:
            if n < HEADER.size:
                return None
            major, minor, code, rid = HEADER.unpack_from(buf, 0)
            # RFC 8010 section 3.4.1: 1.0, 1.1, 2.0, 2.1, 2.2 exist; a major outside 1-2 is not IPP.
            if major not in (1, 2):
                raise ProtocolViolation(f"IPP version {major}.{minor} unknown", 0)
            self.msg = IppMessage((major, minor), code, rid, self.is_request)
            self.pos = HEADER.size
        pos = self.pos
        while pos < n:
            if self.seen + pos > self.max_attr_bytes:
                raise ProtocolViolation(f"IPP attribute section over {self.max_attr_bytes} bytes",
                                        self.seen + pos)
            tag = buf[pos]
            if tag <= 0x0F:
                if self.stack:
                    raise ProtocolViolation("delimiter tag inside a collection", self.seen + pos)
                if tag == TAG_END:
                    self.pos = pos + 1
                    self.done = True
                    self._compact()
                    return self.msg
                if tag not in GROUP_NAMES:
                    raise ProtocolViolation(f"reserved delimiter tag 0x{tag:02x}", self.seen + pos)
                self.group = []
                self.msg.groups.append((tag, self.group))
                self.last = None
                pos += 1
                self.pos = pos
                continue
            if pos + 3 > n:
                break
            nl = U16.unpack_from(buf, pos + 1)[0]
            if pos + 5 + nl > n:
                break
            vl = U16.unpack_from(buf, pos + 3 + nl)[0]
            end = pos + 5 + nl + vl
            if end > n:
                break
            self._record(tag, bytes(buf[pos + 3:pos + 3 + nl]), bytes(buf[pos + 5 + nl:end]),
                         self.seen + pos)
            pos = end
            self.pos = pos
        if self.pos > 65536:
            self._compact()
        return None

    def _compact(self) -> None:
        # Drop parsed bytes so the buffer holds only the incomplete record.
        if not self.done:
            del self.buf[:self.pos]
            self.seen += self.pos
            self.pos = 0

    def _record(self, tag: int, name_b: bytes, value: bytes, at: int) -> None:
        if self.group is None:
            raise ProtocolViolation("attribute before any group tag", at)
        if self.stack:
            self._collection_record(tag, name_b, value, at)
            return
        if tag in (TAG_END_COLLECTION, TAG_MEMBER_NAME):
            raise ProtocolViolation(f"{TAG_NAMES[tag]} outside a collection", at)
        if name_b:
            self.last = Attribute(_text(name_b), tag)
            self.group.append(self.last)
        elif self.last is None:
            raise ProtocolViolation("additional value without an attribute", at)
        if tag == TAG_BEGIN_COLLECTION:
            coll: dict[str, list[object]] = {}
            self.last.values.append(coll)
            self.stack.append((coll, None))
        else:
            self.last.values.append(decode_value(tag, value))

    def _collection_record(self, tag: int, name_b: bytes, value: bytes, at: int) -> None:
        # RFC 8010 section 3.1.6: inside a collection every record has name-length 0.
        if name_b:
            raise ProtocolViolation("named attribute inside a collection", at)
        coll, member = self.stack[-1]
        if tag == TAG_END_COLLECTION:
            self.stack.pop()
            return
        if tag == TAG_MEMBER_NAME:
            mname = _text(value)
            coll.setdefault(mname, [])
            self.stack[-1] = (coll, mname)
            return
        if member is None:
            raise ProtocolViolation("collection value before memberAttrName", at)
        if tag == TAG_BEGIN_COLLECTION:
            if len(self.stack) >= MAX_DEPTH:
                raise ProtocolViolation(f"collections nested over {MAX_DEPTH} deep", at)
            inner: dict[str, list[object]] = {}
            coll[member].append(inner)
            self.stack.append((inner, None))
        else:
            coll[member].append(decode_value(tag, value))
