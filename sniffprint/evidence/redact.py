"""Redaction of free text taken from the traffic (user, job and document names).

Default outputs never show such a value in clear: it becomes ``<redacted:XXXXXXXX>``, the first
eight hex digits of a keyed BLAKE2b of the value, so the same person or document can be followed
across records and runs that share a key without the value being shown. ``--reveal`` shows
metadata exactly as sent (never document text).
"""
from __future__ import annotations

import hashlib
import os

from ..engine.jobs import TEXT_FIELDS as JOB_TEXT_FIELDS  # every free-text field a job record carries

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


def redact_job(rec: dict, key: bytes | None = None) -> dict:  # type: ignore[type-arg]
    out = dict(rec)
    for name in JOB_TEXT_FIELDS:
        out[name] = mask(rec.get(name), key)
    return out


def redact_flow(rec: dict, key: bytes | None = None) -> dict:  # type: ignore[type-arg]
    if not any(rec.get(name) for name in FLOW_TEXT_FIELDS):
        return rec
    out = dict(rec)
    for name in FLOW_TEXT_FIELDS:
        if out.get(name):
            out[name] = mask(str(out[name]), key)
    return out
