"""Print jobs assembled from a dissector's job events (``JobStarted``, ``JobField``,
``DocumentData``, ``DocumentGap``, ``JobEnded``).

A ``Job`` gathers one document's metadata fields and bytes: its size, whether it is partial, and
three bounded views of the document, from which its print languages and the metadata it states
itself are read (``classify``):
- the head, the first ``HEAD_BYTES`` (PJL header, DSC header comments, PDF header, raster headers);
- the tail, the last ``TAIL_BYTES`` (PDF trailer and Info dictionary, PJL ``EOJ``, DSC trailer);
- up to ``MAX_WINDOWS`` windows of ``WINDOW_BYTES`` starting at each UEL past the head, so that a
  job switching language deep inside (PJL ENTER LANGUAGE=PCL, later UEL + PostScript) names them
  all. Finding a UEL is one ``bytes.find`` per chunk.
The document itself is never held whole in memory: when the run keeps documents (for text
extraction, sensitive-data counts and ``--carve``), its bytes go to a spooled temporary file
(``budget.Spool``: memory up to 4 MiB while the run's memory budget allows, disk beyond, at most
``keep_bytes``, within the run's disk budget), which ``close()`` hands to the evidence stage once
and then deletes. The SHA-256 of every captured byte is always computed.

Merging (``record``): the fields the protocol envelope or the dissector sent (LPD control file,
IPP attributes, SMB names, PJL lines seen by the raw 9100 dissector) win; the document's own
metadata fills what they left unset, in ``classify`` registry order (PJL, then DSC, then PDF
Info, then XMP). ``sources`` says where each field came from (lpd, ipp, smb, pjl, dsc, pdf-info,
xmp...). The title falls back to the job name the document gives itself (PJL ``JOB NAME``) when
no title is stated, so an envelope that rewrote the job name (the CUPS lpd backend turns "." into
"_") does not hide the name the document carries. Sensitive fields (a PJL ``HOLDKEY`` PIN) are
reported as present (``holdkey_present``), never by value.

Metadata as sent: ``compression`` is what the envelope said (IPP ``compression``), else gzip when
the bytes themselves are gzip, even though the document is analysed decompressed;
``document_format`` is the envelope's statement (IPP ``document-format``, PJL ``ENTER LANGUAGE``,
an LPD print type); ``pages`` is converted from the text the languages state to an integer here
and nowhere else (``page_count``), so a job and its evidence carry the same number.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

from ..content import classify
from ..model import JobDirection, Protection
from ..records import Evidence, JobRecord
from .budget import DocumentBudget, Spool

HEAD_BYTES = 64 * 1024
TAIL_BYTES = 16 * 1024
WINDOW_BYTES = 1024  # from a UEL: enough for a PJL header and the next language's signature
MAX_WINDOWS = 32
_UNBOUNDED = DocumentBudget(memory=1 << 62, disk=1 << 62)  # a job built without a run (tests)
UEL = classify.UEL
SENSITIVE = frozenset({"holdkey"})
_Bytes = bytes  # ``Job.bytes`` (the byte count, a contract name) shadows the type in the class body
# Extra record fields, after the contract ones; each is None when not known.
EXTRA_FIELDS = ("author", "creator", "producer", "creation_date", "lpd_print_type", "pjl_device_info",
                "document_format", "file_transfer")
_RECORDED = frozenset(("user", "host", "job_name", "document_name", "title", "pages", "compression")
                      + EXTRA_FIELDS)
MAX_PAGES = 0xFFFF_FFFF  # a stated count beyond this is not a page count


def page_count(value: str | None) -> int | None:
    """A stated page count as an integer (None when it is not a plain non-negative number, e.g. a
    DSC ``(atend)`` whose trailer was not seen)."""
    if value is None:
        return None
    v = value.strip()
    if not (v.isascii() and v.isdigit()):
        return None
    n = int(v)
    return n if n <= MAX_PAGES else None


@dataclass(slots=True)
class Job:
    uid: str
    index: int
    protocol: str
    capture: str | None = None  # of its flow
    protection: str = "none"  # of the flow when the job started (Protection value)
    direction: JobDirection = JobDirection.C2S
    key: str | None = None  # set when the dissector ends the job by key (JobStarted.key)
    fields: dict[str, str] = field(default_factory=dict)
    sources: dict[str, str] = field(default_factory=dict)
    bytes: int = 0
    missed: int = 0
    partial: bool = False
    ended: bool = False
    head: bytearray = field(default_factory=bytearray)
    tail: bytearray = field(default_factory=bytearray)
    windows: list[bytearray] = field(default_factory=list)
    _filling: bool = False  # the last window still takes bytes
    _carry: _Bytes = b""  # last len(UEL)-1 bytes, for a UEL cut by a chunk boundary
    _cache: tuple[int, int, list[str], list[classify.DocField]] | None = None
    keep_bytes: int = 0  # how many document bytes to keep for evidence (0: none)
    budget: DocumentBudget | None = None  # the run's shared budget for kept documents
    spool: Spool | None = None
    kept: int = 0
    trimmed: bool = False  # the run's document budget cut what this job keeps (evidence incomplete)
    sha: Any = field(default_factory=hashlib.sha256)
    final: JobRecord | None = None  # the record, frozen by close()
    evidence: Evidence | None = None  # set by the evidence stage

    def add(self, data: _Bytes) -> None:
        start = self.bytes
        self.bytes += len(data)
        self.sha.update(data)
        if self.kept < self.keep_bytes and not self.trimmed:
            if self.spool is None:
                self.spool = (self.budget or _UNBOUNDED).spool()
            piece = data[: self.keep_bytes - self.kept]
            took = self.spool.write(piece)
            self.kept += took
            self.trimmed = took < len(piece)
        room = HEAD_BYTES - len(self.head)
        if room > 0:
            self.head += data[:room]
        if self.bytes <= HEAD_BYTES - WINDOW_BYTES:
            return  # the head holds everything so far, and the next window would start in it
        if self._filling:
            w = self.windows[-1]
            w += data[:WINDOW_BYTES - len(w)]
            self._filling = len(w) < WINDOW_BYTES
        if len(self.windows) < MAX_WINDOWS:
            self._find_windows(data, start)
        self._carry = (self._carry + data)[-(len(UEL) - 1):]
        if len(data) >= TAIL_BYTES:
            self.tail = bytearray(data[-TAIL_BYTES:])
        else:
            self.tail += data
            if len(self.tail) > TAIL_BYTES:
                del self.tail[:len(self.tail) - TAIL_BYTES]

    def _find_windows(self, data: _Bytes, start: int) -> None:
        buf = self._carry + data
        base = start - len(self._carry)  # stream offset of buf[0]
        p = buf.find(UEL)
        while p >= 0 and len(self.windows) < MAX_WINDOWS:
            if base + p + WINDOW_BYTES > HEAD_BYTES:  # not already whole in the head
                if self._filling:
                    self._filling = False  # a new UEL: the previous window is cut here anyway
                w = bytearray(buf[p:p + WINDOW_BYTES])
                self.windows.append(w)
                self._filling = len(w) < WINDOW_BYTES
            p = buf.find(UEL, p + len(UEL))

    def gap(self, length: int) -> None:
        self.missed += length
        self.partial = True
        self._filling = False  # bytes after a hole do not continue a window
        self._carry = b""

    @property
    def whole(self) -> bool:
        """The head holds the entire document (nothing was cut away from it)."""
        return self.bytes <= HEAD_BYTES and not self.missed

    def _classified(self) -> tuple[list[str], list[classify.DocField]]:
        key = (self.bytes, self.missed)
        if self._cache is None or self._cache[:2] != key:
            head = bytes(self.head)
            tail = b"" if self.bytes <= HEAD_BYTES else bytes(self.tail)
            langs = classify.detect_all(head, tail, [bytes(w) for w in self.windows])
            meta = classify.metadata(head, tail, self.whole, None if classify.compression(head) else langs)
            self._cache = (*key, langs, meta)
        return self._cache[2], self._cache[3]

    def languages(self) -> list[str]:
        langs = self._classified()[0]
        return list(langs) if langs else (["unknown"] if self.bytes else [])

    def merged(self) -> tuple[dict[str, str], dict[str, str]]:
        """(fields, sources): the envelope's fields, filled in from the document's own metadata."""
        fields = dict(self.fields)
        sources = {k: self.sources.get(k, "") for k in fields}
        doc_job_name: tuple[str, str] | None = None
        for f in self._classified()[1]:
            if f.name == "job_name" and doc_job_name is None:
                doc_job_name = (f.value, f.source)
            if f.name not in fields:
                fields[f.name] = f.value
                sources[f.name] = f.source
        if "title" not in fields and doc_job_name is not None:
            fields["title"], sources["title"] = doc_job_name
        return fields, sources

    def document(self) -> _Bytes | None:
        """The kept document bytes (None when the run keeps no documents)."""
        if self.spool is None:
            return None
        return self.spool.read()

    @property
    def complete(self) -> bool:
        """Every byte of the document was captured and kept."""
        return not self.missed and self.kept == self.bytes and not self.partial

    def close(self) -> JobRecord:
        """Freeze the record and release the buffers; returns the final record."""
        if self.final is None:
            self.final = self.record()
            self.head = bytearray()
            self.tail = bytearray()
            self.windows = []
        return self.final

    def release(self) -> None:
        if self.spool is not None:
            self.spool.close()
            self.spool = None

    def record(self) -> JobRecord:
        if self.final is not None:
            return self.final
        langs = self.languages()
        body = [x for x in langs if x != "PJL"]
        fields, sources = self.merged()
        extra: dict[str, Any] = {name: fields.get(name) for name in EXTRA_FIELDS}
        pages = page_count(fields.get("pages"))
        compression = fields.get("compression") or classify.compression(bytes(self.head[:2]))
        shown = {**fields, "pages": pages, "compression": compression}
        return JobRecord(
            uid=self.uid,
            capture=self.capture,
            job_index=self.index,
            protocol=self.protocol,
            language=body[0] if body else (langs[0] if langs else None),
            languages=tuple(langs),
            user=fields.get("user"),
            host=fields.get("host"),
            job_name=fields.get("job_name"),
            document_name=fields.get("document_name"),
            title=fields.get("title"),
            bytes=self.bytes,
            missed_bytes=self.missed,
            partial=self.partial or not self.ended,
            protection=Protection(self.protection),
            holdkey_present="holdkey" in fields,
            compression=compression,
            sources={k: v for k, v in sources.items() if v and k in _RECORDED and shown.get(k) is not None},
            sha256=self.sha.hexdigest() if self.bytes else None,  # of the captured bytes
            pages=pages,
            direction=self.direction,
            **extra,
        )
