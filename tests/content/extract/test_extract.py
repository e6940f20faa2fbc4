"""``extract_text``: segments between UELs, PJL wrappers, gzip, statuses and limits
(``sniffprint/content/extract/__init__.py``)."""
from __future__ import annotations

import gzip

from ._docs import PS, UEL, run


def test_pjl_wrapped_multi_language() -> None:
    doc = (UEL + b"@PJL JOB NAME=\"secret-title\"\r\n@PJL ENTER LANGUAGE=POSTSCRIPT\r\n" + PS
           + UEL + b"@PJL ENTER LANGUAGE=PCL\r\n\x1bEsecond part\x0c" + UEL + b"@PJL EOJ\r\n" + UEL)
    r = run(doc)
    assert r.status == "text"
    assert "secret-title" not in r.text  # PJL is metadata, reported elsewhere
    assert "CANARY-PS-1 Alice Example" in r.text and r.text.endswith("second part")
    assert r.pages == 2


def test_unknown_and_empty() -> None:
    assert run(b"\x89PNG\r\n\x1a\nxxxx", []).status == "unsupported"
    assert run(b"", []).status == "no-text"
    assert run(UEL + b"@PJL INFO STATUS\r\n" + UEL).status == "no-text"


def test_gzip_wrapped() -> None:
    r = run(gzip.compress(PS), ["PostScript"])
    assert r.status == "text" and "CANARY-PS-1" in r.text and r.detail.startswith("gzip")


def test_truncated_at_max_chars() -> None:
    doc = b"%!PS\n" + b"(0123456789) show\n" * 100
    r = run(doc, max_chars=25)
    assert r.status == "truncated" and len(r.text) == 25
