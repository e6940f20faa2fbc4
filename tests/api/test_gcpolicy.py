"""api/gcpolicy.py: thresholds raised for a run and restored; a full collection every
max(min_flows, 2 * live) finished flows, so the dissectors' reference cycles never pile up."""
from __future__ import annotations

import gc

import pytest

import sniffprint
from sniffprint.api import gcpolicy
from sniffprint.api.gcpolicy import THRESHOLDS, GcPolicy
from tests.conftest import PCAPS


@pytest.fixture
def collections(monkeypatch):
    calls: list[int] = []
    monkeypatch.setattr(gcpolicy.gc, "collect", lambda *a: calls.append(1) or 0)
    return calls


def test_thresholds_are_raised_for_the_run_and_restored_even_on_error():
    before = gc.get_threshold()
    with pytest.raises(RuntimeError), GcPolicy():
        assert gc.get_threshold() == THRESHOLDS
        raise RuntimeError("boom")
    assert gc.get_threshold() == before


def test_a_full_collection_every_min_flows_when_few_are_open(collections):
    policy = GcPolicy(min_flows=3)
    for _ in range(9):
        policy.flow_finished(live=1)
    assert len(collections) == policy.collections == 3


def test_many_open_flows_space_the_collections_out_amortised(collections):
    policy = GcPolicy(min_flows=3)
    for _ in range(100):
        policy.flow_finished(live=10)  # each collection waits for 2 * 10 finished flows
    assert len(collections) == 5


def test_the_pipeline_collects_in_full_while_it_runs(monkeypatch):
    """The wiring: with a policy that collects after every finished flow, a run over SMB and
    DCE/RPC captures (whose dissectors hold cycles) runs a full collection per flow, not none."""
    monkeypatch.setattr(gcpolicy, "MIN_FLOWS", 1)
    caps = [str(PCAPS / n) for n in ("smb-print-clear.pcap", "spoolss-smb3-pipe.pcap", "smb1-spoolss.pcap")]
    before = gc.get_stats()[2]["collections"]
    rep = sniffprint.analyze(caps)
    full = gc.get_stats()[2]["collections"] - before
    assert full >= len(rep.flows) // 3 > 0
