"""Raw JetDirect / AppSocket printing (TCP 9100, and any port whose content says so).

There is no protocol envelope: the client -> server bytes *are* the print jobs (PJL, PCL 5,
PCL XL, PostScript, PDF, raster). Printer -> host bytes are PJL status replies (``@PJL INFO``,
``@PJL USTATUS``, HP PJL Technical Reference ch. 7 and 9) or PostScript messages.

Job boundaries inside one connection (one flow may carry several jobs):
- PJL (HP PJL Technical Reference, ch. 6 "Job separation"): ``@PJL EOJ`` then a UEL ends a job;
  a UEL followed by ``@PJL JOB`` starts a new one when the current job already has a ``JOB`` or a
  body. Inside a ``JOB`` ... ``EOJ`` bracket, a UEL followed by other ``@PJL`` lines (Ghostscript's
  ``pxlmono`` re-enters PCL XL that way) stays in the job; outside one, the UEL that ends a body
  ends the job when a new language or PJL header follows.
- A job that does not start with PJL (bare PostScript or PDF) ends at a Ctrl-D (0x04, the
  PostScript end-of-job on AppSocket channels, Adobe TN 5098), at DSC's ``%%EOF`` (DSC 3.0) or at
  PDF's ``%%EOF`` (ISO 32000-1 7.5.5), but only when what follows starts a print language of its
  own: a PDF incremental update after ``%%EOF``, an EPS embedded in PostScript or a 0x04 inside
  binary image data does not split.
- Padding (NUL, whitespace, Ctrl-D) and stray UELs between jobs belong to the job before; the new
  job starts at the last UEL before its first command (or at its first byte without a UEL).
- A job's own end is the UEL after ``@PJL EOJ`` or after a body outside a ``JOB`` bracket, or
  the next job's start (a Ctrl-D or ``%%EOF`` alone is not: binary data may hold one); one that
  only the end of the stream ends is ``JobEnded(eof=True)`` (partial unless the connection's
  FIN/RST came).

Invariants:
- Decisions depend on bytes only, never on how they were split into segments: a header line is
  parsed when its LF is there, a language when ``LOOKAHEAD`` bytes are; unparsed bytes are held
  (bounded by ``MAX_HOLD``), document bodies are scanned with ``re.search``, never per byte.
- ``@PJL`` lines are only read in PJL context (after a UEL or at the start of a job, before the
  body); each gives ``JobField`` events (source ``pjl``) as it passes.
- A gap makes the current job partial (``DocumentGap``); the dissector then resynchronises at the
  next UEL. Nothing here raises: raw print data has no syntax to violate.
- Printer replies become the ``pjl_device_info`` flow fact (the latest reply; device information
  exposed in clear) and the ``pjl_device_info`` field of the open job.
"""
from __future__ import annotations

import re
from enum import Enum

from ..content import classify
from ..content.classify import pjl
from ..model import Direction, Service
from .base import Dissector
from .events import DocumentData, DocumentGap, Event, FlowFact, JobEnded, JobField, JobStarted, PrintSeen

UEL = pjl.UEL  # Universal Exit Language, ESC %-12345X
LOOKAHEAD = 32  # bytes needed to name a language (" HP-PCL XL", "UNIRAST", TBCP + "%!")
PAD_LIMIT = 4096  # padding after a UEL beyond which that UEL no longer opens the next job
MAX_HOLD = PAD_LIMIT + pjl.MAX_LINE + 2 * len(UEL)  # bytes held unparsed at most
MAX_REPLY = 8192  # a printer reply longer than this without its FF is skipped
# Between jobs / in a PJL header: padding and UELs before the next command or body byte.
_RUN = re.compile(rb"(?:[\x00\x04\r\n\t ]|\x1b%-12345X)*")
_UEL_RX = re.compile(re.escape(UEL))
_BODY_MARKERS = {  # what ends a body, by (job started with PJL, body language)
    "uel": _UEL_RX,
    "ps": re.compile(re.escape(UEL) + rb"|\x04|%%EOF"),
    "pdf": re.compile(re.escape(UEL) + rb"|%%EOF"),
}


class State(Enum):
    HEADER = "header"  # start of a job, after a UEL, or in a PJL header
    BODY = "body"  # in a page description language
    RESYNC = "resync"  # after a gap: skip to the next UEL


class Raw9100Dissector(Dissector):
    name = "raw9100"
    service = Service.RAW9100
    ports = frozenset({9100, 9101, 9102})

    def __init__(self, key) -> None:  # type: ignore[no-untyped-def]
        super().__init__(key)
        self.hold = bytearray()  # client bytes not parsed yet
        self.state = State.HEADER
        self.seen = False
        self.job_open = False
        self.job_has_content = False  # a @PJL JOB or a body was seen in the current job
        self.wrapped = False  # the current job started with PJL
        self.lang: str | None = None  # language of the current body
        self.eoj = False  # @PJL EOJ seen: the next UEL closes the job
        self.bracketed = False  # a @PJL JOB was seen: UELs inside do not end the job
        self.uel_closes = False  # a body outside a JOB bracket ended at a UEL
        self.closing = False  # the job's end was signalled: a new language start opens the next job
        self.partial = False
        self.end_seen = False  # the job's own end (UEL after EOJ or after its body) was passed
        self.reply = bytearray()  # printer -> host bytes up to the next FF
        self.skip_reply = False

    @classmethod
    def probe(cls, c2s: bytes, s2c: bytes, key) -> float:  # type: ignore[no-untyped-def]
        if not c2s:
            return 0.0
        lang = classify.detect(c2s)
        if lang is None:
            return 0.0
        # a lone ESC sequence or "%!" is weak evidence on an unrelated port
        base = 0.85 if lang in ("PJL", "PCLXL", "PDF", "PostScript", "PWG-Raster", "URF") else 0.6
        return min(1.0, base + cls.port_hint(key))

    # ------------------------------------------------------------------ contract
    def feed(self, direction: Direction, data: bytes) -> list[Event]:
        if direction is Direction.S2C:
            return self._reply(data)
        out: list[Event] = []
        if not self.seen and data:
            self.seen = True
            out.append(PrintSeen(True))
        self.hold += data
        self._parse(out, final=False)
        return out

    def gap(self, direction: Direction, length: int) -> list[Event]:
        if direction is Direction.S2C:
            self.reply.clear()
            self.skip_reply = True
            return []
        out: list[Event] = []
        self._parse(out, final=True)  # what came before the hole is all there will be of it
        if not self.job_open:
            self._open(out)
        out.append(DocumentGap(length))
        self.partial = True
        self.state = State.RESYNC
        self.eoj = self.closing = self.uel_closes = False
        return out

    def close(self) -> list[Event]:
        out: list[Event] = []
        self._parse(out, final=True)
        if self.job_open:
            self.job_open = False
            out.append(JobEnded(partial=self.partial, eof=not self.end_seen))
        return out

    # ------------------------------------------------------------------ jobs
    def _open(self, out: list[Event]) -> None:
        out.append(JobStarted("raw9100"))
        self.job_open = True
        self.job_has_content = False
        self.wrapped = False
        self.lang = None
        self.eoj = self.closing = self.uel_closes = self.bracketed = self.end_seen = False
        self.partial = False

    def _split(self, out: list[Event]) -> None:
        if self.job_open:
            out.append(JobEnded(partial=self.partial))
        self._open(out)

    def _data(self, out: list[Event], start: int, end: int) -> None:
        if end <= start:
            return
        if not self.job_open:
            self._open(out)
        out.append(DocumentData(bytes(self.hold[start:end])))

    # ------------------------------------------------------------------ client bytes
    def _parse(self, out: list[Event], final: bool) -> None:
        buf = self.hold
        p = 0
        while p < len(buf):
            if self.state is State.HEADER:
                q = self._header(out, p, final)
            elif self.state is State.BODY:
                q = self._body(out, p, final)
            else:
                q = self._resync(out, p, final)
            if q is None:
                break
            p = q
        del buf[:p]
        if final and buf:  # only an unfinished decision can be left: its bytes go to the job
            self._data(out, 0, len(buf))
            buf.clear()
        if len(buf) > MAX_HOLD:  # cannot happen by construction; never grow without bound
            self._data(out, 0, len(buf))
            buf.clear()

    def _run_closes(self, start: int, end: int) -> None:
        """Padding and UELs [start, end) were passed: after @PJL EOJ, or after the body of a job
        not bracketed by @PJL JOB, a UEL closes the job (its own end is seen)."""
        if (self.eoj or self.uel_closes) and self.hold.find(UEL, start, end) >= 0:
            self.eoj = self.uel_closes = False
            self.closing = self.end_seen = True

    def _header(self, out: list[Event], p: int, final: bool) -> int | None:
        buf = self.hold
        n = len(buf)
        m = _RUN.match(buf, p)
        assert m is not None  # the pattern matches the empty string
        r = m.end()
        last = buf.rfind(UEL, p, r)
        if last >= 0 and r - (last + len(UEL)) >= PAD_LIMIT:
            last = -1  # long padding after the UEL: it no longer opens anything
        if last >= 0 and (self.eoj or self.uel_closes) and buf.find(UEL, p, r) == last:
            last = -1  # the UEL that closes the job before stays with it
        if r == n and not final:
            keep = last if last >= 0 else n  # a new job would start at this UEL
            self._run_closes(p, keep)
            self._data(out, p, keep)
            return keep if keep > p else None
        if r == n:  # end of input: padding closes the job, nothing starts
            self._run_closes(p, n)
            self._data(out, p, n)
            return n
        # content at r: decide whether it starts a new job, then take it
        is_pjl = buf[r:r + 4].upper() == b"@PJL"
        line_end = -1
        if is_pjl:
            line_end = buf.find(b"\n", r, r + pjl.MAX_LINE)
            if line_end < 0 and n - r < pjl.MAX_LINE and not final:
                return self._wait(out, p, last)
            if line_end < 0 and n - r >= pjl.MAX_LINE:
                is_pjl = False  # no LF in a line's worth of bytes: not a PJL line
        if not is_pjl and n - r < LOOKAHEAD and not final:
            return self._wait(out, p, last)
        start_new = last if last >= 0 else r
        self._run_closes(p, r)
        cmd = None
        lang = None
        if is_pjl:
            end = line_end + 1 if line_end >= 0 else n
            # a line cut by the end of the input is passed on, not read: its value may be cut too
            cmd = pjl.parse_line(bytes(buf[r:end]).rstrip(b"\r\n")) if line_end >= 0 else None
            split = self.job_open and (self.closing or (cmd is not None and cmd.command == "JOB"
                                                        and self.job_has_content))
        else:
            lang = classify.detect(bytes(buf[r:r + 4 * LOOKAHEAD]))
            split = self.job_open and self.closing and lang is not None
        if split:
            self._data(out, p, start_new)
            self._split(out)
            p = start_new
        elif not self.job_open:
            self._open(out)
        if not self.job_has_content and not self.wrapped:
            self.wrapped = is_pjl or last >= 0  # the job's first content: is it PJL-wrapped?
        self.closing = False
        if is_pjl:
            end = line_end + 1 if line_end >= 0 else n
            self._data(out, p, end)
            if cmd is not None:
                self._command(out, cmd)
            return end
        # the body starts: the language the header ENTERed, or the one the bytes show
        self._data(out, p, r)
        self.lang = lang or self.lang
        self.job_has_content = True
        self.state = State.BODY
        return r

    def _wait(self, out: list[Event], p: int, last: int) -> int | None:
        """Need more bytes at a decision: pass what cannot belong to a new job (up to its UEL)."""
        if last > p:
            self._run_closes(p, last)
            self._data(out, p, last)
            return last
        return None

    def _command(self, out: list[Event], cmd: pjl.Command) -> None:
        for f in pjl.fields(cmd):
            out.append(JobField(f.name, f.value, pjl.SOURCE))
        if cmd.command == "JOB":
            self.job_has_content = True
            self.bracketed = True
        elif cmd.command == "EOJ":
            self.eoj = True
        lang = pjl.entered(cmd)
        if lang is not None:
            self.lang = lang
            self.job_has_content = True
            self.state = State.BODY

    def _body(self, out: list[Event], p: int, final: bool) -> int | None:
        buf = self.hold
        n = len(buf)
        if self.wrapped:
            rx = _BODY_MARKERS["uel"]
        elif self.lang == "PostScript":
            rx = _BODY_MARKERS["ps"]
        elif self.lang == "PDF":
            rx = _BODY_MARKERS["pdf"]
        else:
            rx = _BODY_MARKERS["uel"]
        m = rx.search(buf, p)
        if m is None:
            keep = n if final else max(p, n - (len(UEL) - 1))
            self._data(out, p, keep)
            return keep if keep > p else None
        if m.group(0) == UEL:
            self._data(out, p, m.start())
            # UEL ends the language; outside a @PJL JOB ... EOJ bracket it also ends the job
            self.uel_closes = not self.bracketed
            self.state = State.HEADER
            return m.start()
        self._data(out, p, m.end())  # Ctrl-D or %%EOF ends the document it closes
        self.closing = True
        self.state = State.HEADER
        return m.end()

    def _resync(self, out: list[Event], p: int, final: bool) -> int | None:
        buf = self.hold
        n = len(buf)
        i = buf.find(UEL, p)
        if i < 0:
            keep = n if final else max(p, n - (len(UEL) - 1))
            self._data(out, p, keep)
            return keep if keep > p else None
        self._data(out, p, i)
        self.state = State.HEADER
        return i

    # ------------------------------------------------------------------ printer bytes
    def _reply(self, data: bytes) -> list[Event]:
        out: list[Event] = []
        self.reply += data
        while True:
            i = self.reply.find(pjl.FF)
            if i < 0:
                if len(self.reply) > MAX_REPLY:
                    self.reply.clear()
                    self.skip_reply = True
                return out
            block = bytes(self.reply[:i])
            del self.reply[:i + 1]
            if self.skip_reply or len(block) > MAX_REPLY:
                self.skip_reply = False
                continue
            at = block.find(b"@PJL")
            parsed = pjl.parse_reply(block[at:]) if at >= 0 else None
            if parsed is None:
                continue
            detail = f"{parsed[0]}: {parsed[1]}"
            out.append(FlowFact("pjl_device_info", detail))
            if self.job_open:
                out.append(JobField("pjl_device_info", detail, "pjl"))
