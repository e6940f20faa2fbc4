"""Kinds of files that are not print languages, named by their first bytes.

A printer's file system holds more than print jobs: keys and certificates, scripts, firmware,
archives. A file written to it (PJL ``FSDOWNLOAD``) or read back from it (``FSUPLOAD``) that no
page description language recognises is named here for the evidence ("a shell script is not a
print language"). Signatures, most specific first:

- PEM / RFC 7468 armour: ``-----BEGIN <label>-----`` at the start, or anywhere in a text file
  (RFC 7468 allows explanatory text before it); a ``... PRIVATE KEY`` label is a private key,
  ``CERTIFICATE`` a certificate; OpenPGP armour (RFC 4880 section 6.2) the same way;
- ``#!`` (an interpreter line): a shell script for sh, bash, dash, ash, ksh, zsh, busybox, else a
  script of its interpreter;
- ``\\x7fELF`` (ELF executable), ``PK\\x03\\x04`` (ZIP archive), ``\\x1f\\x8b`` (gzip), ``<?xml``;
- otherwise "text" when the bytes are text (``is_text``), else "binary data".
"""
from __future__ import annotations

import re

SAMPLE = 4096  # bytes looked at
_ARMOUR = re.compile(rb"-----BEGIN ([A-Z0-9 ]{1,64})-----")
_SHELLS = frozenset({b"sh", b"bash", b"dash", b"ash", b"ksh", b"zsh", b"busybox"})
_MAGIC = ((b"\x7fELF", "ELF executable"), (b"PK\x03\x04", "ZIP archive"), (b"\x1f\x8b", "gzip data"),
          (b"<?xml", "XML"))
_TEXT_BYTES = frozenset(range(0x20, 0x7F)) | {0x09, 0x0A, 0x0C, 0x0D}


def is_text(buf: bytes) -> bool:
    """The first ``SAMPLE`` bytes are text: UTF-8 (or 8-bit) with no NUL and at most 2% control
    bytes other than TAB, LF, FF and CR."""
    head = buf[:SAMPLE]
    if not head or b"\x00" in head:
        return False
    bad = sum(1 for b in head if b not in _TEXT_BYTES and b < 0x80)
    return bad * 50 <= len(head)


def kind(buf: bytes) -> str:
    """What the file is, in a few words (never a value from it)."""
    head = buf[:SAMPLE].lstrip(b"\xef\xbb\xbf \t\r\n")
    m = _ARMOUR.match(head) or (_ARMOUR.search(head) if is_text(buf) else None)  # after comments, e.g.
    if m is not None:  # openssl's "Bag Attributes" lines
        label = m.group(1)
        if label.endswith((b"PRIVATE KEY", b"PRIVATE KEY BLOCK")):
            return "private key (PEM)"
        if label in (b"CERTIFICATE", b"X509 CERTIFICATE", b"TRUSTED CERTIFICATE"):
            return "certificate (PEM)"
        return "PEM data"
    if head.startswith(b"PuTTY-User-Key-File-"):
        return "private key (PuTTY)"
    if head.startswith(b"#!"):
        line = head[2:].split(b"\n", 1)[0].strip().split()
        prog = line[0].rsplit(b"/", 1)[-1] if line else b""
        if prog == b"env" and len(line) > 1:
            prog = line[1].rsplit(b"/", 1)[-1]
        return "shell script" if prog in _SHELLS else "script"
    for magic, name in _MAGIC:
        if head.startswith(magic):
            return name
    return "text" if is_text(buf) else "binary data"
