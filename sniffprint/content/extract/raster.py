"""Raster formats: PWG Raster (PWG 5102.4-2012) and Apple URF. Their pages are pixels, so there is
never text to extract; the result says so with the page count that ``classify`` reads from the
headers (``TotalPageCount``, URF page count), or counts the PWG page headers."""
from __future__ import annotations

from dataclasses import dataclass

from ..classify import raster as pwg
from ..classify import urf
from ._text import TextSink


@dataclass(slots=True)
class Result:
    status: str
    detail: str
    pages: int | None


def _result(name: str, pages: int | None) -> Result:
    n = "?" if pages is None else str(pages)
    return Result("raster", f"raster: text not recoverable ({n} pages); {name}", pages)


def extract_pwg(buf: bytes, sink: TextSink) -> Result:
    return _result("PWG Raster", pwg.page_count(buf, True))


def extract_urf(buf: bytes, sink: TextSink) -> Result:
    fields = urf.metadata(buf)
    pages = next((int(f.value) for f in fields if f.name == "pages" and str(f.value).isdigit()), None)
    return _result("URF", pages)
