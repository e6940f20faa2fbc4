"""PDU framing of one direction of a connection-oriented DCE/RPC association, and resync after a hole.

Read from: C706 12.6.3.1 (the common header: rpc_vers 5, rpc_vers_minor 0 or 1, PTYPE, packed_drep,
``frag_length`` counting the whole PDU), C706 12.6.1 and MS-RPCE 2.1.1.1-2 (over TCP and SMB named
pipes the transport is a byte stream: PDUs follow one another with no other framing, so
``frag_length`` is the only way to the next one).

``Framer.feed`` takes a direction's bytes in order and yields each whole PDU (its parsed
``Header`` and bytes) and the ``Note`` of each framing event, in stream order; ``Framer.gap``
takes a hole in them.

Invariants:
- Memory is bounded: a direction buffers at most one PDU (frag_length is 16 bits) or, when its
  framing is lost, a search window of ``MAX_SEARCH`` bytes.
- A hole that falls inside a PDU whose header was seen keeps the framing: that PDU is dropped
  (``gap`` returns its header, and the rest of it is skipped as it comes). Any other hole loses
  the framing: the next plausible PDU header (``_RESYNC``, then ``Header.plausible``) is searched
  for, for ``MAX_SEARCH`` bytes at most, then the direction is given up with a ``Note``.
- Only bytes that cannot be DCE/RPC at all, where a header must start, stop a direction: a
  ``Note`` (``strict=False``, inside an SMB pipe) or a ``ProtocolViolation`` (``strict=True``, a
  TCP flow). A direction given up yields nothing more.
"""
from __future__ import annotations

import re
from collections.abc import Iterator

from ...errors import ProtocolViolation
from ..events import Note
from .pdu import HEADER_LEN, Header, frag_length

MAX_SEARCH = 256 * 1024  # bytes searched for a PDU header after a hole, then the direction is given up
# A plausible PDU start after a hole: version 5.0/5.1, a connection-oriented type, little- or
# big-endian ASCII/IEEE drep.
_RESYNC = re.compile(rb"\x05[\x00\x01][\x00\x02\x03\x0b-\x13][\x00-\xff][\x00\x10]\x00\x00\x00")

Pdu = tuple[Header, bytes]  # a whole PDU: its common header and all its bytes


class Framer:
    """The PDU framing of one direction (``side``: c2s or s2c, for the notes)."""

    __slots__ = ("side", "strict", "buf", "drop", "lost", "searched", "dead")

    def __init__(self, side: str, strict: bool = False) -> None:
        self.side = side
        self.strict = strict
        self.buf = bytearray()
        self.drop = 0  # bytes of a damaged PDU still to skip
        self.lost = False  # searching for the next PDU header after a hole
        self.searched = 0
        self.dead = False

    def feed(self, data: bytes) -> Iterator[Pdu | Note]:
        """The PDUs (and framing notes) ``data`` completes."""
        if self.dead or not data:
            return
        if self.drop:
            k = min(self.drop, len(data))
            self.drop -= k
            data = data[k:]
        buf = self.buf
        buf += data
        while True:
            if self.lost:
                found, note = self._search()
                if note is not None:
                    yield note
                if not found:
                    return
            if len(buf) < HEADER_LEN:
                return
            h = Header.parse(buf)
            if h is None or not h.plausible:
                yield self._unframed(buf[:8])
                return
            if len(buf) < h.frag_length:
                return
            pdu = bytes(buf[:h.frag_length])
            del buf[:h.frag_length]
            yield h, pdu

    def gap(self, length: int) -> Header | Note | None:
        """``length`` bytes are missing. None: nothing is lost (they were being skipped, or the
        direction is given up); a ``Header``: they fall inside that PDU, which is dropped; a
        ``Note``: the framing is lost, the next PDU header is searched for."""
        if self.dead:
            return None
        if self.drop >= length:
            self.drop -= length
            return None
        length -= self.drop
        self.drop = 0
        buf = self.buf
        if not self.lost and len(buf) >= 10:
            frag = frag_length(buf)
            h = Header.parse(buf) if len(buf) >= HEADER_LEN else None
            if h is not None and h.plausible and len(buf) + length <= frag:  # the hole is inside this PDU
                self.drop = frag - len(buf) - length
                buf.clear()
                return h
        buf.clear()
        self.lost, self.searched = True, 0
        return Note("dcerpc_gap", f"{self.side}: {length} bytes missing between or across PDUs; "
                    "searching for the next PDU header")

    def _search(self) -> tuple[bool, Note | None]:
        """Look for the next plausible PDU header: (the buffer starts with one, a note to emit)."""
        buf = self.buf
        pos = 0
        while True:
            m = _RESYNC.search(buf, pos)
            if m is None or len(buf) - m.start() < HEADER_LEN:
                keep = m.start() if m is not None else max(0, len(buf) - 7)
                self.searched += keep
                del buf[:keep]
                if self.searched > MAX_SEARCH:
                    self.dead = True
                    buf.clear()
                    return False, Note("dcerpc_unparsed", f"{self.side}: no PDU header in {MAX_SEARCH} "
                                       "bytes after a hole; the rest of this direction is not read")
                return False, None
            h = Header.parse(buf, m.start())
            if h is not None and h.plausible:
                del buf[:m.start()]
                self.lost = False
                return True, Note("dcerpc_resync", f"{self.side}: in step again after "
                                  f"{self.searched + m.start()} bytes")
            pos = m.start() + 1

    def _unframed(self, head: bytearray) -> Note:
        if self.strict:
            raise ProtocolViolation(f"not a DCE/RPC PDU: {bytes(head).hex()}")
        self.dead = True
        self.buf.clear()
        return Note("dcerpc_unparsed", f"{self.side}: bytes are not DCE/RPC v5 "
                    f"(0x{bytes(head[:4]).hex()}); the rest of this direction is not read")
