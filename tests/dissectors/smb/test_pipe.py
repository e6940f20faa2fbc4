"""Named pipes: spoolss bytes routed from WRITE / IOCTL / READ to the pipe's own DCE/RPC stream."""
from __future__ import annotations

from sniffprint.dissectors.events import (
    DocumentData,
    FlowFact,
    JobEnded,
    JobField,
    JobStarted,
    Note,
    PrintSeen,
)
from sniffprint.dissectors.ntlmssp import AUTHENTICATE, NtlmMessage
from sniffprint.dissectors.smb.pipe import Pipe, PipeTarget
from sniffprint.dissectors.smb.state import Connection, ShareType, Tree
from tests.dissectors.smb.wire import (
    DOC,
    C,
    S,
    facts,
    job_events,
    new,
    rpc_bind,
    rpc_pdu,
    spoolss_script,
    start_doc,
)
from tests.helpers import feed_every_way


def test_spoolss_start_doc_printer_names_the_document():
    ev = feed_every_way(new, spoolss_script(None))
    assert facts(ev)["spoolss_auth_level"] == "none"
    assert PrintSeen(True) in ev
    assert job_events(ev) == [JobStarted("smb"), JobField("user", "alice", "smb"),
                              JobField("document_name", "Quarterly.docx", "spoolss"), DocumentData(DOC), JobEnded()]


def test_spoolss_packet_privacy_hides_the_stub():
    ev = feed_every_way(new, spoolss_script(6))
    assert facts(ev)["spoolss_auth_level"] == "privacy"
    assert job_events(ev) == []


# ----------------------------------------------------------------- the pipe alone
IPC = Tree(r"\\srv\IPC$", share_type=ShareType.PIPE)


def test_only_followed_pipes_on_a_pipe_share_are_opened():
    for name in ("spoolss", "\\spoolss", "SPOOLSS"):
        pipe = Pipe.opened(IPC, name)
        assert pipe is not None and pipe.name == "spoolss"
    assert Pipe.opened(IPC, "srvsvc") is None
    assert Pipe.opened(Tree(r"\\srv\data", share_type=ShareType.DISK), "spoolss") is None
    assert Pipe.opened(None, "spoolss") is None


def test_rpc_events_get_the_smb_user_and_mark_print():
    conn = Connection(last_auth=NtlmMessage(AUTHENTICATE, user="alice"))
    pipe = Pipe("spoolss")
    pipe.feed(conn, C, rpc_bind(None))
    ev = pipe.feed(conn, C, start_doc("a.docx"))
    assert ev == [PrintSeen(True), JobStarted("smb"), JobField("user", "alice", "smb"),
                  JobField("document_name", "a.docx", "spoolss")]
    assert conn.print_share


def test_each_pipe_has_its_own_stream():
    conn = Connection()
    a, b = Pipe("spoolss"), Pipe("spoolss")
    pdu = start_doc("one.txt")
    assert a.feed(conn, C, pdu[:30]) == []
    assert JobField("document_name", "two.txt", "spoolss") in b.feed(conn, C, start_doc("two.txt"))
    assert JobField("document_name", "one.txt", "spoolss") in a.feed(conn, C, pdu[30:])


def test_a_hole_in_a_pipe_write_ends_that_pipe():
    conn = Connection()
    pipe = Pipe("spoolss")
    t = PipeTarget(conn, pipe)
    assert t.gap(0, 10) == [Note("dcerpc_unparsed", "10 bytes of a pipe write missing")]
    assert t.data(10, start_doc("lost.txt")) == []


def test_a_pipe_target_feeds_its_direction():
    conn = Connection()
    pipe = Pipe("spoolss")
    assert PipeTarget(conn, pipe, S).data(0, rpc_pdu(12, 1, b"\x00" * 8, auth_level=2)) == [
        FlowFact("spoolss_auth_level", "connect")]
    assert PipeTarget(conn, Pipe("spoolss"), S).gap(0, 3) == [Note("dcerpc_unparsed", "3 bytes of a pipe read missing")]
