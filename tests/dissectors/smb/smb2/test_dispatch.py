"""SMB2 dispatch: compound chains and related operations, interim async responses, signing seen in
headers, and which responses are read (REQUESTS / RESPONSES / ANSWERS)."""
from __future__ import annotations

import struct

from sniffprint.dissectors.events import (
    DocumentData,
    JobEnded,
    JobField,
    JobStarted,
    Note,
    PrintSeen,
    ProtectionSeen,
)
from sniffprint.dissectors.smb.smb2.dispatch import ANSWERS, REQUESTS, RESPONSES
from sniffprint.dissectors.smb.smb2.header import (
    FLAG_RELATED,
    FLAG_SIGNED,
    RELATED_FID,
    STATUS_PENDING,
    Command,
)
from sniffprint.dissectors.smb.state import ShareType
from tests.dissectors.smb.wire import (
    DOC,
    FID,
    PIPE_TID,
    PRINT_TID,
    C,
    S,
    close_req,
    close_resp,
    compound,
    create_req,
    create_resp,
    facts,
    hdr,
    job_events,
    login,
    msg,
    nbss,
    new,
    tree_req,
    tree_resp,
    write_req,
    write_resp,
)
from tests.helpers import feed_every_way


def test_compound_create_write_close_related():
    related = FLAG_RELATED
    req = compound(create_req(11, PRINT_TID, "chain.prn"),
                   write_req(12, 0xFFFFFFFF, RELATED_FID, 0, DOC, flags=related),
                   close_req(13, 0xFFFFFFFF, RELATED_FID, flags=related))
    resp = compound(create_resp(11, PRINT_TID, FID), write_resp(12, PRINT_TID, len(DOC)), close_resp(13, PRINT_TID))
    script = login() + [
        (C, nbss(tree_req(10, r"\\srv\officeprn"))),
        (S, nbss(tree_resp(10, PRINT_TID, ShareType.PRINT))),
        (C, nbss(req)), (S, nbss(resp)),
    ]
    ev = feed_every_way(new, script)
    assert job_events(ev) == [JobStarted("smb"), JobField("document_name", "chain.prn", "smb"),
                              JobField("user", "alice", "smb"), JobField("host", "WS-ALICE", "smb"),
                              DocumentData(DOC), JobEnded()]


def test_compound_response_with_tree_connects():
    req = compound(tree_req(10, r"\\srv\IPC$"), tree_req(11, r"\\srv\officeprn"))
    resp = compound(tree_resp(10, PIPE_TID, ShareType.PIPE), tree_resp(11, PRINT_TID, ShareType.PRINT))
    ev = feed_every_way(new, login() + [(C, nbss(req)), (S, nbss(resp))])
    assert PrintSeen(True) in ev
    assert facts(ev)["smb_share"] == "officeprn"


def test_async_interim_response_keeps_the_request():
    script = login() + [
        (C, nbss(tree_req(10, r"\\srv\officeprn"))),
        (S, nbss(msg(Command.TREE_CONNECT, 10, b"\x09\x00\x00\x00\x00\x00\x00\x00\x00", resp=True,
                     status=STATUS_PENDING, async_id=77))),
        (S, nbss(tree_resp(10, PRINT_TID, ShareType.PRINT))),
    ]
    assert PrintSeen(True) in feed_every_way(new, script)


def test_signed_session_is_still_cleartext():
    signed = hdr(Command.TREE_CONNECT, 10, flags=FLAG_SIGNED)
    p = r"\\srv\officeprn".encode("utf-16-le")
    script = login() + [(C, nbss(signed + struct.pack("<HHHH", 9, 0, 72, len(p)) + p)),
                        (S, nbss(tree_resp(10, PRINT_TID, ShareType.PRINT)))]
    ev = feed_every_way(new, script)
    assert facts(ev)["smb_signing"] is True
    assert not [e for e in ev if isinstance(e, ProtectionSeen)]


def test_tables_are_keyed_by_command_and_a_response_is_read_one_way():
    for table in (REQUESTS, RESPONSES, ANSWERS):
        assert all(isinstance(k, Command) for k in table)
    assert not set(RESPONSES) & set(ANSWERS)
    assert set(RESPONSES) | set(ANSWERS) <= set(REQUESTS)


def test_a_bad_chain_is_noted_and_what_came_before_is_kept():
    first = tree_req(10, r"\\srv\officeprn")
    pad = first + b"\x00" * (-len(first) % 8)
    beyond = pad[:20] + struct.pack("<I", 4096) + pad[24:]  # NextCommand past the end
    ev = feed_every_way(new, login() + [(C, nbss(beyond)), (S, nbss(tree_resp(10, PRINT_TID, ShareType.PRINT)))])
    assert [e.detail for e in ev if isinstance(e, Note)] == ["NextCommand 4096 outside the message"]
    assert PrintSeen(True) not in ev  # the request was not read: the chain is cut before it
    bad_second = compound(tree_req(10, r"\\srv\officeprn"), b"\xfdSMB" + b"\x00" * 60)
    ev = feed_every_way(new, login() + [(C, nbss(bad_second)), (S, nbss(tree_resp(10, PRINT_TID, ShareType.PRINT)))])
    assert [e.kind for e in ev if isinstance(e, Note)] == ["smb_malformed"]
    assert PrintSeen(True) in ev  # the first command of the chain was read


def test_a_final_response_retires_its_message_id():
    d = new()
    for direction, data in login():
        d.feed(direction, data)
    d.feed(C, nbss(tree_req(10, r"\\srv\officeprn")))
    refused = msg(Command.TREE_CONNECT, 10, tree_resp(10, 1, 0)[64:], resp=True, status=0xC00000CC)
    assert d.feed(S, nbss(refused)) == [] and 10 not in d.conn.pending
    assert d.feed(S, nbss(tree_resp(10, PRINT_TID, ShareType.PRINT))) == []  # nothing left to answer


def test_an_answer_must_match_its_requests_command():
    d = new()
    for direction, data in login():
        d.feed(direction, data)
    d.feed(C, nbss(tree_req(10, r"\\srv\officeprn")))
    assert d.feed(S, nbss(create_resp(10, PRINT_TID, b"\x01" * 16))) == []
    assert d.conn.files == {} and 10 not in d.conn.pending


def test_commands_without_a_parser_are_skipped():
    echo = hdr(Command.ECHO, 30) + struct.pack("<HH", 4, 0)
    echo_resp = hdr(Command.ECHO, 30, resp=True) + struct.pack("<HH", 4, 0)
    ev = feed_every_way(new, login() + [(C, nbss(echo)), (S, nbss(echo_resp)), (C, nbss(hdr(0x99, 31)))])
    assert not [e for e in ev if isinstance(e, Note)]
