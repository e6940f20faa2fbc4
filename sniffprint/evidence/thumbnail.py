"""A redacted thumbnail of page 1 of a PostScript or PDF print job, for the evidence folder.

The thumbnail shows the *layout* of the page that went over the wire in clear (text blocks,
margins, images, a letterhead) so a reader of the evidence can see what kind of document it was,
but not what it says: page 1 is rendered at a low resolution (``dpi``, 24 by default), then every
``block`` x ``block`` cell (8 by default) is replaced by its mean grey. At the defaults one cell is
1/3 inch (24 pt) square, twice the height of 12 pt body text, so no glyph survives; the result is
scaled back up to the render size so that the blocks are visible as such.

What is redacted depends on the cell size in points (``block * 72 / dpi``), not on the dpi, so a
cell below ``MIN_CELL_POINTS`` (24 pt) is refused. The cell grows with the largest text on the
page (``cell_for``): the tallest run of ink rows in any narrow column stripe of the rendered page
(a glyph, a line of glyphs, or an image), plus a quarter, sets the cell, so a 300 pt banner is as
unreadable as 12 pt body text (a large image makes the cells coarse too: over-redaction is safe).

Rendering: Ghostscript (``gs``), found on ``PATH`` at call time, run as a subprocess without a
shell, with ``-dSAFER`` (no file access outside what it is given), ``-dFirstPage=1
-dLastPage=1``, the ``pgmraw`` device (8-bit grey, a format read here in a few lines), and:
- no network: as root, in a network namespace of its own (``unshare --net``: only a loopback that
  is down), since the PostScript came off the network;
- the document read-only (mode 0400) in a private temporary directory (mode 0700), deleted
  afterwards with everything Ghostscript wrote there (its band files, via ``TMPDIR``);
- a wall-clock ``timeout``, and resource limits set in the child before ``exec``: address space
  (``MEMORY_LIMIT``), CPU seconds and the size of any file it writes (``FILE_LIMIT``), so a hostile
  document (an endless loop, a page a mile wide) ends as a failure, not a hung or swapping run;
- a minimal environment (no ``GS_OPTIONS`` or ``GS_LIB`` from the caller) and its stdout/stderr
  in a file, of which only the last ``LOG_TAIL`` bytes are read.

A PJL envelope (``ESC %-12345X @PJL ...``) is removed first: the body starts at ``%!`` or
``%PDF-`` and ends at the next Universal Exit Language; CUPS' leading and trailing Ctrl-D
(``\\x04``, end of job on serial PostScript printers) are dropped too.

The PNG (ISO/IEC 15948, https://www.w3.org/TR/png-3/) is written here with ``zlib`` and ``struct``:
signature, ``IHDR`` (8-bit greyscale, colour type 0), one ``IDAT`` (every scanline with filter
type 0), ``IEND``; each chunk's CRC-32 covers its type and data.

Invariants:
- ``redacted_thumbnail`` never raises on any document: Ghostscript missing, failing, timing out,
  or garbage input is a ``Thumbnail`` with status ``no-ghostscript`` or ``failed`` and a one-line
  detail. Only bad arguments (``dpi`` outside 1..300, a cell under 24 pt) raise ``ValueError``:
  that is a bug in the caller.
- A failure detail never quotes the document: Ghostscript's messages echo the offending token
  ("Error: /undefined in payroll"), so only the PostScript error *name* is kept.
- Every cell of ``png`` is uniform: the image carries no more information than
  ``ceil(w/block) x ceil(h/block)`` grey values.
"""
from __future__ import annotations

import os
import re
import shutil
import struct
import subprocess
import tempfile
import time
import zlib
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from ..content.classify.pjl import UEL

MEMORY_LIMIT = 1 << 30  # address space of the gs process (a 24 dpi page needs a few MiB)
FILE_LIMIT = 64 << 20  # largest file gs may write: ~ a 250 x 250 inch page at 24 dpi
MAX_PIXELS = 32_000_000  # a rendered page larger than this is refused before it is decoded
LOG_TAIL = 64 * 1024
MAX_DPI = 300
MIN_CELL_POINTS = 24  # smallest cell side allowed: twice the height of 12 pt body text
_ERROR_NAME = re.compile(rb"Error: (/[A-Za-z]{1,40})")
_MARKERS = (b"%!", b"%PDF-")
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_RENDERED = frozenset({"postscript", "ps", "pdf"})


class RenderBudget:
    """Wall-clock seconds a run may spend in Ghostscript, all renders together: a capture full of
    PostScript loops costs at most this, not a timeout per job."""

    def __init__(self, seconds: float = 60.0) -> None:
        self.seconds = seconds
        self.spent = 0.0

    @property
    def left(self) -> float:
        return max(0.0, self.seconds - self.spent)


@dataclass(slots=True, frozen=True)
class Thumbnail:
    status: str  # "ok" | "no-ghostscript" | "unsupported" | "failed"
    detail: str  # one line, for a report or a README in the evidence folder
    png: bytes | None  # PNG bytes when status == "ok"


def redacted_thumbnail(document: bytes, language: str, *, dpi: int = 24, block: int = 8,
                       timeout: float = 10.0, budget: RenderBudget | None = None) -> Thumbnail:
    """Render page 1 of a PostScript or PDF ``document`` and pixelate it (see the module doc).
    ``budget``: the run's render time; the timeout is never longer than what is left of it."""
    if not 1 <= dpi <= MAX_DPI:
        raise ValueError(f"dpi must be between 1 and {MAX_DPI}, not {dpi}")
    if block < 1 or block * 72 < MIN_CELL_POINTS * dpi:
        raise ValueError(f"a {block}-pixel block at {dpi} dpi is a {block * 72 / dpi:g} pt cell; "
                         f"redaction needs at least {MIN_CELL_POINTS} pt (block >= dpi / 3)")
    lang = (language or "").strip()
    body = strip_envelope(bytes(document))
    # a job recorded as PJL whose body is PostScript or PDF is rendered too
    if lang.lower() not in _RENDERED and not (lang.upper() == "PJL" and body.startswith(_MARKERS)):
        return Thumbnail("unsupported", f"{lang or 'unknown language'}: no thumbnail "
                         "(Ghostscript renders only PostScript and PDF here)", None)
    gs = shutil.which("gs")
    if gs is None:
        return Thumbnail("no-ghostscript", "Ghostscript (gs) is not installed: no thumbnail", None)
    if not body.strip():
        return Thumbnail("failed", "the document is empty: nothing to render", None)
    if budget is not None:
        if budget.left < 0.5:
            return Thumbnail("skipped", f"the run's render budget ({budget.seconds:g} s of Ghostscript) is "
                             "spent: no more thumbnails", None)
        timeout = min(timeout, budget.left)
    t0 = time.monotonic()
    try:
        page = _render(gs, body, dpi, timeout)
    except _RenderError as exc:
        return Thumbnail("failed", str(exc), None)
    except OSError as exc:  # temp dir or exec failure: the run goes on without a thumbnail
        return Thumbnail("failed", f"Ghostscript could not be run ({exc.strerror or type(exc).__name__})",
                         None)
    finally:
        if budget is not None:
            budget.spent += time.monotonic() - t0
    h, w = page.shape
    cell = cell_for(page, block)
    png = encode_png(pixelate(page, cell))
    return Thumbnail("ok", f"page 1 at {dpi} dpi ({w}x{h} px), pixelated in {cell}x{cell} blocks "
                     f"({cell * 72 / dpi:g} pt)", png)


INK = 200  # a grey level below this is ink (white paper is 255)
STRIPE = 4  # columns per stripe when measuring the tallest ink run


def cell_for(page: NDArray[np.uint8], block: int) -> int:
    """The cell side for ``page``: at least ``block``, and taller than the tallest vertical run of
    ink rows within any ``STRIPE``-pixel column stripe (the largest glyph or image on the page)."""
    h, w = page.shape
    if h == 0 or w == 0:
        return block
    cols = np.arange(0, w, STRIPE)
    ink = np.minimum.reduceat(page, cols, axis=1) < INK  # (h, stripes): any ink in the stripe's row
    tallest = 0
    run: NDArray[np.int64] = np.zeros(ink.shape[1], dtype=np.int64)
    for row in ink:  # one pass over the rows, vectorised across the stripes
        run = np.where(row, run + 1, 0)
        tallest = max(tallest, int(np.max(run)))
    # a quarter more than the tallest run: neighbouring glyphs of one line (round letters overshoot,
    # accents and descenders) reach past one stripe's run; over-redaction is the safe side
    return int(max(block, min(tallest + tallest // 4 + 1, max(h, w))))


def strip_envelope(document: bytes) -> bytes:
    """The PostScript or PDF body of a job: without a PJL header and trailer, or Ctrl-D."""
    start = 0
    head = document[:64].lstrip(b"\x04\r\n\t \x00")
    if head.startswith(UEL) or head[:4].upper() == b"@PJL":
        found = [i for i in (document.find(m) for m in _MARKERS) if i >= 0]
        if not found:
            return document  # no PostScript or PDF inside: gs will say so
        start = min(found)
    end = document.find(UEL, start)
    body = document[start:end if end >= 0 else len(document)]
    return body.strip(b"\x04")


class _RenderError(Exception):
    """Ghostscript did not produce page 1; the message is the one-line detail."""


def _limits(cpu_seconds: int) -> None:  # pragma: no cover - runs in the child before exec
    import resource

    for what, value in ((resource.RLIMIT_AS, MEMORY_LIMIT), (resource.RLIMIT_FSIZE, FILE_LIMIT),
                        (resource.RLIMIT_CPU, cpu_seconds), (resource.RLIMIT_CORE, 0)):
        try:
            resource.setrlimit(what, (value, value))
        except (ValueError, OSError):
            pass  # a lower hard limit already applies


def _render(gs: str, body: bytes, dpi: int, timeout: float) -> NDArray[np.uint8]:
    """Page 1 as an (h, w) uint8 array, or ``_RenderError``."""
    with tempfile.TemporaryDirectory(prefix="sniffprint-thumb-") as tmp:  # mode 0700
        os.chmod(tmp, 0o700)
        doc = os.path.join(tmp, "document.pdf" if body.startswith(b"%PDF-") else "document.ps")
        fd = os.open(doc, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
        with os.fdopen(fd, "wb") as fp:
            fp.write(body)
        os.chmod(doc, 0o400)  # Ghostscript reads it, never rewrites it
        out = os.path.join(tmp, "page.pgm")
        log = os.path.join(tmp, "gs.log")
        argv = [*_isolation(), gs, "-dSAFER", "-dBATCH", "-dNOPAUSE", "-dQUIET", "-dNOPROMPT",
                "-dFirstPage=1", "-dLastPage=1", "-sDEVICE=pgmraw", f"-r{dpi}",
                "-dTextAlphaBits=4", "-dGraphicsAlphaBits=4", "-sstdout=%stderr",
                f"-sOutputFile={out}", "--", doc]
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "TMPDIR": tmp, "HOME": tmp, "LC_ALL": "C"}
        cpu = max(1, int(timeout) + 1)
        with open(log, "wb") as logfp:
            try:
                proc = subprocess.run(argv, stdin=subprocess.DEVNULL, stdout=logfp, stderr=logfp,
                                      cwd=tmp, env=env, timeout=timeout, check=False,
                                      preexec_fn=lambda: _limits(cpu))
            except subprocess.TimeoutExpired:
                raise _RenderError(f"Ghostscript did not finish page 1 within {timeout:g} s") from None
        rc = proc.returncode
        if rc != 0:
            raise _RenderError(_failure(rc, _tail(log)))
        try:
            with open(out, "rb") as fp:
                data = fp.read(FILE_LIMIT + 1)
        except FileNotFoundError:
            raise _RenderError("Ghostscript rendered no page (not a readable PostScript or PDF "
                               "document, or no page 1)") from None
    return read_pnm(data)


_ISOLATION: list[str] | None = None


def _isolation() -> list[str]:
    """``unshare --net --`` when this process may create a network namespace (root), else nothing;
    probed once per process."""
    global _ISOLATION
    if _ISOLATION is None:
        _ISOLATION = []
        tool = shutil.which("unshare")
        if tool and hasattr(os, "geteuid") and os.geteuid() == 0:
            try:
                ok = subprocess.run([tool, "--net", "--", "true"], capture_output=True, timeout=10).returncode == 0
            except (OSError, subprocess.TimeoutExpired):
                ok = False
            if ok:
                _ISOLATION = [tool, "--net", "--"]
    return _ISOLATION


def _tail(path: str) -> bytes:
    with open(path, "rb") as fp:
        fp.seek(0, os.SEEK_END)
        fp.seek(max(0, fp.tell() - LOG_TAIL))
        return fp.read()


def _failure(rc: int, log: bytes) -> str:
    if rc < 0:
        import signal

        try:
            name = signal.Signals(-rc).name
        except ValueError:
            name = f"signal {-rc}"
        why = {"SIGXCPU": "CPU time limit", "SIGXFSZ": "output size limit",
               "SIGSEGV": "crash (possibly the memory limit)", "SIGKILL": "killed"}.get(name, name)
        return f"Ghostscript stopped on page 1: {why} ({name})"
    m = _ERROR_NAME.search(log)
    name = f", PostScript error {m.group(1).decode()}" if m else ""
    if b"VMerror" in log or b"out of memory" in log.lower():
        name = ", out of memory (limit reached)"
    return f"Ghostscript could not render page 1 (exit {rc}{name})"


def read_pnm(data: bytes) -> NDArray[np.uint8]:
    """The first image of binary PGM (``P5``) or PPM (``P6``) ``data`` as (h, w) uint8 grey."""
    if data[:2] not in (b"P5", b"P6"):
        raise _RenderError("Ghostscript output is not a PGM/PPM image")
    fields: list[int] = []
    p = 2
    n = len(data)
    while len(fields) < 3:  # width, height, maxval; '#' comments and whitespace between
        while p < n and data[p] in b" \t\r\n":
            p += 1
        if p < n and data[p] == 0x23:  # '#'
            q = data.find(b"\n", p)
            p = n if q < 0 else q + 1
            continue
        q = p
        while q < n and 0x30 <= data[q] <= 0x39:
            q += 1
        if q == p:
            raise _RenderError("Ghostscript output has a malformed PGM/PPM header")
        fields.append(int(data[p:q]))
        p = q
    p += 1  # exactly one whitespace byte before the raster
    w, h, maxval = fields
    if not (0 < w and 0 < h and w * h <= MAX_PIXELS and 0 < maxval < 256):
        raise _RenderError(f"Ghostscript rendered an unusable page ({w}x{h}, maxval {maxval})")
    channels = 1 if data[:2] == b"P5" else 3
    size = w * h * channels
    if n - p < size:
        raise _RenderError("Ghostscript output is cut short")
    img: NDArray[np.uint8] = np.frombuffer(data, dtype=np.uint8, count=size, offset=p).reshape(h, w, channels)
    if channels == 3:  # ITU-R BT.601 luma
        grey = img @ np.array([0.299, 0.587, 0.114])
        img = np.clip(np.rint(grey), 0, 255).astype(np.uint8)
    else:
        img = img[:, :, 0]
    if maxval != 255:
        img = np.clip(np.rint(img.astype(np.float64) * 255 / maxval), 0, 255).astype(np.uint8)
    return np.ascontiguousarray(img)


def pixelate(img: NDArray[np.uint8], block: int) -> NDArray[np.uint8]:
    """Replace every ``block`` x ``block`` cell by its mean (edge cells: the mean of what is
    there), at the same size as ``img``: the layout stays, detail below the cell size goes."""
    h, w = img.shape
    rows = np.arange(0, h, block)
    cols = np.arange(0, w, block)
    sums = np.add.reduceat(np.add.reduceat(img.astype(np.uint64), rows, axis=0), cols, axis=1)
    counts = np.outer(np.diff(np.append(rows, h)), np.diff(np.append(cols, w)))
    means = np.rint(sums / counts).astype(np.uint8)
    return np.ascontiguousarray(np.repeat(np.repeat(means, block, axis=0), block, axis=1)[:h, :w])


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def encode_png(img: NDArray[np.uint8]) -> bytes:
    """An 8-bit greyscale PNG of an (h, w) uint8 array (filter type 0 on every scanline)."""
    h, w = img.shape
    raw = np.zeros((h, w + 1), dtype=np.uint8)  # a leading 0 byte per scanline: filter "None"
    raw[:, 1:] = img
    ihdr = struct.pack(">IIBBBBB", w, h, 8, 0, 0, 0, 0)  # depth 8, greyscale, deflate, no interlace
    return (_PNG_SIGNATURE + _chunk(b"IHDR", ihdr) + _chunk(b"IDAT", zlib.compress(raw.tobytes(), 9))
            + _chunk(b"IEND", b""))
