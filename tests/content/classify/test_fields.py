"""DocField text decoding."""
from __future__ import annotations

from sniffprint.content.classify.fields import MAX_VALUE, text


def test_text() -> None:
    assert text(b"  alice \r") == "alice"
    assert text("jörg".encode()) == "jörg"
    assert text("jörg".encode("latin-1")) == "jörg"
    assert len(text(b"x" * 10_000)) == MAX_VALUE
