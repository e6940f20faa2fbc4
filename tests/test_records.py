"""records/: one schema per record (every family module), the flow facts, JSON round trips; model.py's
ordered Severity."""
from __future__ import annotations

import dataclasses

import pytest

from sniffprint.model import Severity
from sniffprint.records import RECORD_TYPES, FlowRecord, columns
from sniffprint.report import from_json, to_json
from tests.records import flow_record, job_record, summary


def test_severity_is_ordered_by_rank_not_by_text():
    assert Severity.INFO < Severity.LOW < Severity.MEDIUM < Severity.HIGH < Severity.CRITICAL
    assert sorted([Severity.HIGH, Severity.CRITICAL, Severity.INFO]) == [Severity.INFO, Severity.HIGH,
                                                                        Severity.CRITICAL]
    assert max(Severity) is Severity.CRITICAL and Severity("medium") >= Severity.MEDIUM


@pytest.mark.parametrize("name", sorted(RECORD_TYPES))
def test_every_field_declares_its_schema(name):
    for col in columns(RECORD_TYPES[name]):
        assert col.doc and col.dtype, col


def test_dissector_facts_are_fields_of_the_flow_record():
    names = {f.name for f in dataclasses.fields(FlowRecord)}
    assert FlowRecord.FACTS <= names
    assert {"tls_version", "smb_user", "ipp_operations", "http_basic_auth"} <= FlowRecord.FACTS
    assert not FlowRecord.FACTS & {"uid", "print", "protection", "service"}  # a dissector cannot set these


@pytest.mark.parametrize("rec", [flow_record(tls_weak=("TLS 1.0",), smb1=True), job_record(sources={"user": "lpd"}),
                                 summary(verdict="exposed", exit_code=1, reasons=("why",))],
                         ids=lambda r: r.TYPE)
def test_json_round_trip(rec):
    assert from_json(to_json(rec)) == rec


def test_sparse_fields_are_written_only_when_known():
    plain = to_json(flow_record())
    assert "smb1" not in plain and "tls_version" in plain and plain["tls_version"] is None
    assert to_json(flow_record(smb1=True))["smb1"] is True


def test_unknown_keys_from_a_newer_writer_are_ignored():
    obj = to_json(flow_record())
    obj["a_field_added_later"] = 1
    assert from_json(obj) == flow_record()
    with pytest.raises(ValueError):
        from_json({"type": "not-a-record"})
