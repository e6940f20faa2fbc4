"""SMB2 CREATE (MS-SMB2 2.2.13 / 2.2.14): the name, the FileId, pipes and print files opened."""
from __future__ import annotations

from sniffprint.dissectors.events import JobField, JobStarted
from sniffprint.dissectors.smb.smb2.create import CreateRequest, CreateResponse
from sniffprint.dissectors.smb.state import ShareType
from tests.dissectors.smb.wire import (
    FID,
    PIPE_TID,
    PRINT_TID,
    SID,
    SPOOL_FID,
    C,
    S,
    compound,
    create_req,
    create_resp,
    login,
    nbss,
    new,
    tree_req,
    tree_resp,
)


def test_parse():
    assert CreateRequest.parse(create_req(1, 7, "a.prn")[64:]) == CreateRequest(name_offset=64 + 56, name_length=10)
    assert CreateRequest.parse(b"\x00" * 55) is None
    assert CreateResponse.parse(create_resp(1, 7, FID)[64:]) == CreateResponse(file_id=FID)
    assert CreateResponse.parse(b"\x00" * 87) is None


def _feed(script):
    d = new()
    ev = []
    for direction, data in script:
        ev += d.feed(direction, data)
    return d, ev


def test_spoolss_on_ipc_opens_a_pipe_other_names_do_not():
    d, _ = _feed(login() + [
        (C, nbss(tree_req(10, r"\\srv\IPC$"))), (S, nbss(tree_resp(10, PIPE_TID, ShareType.PIPE))),
        (C, nbss(create_req(11, PIPE_TID, "spoolss"))), (S, nbss(create_resp(11, PIPE_TID, SPOOL_FID))),
        (C, nbss(create_req(12, PIPE_TID, "srvsvc"))), (S, nbss(create_resp(12, PIPE_TID, FID))),
    ])
    spoolss, srvsvc = d.conn.files[SPOOL_FID], d.conn.files[FID]
    assert spoolss.pipe is not None and spoolss.name == "spoolss" and spoolss.session == SID
    assert srvsvc.pipe is None


def test_the_response_files_the_open_and_starts_a_print_job():
    d, ev = _feed(login() + [
        (C, nbss(tree_req(10, r"\\srv\officeprn"))), (S, nbss(tree_resp(10, PRINT_TID, ShareType.PRINT))),
        (C, nbss(create_req(11, PRINT_TID, "x.ps"))),
    ])
    assert not [e for e in ev if isinstance(e, JobStarted)] and 11 in d.conn.pending
    ev = d.feed(S, nbss(create_resp(11, PRINT_TID, FID)))
    assert ev[:2] == [JobStarted("smb", key="smb-file-1"), JobField("document_name", "x.ps", "smb", key="smb-file-1")]
    assert d.conn.files[FID].job.open and 11 not in d.conn.pending


def test_a_create_compounded_with_its_tree_connect_gets_the_tree():
    """TREE_CONNECT + related CREATE in one message: the CREATE names a tree whose id and type only
    the responses give (they come in the same order)."""
    related = 0x04  # SMB2_FLAGS_RELATED_OPERATIONS
    for share, stype, name, fid in ((r"\\srv\officeprn", ShareType.PRINT, "doc.ps", FID),
                                    (r"\\srv\IPC$", ShareType.PIPE, "spoolss", SPOOL_FID)):
        req = compound(tree_req(10, share), create_req(11, 0xFFFFFFFF, name, flags=related))
        resp = compound(tree_resp(10, PRINT_TID, stype), create_resp(11, PRINT_TID, fid))
        d, ev = _feed(login() + [(C, nbss(req)), (S, nbss(resp))])
        f = d.conn.files[fid]
        assert f.tree is not None and f.tree.share_type == stype
        if stype == ShareType.PRINT:
            assert JobStarted("smb", key="smb-file-1") in ev
        else:
            assert f.pipe is not None and f.pipe.name == "spoolss"
