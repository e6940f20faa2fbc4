"""The printer's side of a JetDirect connection: PJL file-system commands and everything the
printer sends back (HP PJL Technical Reference Manual: "PJL Command Syntax and Format" for the
line and option syntax, "Status Readback Commands" for replies, "File System Commands" for
FSINIT, FSDIRLIST, FSQUERY, FSUPLOAD, FSDOWNLOAD, FSAPPEND, FSDELETE, FSMKDIR).

Client -> printer (parsed by ``raw9100`` as PJL lines, interpreted here by ``command``)::

    @PJL FSINIT VOLUME = "0:"
    @PJL FSDIRLIST NAME = "0:\\pjl" ENTRY = 1 COUNT = 99
    @PJL FSQUERY NAME = "0:\\pjl\\a.pcl"
    @PJL FSUPLOAD NAME = "0:\\pjl\\a.pcl" OFFSET = 0 SIZE = 5797      (read a file back)
    @PJL FSDOWNLOAD FORMAT:BINARY SIZE = 171 NAME = "0:\\x.sh" LF <171 bytes>   (write one)
    @PJL FSAPPEND FORMAT:BINARY SIZE = n NAME = "..." LF <n bytes>            (append to one)
    @PJL FSDELETE NAME = "..."        @PJL FSMKDIR NAME = "..."

Printer -> client (``PrinterSide``): a reply is the echoed command line, value lines and a form
feed (0x0C). Some devices end a reply with a UEL instead, so a reply ends at FF or at the next
ESC. Replies that carry data:

- ``@PJL FSDIRLIST NAME = "dir" ENTRY = 1`` then ``name TYPE = DIR`` / ``name TYPE = FILE SIZE = n``
  lines (or ``FILEERROR = n``): the names listed are recorded (``pjl_fs_listed``);
- ``@PJL FSQUERY NAME = "..." TYPE = FILE SIZE = n`` (or ``TYPE = DIR``, ``FILEERROR = n``);
- ``@PJL FSUPLOAD FORMAT:BINARY NAME = "..." OFFSET = o SIZE = n`` LF, then exactly ``n`` raw bytes
  (which may hold FF and ESC) and a FF: a document of its own, a job with direction s2c;
- ``@PJL INFO``/``USTATUS``/``ECHO``/``INQUIRE`` replies: device information (``pjl_device_info``).

Bytes the printer sends outside a reply that start with a page description language by a strong
signature (``%!``, ``%PDF-``, a PCL XL stream header) are a document sent back too: an s2c job
that runs to the next UEL or to the end of the connection.

Invariants:
- Paths and listed names are metadata values: kept in clear only in the flow facts, which
  ``evidence.redact`` masks unless ``--reveal``; findings name them by keyed hash only.
- Everything is bounded: reply text (``MAX_REPLY``), paths and names kept (``MAX_PATHS``,
  ``MAX_LISTED``); an FSUPLOAD body is streamed, never held.
- Nothing here raises: a malformed reply is skipped to its terminator.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import Enum

from ..content.classify import pjl
from ..content.classify.fields import text
from ..model import Direction
from .events import DocumentData, DocumentGap, Event, FlowFact, JobEnded, JobField, JobStarted

FS_COMMANDS = frozenset({"FSINIT", "FSDIRLIST", "FSQUERY", "FSUPLOAD", "FSDOWNLOAD", "FSAPPEND", "FSDELETE",
                         "FSMKDIR"})
WRITES = frozenset({"FSDOWNLOAD", "FSAPPEND"})  # raw file bytes follow the command line
# Commands that ask or tell the printer something without being a print job of their own.
CONTROL = FS_COMMANDS | {"INFO", "INQUIRE", "DINQUIRE", "USTATUS", "USTATUSOFF", "ECHO"}
UEL = pjl.UEL
FF = 0x0C
ESC = 0x1B
SOURCE = pjl.SOURCE
MAX_REPLY = 8192  # reply text longer than this without its terminator is skipped
MAX_PATHS = 64
MAX_LISTED = 256
MAX_SIZE = 1 << 40  # a SIZE beyond this is not a file size
PADDING = b"\x00\x04\r\n\t \x0c"  # between replies
_SIGNATURES = (b"%!", b"%PDF-", b") HP-PCL XL", b"( HP-PCL XL")  # a document sent back, not a reply
_FORMAT = re.compile(rb"FORMAT[ \t]*:[ \t]*([A-Za-z]+)", re.I)
_ENTRY = re.compile(r'^("[^"]*"|\S+)\s+TYPE\s*=\s*(FILE|DIR)\b', re.I)


@dataclass(slots=True, frozen=True)
class FsCommand:
    """One file-system command line: its verb, the path (``NAME``, or ``VOLUME`` for FSINIT),
    ``SIZE`` and ``OFFSET`` when given, and whether ``FORMAT:BINARY`` was stated."""

    command: str
    path: str | None
    size: int | None
    offset: int | None
    binary: bool


def _int(value: str | None) -> int | None:
    if value is None:
        return None
    v = value.strip()
    if v.isascii() and v.isdigit() and int(v) <= MAX_SIZE:
        return int(v)
    return None


def command(cmd: pjl.Command, line: bytes = b"") -> FsCommand | None:
    """The file-system meaning of a parsed ``@PJL`` line (``line`` as sent, for ``FORMAT:``), or
    None when it is not a file-system command."""
    if cmd.command not in FS_COMMANDS:
        return None
    opts = dict(cmd.options)
    path = opts.get("NAME") or (opts.get("VOLUME") if cmd.command == "FSINIT" else None)
    m = _FORMAT.search(line)
    return FsCommand(cmd.command, path or None, _int(opts.get("SIZE")), _int(opts.get("OFFSET")),
                     m is not None and m.group(1).upper() == b"BINARY")


def parse(line: bytes) -> FsCommand | None:
    """``command`` of one raw ``@PJL`` line (without its LF)."""
    cmd = pjl.parse_line(line)
    return command(cmd, line) if cmd is not None else None


def dirlist(block: bytes) -> tuple[str | None, list[str]]:
    """(the directory, the names it lists) of an FSDIRLIST reply (without its terminator);
    ``.`` and ``..`` are not names."""
    lines = [ln.strip(b" \t\r\x00") for ln in block.split(b"\n")]
    lines = [ln for ln in lines if ln]
    if not lines:
        return None, []
    head = parse(lines[0])
    names: list[str] = []
    for ln in lines[1:]:
        m = _ENTRY.match(text(ln))
        if m is None:
            continue
        name = m.group(1).strip('"')
        if name not in (".", ".."):
            names.append(name)
    return (head.path if head is not None else None), names


def join(directory: str | None, name: str) -> str:
    if not directory:
        return name
    return directory + name if directory.endswith(("\\", "/", ":")) else directory + "\\" + name


@dataclass(slots=True)
class Session:
    """What one connection did to the printer's file system, in order of first appearance."""

    commands: list[str] = field(default_factory=list)
    paths: list[str] = field(default_factory=list)
    listed: list[str] = field(default_factory=list)

    def saw(self, fs: FsCommand) -> list[Event]:
        out: list[Event] = []
        if fs.command not in self.commands:
            self.commands.append(fs.command)
            out.append(FlowFact("pjl_fs_commands", list(self.commands)))
        if fs.path and fs.path not in self.paths and len(self.paths) < MAX_PATHS:
            self.paths.append(fs.path)
            out.append(FlowFact("pjl_fs_paths", list(self.paths)))
        return out

    def listing(self, directory: str | None, names: list[str]) -> list[Event]:
        added = False
        for name in names:
            path = join(directory, name)
            if path not in self.listed and len(self.listed) < MAX_LISTED:
                self.listed.append(path)
                added = True
        return [FlowFact("pjl_fs_listed", list(self.listed))] if added else []


class _State(Enum):
    TEXT = "text"  # between replies or in one
    DATA = "data"  # the SIZE bytes of an FSUPLOAD reply
    DOC = "doc"  # a document sent back outside a reply: to the next UEL
    SKIP = "skip"  # after a hole or an over-long reply: to the next FF or ESC


class PrinterSide:
    """The printer -> client byte stream of a JetDirect connection, as events (sans-IO)."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.buf = bytearray()
        self.state = _State.TEXT
        self.left = 0  # bytes of the FSUPLOAD body still to come
        self.key: str | None = None  # the s2c job open
        self.partial = False
        self.after_data = False  # an FSUPLOAD body just ended: its FF follows
        self.count = 0

    # ------------------------------------------------------------------ contract
    def feed(self, data: bytes) -> list[Event]:
        out: list[Event] = []
        self.buf += data
        self._parse(out, final=False)
        return out

    def gap(self, length: int) -> list[Event]:
        out: list[Event] = []
        if self.state is _State.DATA and self.key is not None:
            lost = min(length, self.left)
            out.append(DocumentGap(lost, self.key))
            self.partial = True
            self.left -= lost
            if length <= lost:  # the body goes on after the hole
                return out
            self._end(out)
        elif self.state is _State.DOC and self.key is not None:
            self._parse(out, final=True)
            out.append(DocumentGap(length, self.key))
            self.partial = True
            return out
        self.buf.clear()
        self.state = _State.SKIP
        return out

    def close(self) -> list[Event]:
        out: list[Event] = []
        self._parse(out, final=True)
        if self.state is _State.DATA:
            self.partial = True  # SIZE bytes announced, fewer came: cut
            self._end(out)
        elif self.state is _State.DOC:
            self._end(out, eof=True)  # only the end of the connection ends it
        elif self.state is _State.TEXT and self.buf:
            self._reply(out, bytes(self.buf))  # a last reply cut by the end of the connection
        self.buf.clear()
        return out

    # ------------------------------------------------------------------ parsing
    def _parse(self, out: list[Event], final: bool) -> None:
        while self.buf:
            if self.state is _State.DATA:
                take = min(self.left, len(self.buf))
                out.append(DocumentData(bytes(self.buf[:take]), self.key))
                del self.buf[:take]
                self.left -= take
                if self.left:
                    return
                self._end(out)
                self.after_data = True
            elif self.state is _State.DOC:
                if not self._doc(out, final):
                    return
            elif self.state is _State.SKIP:
                i = _terminator(self.buf)
                if i < 0:
                    self.buf.clear()
                    return
                del self.buf[:i + (self.buf[i] == FF)]
                self.state = _State.TEXT
            elif not self._text(out, final):
                return

    def _text(self, out: list[Event], final: bool) -> bool:
        """One step between or in replies; False when more bytes are needed."""
        buf = self.buf
        if self.after_data:  # the FF that closes an FSUPLOAD reply
            self.after_data = False
            if buf[0] == FF:
                del buf[:1]
                return True
        if buf[0] in PADDING:
            i = 0
            while i < len(buf) and buf[i] in PADDING:
                i += 1
            del buf[:i]
            return True
        if buf[0] == ESC:
            if buf.startswith(UEL):
                del buf[:len(UEL)]
                return True
            if len(buf) < len(UEL) and UEL.startswith(bytes(buf)) and not final:
                return False
            del buf[:1]  # a stray ESC ends nothing more
            return True
        if buf[:4].upper() == b"@PJL":
            return self._pjl(out, final)
        if any(buf.startswith(s) for s in _SIGNATURES):
            self._start(out, None)
            self.state = _State.DOC
            return True
        if not final and any(s.startswith(bytes(buf)) for s in _SIGNATURES):
            return False  # the start of a signature: wait for the rest
        # not a reply: skip to the next reply, terminator or signature
        i = _terminator(buf)
        j = buf.find(b"@PJL", 1)
        ends = [x for x in (i, j) if x >= 0]
        if not ends:
            if len(buf) > MAX_REPLY or final:
                buf.clear()
            return False
        del buf[:min(ends)]
        return True

    def _pjl(self, out: list[Event], final: bool) -> bool:
        buf = self.buf
        nl = buf.find(b"\n", 0, pjl.MAX_LINE)
        if nl < 0 and len(buf) < pjl.MAX_LINE and not final:
            return False
        first = bytes(buf[:nl if nl >= 0 else len(buf)]).rstrip(b"\r")
        fs = parse(first)
        if fs is not None and fs.command == "FSUPLOAD" and fs.size is not None and nl >= 0:
            del buf[:nl + 1]
            self._start(out, fs)
            self.left = fs.size
            self.state = _State.DATA
            if not fs.size:
                self._end(out)
                self.after_data = True
            return True
        i = _terminator(buf)
        if i < 0:
            if len(buf) > MAX_REPLY:
                buf.clear()
                self.state = _State.SKIP
                return True
            return False
        block = bytes(buf[:i])
        del buf[:i + (buf[i] == FF)]  # an ESC stays: it starts the UEL after the reply
        self._reply(out, block)
        return True

    def _reply(self, out: list[Event], block: bytes) -> None:
        first = block.split(b"\n", 1)[0].rstrip(b"\r")
        fs = parse(first)
        if fs is not None:
            if fs.command == "FSDIRLIST":
                directory, names = dirlist(block)
                out += self.session.listing(directory, names)
            return
        parsed = pjl.parse_reply(block)
        if parsed is not None:
            out.append(FlowFact("pjl_device_info", f"{parsed[0]}: {parsed[1]}"))

    def _doc(self, out: list[Event], final: bool) -> bool:
        buf = self.buf
        i = buf.find(UEL)
        if i < 0:
            keep = len(buf) if final else max(0, len(buf) - (len(UEL) - 1))
            if keep:
                out.append(DocumentData(bytes(buf[:keep]), self.key))
                del buf[:keep]
            return False
        if i:
            out.append(DocumentData(bytes(buf[:i]), self.key))
        del buf[:i + len(UEL)]
        self._end(out)
        return True

    # ------------------------------------------------------------------ jobs
    def _start(self, out: list[Event], fs: FsCommand | None) -> None:
        self.count += 1
        self.key = f"s2c-{self.count}"
        self.partial = False
        out.append(JobStarted("raw9100", key=self.key, direction=Direction.S2C))
        if fs is not None:
            out.append(JobField("file_transfer", fs.command, SOURCE, key=self.key))
            if fs.path:
                out.append(JobField("document_name", fs.path, SOURCE, key=self.key))

    def _end(self, out: list[Event], eof: bool = False) -> None:
        if self.key is not None:
            out.append(JobEnded(partial=self.partial, key=self.key, eof=eof))
        self.key = None
        self.state = _State.TEXT
        self.left = 0


def _terminator(buf: bytearray) -> int:
    """Offset of the FF or ESC that ends a reply text, or -1."""
    i, j = buf.find(b"\x0c"), buf.find(b"\x1b")
    ends = [x for x in (i, j) if x >= 0]
    return min(ends) if ends else -1
