"""What every plot shares: the colours of each protection, the axes to draw on, an empty plot's
message, byte counts for labels and ``png()`` (one plot as PNG bytes, for the HTML report)."""
from __future__ import annotations

import io
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd
    from matplotlib.axes import Axes

    from ..report import Report

# one colour and one legend label per Protection value (a test checks every value has one)
COLORS = {"none": "#d62728", "tls": "#2ca02c", "smb3-encrypted": "#1f77b4", "rpc-privacy": "#9467bd",
          "unknown": "#7f7f7f"}
LABELS = {"none": "cleartext", "tls": "TLS", "smb3-encrypted": "SMB3 encrypted", "rpc-privacy": "RPC privacy",
          "unknown": "unknown"}
PROTECTED = frozenset(COLORS) - {"none", "unknown"}
MAX_ROWS = 25  # printers or clients drawn at most (the most exposed first)


# ------------------------------------------------------------------------------------ helpers
def _flows(data: Report | pd.DataFrame) -> pd.DataFrame:
    return data if hasattr(data, "columns") else data.flows_frame()


def _print_flows(data: Report | pd.DataFrame) -> pd.DataFrame:
    df = _flows(data)
    return df[df["print"].astype("boolean").fillna(True).astype(bool)]


def _axes(ax: Axes | None, size: tuple[float, float] = (9, 3.5)) -> Axes:
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt

    return plt.subplots(figsize=size)[1]


def _empty(ax: Axes, title: str, what: str) -> Axes:
    ax.set_title(title)
    ax.text(0.5, 0.5, what, ha="center", va="center", transform=ax.transAxes, color="#555555")
    ax.set_xticks([])
    ax.set_yticks([])
    return ax


def human_bytes(n: float) -> str:
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if n < 1024 or unit == "TB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n:.1f} TB"  # pragma: no cover - the loop returns


def png(plot: Callable[..., Axes], data: Report | pd.DataFrame, *, width: float = 8.0, height: float = 3.0,
        dpi: int = 100) -> bytes:
    """One plot as PNG bytes, drawn on a ``Figure`` of its own (no pyplot state, no backend)."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), dpi=dpi)
    plot(data, ax=fig.add_subplot())
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    return buf.getvalue()
