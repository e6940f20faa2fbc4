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
The document itself is never held whole here.

Merging (``record``): the fields the protocol envelope or the dissector sent (LPD control file,
IPP attributes, SMB names, PJL lines seen by the raw 9100 dissector) win; the document's own
metadata fills what they left unset, in ``classify`` registry order (PJL, then DSC, then PDF
Info, then XMP). ``sources`` says where each field came from (lpd, ipp, smb, pjl, dsc, pdf-info,
xmp...). The title falls back to the job name the document gives itself (PJL ``JOB NAME``) when
no title is stated, so an envelope that rewrote the job name (the CUPS lpd backend turns "." into
"_") does not hide the name the document carries. Sensitive fields (a PJL ``HOLDKEY`` PIN) are
reported as present (``holdkey_present``), never by value.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from . import classify

HEAD_BYTES = 64 * 1024
TAIL_BYTES = 16 * 1024
WINDOW_BYTES = 1024  # from a UEL: enough for a PJL header and the next language's signature
MAX_WINDOWS = 32
UEL = classify.UEL
SENSITIVE = frozenset({"holdkey"})
_Bytes = bytes  # ``Job.bytes`` (the byte count, a contract name) shadows the type in the class body
# Record fields holding free text taken from the traffic: what redaction must mask by default.
TEXT_FIELDS = ("user", "host", "job_name", "document_name", "title", "author", "creator")
# Extra record fields, after the contract ones; each is None when not known.
EXTRA_FIELDS = ("author", "creator", "producer", "creation_date", "pages", "lpd_print_type", "pjl_device_info")


@dataclass(slots=True)
class Job:
    uid: str
    index: int
    protocol: str
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

    def add(self, data: _Bytes) -> None:
        start = self.bytes
        self.bytes += len(data)
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

    def record(self) -> dict[str, Any]:
        langs = self.languages()
        body = [x for x in langs if x != "PJL"]
        fields, sources = self.merged()
        rec: dict[str, Any] = {
            "type": "job",
            "uid": self.uid,
            "job_index": self.index,
            "protocol": self.protocol,
            "language": body[0] if body else (langs[0] if langs else None),
            "languages": langs,
            "user": fields.get("user"),
            "host": fields.get("host"),
            "job_name": fields.get("job_name"),
            "document_name": fields.get("document_name"),
            "title": fields.get("title"),
            "bytes": self.bytes,
            "missed_bytes": self.missed,
            "partial": self.partial or not self.ended,
        }
        for name in EXTRA_FIELDS:
            rec[name] = fields.get(name)
        rec["holdkey_present"] = "holdkey" in fields
        rec["compression"] = classify.compression(bytes(self.head[:2]))
        rec["sources"] = {k: v for k, v in sources.items() if v and rec.get(k) is not None}
        return rec
