"""``read_report()``: reload a saved run into a ``Report`` (JSON lines, an evidence folder's
``findings.jsonl``, or a Parquet folder), so a notebook can work on it.

Invariant: a file that is not a sniffprint report is one ``CaptureError`` naming the path (and the
line), never a traceback; record types this version does not know (a newer writer's) are skipped.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

from ..errors import CaptureError
from ..records import RECORD_TYPES
from ..report import Report, from_json


def read_report(path: str | Path) -> Report:
    """Reload a saved run into a ``Report``, so a notebook can work on it: the JSON lines written by
    ``scan``/``verify --format json`` (or an evidence folder's ``findings.jsonl``), or the folder
    of ``--format parquet -o DIR`` (its frames equal the frames of the run that wrote it)."""
    import json

    if Path(path).is_dir():
        from ..outputs.parquet import read_parquet

        if not any(Path(path).glob("*.parquet")):
            raise CaptureError(f"{path}: a folder without sniffprint Parquet tables (flows.parquet, ...)")
        return read_parquet(path)
    report = Report()
    try:
        fp = open(path, encoding="utf-8")  # noqa: SIM115
    except OSError as exc:
        raise CaptureError(f"{path}: cannot read ({exc.strerror})") from None
    n = 0
    try:
        with fp:
            for n, line in enumerate(fp, 1):  # noqa: B007 - n names the bad line
                line = line.strip()
                if not line:
                    continue
                obj: Any = json.loads(line)
                if not isinstance(obj, dict) or not isinstance(obj.get("type"), str):
                    raise ValueError("no record type")
                if obj["type"] in RECORD_TYPES:  # a newer writer's new record types are skipped
                    report.add(from_json(obj))
    except UnicodeDecodeError:
        raise CaptureError(f"{path}: not a sniffprint report (binary data, not JSON lines)") from None
    except (ValueError, TypeError, AttributeError, KeyError):  # JSONDecodeError is a ValueError
        raise CaptureError(f"{path} line {n}: not a sniffprint JSON record") from None
    return report
