"""ZPL II (Zebra ZPL II Programming Guide): a label format starts ``^XA`` and ends ``^XZ``; control
commands (``~...``) and the ``CT~~CD,~CC^~CT~`` prefix some drivers send may come first."""
from __future__ import annotations

from .fields import DocField

NAME = "ZPL"
WINDOW = 256  # bytes after a leading control command in which ^XA must appear


def detect(buf: bytes, at: int) -> bool:
    if buf.startswith(b"^XA", at):
        return True
    return (buf.startswith(b"~", at) or buf.startswith(b"CT~~", at)) and b"^XA" in buf[at:at + WINDOW]


def metadata(head: bytes, tail: bytes = b"", whole: bool = True) -> list[DocField]:
    labels = head.count(b"^XA") if whole else 0
    return [DocField("pages", str(labels), "zpl")] if labels else []
