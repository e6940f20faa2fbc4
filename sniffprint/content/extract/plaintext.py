"""Documents in no print language: plain text is read as it is, anything else is named.

A segment no language recognises (a printer prints plain text as it comes; a file written to or
read back from a printer's file system may be a script, a key, a listing) is text when
``filekind.is_text`` says so: its characters go to the sink as they are, except the base64 body
of every PEM/RFC 7468 block (key or certificate material is not readable text, and even its word
shape must not reach an excerpt): the armour lines stay, so a private key is still counted
(``pii`` ``private_key``). The detail names the kind of file (``filekind.kind``).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from ..classify import filekind
from ._text import TextSink

_PEM = re.compile(rb"(-----BEGIN ([A-Z0-9 ]{1,64})-----)[A-Za-z0-9+/=\s:,-]*?(-----END \2-----)")
_PGP_BODY = re.compile(rb"(-----BEGIN PGP [A-Z ]{1,40}-----)[\s\S]*?(-----END PGP [A-Z ]{1,40}-----)")


@dataclass(slots=True)
class Result:
    status: str
    detail: str
    pages: int | None


def extract(buf: bytes, sink: TextSink) -> Result:
    what = filekind.kind(buf)
    if not filekind.is_text(buf):
        return Result("unsupported", f"unknown language ({what}): no text extractor", None)
    body = _PEM.sub(rb"\1\n\3", buf)
    body = _PGP_BODY.sub(rb"\1\n\2", body)
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        text = body.decode("latin-1")
    sink.add(text.replace("\f", "\n"))
    return Result("text", "plain text" if what == "text" else f"{what}, not a print language (plain text)", None)
