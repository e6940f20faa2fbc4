"""Named pipes: spoolss bytes routed from WRITE / IOCTL / READ to the pipe's own DCE/RPC stream,
the SMB session's user on its jobs, holes handed to the RPC parser."""
from __future__ import annotations

from sniffprint.dissectors.events import (
    DocumentData,
    FlowFact,
    JobEnded,
    JobField,
    JobStarted,
    Note,
    PrintSeen,
    ProtectionSeen,
)
from sniffprint.dissectors.ntlmssp import AUTHENTICATE, NtlmMessage
from sniffprint.dissectors.smb.pipe import Pipe, PipeTarget, followed
from sniffprint.dissectors.smb.state import Connection, ShareType, Tree
from sniffprint.model import Protection
from tests.dissectors.dcerpc import vectors as rpc
from tests.dissectors.smb.wire import (
    BOB,
    DOC,
    OPEN_PRINTER,
    OPEN_PRINTER_RESP,
    C,
    S,
    end_doc,
    facts,
    job_events,
    new,
    rpc_bind,
    spoolss_script,
    start_doc,
    write_printer,
)
from tests.helpers import feed_every_way

ALICE = NtlmMessage(AUTHENTICATE, user="alice", workstation="WS-ALICE")


def test_spoolss_start_doc_printer_names_the_document():
    ev = feed_every_way(new, spoolss_script(None))
    f = facts(ev)
    assert (f["spoolss_auth_level"], f["rpc_auth_level"], f["rpc_interfaces"]) == ("none", "none", ["MS-RPRN"])
    assert f["rpc_calls"] == ["StartDocPrinter", "WritePrinter", "EndDocPrinter"]
    assert PrintSeen(True) in ev
    assert job_events(ev) == [JobStarted("smb"), JobField("user", "alice", "smb"), JobField("host", "WS-ALICE", "smb"),
                              JobField("document_name", "Quarterly.docx", "spoolss"),
                              JobField("document_format", "RAW", "spoolss"), DocumentData(DOC), JobEnded()]


def test_spoolss_packet_privacy_hides_the_stub():
    ev = feed_every_way(new, spoolss_script(6))
    assert facts(ev)["spoolss_auth_level"] == "privacy" and facts(ev)["rpc_auth_level"] == "privacy"
    assert ProtectionSeen(Protection.RPC_PRIVACY) in ev
    assert job_events(ev) == []


# ----------------------------------------------------------------- the pipe alone
IPC = Tree(r"\\srv\IPC$", share_type=ShareType.PIPE)


def test_only_followed_pipes_on_a_pipe_share_are_opened():
    for name in ("spoolss", "\\spoolss", "SPOOLSS", "\\PIPE\\spoolss"):
        assert followed(IPC, name) == "spoolss"
    conn = Connection()
    pipe = Pipe.opened(conn, IPC, "spoolss", 7)
    assert pipe is not None and pipe.session == 7
    assert followed(IPC, "srvsvc") is None
    assert followed(Tree(r"\\srv\data", share_type=ShareType.DISK), "spoolss") is None
    assert Pipe.opened(conn, None, "spoolss", 0) is None


def test_rpc_jobs_get_the_pipe_sessions_user_and_host_and_mark_print():
    conn = Connection(last_auth=NtlmMessage(AUTHENTICATE, user="mallory"))  # someone else logged in last
    conn.session(7).auth = ALICE
    pipe = Pipe("spoolss", conn, 7)
    pipe.feed(conn, C, rpc_bind(None))
    ev = [e for e in pipe.feed(conn, C, start_doc("a.docx")) if not isinstance(e, FlowFact)]
    assert ev == [JobStarted("smb", key="smb-rpc-1"), JobField("user", "alice", "smb", key="smb-rpc-1"),
                  JobField("host", "WS-ALICE", "smb", key="smb-rpc-1"),
                  JobField("document_name", "a.docx", "spoolss", key="smb-rpc-1"),
                  JobField("document_format", "RAW", "spoolss", key="smb-rpc-1")]
    assert conn.print_share


def test_each_pipe_has_its_own_stream_and_the_facts_are_shared():
    conn = Connection()
    a, b = Pipe("spoolss", conn, 0), Pipe("spoolss", conn, 0)
    a.feed(conn, C, rpc_bind(None))
    b.feed(conn, C, rpc_bind(6))
    pdu = start_doc("one.txt")
    assert a.feed(conn, C, pdu[:30]) == []
    assert JobField("document_name", "two.txt", "spoolss", key="smb-rpc-1") in b.feed(conn, C, start_doc("two.txt"))
    ev = a.feed(conn, C, pdu[30:])
    assert JobField("document_name", "one.txt", "spoolss", key="smb-rpc-2") in ev
    assert conn.rpc.interfaces == ["MS-RPRN"] and conn.rpc.reported == 1  # the weakest pipe decides


def test_a_print_share_in_clear_means_the_flow_is_not_rpc_protected():
    conn = Connection()
    pipe = Pipe("spoolss", conn, 0)
    assert ProtectionSeen(Protection.RPC_PRIVACY) in pipe.feed(conn, C, rpc_bind(6))
    assert conn.saw_print_share() == [ProtectionSeen(Protection.NONE)]  # print was seen on the pipe already


def test_a_hole_in_a_pipe_write_reaches_the_rpc_parser_which_resynchronises():
    conn = Connection()
    pipe = Pipe("spoolss", conn, 0)
    t = PipeTarget(conn, pipe)
    t.data(0, rpc_bind(None) + start_doc("lost.txt"))
    ev = t.gap(0, 10)
    assert [e.kind for e in ev if isinstance(e, Note)] == ["dcerpc_gap"]
    ev = t.data(10, b"junk" + write_printer(b"after the hole") + end_doc())
    assert [e for e in ev if isinstance(e, (DocumentData, JobEnded))] == [
        DocumentData(b"after the hole", "smb-rpc-1"), JobEnded(key="smb-rpc-1")]
    assert pipe.close(conn) == []


def test_a_pipe_target_feeds_its_direction():
    conn = Connection()
    pipe = Pipe("spoolss", conn, 0)
    PipeTarget(conn, pipe).data(0, rpc_bind(None) + OPEN_PRINTER)
    assert PipeTarget(conn, pipe, S).data(0, OPEN_PRINTER_RESP) == []
    assert BOB.name in [e.name for e in PipeTarget(conn, pipe).data(0, start_doc("x")) if isinstance(e, JobField)]
    ev = PipeTarget(conn, Pipe("spoolss", conn, 0), S).data(0, b"\x00" * 16)
    assert [e.kind for e in ev if isinstance(e, Note)] == ["dcerpc_unparsed"]
    assert rpc.response(5, b"")[:2] == b"\x05\x00"
