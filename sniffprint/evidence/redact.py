"""Redaction of free text taken from the traffic (user, job and document names).

Default outputs never show such a value in clear: it becomes ``<redacted:XXXXXXXX>``, the first
eight hex digits of a keyed BLAKE2b of the value, so the same person or document can be followed
across records and runs that share a key without the value being shown. ``--reveal`` shows
metadata exactly as sent (never document text).
"""
from __future__ import annotations

import dataclasses
import hashlib
import os
from typing import Any

from ..records import FlowRecord, JobRecord

_DEFAULT_KEY = b"sniffprint-redaction-v1"


def redaction_key() -> bytes:
    env = os.environ.get("SNIFFPRINT_HASH_KEY")
    return env.encode() if env else _DEFAULT_KEY


def keyed_hash(value: str, key: bytes | None = None) -> str:
    return hashlib.blake2b(value.encode("utf-8", "surrogateescape"), key=key or redaction_key(),
                           digest_size=16).hexdigest()


def mask(value: str | None, key: bytes | None = None) -> str | None:
    if value is None:
        return None
    return f"<redacted:{keyed_hash(value, key)[:8]}>"


FLOW_TEXT_FIELDS = ("smb_user",)  # flow facts that name a person


def redact_job(rec: JobRecord, key: bytes | None = None) -> JobRecord:
    """The job record with every free-text field taken from the traffic masked."""
    masked: dict[str, Any] = {name: mask(getattr(rec, name), key) for name in JobRecord.TEXT_FIELDS}
    return dataclasses.replace(rec, **masked)


def redact_flow(rec: FlowRecord, key: bytes | None = None) -> FlowRecord:
    """The flow record with the facts that name a person masked."""
    if not any(getattr(rec, name) for name in FLOW_TEXT_FIELDS):
        return rec
    masked: dict[str, Any] = {name: mask(str(getattr(rec, name)), key) for name in FLOW_TEXT_FIELDS
                              if getattr(rec, name)}
    return dataclasses.replace(rec, **masked)
