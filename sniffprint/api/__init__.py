"""The composition root and the Python API: the only package where the stages are wired together.

    sources -> decode -> flows (reassembly, dissectors, jobs) -> evidence -> findings -> sinks

``pipeline.Pipeline`` builds every stage once from a frozen ``Options`` and streams records to its
sinks (``sinks``), redacting them first (here and only here). ``analysis.analyze()`` collects a
run into a ``Report`` for notebooks, ``reload.read_report()`` reads a saved one back; the CLI only
parses arguments, builds ``Options``, and renders. Every name here is public API
(``sniffprint.api.X``); ``sniffprint`` itself re-exports ``analyze`` and ``read_report``.
"""
from __future__ import annotations

from .analysis import analyze, parse_sources
from .pipeline import Pipeline
from .reload import read_report
from .sinks import Part, ReportSink, Sink

__all__ = ["Part", "Pipeline", "ReportSink", "Sink", "analyze", "parse_sources", "read_report"]
