"""Output formats: one file each, one line each in ``OUTPUTS`` (``--format`` choices follow).

A writer is streaming: ``begin()``, then ``flow()``, ``job()``, ``anomaly()`` as records become
known, then ``end(stats)``. Records are typed (``sniffprint.records``); their JSON form is documented in docs/json.md.
"""
from __future__ import annotations

import importlib
from collections.abc import Iterator, Mapping

from .base import Writer

# format -> (module, class): a writer's module is imported when its format is asked for, so the
# CLI starts without the HTML report's, SARIF's or Parquet's imports (and naming the choices of
# --format imports none of them)
_WRITERS: dict[str, tuple[str, str]] = {
    "table": ("table", "TableWriter"),
    "json": ("jsonl", "JsonLinesWriter"),
    "csv": ("csv", "CsvWriter"),
    "junit": ("junit", "JunitWriter"),
    "sarif": ("sarif", "SarifWriter"),
    "line": ("line", "LineWriter"),
    "html": ("html", "HtmlWriter"),
    "parquet": ("parquet", "ParquetWriter"),
}


class _Outputs(Mapping[str, type[Writer]]):
    """``OUTPUTS[fmt]`` is the writer class of ``fmt``, imported on first use."""

    def __getitem__(self, fmt: str) -> type[Writer]:
        module, name = _WRITERS[fmt]
        cls: type[Writer] = getattr(importlib.import_module(f".{module}", __name__), name)
        return cls

    def __iter__(self) -> Iterator[str]:
        return iter(_WRITERS)

    def __len__(self) -> int:
        return len(_WRITERS)


OUTPUTS: Mapping[str, type[Writer]] = _Outputs()
