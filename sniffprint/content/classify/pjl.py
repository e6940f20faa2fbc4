"""PJL, HP Printer Job Language (HP PJL Technical Reference Manual, ch. 2 "PJL command syntax",
ch. 6 job separation, ch. 7 status readback, ch. 9 ``INFO``/``USTATUS``).

A PJL job starts with the Universal Exit Language ``ESC %-12345X`` followed by ``@PJL`` lines,
each ended by LF (CR LF in practice)::

    @PJL JOB NAME = "payroll.doc"
    @PJL SET USERNAME = "alice"          (also SET JOBNAME, SET HOLDKEY = "1234", SET JOBATTR = "...")
    @PJL ENTER LANGUAGE = PCLXL          <- the page description language follows on the next byte
    ... PCL XL ...
    ESC %-12345X @PJL EOJ NAME = "payroll.doc" ESC %-12345X

Invariants:
- A ``@PJL`` line is only a command in PJL context: after a UEL and before ``ENTER LANGUAGE`` or
  the first byte that is not a ``@PJL`` line (the printer then switches language by itself).
- Values are quoted strings or single words; they are decoded as UTF-8 (``SET STRINGCODESET``)
  with a Latin-1 fallback and cut at ``fields.MAX_VALUE``.
- ``HOLDKEY`` (the PIN of a stored/private job) is a secret sent in clear: returned as a
  sensitive field, which the job record reports as present, never as its value.
- ``SET JOBATTR = "key=value"`` is job accounting, with keys by driver family (``JOBATTR``): HP
  drivers send ``JobAcct1`` (user), ``JobAcct2`` (client host), ``JobAcct6`` (application),
  ``JobAcct8`` (logon user); Fuji Xerox/Kyocera-style drivers ``@LUNA``/``@JOAU``/``@OWNR`` (user),
  ``@CNAM`` (client host), ``@ACNA``/``@UACN`` (document name); others ``@MCHN`` (machine) and
  ``@APP`` (application). The first value of a field wins.
- ``ENTER LANGUAGE = X`` states the document format: ``document_format`` is X as sent.
- Printer replies (``@PJL INFO ID``, ``@PJL USTATUS DEVICE``, ``@PJL INFO STATUS``) are the echoed
  command line, value lines, and a form feed (0x0C) that ends the reply (ch. 7).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from .fields import MAX_VALUE, DocField, text

NAME = "PJL"
SOURCE = "pjl"  # JobField source name
UEL = b"\x1b%-12345X"  # Universal Exit Language
FF = b"\x0c"  # ends a printer reply
MAX_LINE = 4096  # a longer "line" is not PJL

_ENTER = re.compile(rb"@PJL[ \t]+ENTER[ \t]+LANGUAGE[ \t]*=[ \t]*([A-Za-z0-9_./-]+)", re.I)
# @PJL [COMMAND] [rest]: the command word, then options "NAME = value" or a free text (COMMENT)
_LINE = re.compile(rb"@PJL(?:[ \t]+([A-Za-z]+))?[ \t]*([^\r\n]*)", re.I)
_OPT = re.compile(rb'([A-Za-z][A-Za-z0-9_]*)[ \t]*(?:=[ \t]*("[^"]*"?|[^ \t"]+))?[ \t]*')
_LINES = re.compile(rb"(?:^|\x1b%-12345X)[ \t]*(@PJL[^\r\n]{0,4096})", re.I | re.M)
LANG_NAMES = {b"PCL": "PCL5", b"PCL5": "PCL5", b"PCL5C": "PCL5", b"PCL5E": "PCL5", b"PCLXL": "PCLXL",
              b"PCL6": "PCLXL", b"POSTSCRIPT": "PostScript", b"PS": "PostScript", b"PDF": "PDF",
              b"PWGRASTER": "PWG-Raster", b"URF": "URF", b"ZPL": "ZPL", b"ESCP": "ESC/P",
              b"ESC/P": "ESC/P"}


# JOBATTR accounting key (lower case) -> job field
JOBATTR = {"jobacct1": "user", "jobacct8": "user", "@luna": "user", "@joau": "user", "@ownr": "user",
           "jobacct2": "host", "@cnam": "host", "@mchn": "host",
           "jobacct6": "creator", "@app": "creator",
           "@acna": "document_name", "@uacn": "document_name"}


def detect(buf: bytes, at: int) -> bool:
    return buf.startswith(UEL, at) or buf[at:at + 4].upper() == b"@PJL"


@dataclass(slots=True, frozen=True)
class Command:
    """One ``@PJL`` line: ``JOB``, ``SET``, ``ENTER``... and its options in order."""

    command: str  # upper case; "" for a bare "@PJL" line
    options: tuple[tuple[str, str], ...]  # (NAME upper case, value unquoted) pairs
    text: str  # the rest of the line as sent (COMMENT, ECHO)


def parse_line(line: bytes) -> Command | None:
    """Parse one ``@PJL`` line (without its LF); None when it is not one."""
    m = _LINE.match(line.lstrip(b" \t\x00"))
    if m is None:
        return None
    cmd = (m.group(1) or b"").upper().decode("ascii")
    rest = m.group(2)[:MAX_LINE]
    opts: list[tuple[str, str]] = []
    if cmd not in ("COMMENT", "ECHO"):
        body = rest
        if cmd in ("SET", "DEFAULT", "INQUIRE", "DINQUIRE") and b":" in rest:
            # "SET LPARM : PCL SYMSET = ROMAN8": a personality, then the variable (PJL ch. 2)
            parts = rest.split(b":", 1)[1].split(None, 1)
            body = parts[1] if len(parts) > 1 else b""
        for om in _OPT.finditer(body):
            value = om.group(2) or b""
            if value.startswith(b'"'):
                value = value[1:-1] if value.endswith(b'"') and len(value) > 1 else value[1:]
            opts.append((om.group(1).upper().decode("ascii"), text(value)))
    return Command(cmd, tuple(opts), text(rest))


def language_name(raw: str | bytes) -> str | None:
    key = raw.encode("utf-8", "replace") if isinstance(raw, str) else raw  # may hold any code point
    return LANG_NAMES.get(key.upper().replace(b"-", b"").replace(b"_", b""))


def entered(cmd: Command) -> str | None:
    """The language an ``ENTER LANGUAGE = X`` command switches to (contract name), else None."""
    if cmd.command == "ENTER":
        for k, v in cmd.options:
            if k == "LANGUAGE" and v:
                return language_name(v) or "unknown"
    return None


def fields(cmd: Command) -> list[DocField]:
    """Job metadata stated by one command, most trustworthy first."""
    out: list[DocField] = []
    opts = dict(cmd.options)
    if cmd.command in ("JOB", "EOJ"):
        if opts.get("NAME"):
            out.append(DocField("job_name", opts["NAME"], SOURCE))
    elif cmd.command == "ENTER":
        if opts.get("LANGUAGE"):
            out.append(DocField("document_format", opts["LANGUAGE"], SOURCE))
    elif cmd.command == "SET" and cmd.options:
        var, value = cmd.options[0]
        if not value:
            return out
        if var == "JOBNAME":
            out.append(DocField("job_name", value, SOURCE))
        elif var == "USERNAME":
            out.append(DocField("user", value, SOURCE))
        elif var == "HOLDKEY":
            out.append(DocField("holdkey", value, SOURCE, sensitive=True))
        elif var == "JOBATTR":
            k, _, v = value.partition("=")
            name = JOBATTR.get(k.strip().lower())
            if name is not None and v.strip():
                out.append(DocField(name, v.strip(), SOURCE))
    return out


def header_end(buf: bytes, at: int) -> tuple[int | None, str | None]:
    """Walk a PJL header starting at ``at`` (a UEL or ``@PJL``): (offset of the first byte after it,
    the language ENTERed or None). The offset is None when the header is cut by the end of ``buf``.
    The walk stops before the next UEL, which starts a header of its own."""
    p = at + len(UEL) if buf.startswith(UEL, at) else at
    n = len(buf)
    while True:
        q = p
        while q < n and buf[q] in b"\r\n\t \x00":
            q += 1
        if q >= n:
            return None, None
        if buf[q:q + 4].upper() != b"@PJL":
            return p, None  # the printer switches language by itself (PJL ch. 6)
        nl = buf.find(b"\n", q, q + MAX_LINE)
        if nl < 0:
            return (None, None) if n - q < MAX_LINE else (q, None)
        cmd = parse_line(buf[q:nl])
        p = nl + 1
        lang = entered(cmd) if cmd else None
        if lang:
            return p, lang


def body_offset(buf: bytes, at: int) -> int | None:
    """Offset just after the PJL header at ``at`` (None when it is not complete in ``buf``)."""
    return header_end(buf, at)[0]


def entered_language(buf: bytes) -> str | None:
    m = _ENTER.search(buf)
    return language_name(m.group(1)) if m else None


def metadata(head: bytes, tail: bytes = b"", whole: bool = True) -> list[DocField]:
    """Fields from the ``@PJL`` lines of the head, then of the tail (``EOJ NAME``)."""
    out: list[DocField] = []
    for part in (head, b"" if whole else tail):
        for m in _LINES.finditer(part):
            cmd = parse_line(m.group(1))
            if cmd is not None:
                out += fields(cmd)
    return out


def parse_reply(block: bytes) -> tuple[str, str] | None:
    """A printer reply (up to, not including, its FF): ("INFO ID", "LaserJet 4250; ...") or None."""
    lines = [ln.strip(b" \t\r\x00") for ln in block.split(b"\n")]
    lines = [ln for ln in lines if ln]
    if not lines:
        return None
    cmd = parse_line(lines[0])
    if cmd is None or cmd.command not in ("INFO", "USTATUS", "ECHO", "INQUIRE", "DINQUIRE"):
        return None
    what = " ".join([cmd.command] + [k for k, _ in cmd.options[:1]])
    values = "; ".join(text(ln).replace('"', "") for ln in lines[1:])
    if cmd.command == "ECHO":
        values = cmd.text
    return what, values[:MAX_VALUE]
