"""Apple Raster / URF (AirPrint). Its pages are pixels, so there is never text to extract: the
result says so, with the page count of the file header that ``classify.urf`` reads."""
from __future__ import annotations

from ..classify import urf
from ._text import TextSink
from .base import Result
from .raster import pixels

NAME = urf.NAME


def extract(body: bytes, sink: TextSink) -> Result:
    pages = next((int(f.value) for f in urf.metadata(body) if f.name == "pages" and str(f.value).isdigit()), None)
    return pixels("URF", pages)
