"""``extract_text``: segments between UELs, PJL wrappers, gzip, statuses and limits
(``sniffprint/content/extract/__init__.py``)."""
from __future__ import annotations

import gzip

import pytest

from sniffprint.content import extract

from ._docs import PS, UEL, pdf_file, run, stream


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


def _shared_content_pdf(pages: int) -> bytes:
    kids = b" ".join(b"%d 0 R" % (i + 4) for i in range(pages))
    objs: list[bytes | None] = [b"<< /Type /Catalog /Pages 2 0 R >>",
                                b"<< /Type /Pages /Kids [" + kids + b"] /Count %d >>" % pages,
                                stream(b"BT (shared words) Tj ET " * 100, flate=False)]
    objs += [b"<< /Type /Page /Parent 2 0 R /Contents 3 0 R >>"] * pages
    return pdf_file(objs)


def test_work_budget_stops_and_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    doc = _shared_content_pdf(200)  # each page runs the same 2.4 KB content stream again
    full = run(doc)
    assert full.status == "text" and full.limits == () and full.text.count("shared words") == 200 * 100
    monkeypatch.setattr(extract, "WORK_BASE", 20_000)
    monkeypatch.setattr(extract, "WORK_PER_BYTE", 1)
    r = run(doc)
    assert r.status == "truncated" and r.limits == ("work_budget",)
    assert r.detail.startswith("stopped: work budget of ") and "exhausted" in r.detail
    assert 0 < r.text.count("shared words") < 200 * 100


def test_max_chars_is_named_in_limits() -> None:
    r = run(b"%!PS\n" + b"(0123456789) show\n" * 100, max_chars=25)
    assert r.limits == ("max_chars",)
