"""SMB2 TREE_CONNECT (MS-SMB2 2.2.9 / 2.2.10): the path, the share type that decides print, smb_share."""
from __future__ import annotations

import struct

from sniffprint.dissectors.events import FlowFact, PrintSeen
from sniffprint.dissectors.smb.smb2.header import Command
from sniffprint.dissectors.smb.smb2.tree_connect import (
    SHAREFLAG_ENCRYPT_DATA,
    TreeConnectRequest,
    TreeConnectResponse,
    share_fact,
)
from sniffprint.dissectors.smb.state import Connection, ShareType, Tree
from tests.dissectors.smb.wire import (
    DISK_TID,
    DOC,
    FID2,
    PRINT_TID,
    C,
    S,
    create_req,
    create_resp,
    doc_bytes,
    facts,
    login,
    msg,
    nbss,
    new,
    print_job,
    tree_req,
    tree_resp,
    write_req,
)
from tests.helpers import feed_every_way


def test_print_share_wins_smb_share_and_disk_writes_stay_out_of_the_job():
    script = login() + [
        (C, nbss(tree_req(5, r"\\srv\data"))),
        (S, nbss(tree_resp(5, DISK_TID, ShareType.DISK))),
        (C, nbss(create_req(6, DISK_TID, "x.txt"))),
        (S, nbss(create_resp(6, DISK_TID, FID2))),
    ] + print_job(DOC) + [(C, nbss(write_req(40, DISK_TID, FID2, 0, b"not printed")))]
    ev = feed_every_way(new, script)
    assert facts(ev)["smb_share"] == "officeprn"
    assert doc_bytes(ev) == DOC


def test_parse():
    assert TreeConnectRequest.parse(tree_req(1, r"\\s\p")[64:]) == TreeConnectRequest(0, 72, 10)
    assert TreeConnectRequest.parse(b"\x09\x00") is None
    resp = TreeConnectResponse.parse(tree_resp(1, 7, ShareType.PRINT, flags=SHAREFLAG_ENCRYPT_DATA)[64:])
    assert resp == TreeConnectResponse(ShareType.PRINT, SHAREFLAG_ENCRYPT_DATA, 0)
    assert TreeConnectResponse.parse(b"\x00" * 15) is None


def test_smb311_extension_moves_the_path():
    """2.2.9.1: with SMB2_TREE_CONNECT_FLAG_EXTENSION_PRESENT, PathOffset points at the extension."""
    path = r"\\srv\officeprn".encode("utf-16-le")
    ext = struct.pack("<IIHH", 16, 0, 0, 0) + b"\x00" * 8  # TreeConnectContextOffset/Count, Reserved
    body = struct.pack("<HHHH", 9, 0x0004, 64 + 8, len(path)) + ext + path
    script = [(C, nbss(msg(Command.TREE_CONNECT, 10, body))), (S, nbss(tree_resp(10, PRINT_TID, ShareType.PRINT)))]
    ev = feed_every_way(new, script)
    assert facts(ev)["smb_share"] == "officeprn" and PrintSeen(True) in ev


def test_encrypted_share_and_unanswered_requests():
    script = [(C, nbss(tree_req(10, r"\\srv\secret"))),
              (S, nbss(tree_resp(10, DISK_TID, ShareType.DISK, flags=SHAREFLAG_ENCRYPT_DATA))),
              (S, nbss(tree_resp(11, PRINT_TID, ShareType.PRINT)))]  # no request 11: not read
    ev = feed_every_way(new, script)
    assert ev == [FlowFact("smb_encryption_required", True), FlowFact("smb_share", "secret"), PrintSeen(False)]
    failed = msg(Command.TREE_CONNECT, 10, tree_resp(10, 1, ShareType.PRINT)[64:], resp=True, status=0xC00000CC)
    assert PrintSeen(True) not in feed_every_way(new, [(C, nbss(tree_req(10, r"\\srv\p"))), (S, nbss(failed))])


def test_share_fact_prefers_print_shares_and_leaves_out_ipc():
    conn = Connection()
    pipe = Tree(r"\\s\IPC$", share_type=ShareType.PIPE)
    disk = Tree(r"\\s\data", share_type=ShareType.DISK)
    prn, prn2 = Tree(r"\\s\prn", share_type=ShareType.PRINT), Tree(r"\\s\prn2", share_type=ShareType.PRINT)
    assert share_fact(conn, pipe) == []
    assert share_fact(conn, disk) == [FlowFact("smb_share", "data")]
    assert share_fact(conn, prn) == [FlowFact("smb_share", "prn")]  # print shares replace the others
    assert share_fact(conn, Tree(r"\\s\more", share_type=ShareType.DISK)) == []
    assert share_fact(conn, prn) == []
    assert share_fact(conn, prn2) == [FlowFact("smb_share", "prn,prn2")]
