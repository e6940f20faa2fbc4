"""Plots for notebooks: ``plot_*(report_or_frame, *, ax=None) -> Axes``.

matplotlib is imported here only. No ``plt.show()``: the caller (Jupyter) decides (Cirq's rule).
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd
    from matplotlib.axes import Axes

    from .report import Report

_COLORS = {"none": "#d62728", "tls": "#2ca02c", "smb3-encrypted": "#1f77b4", "unknown": "#7f7f7f"}


def _flows(data: Report | pd.DataFrame) -> pd.DataFrame:
    return data if hasattr(data, "columns") else data.flows_frame()


def _axes(ax: Axes | None) -> Axes:
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt

    return plt.subplots(figsize=(9, 3.5))[1]


def plot_exposure_timeline(data: Report | pd.DataFrame, *, ax: Axes | None = None) -> Axes:
    """Each print flow as a bar from first to last packet, coloured by protection."""
    ax = _axes(ax)
    df = _flows(data)
    df = df[df["print"].fillna(True).astype(bool)]
    labels: list[str] = []
    for i, row in enumerate(df.sort_values("ts_start").itertuples(index=False)):
        start = row.ts_start
        width = max((row.ts_end - start).total_seconds(), 0.05)
        ax.barh(i, width / 86400.0, left=start, color=_COLORS.get(str(row.protection), "#7f7f7f"), height=0.6)
        labels.append(f"{row.client_ip} → {row.server_ip}:{row.server_port} ({row.service})")
    ax.set_yticks(range(len(labels)), labels)
    ax.set_xlabel("time (UTC)")
    ax.set_title("Print flows by protection (red: cleartext)")
    _legend(ax)
    return ax


def plot_bytes_by_protection(data: Report | pd.DataFrame, *, ax: Axes | None = None) -> Axes:
    """Client-to-server print bytes per server, stacked by protection."""
    ax = _axes(ax)
    df = _flows(data)
    df = df[df["print"].fillna(True).astype(bool)]
    if df.empty:
        ax.set_title("No print flows")
        return ax
    table: Any = (df.assign(protection=df["protection"].astype(str))
                  .pivot_table(index="server_ip", columns="protection", values="c2s_bytes", aggfunc="sum",
                               fill_value=0, observed=True))
    table.plot.bar(stacked=True, ax=ax, color=[_COLORS.get(c, "#7f7f7f") for c in table.columns], rot=0)
    ax.set_ylabel("bytes client → printer")
    ax.set_title("Print bytes per printer by protection")
    return ax


def _legend(ax: Axes) -> None:
    from matplotlib.patches import Patch

    ax.legend(handles=[Patch(color=c, label=k) for k, c in _COLORS.items()], loc="lower right", fontsize="small")
