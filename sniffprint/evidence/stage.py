"""Evidence for each print job seen in clear: proof of exposure that does not leak it again.

For every job that ends, while its document is still at hand (``Job.document()``, kept by the
job up to ``Options.keep_document_bytes``):
- ``sha256`` and ``length`` of the reassembled document as captured (``complete`` says whether
  every byte was captured and kept: only then is the hash the document's own);
- the extracted text (``extract``), never output by default: it only feeds
  ``pii_counts`` (``pii``: email, phone, ssn, card, iban, keyword, private_key) and ``masked_excerpt``
  (``masking``: word shapes, digits masked), which prove readable text crossed the wire without
  showing it; ``text_status`` says "text", "raster" (text not recoverable), ...;
- ``hashed_names``: keyed BLAKE2b of the user, host, job, document and title values, so the same
  person or document can be followed across findings without the name being shown;
- with an evidence folder: a pixelated page-1 thumbnail (``thumbnail``), and with ``--carve`` the
  whole document, its extracted text and a pcap slice of its flow (``evidence_folder``).

Invariant: nothing in the returned ``Evidence`` is document text or a metadata value in clear.
"""
from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from ..model import FlowKey, Protection
from ..records import Evidence, JobRecord
from .folder import FolderFiles
from .pii import PII_KEYS
from .redact import keyed_hash

if TYPE_CHECKING:  # pragma: no cover
    from ..content.extract import TextResult
    from .folder import EvidenceFolder

log = logging.getLogger(__name__)

NAME_FIELDS = ("user", "host", "job_name", "document_name", "title", "author")
MAX_TEXT_CHARS = 1_000_000


class EvidenceStage:
    """Called as each job ends (the composition root wires it to ``FlowTable.on_job_done``) with the
    job's frozen record and its kept document; returns the job's ``Evidence``."""

    def __init__(self, *, keywords: Sequence[str] = (), folder: EvidenceFolder | None = None,
                 hash_key: bytes | None = None, extract: bool = True, reveal: bool = False) -> None:
        self.keywords = tuple(keywords)
        self.reveal = reveal
        self.folder = folder
        self.hash_key = hash_key
        self.extract = extract

    def __call__(self, rec: JobRecord, doc: bytes | None, complete: bool, key: FlowKey,
                 note: Callable[[str, str], None]) -> Evidence | None:
        """``note(kind, detail)`` records an anomaly on the job's flow."""
        if rec.protection is not Protection.NONE:
            return None  # the document crossed protected: nothing to prove
        text = ""
        res: TextResult | None = None
        status = "not-kept" if doc is None else "no-text"
        detail = ""
        if doc is not None and self.extract:
            res, status, detail = self._text(doc, list(rec.languages))
            if status == "error":
                note("internal_error", f"job {rec.job_index}: {detail}")
            text = res.text if res is not None else ""
        pii_counts = dict.fromkeys(PII_KEYS, 0)
        masked = ""
        if text:
            from . import masking, pii

            pii_counts = pii.counts(text, self.keywords)
            masked = masking.masked_excerpt(text)
        files = FolderFiles()
        if self.folder is not None and doc is not None:
            try:
                files = self.folder.job(rec, key, doc, text)
            except OSError as exc:
                note("evidence_write_failed", f"job {rec.job_index}: {exc}")
        return Evidence(
            sha256=rec.sha256,
            length=rec.bytes,
            complete=complete,
            missed_bytes=rec.missed_bytes,
            hashed_names={k: keyed_hash(str(getattr(rec, k)), self.hash_key) for k in NAME_FIELDS
                          if getattr(rec, k)},
            masked_excerpt=masked,
            pii_counts=pii_counts,
            text_status=status,
            text_detail=detail,
            # the job's own count (as the document states it) when it has one, else the extractor's;
            # the composition root gives the job the same number (api.Pipeline._job_done)
            pages=rec.pages if rec.pages is not None else (res.pages if res is not None else None),
            thumbnail=files.thumbnail,
            carved_path=files.carved_path,
            names={k: str(getattr(rec, k)) for k in NAME_FIELDS if getattr(rec, k)} if self.reveal else None,
            text_chars=len(text) if text else None,
            carved_sha256=files.carved_sha256,
            text_path=files.text_path,
        )

    def _text(self, doc: bytes, languages: list[str]) -> tuple[TextResult | None, str, str]:
        try:
            from ..content.extract import extract_text

            res = extract_text(doc, languages, max_chars=MAX_TEXT_CHARS)
        except Exception as exc:  # an extractor bug must not cost the finding
            log.debug("extractor failed", exc_info=True)
            return None, "error", (f"text extraction failed ({type(exc).__name__}, a bug): sensitive data "
                                   "cannot be ruled out")
        return res, res.status, res.detail
