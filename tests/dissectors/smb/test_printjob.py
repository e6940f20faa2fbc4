"""Print jobs of files on a print share: WRITE data in file-offset order, holes as gaps, one job per file."""
from __future__ import annotations

from sniffprint.dissectors.events import (
    DocumentData,
    DocumentGap,
    JobEnded,
    JobField,
    JobStarted,
    Note,
)
from sniffprint.dissectors.ntlmssp import AUTHENTICATE, NtlmMessage
from sniffprint.dissectors.smb import printjob
from sniffprint.dissectors.smb.printjob import MAX_REORDER, PrintJob, PrintTarget
from sniffprint.dissectors.smb.state import Connection, File, ShareType, Tree
from tests.dissectors.smb.wire import (
    DOC,
    DOC2,
    FID,
    PRINT_TID,
    C,
    S,
    close_req,
    create_req,
    create_resp,
    doc_bytes,
    job_events,
    login,
    nbss,
    new,
    print_job,
    tree_req,
    tree_resp,
    two_files_script,
    write_req,
)
from tests.helpers import feed_every_way


def test_lost_write_becomes_a_document_gap():
    script = login() + print_job(DOC)
    d = new()
    events: list = []
    for n, (direction, data) in enumerate(script):
        if n == 10:  # the first WRITE is lost
            events += d.gap(direction, len(data))
        else:
            events += d.feed(direction, data)
    half = len(DOC) // 2
    assert job_events(events)[-3:] == [DocumentGap(half), DocumentData(DOC[half:]), JobEnded()]


def test_out_of_order_writes_are_put_in_file_order():
    script = login() + [
        (C, nbss(tree_req(10, r"\\srv\officeprn"))),
        (S, nbss(tree_resp(10, PRINT_TID, ShareType.PRINT))),
        (C, nbss(create_req(11, PRINT_TID, "ooo.prn"))),
        (S, nbss(create_resp(11, PRINT_TID, FID))),
        (C, nbss(write_req(12, PRINT_TID, FID, 100, DOC[100:]))),
        (C, nbss(write_req(13, PRINT_TID, FID, 0, DOC[:100]))),
        (C, nbss(close_req(14, PRINT_TID, FID))),
    ]
    ev = feed_every_way(new, script)
    assert doc_bytes(ev) == DOC
    assert [e.kind for e in ev if isinstance(e, Note)] == ["smb_write_out_of_order"]


def test_hole_left_at_close_is_a_gap():
    script = login() + [
        (C, nbss(tree_req(10, r"\\srv\officeprn"))),
        (S, nbss(tree_resp(10, PRINT_TID, ShareType.PRINT))),
        (C, nbss(create_req(11, PRINT_TID, "hole.prn"))),
        (S, nbss(create_resp(11, PRINT_TID, FID))),
        (C, nbss(write_req(12, PRINT_TID, FID, 0, DOC[:10]))),
        (C, nbss(write_req(13, PRINT_TID, FID, 50, DOC[50:]))),
        (C, nbss(close_req(14, PRINT_TID, FID))),
    ]
    ev = job_events(feed_every_way(new, script))
    assert ev[-4:] == [DocumentData(DOC[:10]), DocumentGap(40), DocumentData(DOC[50:]), JobEnded()]


def test_two_print_files_open_at_once_keep_their_own_bytes():
    script = two_files_script()
    ev = feed_every_way(new, script)
    starts = [e for e in ev if isinstance(e, JobStarted)]
    assert len(starts) == 2 and starts[0].key != starts[1].key
    for start, doc, name in ((starts[0], DOC, "one.prn"), (starts[1], DOC2, "two.prn")):
        mine = [e for e in ev if getattr(e, "key", None) == start.key]
        assert b"".join(e.data for e in mine if isinstance(e, DocumentData)) == doc
        assert JobField("document_name", name, "smb", key=start.key) in mine
        assert mine[-1] == JobEnded(key=start.key)


def test_two_print_files_at_once_through_the_flow(tmp_path):
    from sniffprint import analyze
    from tests import pcapgen as g

    script = two_files_script()
    conv = g.Conversation(sport=445)
    frames = conv.handshake()
    for direction, data in script:
        frames += conv.c2s(data) if direction is C else conv.s2c(data)
    frames += conv.close()
    p = tmp_path / "two.pcap"
    p.write_bytes(g.pcap([g.ether(f) for f in frames]))
    jobs = analyze(str(p), reveal=True).jobs
    assert sorted((j.document_name, j.bytes, j.language) for j in jobs) == [
        ("one.prn", len(DOC), "PostScript"), ("two.prn", len(DOC2), "PDF")]


# ----------------------------------------------------------------- the job alone
def test_in_order_rewritten_and_overlapping_writes():
    job = PrintJob(open=True, key="k")
    assert job.data(0, b"abcd") == [DocumentData(b"abcd", "k")]
    ev = job.data(2, b"cd")  # a rewrite of bytes handed on: the first copy wins
    assert [e.kind for e in ev if isinstance(e, Note)] == ["smb_write_out_of_order"]
    assert not [e for e in ev if isinstance(e, DocumentData)]
    assert job.data(2, b"CDef") == [DocumentData(b"ef", "k")]  # overlap: only the new tail
    assert job.data(6, b"") == []


def test_held_writes_wait_for_the_hole_then_drain():
    job = PrintJob(open=True)
    job.data(10, b"later")
    assert job.held_bytes == 5
    assert job.data(0, b"0123456789") == [DocumentData(b"0123456789"), DocumentData(b"later")]
    assert job.held == {} and job.held_bytes == 0 and job.next_offset == 15


def test_a_streamed_write_or_one_past_the_bound_gives_the_hole_up():
    job = PrintJob(open=True)
    ev = job.data(100, b"x", hold=False)
    assert [e for e in ev if not isinstance(e, Note)] == [DocumentGap(100), DocumentData(b"x")]
    job = PrintJob(open=True)
    job.data(10, b"a" * MAX_REORDER)  # exactly the bound: held
    ev = job.data(MAX_REORDER + 20, b"b")  # one byte more: the holes are given up
    assert ev == [DocumentGap(10), DocumentData(b"a" * MAX_REORDER), DocumentGap(10), DocumentData(b"b")]


def test_end_flushes_holes_and_ends_once():
    job = PrintJob(open=True, key="k")
    job.data(0, b"ab")
    job.data(5, b"fg")
    assert job.end() == [DocumentGap(3, "k"), DocumentData(b"fg", "k"), JobEnded(key="k")]
    assert job.end() == []


def test_start_names_the_job_once_and_never_for_a_closed_file():
    conn = Connection()
    conn.session(1).auth = NtlmMessage(AUTHENTICATE, user="alice", workstation="WS1")
    f = File("doc.ps", Tree(r"\\s\p", share_type=ShareType.PRINT), 1)
    assert printjob.start(conn, f) == [JobStarted("smb", key="smb-file-1"),
                                       JobField("document_name", "doc.ps", "smb", key="smb-file-1"),
                                       JobField("user", "alice", "smb", key="smb-file-1"),
                                       JobField("host", "WS1", "smb", key="smb-file-1")]
    assert printjob.start(conn, f) == []
    closed = File("", f.tree, 2, closed=True)
    assert printjob.start(conn, closed) == []
    g = File("", f.tree, 2)  # no name, no AUTHENTICATE for session 2, none on the flow
    assert printjob.start(conn, g) == [JobStarted("smb", key="smb-file-2")]


def test_print_target_maps_write_offsets_to_file_offsets():
    job = PrintJob(open=True)
    job.data(0, b"x" * 100)
    t = PrintTarget(job, offset=100, streamed=True)
    assert t.data(0, b"ab") == [DocumentData(b"ab")]
    assert t.gap(2, 3) == [DocumentGap(3)]  # write bytes 2..5 = file 102..105 lost
    assert t.data(5, b"f") == [DocumentData(b"f")]
