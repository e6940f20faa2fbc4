"""sniffprint: prove from a separate vantage point whether print traffic crosses a network in clear.

Python API (pandas-first)::

    import sniffprint
    report = sniffprint.analyze("pcaps/raw9100-cups-socket.pcap")
    report.flows_frame()      # one row per TCP flow, fixed schema
    report.jobs_frame()       # one row per print job
    report.anomalies_frame()  # what was odd about the input

Heavy modules (pandas, matplotlib, scapy) are imported only when a frame, a plot or a live
capture needs them, so importing sniffprint and starting the CLI stay fast.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._version import __version__

if TYPE_CHECKING:  # pragma: no cover
    from . import records
    from .api import analyze, read_report
    from .model import FlowKey
    from .options import Options
    from .records import Anomaly
    from .report import Report

__all__ = ["Anomaly", "FlowKey", "Options", "Report", "__version__", "analyze", "read_report", "records"]


def __getattr__(name: str) -> Any:
    if name in ("analyze", "read_report"):
        from . import api

        return getattr(api, name)
    if name == "Report":
        from .report import Report

        return Report
    if name == "Options":
        from .options import Options

        return Options
    if name == "FlowKey":
        from .model import FlowKey

        return FlowKey
    if name == "Anomaly":
        from .records import Anomaly

        return Anomaly
    if name == "records":
        import importlib

        return importlib.import_module(".records", __name__)
    raise AttributeError(name)
