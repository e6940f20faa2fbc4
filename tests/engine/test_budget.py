"""engine/budget.py: the document bytes of all open jobs share one memory and one disk budget."""
from __future__ import annotations

from sniffprint import analyze
from sniffprint.engine.budget import SPOOL_MEMORY, DocumentBudget
from sniffprint.options import Options
from tests import pcapgen as g


def test_spools_move_to_disk_when_the_memory_budget_is_spent():
    b = DocumentBudget(memory=1000, disk=1 << 20)
    s1, s2 = b.spool(), b.spool()
    assert s1.write(b"a" * 600) == 600 and b.memory_used == 600
    assert s2.write(b"b" * 600) == 600  # would pass the budget: this one goes to disk
    assert s2.mem is None and b.memory_used == 600 and b.disk_used == 600 and b.spilled == 1
    assert s1.read() == b"a" * 600 and s2.read() == b"b" * 600
    s1.close()
    s2.close()
    assert b.memory_used == 0 and b.disk_used == 0


def test_a_large_document_spills_on_its_own():
    b = DocumentBudget()
    s = b.spool()
    s.write(b"x" * SPOOL_MEMORY)
    s.write(b"y")
    assert s.mem is None and s.read() == b"x" * SPOOL_MEMORY + b"y" and b.memory_used == 0 and b.spilled == 0


def test_past_the_disk_budget_a_spool_keeps_no_more_and_says_so():
    b = DocumentBudget(memory=10, disk=100)
    s = b.spool()
    assert s.write(b"z" * 80) == 80  # to disk: over the memory budget
    assert s.write(b"z" * 80) == 20 and b.trimmed == 1
    assert s.write(b"z") == 0 and len(s.read()) == 100


def test_a_trimmed_job_is_an_anomaly_and_its_evidence_incomplete(tmp_path):
    doc = b"\x1b%-12345X@PJL ENTER LANGUAGE=POSTSCRIPT\r\n%!PS-Adobe-3.0\n" + b"(payroll) show\n" * 300
    frames, job = g.print_job_frames(job=doc + b"\x1b%-12345X", sport=9100)
    p = tmp_path / "job.pcap"
    p.write_bytes(g.pcap(frames))
    rep = analyze(p, options=Options(max_buffer=100, max_spill=200))
    assert any(a.kind == "limit_exceeded" and "document budget" in a.detail for a in rep.anomalies)
    sp101 = next(f for f in rep.findings if f.code == "SP101")
    assert sp101.evidence is not None and sp101.evidence.complete is False
    assert sp101.evidence.length == len(job) and sp101.evidence.sha256 is not None  # still counted and hashed
