"""The finding record and its proof: ``Finding`` (a stable code, ``findings.rules``), ``Evidence``
and its ``Thumbnail``, and ``TallyKey`` (what the verdict counts of a finding).

Invariant: evidence proves without leaking again: hashes, lengths, masked word shapes and counts,
never the document's text (names as sent only with ``--reveal``).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, NamedTuple

from ..model import Severity
from ._schema import _IP, _PORT, _TS, col


# ----------------------------------------------------------------------------------- evidence
@dataclass(slots=True, frozen=True, kw_only=True)
class Thumbnail:
    TYPE: ClassVar[str] = "thumbnail"
    status: str = col("ok, no-ghostscript, unsupported, failed or skipped", "category")
    detail: str = col("why, in one line", "string")
    path: str | None = col("PNG in the evidence folder", "string", None)


@dataclass(slots=True, frozen=True, kw_only=True)
class Evidence:
    """Proof that a document crossed in clear, without leaking it again (``evidence.stage``)."""

    TYPE: ClassVar[str] = "evidence"
    sha256: str | None = col("SHA-256 of the reassembled document as captured", "string")
    length: int | None = col("its length in bytes", "UInt64")
    complete: bool | None = col("every byte captured and kept: the hash is the document's own", "boolean", None)
    missed_bytes: int | None = col("bytes of it missing from the capture", "UInt64", None)
    hashed_names: dict[str, str] | None = col("keyed BLAKE2b of user, host, job, document name, title, author",
                                              "object", None)
    masked_excerpt: str | None = col("word shapes of its text, digits masked", "string", None)
    pii_counts: dict[str, int] | None = col("sensitive data found: email, phone, ssn, card, iban, keyword, private_key",
                                            "object", None)
    text_status: str | None = col("text, raster, no-text, unsupported, truncated, not-kept or error",
                                  "category", None)
    text_detail: str | None = col("what the extractor saw", "string", None)
    pages: int | None = col("page count (the same as its job's)", "UInt32", None)
    thumbnail: Thumbnail | None = col("pixelated page-1 thumbnail (evidence folder only)", "object", None)
    carved_path: str | None = col("the carved document (--carve only)", "string", None)
    names: dict[str, str] | None = col("metadata as sent (--reveal only)", "object", None, sparse=True)
    text_chars: int | None = col("characters of text extracted", "UInt64", None, sparse=True)
    carved_sha256: str | None = col("SHA-256 of the carved file", "string", None, sparse=True)
    text_path: str | None = col("the extracted text (--carve only)", "string", None, sparse=True)


# ------------------------------------------------------------------------------------ finding
@dataclass(slots=True, frozen=True, kw_only=True)
class Finding:
    """What a flow, a job or the capture exposes, with a stable code (``findings.rules``)."""

    TYPE: ClassVar[str] = "finding"
    uid: str | None = col("uid of the flow, or null for a capture-level finding", "string")
    capture: str | None = col("the capture it was found in", "string", None)
    community_id: str | None = col("Community ID v1 of its flow", "string", None)
    code: str = col("stable finding code (SP101...)", "category")
    title: str = col("what the code means", "string")
    severity: Severity = col("info < low < medium < high < critical", "category")
    confidence: str = col("high, medium or low", "category")
    client_ip: str | None = col("client address", _IP)
    client_port: int | None = col("client port", _PORT)
    server_ip: str | None = col("server (printer) address", _IP)
    server_port: int | None = col("server port", _PORT)
    protocol: str | None = col("print protocol", "category")
    language: str | None = col("print language of the exposed document", "category")
    bytes_exposed: int = col("document bytes that crossed in clear", "UInt64")
    evidence: Evidence | None = col("redacted proof ({} when none)", "object")
    remediation: str = col("what to do about it", "string")
    detail: str = col("the specifics, redacted", "string")
    job_index: int | None = col("the job in its flow", "UInt32")
    ts: float | None = col("start of the flow", _TS)
    suppressed: str | None = col("the policy exception's reason, or null", "string")


class TallyKey(NamedTuple):
    """What the verdict needs of a finding, counted (bounded by printers x codes)."""

    code: str
    severity: Severity
    server_ip: str | None
    server_port: int | None
    suppressed: str | None
