"""The extractor contract: what every entry of ``EXTRACTORS`` (``extract/__init__.py``) provides.

A text extractor is a module (as ``classify.LANGUAGES`` entries are) with:

- ``NAME``: the language it reads, by its JSON contract name (``"PDF"``, ``"PCL5"``...), the name
  ``classify.detect`` gives the segment;
- ``extract(body, sink) -> Result``: write the readable text of one document segment of that
  language into ``sink`` (``_text.TextSink``) and say what it found.

Invariants every extractor keeps: it never raises on malformed input (a raise is a bug, caught and
named by ``extract_text``), it writes text only through the sink (which bounds it), and its work is
bounded by its input (caps named in its module docstring).

Adding a language is one module plus one line in ``EXTRACTORS``.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from ._text import TextSink

__all__ = ["Language", "Result"]


@dataclass(slots=True, frozen=True)
class Result:
    """What one extractor found in one segment. ``status`` is one of ``extract_text``'s statuses
    ("text", "raster", "no-text", "unsupported"); ``detail`` says what was seen, for the analyst;
    ``pages`` is the page count when the segment states or shows one."""

    status: str
    detail: str
    pages: int | None = None


class Language(Protocol):
    """A text extractor module (see the module docstring)."""

    @property
    def NAME(self) -> str: ...  # a module constant, as in classify's modules

    def extract(self, body: bytes, sink: TextSink) -> Result: ...
