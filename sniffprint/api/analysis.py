"""The Python API's way in: ``analyze()`` runs a whole analysis into a ``Report``, and
``parse_sources()`` turns paths, directories, globs, ``-`` and ``live:IFACE`` into checked
``SourceSpec``s (the CLI uses it too).

Invariant: as in the CLI, names are masked unless asked, with the same keyed hash; every source is
checked readable before any work is done.
"""
from __future__ import annotations

import dataclasses
import logging
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from ..findings.policy import Policy
from ..options import Options
from ..report import Report
from ..sources import SourceSpec, check_readable
from ..sources.spec import expand
from .pipeline import Pipeline
from .sinks import ReportSink

log = logging.getLogger(__name__)


def parse_sources(sources: str | Path | Iterable[str | Path]) -> list[SourceSpec]:
    """Source specs from a path, a ``Path``, a directory, a glob, ``-``, ``live:IFACE`` or a list of
    them (``sources.spec.expand``), each checked readable before any work is done."""
    items = [sources] if isinstance(sources, (str, Path)) else list(sources)
    specs = [spec for s in items for spec in expand(str(s))]
    for spec in specs:
        check_readable(spec)
    return specs


def analyze(source: str | Path | Iterable[str | Path], *, options: Options | None = None,
            policy: Policy | None = None, keywords: Iterable[str] = (), reveal: bool = False,
            client: Any = None) -> Report:
    """Analyse one capture (or several, in order) and return everything found as a ``Report``.

    As in the CLI, user, host, job and document names are masked unless ``reveal=True``, with a
    keyed hash whose key is resolved as in the CLI: ``options.hash_key`` if set, else the
    ``SNIFFPRINT_HASH_KEY`` environment variable, else the site key file
    (``$XDG_CONFIG_HOME/sniffprint/hash.key``, created with a random key on first use and logged
    as a warning); the workers of a parallel or Dask run get the key this process resolved.
    ``policy``, ``keywords`` and ``reveal`` are shortcuts for the ``Options`` fields. ``client``:
    a ``dask.distributed.Client`` — each capture file becomes a task on its cluster (the files must
    be readable at the same path by the workers), and the results are merged here.
    """
    specs = parse_sources(source)
    base = options or Options()
    options = dataclasses.replace(base, reveal=reveal or base.reveal, policy=policy or base.policy,
                                  keywords=tuple(keywords) or base.keywords)
    report = Report()
    pipeline = Pipeline(options, [ReportSink(report)], sources=specs, dask=client)
    if pipeline.site_key.notice:
        log.warning("%s", pipeline.site_key.notice)
    pipeline.close(pipeline.verdict(pipeline.run(specs))[1])
    failure = pipeline.write_failure()
    if failure is not None:
        raise failure
    return report
