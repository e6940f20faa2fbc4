"""Calls by call id: fragments reassembled, a new first fragment replaces a call, stubs capped."""
from __future__ import annotations

from sniffprint.dissectors.dcerpc.binding import Context
from sniffprint.dissectors.dcerpc.calls import MAX_STUB, Asked, Call, Calls
from sniffprint.dissectors.dcerpc.pdu import Header
from sniffprint.dissectors.dcerpc.spoolss import Role
from sniffprint.dissectors.events import (
    DocumentGap,
    JobEnded,
    Note,
)
from tests.dissectors.dcerpc.sessions import DOC, C, S, conv, jobs
from tests.dissectors.dcerpc.vectors import (
    bind,
    fragments,
    handle_stub,
    request,
    response,
    start_doc_stub,
    write_stub,
)


def _h(data: bytes) -> Header:
    h = Header.parse(data)
    assert h is not None
    return h


def test_a_request_is_remembered_for_its_response():
    calls = Calls()
    call = calls.request(_h(request(4, 69, b"")), 69, Context("MS-RPRN", True), sealed=False)
    assert (call.iface, call.role, call.ndr64, call.keep) == ("MS-RPRN", Role.OPEN, True, True)
    assert calls.requests[4] is call and calls.asked[4] == Asked("MS-RPRN", 69, Role.OPEN, True)
    write = calls.request(_h(request(5, 19, b"")), 19, Context("MS-RPRN", False), sealed=False)
    assert write.role is Role.WRITE and not write.keep  # streamed, not kept
    unknown = calls.request(_h(request(6, 3, b"")), 3, None, sealed=True)
    assert (unknown.iface, unknown.role, unknown.keep, unknown.sealed) == ("?", None, False, True)
    resp = calls.response(_h(response(4, b"")), calls.asked[4], sealed=False, keep=True)
    assert (resp.iface, resp.opnum, resp.role, resp.ndr64) == ("MS-RPRN", 69, Role.OPEN, True)
    assert calls.of(S) is calls.responses and calls.of(C) is calls.requests
    calls.answered(4)
    assert 4 not in calls.responses and 4 not in calls.asked and 4 in calls.requests


def test_a_kept_stub_is_capped():
    call = Call(1, "MS-RPRN", 17, Role.START_DOC, False, True, keep=True)
    call.keep_stub(b"a" * (MAX_STUB - 10))
    call.keep_stub(b"b" * 10)
    assert len(call.stub) == MAX_STUB and not call.cut
    call.keep_stub(b"c")
    assert call.cut and len(call.stub) == MAX_STUB
    call.keep_stub(b"")
    assert call.cut and len(call.stub) == MAX_STUB  # once cut, nothing more is added


def test_a_new_first_fragment_with_the_same_id_gives_up_the_old_call():
    c = conv()
    c.feed(C, bind(1) + request(3, 17, start_doc_stub("x")))
    head = fragments(5, 19, write_stub(DOC), 1000)
    ev = c.feed(C, request(5, 19, write_stub(b"")[:10], flags=1))  # before the byte count
    ev += c.feed(C, head[0])
    assert [e for e in ev if isinstance(e, Note)] == [
        Note("dcerpc_gap", "WritePrinter call 5: a new call with its id before its byte count")]
    ev = c.feed(C, request(5, 23, handle_stub()))  # EndDocPrinter reuses the id mid-write
    assert jobs(ev) == [DocumentGap(len(DOC) - 1000 + 24, "k1"), JobEnded(key="k1")]
    assert c.feed(C, head[1]) == []  # a later fragment of a call no longer followed
