"""SMB2 CLOSE (MS-SMB2 2.2.15): the file leaves the open table and its print job ends."""
from __future__ import annotations

from sniffprint.dissectors.events import JobEnded
from sniffprint.dissectors.smb.smb2.close import CloseRequest
from sniffprint.dissectors.smb.state import ShareType
from tests.dissectors.smb.wire import (
    DISK_TID,
    FID,
    FID2,
    PRINT_TID,
    C,
    S,
    close_req,
    create_req,
    create_resp,
    login,
    nbss,
    new,
    tree_req,
    tree_resp,
)


def test_parse():
    assert CloseRequest.parse(close_req(1, 7, FID)[64:]) == CloseRequest(file_id=FID)
    assert CloseRequest.parse(b"\x00" * 23) is None


def test_close_ends_the_print_job_and_forgets_the_file():
    d = new()
    for direction, data in login() + [
        (C, nbss(tree_req(10, r"\\srv\officeprn"))), (S, nbss(tree_resp(10, PRINT_TID, ShareType.PRINT))),
        (C, nbss(create_req(11, PRINT_TID, "x.ps"))), (S, nbss(create_resp(11, PRINT_TID, FID))),
        (C, nbss(tree_req(12, r"\\srv\data"))), (S, nbss(tree_resp(12, DISK_TID, ShareType.DISK))),
        (C, nbss(create_req(13, DISK_TID, "y.txt"))), (S, nbss(create_resp(13, DISK_TID, FID2))),
    ]:
        d.feed(direction, data)
    f, g = d.conn.files[FID], d.conn.files[FID2]
    assert d.feed(C, nbss(close_req(14, PRINT_TID, FID))) == [JobEnded(key="smb-file-1")]
    assert f.closed and FID not in d.conn.files
    assert d.feed(C, nbss(close_req(15, PRINT_TID, FID))) == []  # closed twice: nothing more
    assert d.feed(C, nbss(close_req(16, DISK_TID, FID2))) == []  # not a print file: no job to end
    assert g.closed and FID2 not in d.conn.files
