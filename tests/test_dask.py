"""parallel.run_dask: many captures on a Dask cluster give the records of one pass."""
from __future__ import annotations

import json

import pytest

from sniffprint import analyze
from sniffprint.report import to_json
from tests.conftest import PCAPS

distributed = pytest.importorskip("distributed", reason="dask[distributed] not installed (pip install '.[dask]')")

# migration-before and migration-after are consecutive snapshots of one lab (8 s apart): their
# NetBIOS datagrams (the same address and port pairs) continue within the UDP idle timeout, so one
# pass joins them into one pseudo-flow, which a task per file cannot (run_dask's docstring): the
# comparison leaves the second one out, and the equality is exact on the rest
SPANNING = {"migration-after.pcap"}
CAPTURES = sorted(str(p) for p in PCAPS.iterdir() if p.suffix in (".pcap", ".pcapng") and p.name not in SPANNING)


def _canon(report) -> list[str]:  # noqa: ANN001
    recs = [*report.flows, *report.jobs, *report.findings, *report.printers, *report.clients, *report.anomalies]
    out = sorted(json.dumps(to_json(r), sort_keys=True) for r in recs)
    summary = to_json(report.stats)
    summary.pop("elapsed_s")
    return [*out, json.dumps(summary, sort_keys=True)]


def test_a_local_cluster_gives_the_records_of_a_single_pass():
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) \
            as cluster, distributed.Client(cluster) as client:
        on_cluster = analyze(CAPTURES, client=client)
    assert _canon(on_cluster) == _canon(analyze(CAPTURES))
    assert len(on_cluster.flows) > 40 and len(on_cluster.stats.captures) == len(CAPTURES)


def test_the_cli_runs_on_a_scheduler_and_agrees_with_itself():
    from click.testing import CliRunner

    from sniffprint.cli import main

    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) \
            as cluster:
        r = CliRunner().invoke(main, ["verify", "--dask", cluster.scheduler_address, *CAPTURES])
    assert r.exit_code == CliRunner().invoke(main, ["verify", *CAPTURES]).exit_code == 1


def test_an_unreachable_scheduler_is_a_usage_error(monkeypatch):
    from click.testing import CliRunner

    from sniffprint.cli import main

    def refuse(address, timeout):  # noqa: ANN001 - what Client raises when no scheduler answers in time
        raise OSError(f"Timed out trying to connect to {address} after {timeout} s")

    monkeypatch.setattr(distributed, "Client", refuse)
    r = CliRunner().invoke(main, ["scan", "--dask", "tcp://127.0.0.1:1", CAPTURES[0]])
    assert r.exit_code == 2 and "scheduler" in r.stderr
