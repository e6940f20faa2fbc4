"""The migration, followed over time: before/after diffs and a fleet audit (issue 13's API).

- ``load(inputs)``: one set of inputs as one ``Report``: captures analysed together in one run,
  saved reports (JSON lines of ``scan``/``verify --format json``, Parquet folders of
  ``--format parquet``) reloaded and added.
- ``diff(before, after)``: what moved between two sets, per printer and per workstation
  (``findings.diff``: the rules, the exit codes).
- ``fleet_frame(inputs)``: many captures (days, sensors) -> each printer's and each workstation's
  verdict per period, as one pandas frame, the table a migration team plots for management
  (``plots.plot_fleet_trend``, ``plots.plot_fleet_grid``).

**The fleet frame.** Each input is one snapshot: a capture (analysed alone, so that a printer
seen on Monday and on Friday gives two observations, not one merged record), a saved report, or
a ``Report`` already in memory. Every printer and client record of a snapshot is an observation,
dated by when it was seen: a printer by the first packet of the earliest capture it was seen in
(``Summary.captures``; else its earliest flow or finding, else the snapshot's start), a client by
its ``first_seen``.
Observations of one host in one period (a day by default; any pandas period alias: ``"W"`` for
weeks, ``"M"`` for months) are combined: the worst verdict (exposed > weak > protected >
unknown: one sensor that saw a job in clear is enough; unknown only when no observation judged
it), the union of protocols and of the cleartext ports still enabled, the sum of jobs and bytes
in clear, the number of snapshots.

Its columns (``FLEET_COLUMNS``), one row per (period, kind, address), sorted by period, kind and
address: ``period`` (start of the period, in ``tz``), ``kind`` (printer or client), ``address``,
``verdict`` (ordered categorical: unknown < protected < weak < exposed), ``snapshots``,
``protocols_clear``, ``protocols_protected``, ``clear_still_enabled`` (printers), ``jobs_clear``,
``bytes_clear``, ``names`` (a printer's name, a client's host names as the records have them:
masked unless the runs used ``--reveal``).
"""
from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .findings.diff import Diff, Side, compare
from .model import PrinterVerdict
from .options import Options
from .records import ClientRecord, PrinterRecord
from .report import Report

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

# by evidence of exposure: unknown (nothing judged) < protected < weak < exposed; observations of one
# host in one period keep the highest
VERDICT_ORDER = ("unknown", "protected", "weak", "exposed")
_RANK = {v: i for i, v in enumerate(VERDICT_ORDER)}
FLEET_COLUMNS = {"period": "datetime64[ns, UTC]", "kind": "category", "address": "string", "verdict": "category",
                 "snapshots": "UInt32", "protocols_clear": "object", "protocols_protected": "object",
                 "clear_still_enabled": "object", "jobs_clear": "UInt32", "bytes_clear": "UInt64",
                 "names": "object"}


@dataclass(slots=True)
class _Cell:
    verdict: str = "unknown"
    snapshots: int = 0
    clear: set[str] = field(default_factory=set)
    protected: set[str] = field(default_factory=set)
    still: set[int] = field(default_factory=set)
    jobs: int = 0
    bytes: int = 0
    names: set[str] = field(default_factory=set)

    def add(self, verdict: PrinterVerdict, clear: Iterable[str], protected: Iterable[str], still: Iterable[int],
            jobs: int, nbytes: int, names: Iterable[str]) -> None:
        if self.snapshots == 0 or _RANK[verdict.value] > _RANK[self.verdict]:
            self.verdict = verdict.value
        self.snapshots += 1
        self.clear.update(clear)
        self.protected.update(protected)
        self.still.update(still)
        self.jobs += jobs
        self.bytes += nbytes
        self.names.update(names)


CAPTURE_MAGIC = (b"\xd4\xc3\xb2\xa1", b"\xa1\xb2\xc3\xd4", b"\x4d\x3c\xb2\xa1", b"\xa1\xb2\x3c\x4d",
                 b"\x0a\x0d\x0d\x0a", b"\x1f\x8b")  # pcap (both byte orders, us and ns), pcapng, gzip


def is_saved_report(path: str | Path) -> bool:
    """Whether ``path`` is a saved report rather than captures: a folder of Parquet tables, or a
    file whose first bytes are JSON (a capture starts with its magic number; anything else is left
    to the capture reader, which says what is wrong with it)."""
    p = Path(path)
    if p.is_dir():
        return any(p.glob("*.parquet"))
    try:
        with open(p, "rb") as fp:
            head = fp.read(64)
    except OSError:
        return False
    return not head.startswith(CAPTURE_MAGIC) and head.lstrip()[:1] == b"{"


def load(inputs: Iterable[str | Path | Report], options: Options | None = None) -> Report:
    """One set of inputs as one ``Report``: the captures analysed together (one run: a printer seen
    in two of them is one record), the saved reports and ``Report`` objects added to it.
    Unreadable inputs raise ``CaptureError`` (the CLI's exit 2), as ``analyze`` and ``read_report`` do."""
    from .api import analyze, read_report

    items = list(inputs)
    captures = [str(i) for i in items if not isinstance(i, Report) and not is_saved_report(i)]
    reports = [i if isinstance(i, Report) else read_report(i) for i in items
               if isinstance(i, Report) or is_saved_report(i)]
    if captures:
        reports.insert(0, analyze(captures, options=options))
    return Report.concat(reports)


def diff(before: Iterable[str | Path | Report], after: Iterable[str | Path | Report], *,
         options: Options | None = None) -> Diff:
    """What moved from ``before`` to ``after`` (each: captures, saved reports or ``Report``s;
    ``findings.diff.compare`` has the rules). ``Diff.exit_code``: 0 nothing got worse, 1 something
    did, 3 no printer in both sets."""
    b, a = list(before), list(after)
    return compare(side(load(b, options), b), side(load(a, options), a))


def side(report: Report, inputs: Iterable[object] = ()) -> Side:
    """The diff side of a report: its printer records and its client records."""
    return Side(report.printers, report.client_records(),
                tuple(str(i) if not isinstance(i, Report) else "(report)" for i in inputs))


def snapshot(item: str | Path | Report, options: Options | None = None) -> Report:
    """One snapshot as a ``Report``: as given, a saved report reloaded, or a capture analysed alone."""
    if isinstance(item, Report):
        return item
    from .api import analyze, read_report

    if is_saved_report(item):
        return read_report(item)
    return analyze(item, options=options)


def _printer_ts(rec: PrinterRecord, report: Report, starts: dict[str, float]) -> float | None:
    seen = [starts[c] for c in rec.captures if c in starts]
    if seen:
        return min(seen)
    ts = [f.ts_start for f in report.flows if f.server_ip == rec.server_ip]
    ts += [f.ts for f in report.findings if f.server_ip == rec.server_ip and f.ts is not None]
    # known only from what other hosts said of it (an announcement): when the snapshot began
    return min(ts) if ts else min(starts.values(), default=None)


def observations(report: Report) -> list[tuple[float | None, str, str, dict[str, Any]]]:
    """(timestamp, kind, address, facts) of every printer and client record of one snapshot."""
    starts = {c.path: c.first_ts for c in (report.stats.captures if report.stats else ()) if c.first_ts is not None}
    out: list[tuple[float | None, str, str, dict[str, Any]]] = []
    for p in report.printers:
        out.append((_printer_ts(p, report, starts), "printer", p.server_ip, {
            "verdict": p.verdict, "clear": p.protocols_clear or (), "protected": p.protocols_protected or (),
            "still": p.clear_still_enabled or (), "jobs": p.jobs_clear, "nbytes": p.bytes_clear,
            "names": (p.name,) if p.name else ()}))
    clients: list[ClientRecord] = report.client_records()
    for c in clients:
        out.append((c.first_seen, "client", c.client_ip, {
            "verdict": c.verdict, "clear": c.protocols_clear, "protected": c.protocols_protected, "still": (),
            "jobs": c.jobs_clear, "nbytes": c.bytes_clear, "names": c.hostnames}))
    return out


def _period(ts: float | None, freq: str, tz: str) -> Any:
    import pandas as pd

    if ts is None or not math.isfinite(ts):
        return pd.NaT
    local = pd.Timestamp(ts, unit="s", tz="UTC").tz_convert(tz).tz_localize(None)
    return local.to_period(freq).start_time.tz_localize(tz)


Snapshot = str | Path | Report


def fleet_frame(inputs: Iterable[Snapshot | tuple[Any, Snapshot]], *, freq: str = "D", tz: str = "UTC",
                options: Options | None = None) -> pd.DataFrame:
    """Each printer's and each client's verdict per period over many snapshots (module docstring).

    ``inputs``: capture paths (each analysed alone, with ``options``), saved reports (JSON lines,
    Parquet folders) or ``Report`` objects, in any mix and order; an item may also be a pair
    ``(when, snapshot)`` that dates every observation of that snapshot (anything ``pd.Timestamp``
    takes; naive times are in ``tz``): for captures whose clock was wrong, or replayed ones."""
    import pandas as pd

    cells: dict[tuple[Any, str, str], _Cell] = {}
    for item in inputs:
        when: float | None = None
        if isinstance(item, tuple):
            stamp = pd.Timestamp(item[0])
            when = (stamp.tz_localize(tz) if stamp.tzinfo is None else stamp).timestamp()
            item = item[1]
        for ts, kind, address, facts in observations(snapshot(item, options)):
            key = (_period(when if when is not None else ts, freq, tz), kind, address)
            cells.setdefault(key, _Cell()).add(**facts)
    rows = sorted(cells.items(), key=lambda kv: (kv[0][0] is pd.NaT, kv[0][0] if kv[0][0] is not pd.NaT else 0,
                                                 kv[0][1] != "printer", kv[0][2]))
    dtype = f"datetime64[ns, {tz}]"
    data: dict[str, Any] = {
        "period": pd.Series([k[0] for k, _ in rows], dtype="object").astype(dtype) if rows else
        pd.Series([], dtype=dtype),
        "kind": pd.Categorical([k[1] for k, _ in rows], categories=["printer", "client"]),
        "address": pd.Series([k[2] for k, _ in rows], dtype="string"),
        "verdict": pd.Categorical([c.verdict for _, c in rows], categories=list(VERDICT_ORDER), ordered=True),
        "snapshots": pd.Series([c.snapshots for _, c in rows], dtype="UInt32"),
        "protocols_clear": pd.Series([sorted(c.clear) for _, c in rows], dtype="object"),
        "protocols_protected": pd.Series([sorted(c.protected) for _, c in rows], dtype="object"),
        "clear_still_enabled": pd.Series([sorted(c.still) for _, c in rows], dtype="object"),
        "jobs_clear": pd.Series([c.jobs for _, c in rows], dtype="UInt32"),
        "bytes_clear": pd.Series([c.bytes for _, c in rows], dtype="UInt64"),
        "names": pd.Series([sorted(c.names) for _, c in rows], dtype="object"),
    }
    return pd.DataFrame(data, columns=list(FLEET_COLUMNS))


def verdict_matrix(frame: pd.DataFrame, kind: str = "printer") -> pd.DataFrame:
    """One row per host of ``kind``, one column per period, the verdict in each cell (missing: not
    seen that period): the grid of ``plots.plot_fleet_grid``."""
    sub = frame[frame["kind"] == kind]
    wide = sub.pivot(index="address", columns="period", values="verdict")
    return wide.sort_index()
