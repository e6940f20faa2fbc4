"""SMB1 NT_CREATE_ANDX / OPEN_ANDX (MS-CIFS 2.2.4.64, 2.2.4.41): files and pipes by FID."""
from __future__ import annotations

from sniffprint.dissectors.events import JobField, JobStarted
from tests.dissectors.smb.smb1.wire1 import (
    IPC_TID,
    PIPE_FID,
    PRINT_FID,
    PRINT_TID,
    UID,
    chain,
    ipc_pipe,
    login,
    open_andx_req,
    open_andx_resp,
    tree_connect_req,
    tree_connect_resp,
)
from tests.dissectors.smb.wire import C, S, nbss, new


def run(script):
    d = new()
    ev = []
    for direction, data in script:
        ev += d.feed(direction, data)
    return d, ev


def test_spoolss_on_ipc_is_a_followed_pipe():
    d, _ = run(login() + ipc_pipe())
    f = d.conn.files[PIPE_FID.to_bytes(2, "little")]
    assert f.pipe is not None and f.name == "\\spoolss" and f.session == UID and f.tree.share_type == 2
    assert IPC_TID in d.conn.trees


def test_open_andx_on_a_print_share_starts_a_job():
    d, ev = run(login() + [
        (C, nbss(chain([tree_connect_req(r"\\SRV\FLOOR2")], mid=3))),
        (S, nbss(chain([tree_connect_resp("LPT1:")], reply=True, tid=PRINT_TID, mid=3))),
        (C, nbss(chain([open_andx_req("memo.txt")], tid=PRINT_TID, mid=4))),
        (S, nbss(chain([open_andx_resp(PRINT_FID)], reply=True, tid=PRINT_TID, mid=4))),
    ])
    assert JobStarted("smb", key="smb-file-1") in ev
    assert JobField("document_name", "memo.txt", "smb", key="smb-file-1") in ev
    _, ev = run(login() + [(S, nbss(chain([open_andx_resp(PRINT_FID)], reply=True, mid=9)))])  # no request
    assert not [e for e in ev if isinstance(e, JobStarted)]
