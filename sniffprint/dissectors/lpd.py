"""LPD, the Line Printer Daemon protocol (RFC 1179), client side and server acknowledgements.

Daemon commands (RFC 1179 section 5), one per connection, each an octet and an LF-ended line:

    01 queue LF                     print any waiting jobs
    02 queue LF                     receive a printer job (subcommands follow)
    03 queue SP list LF             send queue state (short)
    04 queue SP list LF             send queue state (long)
    05 queue SP agent SP list LF    remove jobs

Receive-job subcommands (section 6): ``01 LF`` abort job; ``02 count SP name LF`` control file;
``03 count SP name LF`` data file. After a control or data file line the server acknowledges with
one zero octet; then exactly ``count`` bytes follow and a zero octet, acknowledged again (a
non-zero acknowledgement is a refusal). A count of 0 is the LPRng extension "unspecified length":
the data file runs to the end of the connection.

Control file lines (section 7) are a command letter and an operand: H host, P user, J job name,
C class, L banner user, N source file name, T title, U unlink, I indent, M mail to, W width, 1-4
fonts, S symbolic link data, and the print-type letters naming a data file: c cifplot, d DVI,
f formatted text, g plot, l text leaving control characters, n ditroff, o PostScript (LPRng),
p text with pr, r FORTRAN carriage control, t troff, v raster.

Events: each data file is one job, ``JobStarted("lpd")``, ``DocumentData``, ``JobEnded``; the
control file's fields go to the jobs of the same receive-job command as ``JobField`` (user from P,
host from H, job_name from J, document_name from N, title from T, lpd_print_type from the
print-type line naming that data file). RFC 1179 lets the control file come before or after the
data files: before, its fields are emitted at the start of each data file's job; after (BSD lpr's
order), the last data file's job is kept open until the control file arrives, its fields are
emitted to it, then it ends. Earlier data files of the same command get no fields until the flow
layer can address an earlier job (see the report).

Invariants: lines are bounded (``MAX_LINE``), the control file is kept up to ``MAX_CONTROL``
bytes, data files are passed on as they arrive (never buffered). A malformed command or
subcommand raises ``ProtocolViolation``.
"""
from __future__ import annotations

import re
from enum import Enum

from ..errors import ProtocolViolation
from ..model import Direction, Service
from .base import Dissector
from .events import (
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
)

_CMD = re.compile(rb"[\x01-\x05][\x21-\x7e]{1,255}(?:[ \t][\x20-\x7e]*)?\n")
_SUB = re.compile(rb"[\x02\x03][0-9]{1,12} [\x21-\x7e]{1,255}\n")
_COUNT = re.compile(rb"([0-9]{1,15})[ \t]+([^\r\n]*)\r?")
MAX_LINE = 1024  # a daemon command or subcommand line
MAX_CONTROL = 64 * 1024  # control file bytes kept (real ones are a few hundred)
SOURCE = "lpd"

DAEMON_COMMANDS = {1: "print waiting jobs", 2: "receive job", 3: "send queue state (short)",
                   4: "send queue state (long)", 5: "remove jobs"}
PRINT_TYPES = {"c": "cifplot", "d": "DVI", "f": "formatted text", "g": "plot", "l": "text with control characters",
               "n": "ditroff", "o": "PostScript", "p": "text with pr", "r": "FORTRAN carriage control",
               "t": "troff", "v": "raster image"}
# Print types that state the data file's format (RFC 1179 section 7): the job's document_format.
# "l" (CUPS' choice for everything) passes bytes through and states nothing.
FORMATS = {"o": "application/postscript", "f": "text/plain", "p": "text/plain", "d": "application/x-dvi",
           "t": "application/x-troff"}
CONTROL_FIELDS = {"H": "host", "P": "user", "J": "job_name", "T": "title", "C": "lpd_class",
                  "L": "banner_user", "M": "mail_to"}


class State(Enum):
    COMMAND = "command"  # the daemon command line
    SUBCOMMAND = "subcommand"  # inside receive job: the next subcommand line
    CONTROL = "control"  # control file bytes
    DATA = "data"  # data file bytes
    NUL = "nul"  # the zero octet after a file
    DONE = "done"  # nothing more to read from the client (queue state, remove, lost sync)


class LpdDissector(Dissector):
    name = "lpd"
    service = Service.LPD
    ports = frozenset({515})

    def __init__(self, key) -> None:  # type: ignore[no-untyped-def]
        super().__init__(key)
        self.state = State.COMMAND
        self.line = bytearray()
        self.offset = 0  # client stream offset, for violations
        self.remaining: int | None = 0  # bytes left of the current file (None: to end of connection)
        self.control = bytearray()
        self.control_size = 0
        self.fields: list[tuple[str, str]] | None = None  # the control file's job-wide fields
        self.per_file: dict[str, list[tuple[str, str]]] = {}  # data file name -> its own fields
        self.file_name = ""  # name of the file being received
        self.file_kind = ""  # "control" or "data"
        self.data_name = ""  # name of the data file whose job is open
        self.job_open = False
        self.awaiting_control = False  # a data file's job is kept open for a control file to come
        self.partial = False
        # data files received before their control file (BSD lpr order): (name, partial), their
        # jobs kept open by key until the control file names their user, host and title
        self.parked: list[tuple[str, bool]] = []
        self.receiving = False

    @classmethod
    def probe(cls, c2s: bytes, s2c: bytes, key) -> float:  # type: ignore[no-untyped-def]
        m = _CMD.match(c2s)
        if not m:
            return 0.0
        score = 0.55
        if c2s[0] == 2 and _SUB.match(c2s, m.end()):
            score = 0.9  # a receive-job command followed by a well-formed subcommand
        if s2c[:1] == b"\x00":
            score += 0.1
        return min(1.0, score + 2 * cls.port_hint(key))

    # ------------------------------------------------------------------ contract
    def feed(self, direction: Direction, data: bytes) -> list[Event]:
        if direction is Direction.S2C:
            return self._server(data)
        out: list[Event] = []
        p, n = 0, len(data)
        while p < n:
            st = self.state
            if st is State.DONE:
                break
            if st in (State.COMMAND, State.SUBCOMMAND):
                i = data.find(b"\n", p)
                if i < 0:
                    self.line += data[p:]
                    if len(self.line) > MAX_LINE:
                        raise ProtocolViolation(f"LPD command line over {MAX_LINE} bytes", self.offset)
                    break
                self.line += data[p:i]
                line = bytes(self.line)
                self.line.clear()
                self.offset += len(line) + 1
                p = i + 1
                if st is State.COMMAND:
                    self._command(line, out)
                else:
                    self._subcommand(line, out)
            elif st in (State.CONTROL, State.DATA):
                take = n - p if self.remaining is None else min(self.remaining, n - p)
                chunk = data[p:p + take]
                p += take
                self.offset += take
                if self.remaining is not None:
                    self.remaining -= take
                if st is State.CONTROL:
                    room = MAX_CONTROL - len(self.control)
                    if room > 0:
                        self.control += chunk[:room]
                else:
                    out.append(DocumentData(chunk))
                if self.remaining == 0:
                    self.state = State.NUL
            else:  # State.NUL
                if data[p] != 0:
                    # RFC 1179 section 6.2/6.3: "an octet of zero bits is sent as an indication
                    # that the file being sent is complete"; tolerate its absence, say so
                    out.append(Note("lpd_missing_nul", f"no zero octet after the {self.file_kind} file"))
                else:
                    p += 1
                    self.offset += 1
                self._file_done(out)
        return out

    def gap(self, direction: Direction, length: int) -> list[Event]:
        if direction is Direction.S2C:
            return []
        out: list[Event] = []
        self.offset += length
        if self.state is State.DATA:
            if self.remaining is None or length <= self.remaining:
                out.append(DocumentGap(length))
                self.partial = True
                if self.remaining is not None:
                    self.remaining -= length
                    if self.remaining == 0:
                        self.state = State.NUL
                return out
            out.append(DocumentGap(self.remaining))
            self.partial = True
        elif self.state is State.CONTROL and self.remaining is not None and length <= self.remaining:
            self.remaining -= length
            self.control_size = -1  # the control file has a hole: its lines cannot be trusted
            if self.remaining == 0:
                self.state = State.NUL
            return out
        # a hole across protocol framing: the rest of the connection cannot be framed
        if self.job_open:
            self.partial = True
            out += self._end_job()
        out += self._end_parked(partial=True)
        self.state = State.DONE
        out.append(ContentDone())
        return out

    def close(self) -> list[Event]:
        out: list[Event] = []
        if self.state is State.DATA and self.remaining:
            self.partial = True  # the connection ended inside a data file
        if self.state is State.CONTROL and self.remaining is None:
            self._control_done(out)  # an unspecified-length control file ends with the connection
        if self.job_open:  # a count-0 data file ("to the end of the connection") ends only here
            out += self._end_job(eof=self.state is State.DATA and self.remaining is None)
        out += self._end_parked(partial=False)  # whole documents; no control file named them
        return out

    # ------------------------------------------------------------------ client
    def _command(self, line: bytes, out: list[Event]) -> None:
        if not line or line[0] not in DAEMON_COMMANDS:
            raise ProtocolViolation(f"unknown LPD daemon command {line[:1].hex() or 'empty'}", self.offset)
        words = line[1:].split()
        if not words:
            raise ProtocolViolation("LPD daemon command without a queue name", self.offset)
        queue = words[0].decode("latin-1")
        out.append(PrintSeen(True))
        out.append(FlowFact("lpd_queue", queue))
        if line[0] == 2:
            self.receiving = True
            self.state = State.SUBCOMMAND
        else:
            # the rest of the connection is the server's answer (queue state) or nothing
            self.state = State.DONE
            out.append(ContentDone())

    def _subcommand(self, line: bytes, out: list[Event]) -> None:
        if not line:
            raise ProtocolViolation("empty LPD subcommand", self.offset)
        code = line[0]
        if code == 1:  # abort job: the server removes what it received of this job
            out.append(Note("lpd_abort", "client aborted the job being received"))
            if self.job_open:
                self.partial = True
                out += self._end_job()
            out += self._end_parked(partial=True)
            self.fields = None
            self.per_file.clear()
            return
        if code not in (2, 3):
            raise ProtocolViolation(f"unknown LPD receive-job subcommand {code:#04x}", self.offset)
        m = _COUNT.fullmatch(line[1:])
        if m is None:
            raise ProtocolViolation("LPD subcommand without '<count> SP <name>'", self.offset)
        count = int(m.group(1))
        self.file_name = m.group(2).decode("latin-1").strip()
        self.remaining = count if count else None  # 0: LPRng "until the end of the connection"
        self.file_kind = "control" if code == 2 else "data"
        if code == 2:
            self.control.clear()
            self.control_size = count
            self.state = State.CONTROL
            return
        # a data file: one job each
        if self.job_open:
            out += self._end_job()
        self.partial = False
        self.data_name = self.file_name
        out.append(JobStarted("lpd", key=self.file_name))
        self.job_open = True
        if self.fields is not None:
            self._emit_fields(self.file_name, out)
        else:
            self.awaiting_control = True
        self.state = State.DATA

    def _file_done(self, out: list[Event]) -> None:
        if self.file_kind == "control":
            self._control_done(out)
        elif self.job_open and not self.awaiting_control:
            out += self._end_job()
        elif self.job_open:  # complete, but its control file has not come yet: park it, open
            self.parked.append((self.data_name, self.partial))
            self.job_open = False
            self.awaiting_control = False
        self.state = State.SUBCOMMAND

    def _control_done(self, out: list[Event]) -> None:
        fields, per_file = parse_control(bytes(self.control)) if self.control_size >= 0 else ([], {})
        self.fields = fields
        self.per_file = per_file
        self.control.clear()
        self.control_size = 0
        for name, partial in self.parked:  # data came first (BSD lpr order): name them now
            self._emit_fields(name, out, key=name)
            out.append(JobEnded(partial=partial, key=name))
        self.parked = []
        if self.job_open and self.awaiting_control:  # a control file sent in the middle of data
            self._emit_fields(self.data_name, out, key=self.data_name)
            self.awaiting_control = False

    def _emit_fields(self, file_name: str, out: list[Event], key: str | None = None) -> None:
        for name, value in self.per_file.get(file_name, []) + (self.fields or []):
            out.append(JobField(name, value, SOURCE, key=key))

    def _end_job(self, eof: bool = False) -> list[Event]:
        self.job_open = False
        self.awaiting_control = False
        return [JobEnded(partial=self.partial, key=self.data_name, eof=eof)]

    def _end_parked(self, partial: bool) -> list[Event]:
        out: list[Event] = [JobEnded(partial=partial or p, key=name) for name, p in self.parked]
        self.parked = []
        return out

    # ------------------------------------------------------------------ server
    def _server(self, data: bytes) -> list[Event]:
        if not self.receiving:
            return []  # queue state text or nothing: not parsed
        bad = data.strip(b"\x00")
        if bad:
            return [Note("lpd_refused", f"server answered {bad[:1].hex()} (not the zero acknowledgement)")]
        return []


def parse_control(raw: bytes) -> tuple[list[tuple[str, str]], dict[str, list[tuple[str, str]]]]:
    """(job-wide fields, fields per data file name) of a control file (RFC 1179 section 7)."""
    common: list[tuple[str, str]] = []
    per_file: dict[str, list[tuple[str, str]]] = {}
    current: str | None = None  # the data file the last print-type line named
    seen: set[str] = set()
    for line in raw.split(b"\n"):
        line = line.rstrip(b"\r\x00")
        if not line:
            continue
        letter = chr(line[0])
        operand = line[1:].decode("utf-8", "replace").strip()[:512]
        if letter in PRINT_TYPES:
            current = operand
            per_file.setdefault(operand, []).append(("lpd_print_type", f"{letter} ({PRINT_TYPES[letter]})"))
            if letter in FORMATS:
                per_file[operand].append(("document_format", FORMATS[letter]))
        elif letter == "N":
            # "N - Name of source file": BSD lpr and CUPS write it after the print line it names
            if operand:
                target = per_file.setdefault(current, []) if current is not None else common
                target.append(("document_name", operand))
        elif letter in CONTROL_FIELDS and operand and letter not in seen:
            seen.add(letter)
            common.append((CONTROL_FIELDS[letter], operand))
    return common, per_file
