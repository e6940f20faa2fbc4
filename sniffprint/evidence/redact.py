"""Redaction of free text taken from the traffic (user, job and document names).

Default outputs never show such a value in clear: it becomes ``<redacted:XXXXXXXX>``, the first
eight hex digits of a keyed BLAKE2b of the value, so the same person or document can be followed
across records and runs that share a key without the value being shown. ``--reveal`` shows
metadata exactly as sent (never document text).

The key is always given: the site's own (``sitekey.resolve``, once per run, by the composition
root). There is no default key and no module-level key state: a constant key would let anyone
with the source and a list of likely names reverse every hash.
"""
from __future__ import annotations

import dataclasses
import hashlib
from typing import Any

from ..records import FlowRecord, JobRecord


def keyed_hash(value: str, key: bytes) -> str:
    """Keyed BLAKE2b of a name (32 hex digits)."""
    if not key:
        raise ValueError("keyed_hash needs the site's key")
    return hashlib.blake2b(value.encode("utf-8", "surrogateescape"), key=key, digest_size=16).hexdigest()


def mask(value: str | None, key: bytes) -> str | None:
    if value is None:
        return None
    return f"<redacted:{keyed_hash(value, key)[:8]}>"


FLOW_TEXT_FIELDS = ("smb_user",)  # flow facts that name a person


def redact_job(rec: JobRecord, key: bytes) -> JobRecord:
    """The job record with every free-text field taken from the traffic masked."""
    masked: dict[str, Any] = {name: mask(getattr(rec, name), key) for name in JobRecord.TEXT_FIELDS}
    return dataclasses.replace(rec, **masked)


def redact_flow(rec: FlowRecord, key: bytes) -> FlowRecord:
    """The flow record with the facts that name a person masked."""
    if not any(getattr(rec, name) for name in FLOW_TEXT_FIELDS):
        return rec
    masked: dict[str, Any] = {name: mask(str(getattr(rec, name)), key) for name in FLOW_TEXT_FIELDS
                              if getattr(rec, name)}
    return dataclasses.replace(rec, **masked)
