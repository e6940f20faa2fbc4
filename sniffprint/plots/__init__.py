"""Plots for notebooks and the HTML report: ``plot_*(report_or_frame, *, ax=None) -> Axes``.

Each takes a ``Report`` or its flows frame (``Report.flows_frame()``, or a concatenation of
several) and draws into ``ax`` (a new figure through pyplot when none is given). matplotlib is
imported in this package only; there is no ``plt.show()``: the caller (Jupyter) decides (Cirq's rule).
``png()`` renders one plot to PNG bytes on a pyplot-free ``Figure`` (the HTML report).

- ``plot_exposure_timeline``: one row per printer, one bar per print flow from its first to its
  last packet, coloured by protection. The time axis picks its tick unit and step from the span
  shown (seconds, minutes, hours, days, months: ``_time_scale``), and a bar is never narrower than
  ``MIN_BAR`` of that span, so a one-second job stays visible in a week of captures.
- ``plot_protocol_matrix``: printers x print protocols (service and port), each cell coloured by
  the protection of its flows (all in clear, mixed, all protected, unknown) and labelled with the
  number of flows.
- ``plot_top_clients``: the clients that sent the most print bytes in clear.
- ``plot_tls``: TLS print flows per negotiated version, stacked by certificate state.
- ``plot_bytes_by_protection``: print bytes per printer, stacked by protection.

The fleet plots (``plot_fleet_trend``, ``plot_fleet_grid``: many captures over time) are in
``plots.fleet`` and re-exported here; the shared helpers (axes, PNG rendering) in ``plots._base``.

Print flows are those whose ``print`` is true or unknown (encrypted SMB whose share cannot be
seen), as everywhere else.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from ._base import COLORS, LABELS, MAX_ROWS, PROTECTED, _axes, _empty, _print_flows, human_bytes, png
from .fleet import VERDICT_COLORS, plot_fleet_grid, plot_fleet_trend

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd
    from matplotlib.axes import Axes

    from ..report import Report

_DRAW_ORDER = {"none": 3, "unknown": 2}  # protected flows first (0), then unknown, cleartext on top
MIN_BAR = 0.006  # the narrowest bar, as a fraction of the time span shown
_CELL = {"clear": ("#d62728", "in clear"), "mixed": ("#ff7f0e", "mixed"),
         "protected": ("#2ca02c", "protected"), "unknown": ("#9e9e9e", "unknown"),
         "empty": ("#f2f2f2", "no flows")}
_CERT = {"hidden (TLS 1.3)": "#9e9e9e", "self-signed": "#ff7f0e", "expired": "#d62728",
         "other issuer": "#2ca02c", "not seen": "#c7c7c7"}

__all__ = ["COLORS", "LABELS", "MAX_ROWS", "PROTECTED", "VERDICT_COLORS", "human_bytes", "png",
           "plot_exposure_timeline", "plot_protocol_matrix", "plot_top_clients", "plot_tls",
           "plot_bytes_by_protection", "plot_fleet_trend", "plot_fleet_grid", "cell_state", "cert_state"]


# ------------------------------------------------------------------------------- time axis
@dataclass(frozen=True, slots=True)
class TimeScale:
    unit: str  # second, minute, hour, day, month
    step: int  # ticks every `step` units
    fmt: str  # strftime of a tick label


_SCALES: tuple[tuple[str, float, tuple[int, ...], str], ...] = (
    # unit, its length in seconds, tick steps tried (smallest first), tick label
    ("second", 1.0, (1, 2, 5, 10, 15, 30), "%H:%M:%S"),
    ("minute", 60.0, (1, 2, 5, 10, 15, 30), "%H:%M"),
    ("hour", 3600.0, (1, 2, 3, 6, 12), "%d %b %H:%M"),
    ("day", 86400.0, (1, 2, 7, 14), "%d %b"),
    ("month", 30 * 86400.0, (1, 2, 3, 6, 12), "%b %Y"),
)
MAX_TICKS = 8


def _time_scale(span_s: float) -> TimeScale:
    """The coarsest-enough unit whose tick step gives at most ``MAX_TICKS`` ticks over the span."""
    for unit, length, steps, fmt in _SCALES:
        for step in steps:
            if span_s / (length * step) <= MAX_TICKS:
                return TimeScale(unit, step, fmt)
    unit, _, steps, fmt = _SCALES[-1]
    return TimeScale(unit, steps[-1], fmt)


def _mdates() -> Any:
    """matplotlib.dates (untyped: reached through Any)."""
    from matplotlib import dates

    return dates


def _locator(scale: TimeScale) -> Any:
    mdates = _mdates()
    utc = timezone.utc
    if scale.unit == "second":
        return mdates.SecondLocator(bysecond=range(0, 60, scale.step), tz=utc)
    if scale.unit == "minute":
        return mdates.MinuteLocator(byminute=range(0, 60, scale.step), tz=utc)
    if scale.unit == "hour":
        return mdates.HourLocator(byhour=range(0, 24, scale.step), tz=utc)
    if scale.unit == "day":
        return mdates.DayLocator(interval=scale.step, tz=utc)
    return mdates.MonthLocator(interval=scale.step, tz=utc)


def _datenum(ts: pd.Series) -> Any:
    return _mdates().date2num(ts.dt.tz_convert("UTC").dt.tz_localize(None).to_numpy())


# ------------------------------------------------------------------------------------- plots
def plot_exposure_timeline(data: Report | pd.DataFrame, *, ax: Axes | None = None) -> Axes:
    """Print flows over time: one row per printer, one bar per flow (first to last packet),
    coloured by protection (red: cleartext). Readable from a few seconds to weeks of captures."""
    from matplotlib.patches import Patch

    df = _print_flows(data)
    df = df[df["ts_start"].notna()]
    ax = _axes(ax, (9, 1.5 + 0.35 * min(max(df["server_ip"].nunique(), 1), MAX_ROWS)))
    title = "Print flows over time by protection"
    if df.empty:
        return _empty(ax, title, "no print flows")
    end = df["ts_end"].fillna(df["ts_start"])
    t0, t1 = df["ts_start"].min(), end.max()
    span_s = max((t1 - t0).total_seconds(), 2.0)
    span_d = span_s / 86400.0
    rows = _rank_printers(df)
    shown = rows[:MAX_ROWS]
    y = {ip: i for i, ip in enumerate(shown)}
    # cleartext drawn last: where bars overlap (days of captures on one axis), exposure stays on top
    df = df[df["server_ip"].isin(shown)]
    df = df.assign(_order=[_DRAW_ORDER.get(str(p), 0) for p in df["protection"]]).sort_values("_order", kind="stable")
    start = _datenum(df["ts_start"])
    stop = _datenum(df["ts_end"].fillna(df["ts_start"]))
    width = [max(b - a, MIN_BAR * span_d) for a, b in zip(start, stop, strict=True)]
    colors = [COLORS.get(str(p), COLORS["unknown"]) for p in df["protection"]]
    ax.barh([y[ip] for ip in df["server_ip"]], width, left=start, height=0.6, color=colors,
            edgecolor="black", linewidth=0.3)
    services = df.groupby("server_ip", observed=True)["service"].agg(lambda s: ",".join(sorted(set(map(str, s)))))
    ax.set_yticks(range(len(shown)), [f"{ip} ({services.get(ip, '')})" for ip in shown])
    ax.invert_yaxis()
    lo = float(start.min())
    hi = max(float(a) + w for a, w in zip(start, width, strict=True))
    half = max(hi - lo, span_d) * 0.53
    ax.set_xlim((lo + hi) / 2 - half, (lo + hi) / 2 + half)
    scale = _time_scale(2 * half * 86400.0)
    ax.xaxis.set_major_locator(_locator(scale))
    ax.xaxis.set_major_formatter(_mdates().DateFormatter(scale.fmt, tz=timezone.utc))
    day0, day1 = t0.strftime("%Y-%m-%d"), t1.strftime("%Y-%m-%d")
    ax.set_xlabel("time (UTC), " + (day0 if day0 == day1 else f"{day0} to {day1}"))
    if len(rows) > MAX_ROWS:
        title += f" (the {MAX_ROWS} most exposed of {len(rows)} printers)"
    ax.set_title(title)
    present = [p for p in COLORS if p in set(map(str, df["protection"]))]
    ax.legend(handles=[Patch(color=COLORS[p], label=LABELS[p]) for p in present], loc="upper left",
              bbox_to_anchor=(1.0, 1.0), fontsize="small", frameon=False)
    ax.grid(axis="x", alpha=0.3)
    return ax


def _rank_printers(df: pd.DataFrame) -> list[str]:
    """Printers, most bytes in clear first, then most flows, then by address."""
    clear = df[df["protection"].astype(str) == "none"].groupby("server_ip", observed=True)["c2s_bytes"].sum()
    flows = df.groupby("server_ip", observed=True).size()
    return sorted(flows.index, key=lambda ip: (-int(clear.get(ip, 0)), -int(flows[ip]), str(ip)))


def cell_state(protections: set[str]) -> str:
    """The matrix colour of a set of flow protections."""
    if not protections:
        return "empty"
    clear = "none" in protections
    protected = bool(protections & PROTECTED)
    if clear and protected:
        return "mixed"
    if clear:
        return "clear"
    return "protected" if protected and "unknown" not in protections else "unknown"


def plot_protocol_matrix(data: Report | pd.DataFrame, *, ax: Axes | None = None) -> Axes:
    """Printers x print protocols (service on its port): each cell coloured by the protection of
    its flows (red: all in clear, orange: clear and protected, green: all protected, grey:
    unknown) and labelled with the number of flows."""
    import numpy as np
    from matplotlib.colors import ListedColormap
    from matplotlib.patches import Patch

    df = _print_flows(data)
    df = df.assign(proto_col=[f"{s}/{p}" for s, p in zip(df["service"].astype(str), df["server_port"],
                                                           strict=True)])
    rows = _rank_printers(df)[:MAX_ROWS] if not df.empty else []
    cols = sorted(set(df["proto_col"]), key=lambda c: (int(c.rsplit("/", 1)[1]), c))
    ax = _axes(ax, (max(4.0, 1.2 + 0.9 * len(cols)), 1.5 + 0.4 * max(len(rows), 1)))
    title = "Print protocols per printer"
    if df.empty:
        return _empty(ax, title, "no print flows")
    states = list(_CELL)
    grid = np.full((len(rows), len(cols)), states.index("empty"))
    groups = df.groupby(["server_ip", "proto_col"], observed=True)
    for (ip, pc), g in groups:
        if ip not in rows:
            continue
        i, j = rows.index(ip), cols.index(pc)
        grid[i, j] = states.index(cell_state(set(map(str, g["protection"]))))
        ax.text(j, i, str(len(g)), ha="center", va="center", fontsize="small",
                color="white" if states[grid[i, j]] in ("clear", "protected") else "black")
    cmap = ListedColormap([_CELL[s][0] for s in states])
    ax.imshow(grid, cmap=cmap, vmin=-0.5, vmax=len(states) - 0.5, aspect="auto")
    ax.set_xticks(range(len(cols)), cols, rotation=30, ha="right")
    ax.set_yticks(range(len(rows)), rows)
    ax.set_xticks(np.arange(-0.5, len(cols)), minor=True)
    ax.set_yticks(np.arange(-0.5, len(rows)), minor=True)
    ax.grid(which="minor", color="white", linewidth=2)
    ax.tick_params(which="minor", length=0)
    ax.set_title(title + " (number of flows)")
    used = [s for s in states if s != "empty" and states.index(s) in set(grid.flat)]
    ax.legend(handles=[Patch(color=_CELL[s][0], label=_CELL[s][1]) for s in used], loc="upper left",
              bbox_to_anchor=(1.0, 1.0), fontsize="small", frameon=False)
    return ax


def plot_top_clients(data: Report | pd.DataFrame, *, ax: Axes | None = None, n: int = 10) -> Axes:
    """The ``n`` clients that sent the most print bytes in clear (client to printer)."""
    df = _print_flows(data)
    clear = df[df["protection"].astype(str) == "none"]
    top = (clear.groupby("client_ip", observed=True)["c2s_bytes"].sum().astype("int64")
           .sort_values(ascending=False).head(n))
    ax = _axes(ax, (8, 1.2 + 0.35 * max(len(top), 1)))
    title = "Top clients by print bytes sent in clear"
    if top.empty:
        return _empty(ax, title, "no print bytes in clear")
    labels = [str(ip) for ip in top.index]
    bars = ax.barh(range(len(top)), top.to_numpy(), color=COLORS["none"], height=0.6)
    ax.set_yticks(range(len(top)), labels)
    ax.invert_yaxis()
    for bar, v in zip(bars, top.to_numpy(), strict=True):
        ax.text(bar.get_width(), bar.get_y() + bar.get_height() / 2, " " + human_bytes(float(v)),
                va="center", fontsize="small")
    ax.set_xlim(0, float(top.max()) * 1.25)
    from matplotlib.ticker import FuncFormatter, MaxNLocator

    ax.xaxis.set_major_locator(MaxNLocator(5))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _pos: human_bytes(v) if v else "0"))
    ax.set_xlabel("bytes client → printer in clear")
    ax.set_title(title)
    return ax


def cert_state(row: Any) -> str:
    """What can be said of a TLS flow's server certificate without trusting anything."""
    if row.cert_observable is False or (row.cert_subject is None and str(row.tls_version) == "TLSv1.3"):
        return "hidden (TLS 1.3)"
    if row.cert_subject is None:
        return "not seen"
    if row.cert_not_after is not None and row.ts_start is not None:
        try:
            expiry = datetime.fromisoformat(str(row.cert_not_after).replace("Z", "+00:00"))
        except ValueError:
            expiry = None
        if expiry is not None and expiry.tzinfo is not None and expiry.timestamp() < row.ts_start.timestamp():
            return "expired"
    if row.cert_self_signed is True:
        return "self-signed"
    return "other issuer"


def plot_tls(data: Report | pd.DataFrame, *, ax: Axes | None = None) -> Axes:
    """TLS print flows per negotiated version (weak ones flagged), stacked by the state of the
    server certificate: hidden (TLS 1.3 encrypts it), self-signed, expired, other issuer."""
    import pandas as pd

    df = _print_flows(data)
    df = df[df["tls_version"].notna() | (df["protection"].astype(str) == "tls")]
    ax = _axes(ax, (8, 1.2 + 0.45 * max(df["tls_version"].nunique(), 1)))
    title = "TLS print flows by version and certificate"
    if df.empty:
        return _empty(ax, title, "no TLS print flows")
    rows = df.astype(object).where(df.notna(), None)
    table = pd.DataFrame({"version": [str(v) if v is not None else "no handshake seen" for v in rows["tls_version"]],
                          "cert": [cert_state(r) for r in rows.itertuples(index=False)]})
    counts = table.groupby(["version", "cert"]).size().unstack(fill_value=0)
    counts = counts.reindex(sorted(counts.index, reverse=True))
    weak = {str(v) for v, w in zip(rows["tls_version"], rows["tls_weak"], strict=True) if w}
    left = [0] * len(counts)
    for state, colour in _CERT.items():
        if state not in counts.columns:
            continue
        vals = counts[state].tolist()
        ax.barh(range(len(counts)), vals, left=left, color=colour, height=0.6, label=state)
        left = [a + b for a, b in zip(left, vals, strict=True)]
    ax.set_yticks(range(len(counts)), [f"{v} (weak)" if v in weak else v for v in counts.index])
    ax.invert_yaxis()
    ax.set_xlabel("TLS print flows")
    from matplotlib.ticker import MaxNLocator

    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlim(0, max(left) * 1.05)
    ax.set_title(title)
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize="small", frameon=False)
    return ax


def plot_bytes_by_protection(data: Report | pd.DataFrame, *, ax: Axes | None = None) -> Axes:
    """Client-to-printer print bytes per printer, stacked by protection."""
    ax = _axes(ax)
    df = _print_flows(data)
    title = "Print bytes per printer by protection"
    if df.empty:
        return _empty(ax, title, "no print flows")
    table: Any = (df.assign(protection=df["protection"].astype(str))
                  .pivot_table(index="server_ip", columns="protection", values="c2s_bytes", aggfunc="sum",
                               fill_value=0, observed=True))
    table.plot.bar(stacked=True, ax=ax, color=[COLORS.get(c, COLORS["unknown"]) for c in table.columns], rot=0)
    ax.set_ylabel("bytes client → printer")
    ax.set_title(title)
    return ax
