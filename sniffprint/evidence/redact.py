"""Redaction of free text taken from the traffic (user, job and document names).

Default outputs never show such a value in clear: it becomes ``<redacted:XXXXXXXX>``, the first
eight hex digits of a keyed BLAKE2b of the value, so the same person or document can be followed
across records and runs that share a key without the value being shown. ``--reveal`` shows
metadata exactly as sent (never document text).

What is masked: the job's free-text fields (``JobRecord.TEXT_FIELDS``), the flow facts that name a
person or a file (``FLOW_TEXT_FIELDS``, each element of a list masked alone), and the ``NAME=``
values a printer echoes in a device reply (``@PJL USTATUS JOB`` ``START``/``END`` with
``NAME="..."``): the status words stay, the names go (``mask_device_info``).
"""
from __future__ import annotations

import dataclasses
import hashlib
import os
import re
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


FLOW_TEXT_FIELDS = ("smb_user", "pjl_fs_paths", "pjl_fs_listed")  # flow facts that name a person or a file
# NAME = "value" (quotes dropped or kept) in a device reply, up to the next "; " that joins its lines
_DEVICE_NAME = re.compile(r'((?:^|[;\s])[A-Z]*NAME[ \t]*=[ \t]*)("[^"]*"?|[^;]*?)(?=\s*;|\s*$)', re.I)


def mask_device_info(value: str | None, key: bytes | None = None) -> str | None:
    """A device reply with every ``NAME=`` value masked (job names echoed by ``USTATUS JOB``)."""
    if value is None:
        return None
    return _DEVICE_NAME.sub(lambda m: m.group(1) + str(mask(m.group(2).strip('"'), key)), value)


def _mask_fact(value: Any, key: bytes | None) -> Any:
    if isinstance(value, (tuple, list)):
        return tuple(mask(str(v), key) for v in value)
    return mask(str(value), key)


def redact_job(rec: JobRecord, key: bytes | None = None) -> JobRecord:
    """The job record with every free-text field taken from the traffic masked."""
    masked: dict[str, Any] = {name: mask(getattr(rec, name), key) for name in JobRecord.TEXT_FIELDS}
    masked["pjl_device_info"] = mask_device_info(rec.pjl_device_info, key)
    return dataclasses.replace(rec, **masked)


def redact_flow(rec: FlowRecord, key: bytes | None = None) -> FlowRecord:
    """The flow record with the facts that name a person or a file masked."""
    masked: dict[str, Any] = {name: _mask_fact(getattr(rec, name), key) for name in FLOW_TEXT_FIELDS
                              if getattr(rec, name)}
    if rec.pjl_device_info:
        masked["pjl_device_info"] = mask_device_info(rec.pjl_device_info, key)
    return dataclasses.replace(rec, **masked) if masked else rec
