"""Raw JetDirect / AppSocket printing (TCP 9100, and any port whose content says so).

There is no protocol envelope: the client -> server bytes *are* the print jobs (PJL, PCL 5,
PCL XL, PostScript, PDF, raster), or commands to the printer. The printer's side (status replies,
its file system, documents it sends back) is ``pjlfs``.

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
- Status and file-system commands outside a job (``pjlfs.CONTROL``: ``INFO``, ``USTATUS``,
  ``FSDIRLIST``...) are no job; right before a job's first command (no UEL between) they are its.
- ``@PJL FSDOWNLOAD``/``FSAPPEND ... SIZE=n``: the ``n`` bytes after the line (to the next UEL
  without ``SIZE``) are a file written to the printer, a job of its own (``file_transfer``).
- A job's own end is the UEL after ``@PJL EOJ`` or after a body outside a ``JOB`` bracket, the
  next job's start, or a file's ``SIZE``; one that only the end of the stream ends is
  ``JobEnded(eof=True)`` (partial unless the connection's FIN/RST came).

Invariants:
- Decisions depend on bytes only, never on how they were split into segments: a header line is
  parsed when its LF is there, a language when ``LOOKAHEAD`` bytes are; unparsed bytes are held
  (bounded by ``MAX_HOLD``), document bodies are scanned with ``re.search``, never per byte.
- ``@PJL`` lines are only read in PJL context (after a UEL or at the start of a job, before the
  body); each gives ``JobField`` events (source ``pjl``) as it passes.
- A gap makes the current job partial (``DocumentGap``); the dissector then resynchronises at the
  next UEL. Nothing here raises: raw print data has no syntax to violate.
- A device reply (``pjlfs.PrinterSide``) is also the ``pjl_device_info`` field of the open job.
"""
from __future__ import annotations

import re
from enum import Enum

from ..content import classify
from ..content.classify import pjl
from ..model import Direction, Service
from . import pjlfs
from .base import Dissector
from .events import DocumentData, DocumentGap, Event, FlowFact, JobEnded, JobField, JobStarted, PrintSeen

UEL = pjl.UEL  # Universal Exit Language, ESC %-12345X
LOOKAHEAD = 32  # bytes needed to name a language (" HP-PCL XL", "UNIRAST", TBCP + "%!")
PAD_LIMIT = 4096  # padding after a UEL beyond which that UEL no longer opens the next job
MAX_HOLD = PAD_LIMIT + pjl.MAX_LINE + 2 * len(UEL)  # bytes held unparsed at most
MAX_PRE = 64 * 1024  # control lines held while no job is open, at most
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
    FILE = "file"  # the bytes of a file written with FSDOWNLOAD / FSAPPEND


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
        self.pre = bytearray()  # bytes before any job: control lines and padding
        self.pre_control = False  # pre holds a control line (not only padding)
        self.file_left: int | None = None  # bytes of the file being written (None: to the next UEL)
        self.fs = pjlfs.Session()
        self.printer = pjlfs.PrinterSide(self.fs)

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
            return self._device_info(self.printer.feed(data))
        out: list[Event] = []
        if not self.seen and data:
            self.seen = True
            out.append(PrintSeen(True))
        self.hold += data
        self._parse(out, final=False)
        return out

    def gap(self, direction: Direction, length: int) -> list[Event]:
        if direction is Direction.S2C:
            return self.printer.gap(length)
        out: list[Event] = []
        self._parse(out, final=True)  # what came before the hole is all there will be of it
        if not self.job_open:
            self._open(out)
        out.append(DocumentGap(length))
        self.partial = True
        if self.state is State.FILE and self.file_left is not None and length < self.file_left:
            self.file_left -= length  # the file goes on after the hole
            return out
        if self.state is State.FILE:
            self._end(out)
        self.state = State.RESYNC
        self.eoj = self.closing = self.uel_closes = False
        return out

    def close(self) -> list[Event]:
        out: list[Event] = self._device_info(self.printer.close())
        self._parse(out, final=True)
        if self.state is State.FILE and self.file_left:
            self.partial = True  # fewer bytes than its SIZE: cut
        if self.job_open:
            self._end(out, eof=not self.end_seen)
        return out

    # ------------------------------------------------------------------ jobs
    def _open(self, out: list[Event], keep_pre: bool = True) -> None:
        out.append(JobStarted("raw9100"))
        self.job_open = True
        self.job_has_content = False
        self.wrapped = False
        self.lang = None
        self.eoj = self.closing = self.uel_closes = self.bracketed = self.end_seen = False
        self.partial = False
        if self.pre and keep_pre:
            out.append(DocumentData(bytes(self.pre)))
        self.pre.clear()
        self.pre_control = False

    def _end(self, out: list[Event], eof: bool = False) -> None:
        if self.job_open:
            out.append(JobEnded(partial=self.partial, eof=eof))
        self.job_open = False
        if self.state is State.FILE:
            self.state = State.HEADER

    def _data(self, out: list[Event], start: int, end: int) -> None:
        if end <= start:
            return
        if not self.job_open:  # no job yet: held until one starts or proves there is none
            self.pre += self.hold[start:end]
            if len(self.pre) > MAX_PRE and self.pre_control:  # bounded: control lines, padding
                self.pre.clear()
            elif len(self.pre) > MAX_PRE:
                self._open(out)  # padding without any command: a job of its own, as ever
            return
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
            elif self.state is State.FILE:
                q = self._file(out, p, final)
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
        if final and not self.job_open and self.pre:
            if self.pre_control:  # control lines and padding only: no job
                self.pre.clear()
                self.pre_control = False
            else:  # bytes without any command: a job of their own, as ever
                self._open(out)

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
            line = bytes(buf[r:end]).rstrip(b"\r\n")
            cmd = pjl.parse_line(line) if line_end >= 0 else None
            split = self.job_open and (self.closing or (cmd is not None and cmd.command == "JOB"
                                                        and self.job_has_content))
            if cmd is not None and cmd.command in pjlfs.CONTROL and (
                    not self.job_open or split or cmd.command in pjlfs.WRITES):
                return self._control(out, p, start_new, end, cmd, line)
        else:
            lang = classify.detect(bytes(buf[r:r + 4 * LOOKAHEAD]))
            split = self.job_open and self.closing and lang is not None
        if split:
            self._data(out, p, start_new)
            self._end(out)
            self._open(out)
            p = start_new
        elif not self.job_open:
            # control lines in an earlier segment (a UEL before this command) belong to no job
            drop = self.pre_control and last >= 0
            self._open(out, keep_pre=not drop)
            p = start_new if drop else p
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

    def _control(self, out: list[Event], p: int, start: int, end: int, cmd: pjl.Command, line: bytes) -> int:
        """A status or file-system line [start, end) outside a job (or ending the one open)."""
        if self.job_open:
            self._data(out, p, start)  # padding up to its UEL stays with the job before
            self._end(out)
        elif self.hold.startswith(UEL, start):
            self.pre.clear()  # earlier control lines and padding, a UEL before: no job's
        else:
            self._data(out, p, start)
        self._data(out, start, end)
        self.pre_control = True
        self.closing = False
        fs = pjlfs.command(cmd, line)
        if fs is None:
            return end
        out += self.fs.saw(fs)
        if fs.command in pjlfs.WRITES:  # the bytes after the line are a file, not a document
            self._open(out, keep_pre=False)
            out.append(JobField("file_transfer", fs.command, pjl.SOURCE))
            if fs.path:
                out.append(JobField("document_name", fs.path, pjl.SOURCE))
            self.file_left = fs.size
            self.state = State.FILE
            if fs.size == 0:
                self._end(out)
        return end

    def _file(self, out: list[Event], p: int, final: bool) -> int | None:
        buf = self.hold
        n = len(buf)
        if self.file_left is None:  # no SIZE: the file runs to the next UEL
            q = self._resync(out, p, final)
            if self.state is State.HEADER:
                self._end(out)
            return q
        take = min(self.file_left, n - p)
        self._data(out, p, p + take)
        self.file_left -= take
        if not self.file_left:
            self._end(out)  # its SIZE is its end
        return p + take

    def _device_info(self, events: list[Event]) -> list[Event]:
        """The printer's events, with each device reply also named on the open job."""
        out: list[Event] = []
        for ev in events:
            out.append(ev)
            if self.job_open and isinstance(ev, FlowFact) and ev.name == "pjl_device_info":
                out.append(JobField("pjl_device_info", str(ev.value), pjl.SOURCE))
        return out

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
