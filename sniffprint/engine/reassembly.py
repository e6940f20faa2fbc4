"""Per-direction TCP stream reassembly: segments in, an ordered sequence of data and gaps out.

Rules (RFC 9293 section 3.4 sequence arithmetic; Zeek's TCP_Reassembler for the policy):
1. Sequence numbers are compared modulo 2^32 (``_delta``): the signed distance from the next
   expected sequence number decides old, current or future. Offsets inside the stream are plain
   unbounded integers, so streams longer than 4 GiB work.
2. Each byte is delivered at most once. **The first copy wins**: a retransmission or overlap
   whose bytes differ from the copy already accepted is a ``rexmit_inconsistency`` anomaly and
   its bytes are dropped, whether the first copy was already delivered (compared against a tail
   window of the delivered bytes) or is still waiting in the out-of-order store.
3. Missing data is emitted as ``on_gap(length)`` with its exact length and counted in
   ``missed``. **Never zero-filled.** A gap is declared when the out-of-order store exceeds its
   byte or segment cap, when a frame was cut by snaplen, or at close for holes below buffered
   data, data below a seen FIN, or data the peer acknowledged but the capture never carried.
4. A stream whose SYN was not seen starts at the first sequence number seen (mid-stream start).
5. ``depth`` bounds how many bytes are handed to the consumer; past it, and once the consumer
   says it needs no more content (``content = False``), bytes are only counted: the out-of-order
   store then keeps ranges without their bytes, so memory stays bounded for bulk flows.

The consumer gets data and gaps through callbacks (``on_data``, ``on_gap``, ``on_note``) rather
than event objects: the in-order fast path allocates nothing but the payload it was given.
"""
from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable
from typing import Any

MOD = 1 << 32
HALF = 1 << 31
MASK = MOD - 1


class _Missing:
    """Marker for a known hole inside the out-of-order store (a frame cut by snaplen)."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "MISSING"


MISSING = _Missing()


def seq_delta(a: int, b: int) -> int:
    """Signed distance a - b between two 32-bit sequence numbers (RFC 9293 3.4)."""
    d = (a - b) & MASK
    return d - MOD if d >= HALF else d


def _nothing(*_a: object) -> None:
    return None


class Stream:
    """One direction of a TCP connection."""

    __slots__ = ("started", "syn_seen", "isn", "next_seq", "next_off", "delivered", "missed",
                 "ooo", "ooo_bytes", "tail", "tail_keep", "fin_off", "rst", "last_ack",
                 "content", "depth", "ooo_max_bytes", "ooo_max_segs", "rexmits", "rexmit_bytes",
                 "conflicts", "on_data", "on_gap", "on_note", "fed", "gaps")

    def __init__(self, *, depth: int = 1 << 30, ooo_max_bytes: int = 1 << 20,
                 ooo_max_segs: int = 4096, tail_keep: int = 1 << 16) -> None:
        self.started = False
        self.syn_seen = False
        self.isn = 0
        self.next_seq = 0  # next expected sequence number (mod 2^32)
        self.next_off = 0  # the same as a stream offset (unbounded)
        self.delivered = 0  # distinct bytes accepted (each byte once)
        self.missed = 0  # bytes known to be missing (sum of gaps)
        self.gaps = 0
        self.ooo: list[list[Any]] = []  # sorted [start_off, end_off, bytes | None | MISSING]
        self.ooo_bytes = 0
        self.tail = bytearray()  # the last delivered bytes, to check retransmissions against
        self.tail_keep = tail_keep
        self.fin_off: int | None = None
        self.rst = False
        self.last_ack: int | None = None  # latest ACK number the *peer* sent for this stream
        self.content = True  # hand bytes to the consumer (False: count only)
        self.depth = depth
        self.fed = 0  # bytes handed to on_data
        self.ooo_max_bytes = ooo_max_bytes
        self.ooo_max_segs = ooo_max_segs
        self.rexmits = 0
        self.rexmit_bytes = 0
        self.conflicts = 0
        self.on_data: Callable[[bytes], None] = _nothing
        self.on_gap: Callable[[int], None] = _nothing
        self.on_note: Callable[[str, str], None] = _nothing  # (kind, detail) for anomalies

    # ------------------------------------------------------------------ input
    def syn(self, seq: int) -> None:
        """A SYN (or SYN-ACK) fixes the initial sequence number; data starts at ISN + 1."""
        if not self.started:
            self.started = True
            self.syn_seen = True
            self.isn = seq
            self.next_seq = (seq + 1) & MASK

    def add(self, seq: int, payload: bytes, claimed: int, fin: bool = False) -> None:
        """Accept one segment's payload (``claimed`` >= len(payload) when snaplen cut it)."""
        if not self.started:
            self.started = True
            self.isn = (seq - 1) & MASK
            self.next_seq = seq
        d = (seq - self.next_seq) & MASK
        if d >= HALF:
            d -= MOD
        off = self.next_off + d
        if fin:
            fin_at = off + claimed
            if self.fin_off is None or fin_at < self.fin_off:
                self.fin_off = fin_at
        if claimed <= 0:
            return
        if d == 0 and not self.ooo and len(payload) == claimed:  # the in-order fast path
            if self.content and self.fed + claimed <= self.depth:  # _deliver's common case, inlined
                self.delivered += claimed
                self.next_off += claimed
                self.next_seq = (self.next_seq + claimed) & MASK
                self.fed += claimed
                tail = self.tail  # _remember, inlined
                tail += payload
                if len(tail) > 2 * self.tail_keep:
                    del tail[: len(tail) - self.tail_keep]
                self.on_data(payload)
            else:
                self._deliver(payload, claimed)
            return
        end = off + claimed
        if off < self.next_off:
            if end <= self.next_off:
                if off < 0 and not self.syn_seen:
                    self.on_note("data_before_start",
                                 f"{-off} bytes below the first sequence number seen (mid-stream start)")
                    return
                self._old(off, payload[: end - off])
                return
            cut = self.next_off - off
            self._old(off, payload[:cut])
            payload, claimed, off = payload[cut:], claimed - cut, self.next_off
        if len(payload) < claimed:  # snaplen: the tail of the segment is a known hole
            self._insert(off, off + len(payload), payload)
            self._insert(off + len(payload), off + claimed, MISSING)
        else:
            self._insert(off, off + claimed, payload)
        self._drain()
        if self.ooo and (self.ooo_bytes > self.ooo_max_bytes or len(self.ooo) > self.ooo_max_segs):
            first = self.ooo[0][0]
            self.on_note("reassembly_limit",
                         f"out-of-order store over its cap ({self.ooo_bytes} bytes in {len(self.ooo)} "
                         f"segments); declaring a {first - self.next_off}-byte gap")
            self._gap(first - self.next_off)
            self._drain()

    # ------------------------------------------------------------------ output
    def _deliver(self, data: bytes | None, n: int) -> None:
        self.delivered += n
        self.next_off += n
        self.next_seq = (self.next_seq + n) & MASK
        if self.content and data is not None:
            fed = self.fed
            if fed + n > self.depth:
                keep = self.depth - fed
                if keep > 0:
                    self.fed = self.depth
                    self._remember(data[:keep])
                    self.on_data(data[:keep])
                self.content = False
                self.tail = bytearray()
                self.on_note("depth_limit", f"analysis depth of {self.depth} bytes reached; "
                             "later bytes are counted, not analysed")
                return
            self.fed = fed + n
            self._remember(data)
            self.on_data(data)

    def _remember(self, data: bytes) -> None:
        tail = self.tail
        tail += data
        if len(tail) > 2 * self.tail_keep:
            del tail[: len(tail) - self.tail_keep]

    def _gap(self, n: int) -> None:
        if n <= 0:
            return
        self.missed += n
        self.gaps += 1
        self.tail = bytearray()  # the remembered bytes end at the hole: never compare across it
        self.next_off += n
        self.next_seq = (self.next_seq + n) & MASK
        self.on_gap(n)

    def _old(self, off: int, data: bytes) -> None:
        """Bytes at ``off`` that were already delivered: a retransmission. First copy wins."""
        self.rexmits += 1
        self.rexmit_bytes += len(data)
        if not self.content or not data:
            return
        start_of_tail = self.next_off - len(self.tail)
        lo = max(off, start_of_tail)
        hi = off + len(data)
        if lo >= hi:
            return
        old = self.tail[lo - start_of_tail: hi - start_of_tail]
        new = data[lo - off: hi - off]
        if old != new:
            self.conflicts += 1
            self.on_note("rexmit_inconsistency",
                         f"retransmitted bytes at stream offset {lo} differ from the first copy "
                         f"({hi - lo} bytes compared); the first copy is kept")

    def _insert(self, start: int, end: int, data: object) -> None:
        """Store [start, end) unless already covered: existing bytes win, conflicts are noted."""
        ooo = self.ooo
        keep = self.content
        i = bisect_right(ooo, start, key=lambda e: e[0])
        if i and ooo[i - 1][1] > start:
            i -= 1
        pieces = []
        pos = start
        while i < len(ooo) and ooo[i][0] < end and pos < end:
            s, e, d = ooo[i]
            if s > pos:
                pieces.append((pos, min(s, end)))
            lo, hi = max(s, pos), min(e, end)
            if (keep and isinstance(d, bytes) and isinstance(data, bytes)
                    and d[lo - s:hi - s] != data[lo - start:hi - start]):
                self.conflicts += 1
                self.on_note("rexmit_inconsistency",
                             f"overlapping segments differ at stream offset {lo} ({hi - lo} bytes); "
                             "the first copy is kept")
            if lo < hi:
                self.rexmits += 1
                self.rexmit_bytes += hi - lo
            pos = max(pos, e)
            i += 1
        if pos < end:
            pieces.append((pos, end))
        for s, e in pieces:
            if isinstance(data, bytes):
                piece: object = data[s - start:e - start] if keep else None
            else:
                piece = data
            j = bisect_right(ooo, s, key=lambda x: x[0])
            ooo.insert(j, [s, e, piece])
            self.ooo_bytes += e - s

    def _drain(self) -> None:
        ooo = self.ooo
        while ooo and ooo[0][0] <= self.next_off:
            s, e, d = ooo.pop(0)
            self.ooo_bytes -= e - s
            if e <= self.next_off:
                continue
            if s < self.next_off:  # cannot happen with a non-overlapping store; be safe
                cut = self.next_off - s
                d = d[cut:] if isinstance(d, bytes) else d
                s = self.next_off
            if d is MISSING:
                self.on_note("snaplen_cut", f"{e - s} bytes at stream offset {s} were not captured (snaplen)")
                self._gap(e - s)
            else:
                self._deliver(d if isinstance(d, bytes) else None, e - s)

    # ------------------------------------------------------------------ end
    def close(self) -> None:
        """Flush at FIN, RST, timeout or end of capture: every remaining hole becomes a gap."""
        for s, e, d in self.ooo:
            if s > self.next_off:
                self._gap(s - self.next_off)
            if e <= self.next_off:
                continue
            if d is MISSING:
                self._gap(e - max(s, self.next_off))
            else:
                cut = self.next_off - s if s < self.next_off else 0
                self._deliver(d[cut:] if isinstance(d, bytes) else None, e - s - cut)
        self.ooo = []
        self.ooo_bytes = 0
        if not self.started:
            return
        end = self.fin_off
        if end is None and self.last_ack is not None:
            acked = self.next_off + seq_delta(self.last_ack, self.next_seq)
            # an ACK one past our data acknowledges a FIN the capture missed, not a data byte
            if acked > self.next_off + 1:
                end = acked
        if end is not None and end > self.next_off:
            self._gap(end - self.next_off)  # sent (FIN or ACK proves it) but never captured
