"""Fleet plots: they take the frame of ``migration.fleet_frame`` (many captures, one row per period and
host) instead of flows:

- ``plot_fleet_trend``: per period, how many printers (or workstations) were exposed, weak,
  protected or unknown: stacked bars, the migration's progress at a glance.
- ``plot_fleet_grid``: one row per printer (or workstation), one column per period, each cell
  coloured by that period's verdict (blank: not seen), the most exposed first.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._base import MAX_ROWS, _axes, _empty

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd
    from matplotlib.axes import Axes

VERDICT_COLORS = {"exposed": "#d62728", "weak": "#ff7f0e", "protected": "#2ca02c", "unknown": "#9e9e9e"}
_KIND_WORDS = {"printer": "printers", "client": "workstations"}


def _period_labels(periods: list[Any]) -> list[str]:
    """Period starts as short labels: the date, with the time only when a period starts mid-day."""
    with_time = any(p.hour or p.minute for p in periods)
    return [p.strftime("%d %b %H:%M" if with_time else "%d %b %Y") for p in periods]


def _fleet(frame: pd.DataFrame, kind: str) -> pd.DataFrame:
    if kind not in _KIND_WORDS:
        raise ValueError(f"kind is printer or client, not {kind!r}")
    sub = frame[(frame["kind"] == kind) & frame["period"].notna()]
    return sub


def plot_fleet_trend(frame: pd.DataFrame, *, kind: str = "printer", ax: Axes | None = None) -> Axes:
    """How many printers (``kind="client"``: workstations) were exposed, weak, protected or unknown
    in each period of a ``migration.fleet_frame``: stacked bars, exposed at the bottom."""
    from matplotlib.ticker import MaxNLocator

    df = _fleet(frame, kind)
    periods = sorted(df["period"].unique())
    ax = _axes(ax, (max(5.0, 1.5 + 0.7 * len(periods)), 3.5))
    title = f"{_KIND_WORDS[kind].capitalize()} by verdict per period"
    if df.empty:
        return _empty(ax, title, f"no {_KIND_WORDS[kind]} seen")
    counts = df.groupby(["period", "verdict"], observed=False).size().unstack(fill_value=0).reindex(periods)
    bottom = [0] * len(periods)
    for verdict in ("exposed", "weak", "unknown", "protected"):
        vals = [int(v) for v in counts[verdict]] if verdict in counts.columns else [0] * len(periods)
        if any(vals):
            ax.bar(range(len(periods)), vals, bottom=bottom, color=VERDICT_COLORS[verdict], label=verdict, width=0.7)
        bottom = [a + b for a, b in zip(bottom, vals, strict=True)]
    ax.set_xticks(range(len(periods)), _period_labels(periods), rotation=30 if len(periods) > 4 else 0,
                  ha="right" if len(periods) > 4 else "center")
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_ylabel(_KIND_WORDS[kind])
    ax.set_title(title)
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize="small", frameon=False)
    return ax


def plot_fleet_grid(frame: pd.DataFrame, *, kind: str = "printer", ax: Axes | None = None) -> Axes:
    """One row per printer (``kind="client"``: workstation), one column per period of a
    ``migration.fleet_frame``, each cell coloured by that period's verdict (blank: not seen then);
    the hosts exposed most often first, at most ``MAX_ROWS``."""
    import numpy as np
    from matplotlib.colors import ListedColormap
    from matplotlib.patches import Patch

    df = _fleet(frame, kind)
    periods = sorted(df["period"].unique())
    exposed = df[df["verdict"] == "exposed"].groupby("address", observed=True).size()
    hosts = sorted(df["address"].unique(), key=lambda h: (-int(exposed.get(h, 0)), str(h)))[:MAX_ROWS]
    ax = _axes(ax, (max(5.0, 2.5 + 0.7 * len(periods)), 1.4 + 0.4 * max(len(hosts), 1)))
    title = f"{_KIND_WORDS[kind].capitalize()}: verdict per period"
    if df.empty:
        return _empty(ax, title, f"no {_KIND_WORDS[kind]} seen")
    states = ["none", *VERDICT_COLORS]
    grid = np.zeros((len(hosts), len(periods)), dtype=int)
    for row in df.itertuples(index=False):
        if row.address in hosts:
            grid[hosts.index(row.address), periods.index(row.period)] = states.index(str(row.verdict))
    cmap = ListedColormap(["#f2f2f2", *VERDICT_COLORS.values()])
    ax.imshow(grid, cmap=cmap, vmin=-0.5, vmax=len(states) - 0.5, aspect="auto")
    ax.set_xticks(range(len(periods)), _period_labels(periods), rotation=30 if len(periods) > 4 else 0,
                  ha="right" if len(periods) > 4 else "center")
    ax.set_yticks(range(len(hosts)), [str(h) for h in hosts])
    ax.set_xticks(np.arange(-0.5, len(periods)), minor=True)
    ax.set_yticks(np.arange(-0.5, len(hosts)), minor=True)
    ax.grid(which="minor", color="white", linewidth=2)
    ax.tick_params(which="minor", length=0)
    ax.set_title(title)
    used = [s for s in VERDICT_COLORS if states.index(s) in set(grid.flat)]
    ax.legend(handles=[Patch(color=VERDICT_COLORS[s], label=s) for s in used], loc="upper left",
              bbox_to_anchor=(1.0, 1.0), fontsize="small", frameon=False)
    return ax
