"""PWG Raster (PWG 5102.4-2012), the IPP Everywhere raster format. Its pages are pixels, so there
is never text to extract: the result says so, with the page count ``classify.raster`` reads from
the first page header (``TotalPageCount``) or counts from the page headers."""
from __future__ import annotations

from ..classify import raster as pwg
from ._text import TextSink
from .base import Result

NAME = pwg.NAME


def pixels(name: str, pages: int | None) -> Result:
    """The result of a document whose pages are images (shared with ``urf``)."""
    n = "?" if pages is None else str(pages)
    return Result("raster", f"raster: text not recoverable ({n} pages); {name}", pages)


def extract(body: bytes, sink: TextSink) -> Result:
    return pixels("PWG Raster", pwg.page_count(body, True))
