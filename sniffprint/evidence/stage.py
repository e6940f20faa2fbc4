"""Evidence for each print job seen in clear: proof of exposure that does not leak it again.

For every job that ends, while its document is still at hand (``Job.document()``, kept by the
job up to ``Options.keep_document_bytes``):
- ``sha256`` and ``length`` of the reassembled document as captured (``complete`` says whether
  every byte was captured and kept: only then is the hash the document's own);
- the extracted text (``extract``), never output by default: it only feeds
  ``pii_counts`` (``pii``: email, phone, ssn, card, iban, keyword) and ``masked_excerpt``
  (``masking``: word shapes, digits masked), which prove readable text crossed the wire without
  showing it; ``text_status`` says "text", "raster" (text not recoverable), ...;
- ``hashed_names``: keyed BLAKE2b of the user, host, job, document and title values, so the same
  person or document can be followed across findings without the name being shown;
- with an evidence folder: a pixelated page-1 thumbnail (``thumbnail``), and with ``--carve`` the
  whole document, its extracted text and a pcap slice of its flow (``evidence_folder``).

Invariant: nothing in the returned evidence dict is document text or a metadata value in clear.
"""
from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from .pii import PII_KEYS
from .redact import keyed_hash

if TYPE_CHECKING:  # pragma: no cover
    from ..engine.flows import Flow
    from ..engine.jobs import Job
    from .folder import EvidenceFolder

log = logging.getLogger(__name__)

NAME_FIELDS = ("user", "host", "job_name", "document_name", "title", "author")
MAX_TEXT_CHARS = 1_000_000


class EvidenceStage:
    """Called by the flow table as each job ends (``FlowTable.on_job_done``)."""

    def __init__(self, *, keywords: Sequence[str] = (), folder: EvidenceFolder | None = None,
                 hash_key: bytes | None = None, extract: bool = True, reveal: bool = False) -> None:
        self.keywords = tuple(keywords)
        self.reveal = reveal
        self.folder = folder
        self.hash_key = hash_key
        self.extract = extract

    def __call__(self, flow: Flow, job: Job) -> None:
        if job.protection != "none":
            return  # the document crossed protected: nothing to prove
        rec = job.record()
        doc = job.document()
        ev: dict[str, Any] = {
            "sha256": rec.get("sha256"),
            "length": job.bytes,
            "complete": job.complete,
            "missed_bytes": job.missed,
            "hashed_names": {k: keyed_hash(str(rec[k]), self.hash_key) for k in NAME_FIELDS if rec.get(k)},
            "masked_excerpt": "",
            "pii_counts": dict.fromkeys(PII_KEYS, 0),
            "text_status": "not-kept" if doc is None else "no-text",
            "text_detail": "",
            "pages": rec.get("pages"),
            "thumbnail": None,
            "carved_path": None,
        }
        if self.reveal:  # --reveal: metadata as sent (never document text)
            ev["names"] = {k: rec[k] for k in NAME_FIELDS if rec.get(k)}
        text = ""
        if doc is not None and self.extract:
            text = self._text(doc, list(rec.get("languages") or []), ev)
        if self.folder is not None and doc is not None:
            try:
                self.folder.job(flow, job, rec, doc, text, ev)
            except OSError as exc:
                flow.note("evidence_write_failed", f"job {job.index}: {exc}", "evidence")
        job.evidence = ev

    def _text(self, doc: bytes, languages: list[str], ev: dict[str, Any]) -> str:
        try:
            from ..content.extract import extract_text
            from . import masking, pii

            res = extract_text(doc, languages, max_chars=MAX_TEXT_CHARS)
        except Exception as exc:  # an extractor bug must not cost the finding
            log.debug("extractor failed", exc_info=True)
            ev["text_status"] = "error"
            ev["text_detail"] = f"text extraction failed: {type(exc).__name__}"
            return ""
        ev["text_status"] = res.status
        ev["text_detail"] = res.detail
        if res.pages is not None:
            ev["pages"] = res.pages
        if res.text:
            ev["pii_counts"] = pii.counts(res.text, self.keywords)
            ev["masked_excerpt"] = masking.masked_excerpt(res.text)
            ev["text_chars"] = len(res.text)
        return res.text
