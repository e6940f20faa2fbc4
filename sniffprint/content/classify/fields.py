"""The metadata record every language's extractor returns (``classify.<lang>.metadata``).

A ``DocField`` is one value as the document states it (PJL ``SET USERNAME``, DSC ``%%For``, a PDF
Info ``/Author``...), with the name of the place it stood (``source``) so that the job record can
say where each field came from, and a ``sensitive`` flag for secrets sent in clear (a PJL
``HOLDKEY`` PIN): those are counted and reported as present, never shown.
"""
from __future__ import annotations

from dataclasses import dataclass

MAX_VALUE = 512  # characters kept of one value: names and titles, never document text


@dataclass(slots=True, frozen=True)
class DocField:
    name: str  # job record field: user, job_name, title, author, creator, pages, holdkey, ...
    value: str
    source: str  # pjl, dsc, pdf-info, xmp, pwg, urf
    sensitive: bool = False


def text(raw: bytes) -> str:
    """Bytes of a metadata value as text: UTF-8 when it decodes, else Latin-1 (never fails)."""
    try:
        s = raw.decode("utf-8")
    except UnicodeDecodeError:
        s = raw.decode("latin-1")
    return s.strip()[:MAX_VALUE]
