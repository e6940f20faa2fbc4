"""Redaction of free text taken from the traffic (user, job and document names).

Default outputs never show such a value in clear: it becomes ``<redacted:XXXXXXXX>``, the first
eight hex digits of a keyed BLAKE2b of the value, so the same person or document can be followed
across records and runs that share a key without the value being shown. ``--reveal`` shows
metadata exactly as sent (never document text).

What is masked: the job's free-text fields (``JobRecord.TEXT_FIELDS``), the flow facts that name a
person or a file (``FLOW_TEXT_FIELDS``, each element of a list masked alone), the names of
``host_names`` (a workstation's name often names its user; the addresses stay), and the ``NAME=``
values a printer echoes in a device reply (``@PJL USTATUS JOB`` ``START``/``END`` with
``NAME="..."``): the status words stay, the names go (``mask_device_info``).

The key is always given: the site's own (``sitekey.resolve``, once per run, by the composition
root). There is no default key and no module-level key state: a constant key would let anyone
with the source and a list of likely names reverse every hash.

Credentials (``credentials``) are never shown, not even with ``--reveal``: a password, an SNMP
community or a session cookie becomes its kind, where it stood, its length and a keyed hash under
the same site key (a key nobody else holds: hashing ``public`` or ``admin`` elsewhere gives other
values, while the same password seen twice at one site keeps its hash).
"""
from __future__ import annotations

import dataclasses
import hashlib
import re
from collections.abc import Iterable
from typing import Any

from ..dissectors.events import SecretSeen
from ..records import Credential, FlowRecord, JobRecord


def keyed_hash(value: str, key: bytes) -> str:
    """Keyed BLAKE2b of a name (32 hex digits)."""
    if not key:
        raise ValueError("keyed_hash needs the site's key")
    return hashlib.blake2b(value.encode("utf-8", "surrogateescape"), key=key, digest_size=16).hexdigest()


def mask(value: str | None, key: bytes) -> str | None:
    if value is None:
        return None
    return f"<redacted:{keyed_hash(value, key)[:8]}>"


FLOW_TEXT_FIELDS = ("smb_user", "snmp_user", "pjl_fs_paths", "pjl_fs_listed")  # name a person or a file
# NAME = "value" (quotes dropped or kept) in a device reply, up to the next "; " that joins its lines
_DEVICE_NAME = re.compile(r'((?:^|[;\s])[A-Z]*NAME[ \t]*=[ \t]*)("[^"]*"?|[^;]*?)(?=\s*;|\s*$)', re.I)


def mask_device_info(value: str | None, key: bytes) -> str | None:
    """A device reply with every ``NAME=`` value masked (job names echoed by ``USTATUS JOB``)."""
    if value is None:
        return None
    return _DEVICE_NAME.sub(lambda m: m.group(1) + str(mask(m.group(2).strip('"'), key)), value)


def _mask_fact(value: Any, key: bytes) -> Any:
    if isinstance(value, (tuple, list)):
        return tuple(mask(str(v), key) for v in value)
    return mask(str(value), key)


def credentials(seen: Iterable[SecretSeen], key: bytes) -> tuple[Credential, ...]:
    """What a record may say of credentials seen in clear: kind, where, lengths and keyed hashes."""
    out: list[Credential] = []
    for s in seen:
        c = Credential(kind=s.kind, label=s.label,
                       user_hash=keyed_hash(s.user, key) if s.user else None,
                       secret_length=len(s.secret) if s.secret is not None else None,
                       secret_hash=keyed_hash(s.secret, key) if s.secret is not None else None)
        if c not in out:
            out.append(c)
    return tuple(out)


def redact_job(rec: JobRecord, key: bytes) -> JobRecord:
    """The job record with every free-text field taken from the traffic masked."""
    masked: dict[str, Any] = {name: mask(getattr(rec, name), key) for name in JobRecord.TEXT_FIELDS}
    masked["pjl_device_info"] = mask_device_info(rec.pjl_device_info, key)
    return dataclasses.replace(rec, **masked)


def redact_flow(rec: FlowRecord, key: bytes) -> FlowRecord:
    """The flow record with the facts that name a person or a file masked."""
    masked: dict[str, Any] = {name: _mask_fact(getattr(rec, name), key) for name in FLOW_TEXT_FIELDS
                              if getattr(rec, name)}
    if rec.pjl_device_info:
        masked["pjl_device_info"] = mask_device_info(rec.pjl_device_info, key)
    if rec.host_names:  # a workstation's name often names its user
        masked["host_names"] = tuple(dataclasses.replace(h, name=str(mask(h.name, key))) for h in rec.host_names)
    return dataclasses.replace(rec, **masked) if masked else rec
