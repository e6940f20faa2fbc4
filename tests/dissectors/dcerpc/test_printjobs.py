"""Jobs per printer handle: who names the job, several handles at once, bytes before any start."""
from __future__ import annotations

import itertools

from sniffprint.dissectors.dcerpc.calls import Call
from sniffprint.dissectors.dcerpc.printjobs import MAX_HANDLES, PrintJobs
from sniffprint.dissectors.dcerpc.spoolss import Role
from sniffprint.dissectors.events import (
    DocumentData,
    DocumentGap,
    JobEnded,
    JobField,
    JobStarted,
    Note,
)
from tests.dissectors.dcerpc.sessions import C, conv, facts, jobs, rprn_session
from tests.dissectors.dcerpc.vectors import (
    HANDLE,
    HANDLE2,
    bind,
    handle_stub,
    open_printer_resp_stub,
    open_printer_stub,
    request,
    start_doc_stub,
    write_stub,
)
from tests.helpers import feed_every_way


def test_without_rpc_authentication_the_open_printer_client_names_the_job():
    ev = feed_every_way(conv, rprn_session(auth=None))
    assert facts(ev)["rpc_auth_level"] == "none" and "rpc_auth_type" not in facts(ev)
    assert [e for e in jobs(ev) if isinstance(e, JobField) and e.name in ("user", "host")] == [
        JobField("user", "bob", "spoolss", key="k1"), JobField("host", "WS-ALICE", "spoolss", key="k1")]


def test_two_printer_handles_print_at_once():
    script = [(C, bind(1)), (C, request(2, 17, start_doc_stub("one"))),
              (C, request(3, 17, start_doc_stub("two", handle=HANDLE2))),
              (C, request(4, 19, write_stub(b"AAAA"))), (C, request(5, 19, write_stub(b"BBBB", handle=HANDLE2))),
              (C, request(6, 23, handle_stub(HANDLE2))), (C, request(7, 21, handle_stub(HANDLE)))]  # abort
    ev = jobs(feed_every_way(conv, script))
    assert [e for e in ev if not isinstance(e, JobField)] == [
        JobStarted("dcerpc", key="k1"), JobStarted("dcerpc", key="k2"), DocumentData(b"AAAA", "k1"),
        DocumentData(b"BBBB", "k2"), JobEnded(key="k2"), JobEnded(key="k1")]


def test_bytes_of_a_job_whose_start_was_not_seen_and_close():
    c = conv()
    c.feed(C, bind(1))
    ev = c.feed(C, request(2, 19, write_stub(b"%!PS\n")))
    assert jobs(ev) == [JobStarted("dcerpc", key="k1"), DocumentData(b"%!PS\n", "k1")]
    assert c.close() == [JobEnded(partial=True, key="k1")]
    c.feed(C, request(3, 17, start_doc_stub("x")))
    assert jobs(c.feed(C, request(4, 29, handle_stub()))) == [JobEnded(key="k2")]  # ClosePrinter


def _jobs() -> PrintJobs:
    n = itertools.count(1)
    return PrintJobs("smb", lambda: f"j{next(n)}")


def _call(call_id: int, role: Role, stub: bytes = b"", opnum: int = 0, **kw) -> Call:
    c = Call(call_id, "MS-RPRN", opnum, role, False, True, **kw)
    c.stub += stub
    return c


def test_a_lost_write_call_owes_exactly_its_missing_bytes():
    p = _jobs()
    w = _call(5, Role.WRITE)
    ev = p.write(w, write_stub(b"abcdef")[:26], None)  # the head (24 bytes), and 2 of the 6 bytes
    assert ev == [JobStarted("smb", key="j1"), DocumentData(b"ab", "j1")] and w.write_left == 4
    assert p.lost(w, "framing lost") == [DocumentGap(4, "j1")] and w.write_left == 0
    assert p.lost(w, "framing lost") == []  # owed once
    early = _call(6, Role.WRITE)
    assert p.write(early, write_stub(b"x")[:10], None) == []  # not even the head yet
    assert p.lost(early, "a fragment with a hole") == [
        Note("dcerpc_gap", "WritePrinter call 6: a fragment with a hole before its byte count")]
    assert p.lost(_call(7, Role.WRITE, sealed=True), "framing lost") == []
    assert p.lost(_call(8, Role.START_DOC), "framing lost") == []
    assert p.close() == [JobEnded(partial=True, key="j1")] and p.close() == []


def test_a_new_document_on_a_handle_ends_the_last_and_a_failed_open_names_no_handle():
    p = _jobs()
    p.requested(_call(1, Role.OPEN, open_printer_stub("\\\\srv\\p", user="fay"), 69), None)
    assert p.opening[1].user == "fay"
    p.opened(_call(1, Role.OPEN, open_printer_resp_stub(status=5)))  # access denied
    assert not p.handles and not p.opening
    ev = p.requested(_call(2, Role.START_DOC, start_doc_stub("a")), None)
    ev += p.requested(_call(3, Role.START_DOC, start_doc_stub("b")), None)
    assert [e for e in ev if not isinstance(e, JobField)] == [JobStarted("smb", key="j1"), JobEnded(key="j1"),
                                                              JobStarted("smb", key="j2")]
    assert p.requested(_call(4, Role.START_DOC, b"\x00" * 8), None)[-1] == Note(
        "dcerpc_unparsed", "a StartDocPrinter stub does not fit DOC_INFO_1")


def test_open_jobs_are_bounded():
    p = _jobs()
    for i in range(MAX_HANDLES + 5):
        p.requested(_call(i, Role.START_DOC, start_doc_stub("d", handle=i.to_bytes(20, "big"))), None)
    assert len(p.open) == MAX_HANDLES and "j1" not in p.open and len(p.handles) == MAX_HANDLES
