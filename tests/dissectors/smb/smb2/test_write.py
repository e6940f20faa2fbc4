"""SMB2 WRITE (MS-SMB2 2.2.21): data to a print job, to a pipe, or (disk share) not read."""
from __future__ import annotations

from sniffprint.dissectors.events import (
    JobStarted,
    PrintSeen,
)
from sniffprint.dissectors.smb.smb2.write import WriteRequest
from sniffprint.dissectors.smb.state import ShareType
from tests.dissectors.smb.wire import (
    DISK_TID,
    DOC,
    FID,
    FID2,
    PIPE_TID,
    PRINT_TID,
    SPOOL_FID,
    C,
    S,
    close_req,
    close_resp,
    create_req,
    create_resp,
    doc_bytes,
    facts,
    job_events,
    login,
    nbss,
    new,
    print_job,
    rpc_bind,
    tree_req,
    tree_resp,
    write_req,
    write_resp,
)
from tests.helpers import feed_every_way


def test_smb21_disk_share_copy_is_not_printing():
    script = login(0x0210) + [
        (C, nbss(tree_req(10, r"\\srv\data"))),
        (S, nbss(tree_resp(10, DISK_TID, ShareType.DISK))),
        (C, nbss(create_req(11, DISK_TID, r"dir\copy.ps"))),
        (S, nbss(create_resp(11, DISK_TID, FID2))),
        (C, nbss(write_req(12, DISK_TID, FID2, 0, DOC))),
        (S, nbss(write_resp(12, DISK_TID, len(DOC)))),
        (C, nbss(close_req(13, DISK_TID, FID2))),
        (S, nbss(close_resp(13, DISK_TID))),
    ]
    ev = feed_every_way(new, script)
    assert facts(ev)["smb_dialect"] == "2.1"
    assert facts(ev)["smb_encryption_capable"] is False
    assert facts(ev)["smb_share"] == "data"
    assert job_events(ev) == []
    assert ev[-1] == PrintSeen(False)


def test_parse():
    assert WriteRequest.parse(write_req(1, 7, FID, 4096, b"abc")[64:]) == WriteRequest(64 + 48, 3, 4096, FID)
    assert WriteRequest.parse(b"\x00" * 47) is None


def test_a_write_to_a_file_never_created_on_a_known_print_tree_still_prints():
    script = login() + print_job(DOC)[:2] + [(C, nbss(write_req(20, PRINT_TID, FID, 0, DOC)))]
    ev = feed_every_way(new, script)
    assert job_events(ev)[0] == JobStarted("smb") and doc_bytes(ev) == DOC
    # the same write on a tree never seen is not read
    assert doc_bytes(feed_every_way(new, login() + [(C, nbss(write_req(20, PRINT_TID, FID, 0, DOC)))])) == b""


def test_a_write_to_a_pipe_goes_to_its_rpc_stream():
    script = login() + [
        (C, nbss(tree_req(10, r"\\srv\IPC$"))), (S, nbss(tree_resp(10, PIPE_TID, ShareType.PIPE))),
        (C, nbss(create_req(11, PIPE_TID, "spoolss"))), (S, nbss(create_resp(11, PIPE_TID, SPOOL_FID))),
        (C, nbss(write_req(12, PIPE_TID, SPOOL_FID, 0, rpc_bind(2)))),
    ]
    assert facts(feed_every_way(new, script))["spoolss_auth_level"] == "connect"


def test_a_related_write_without_a_create_in_its_chain_names_no_file():
    related = 0x04  # SMB2_FLAGS_RELATED_OPERATIONS
    script = login() + print_job(DOC)[:2] + [
        (C, nbss(write_req(20, PRINT_TID, b"\xff" * 16, 0, DOC, flags=related)))]
    d = new()
    ev: list = []
    for direction, data in script:
        ev += d.feed(direction, data)
    assert doc_bytes(ev) == b"" and b"\xff" * 16 not in d.conn.files
