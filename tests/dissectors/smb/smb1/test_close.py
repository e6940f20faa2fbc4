"""SMB1 CLOSE (MS-CIFS 2.2.4.5): a print file's job ends, a pipe's RPC association too."""
from __future__ import annotations

from sniffprint.dissectors.events import JobEnded
from tests.dissectors.smb.smb1.wire1 import PIPE_FID, PRINT_FID, close_req, ipc_pipe, login, print_share, write_andx_req
from tests.dissectors.smb.wire import DOC, C, nbss, new, rpc_bind, start_doc


def test_close_ends_the_print_job_and_the_pipes_jobs():
    d = new()
    ev = []
    for direction, data in login() + print_share(DOC):
        ev += d.feed(direction, data)
    assert ev[-1] == JobEnded(key="smb-file-1") and PRINT_FID.to_bytes(2, "little") not in d.conn.files
    for direction, data in ipc_pipe() + [(C, nbss(write_andx_req(PIPE_FID, 0, rpc_bind(None) + start_doc("x"))))]:
        d.feed(direction, data)
    assert d.feed(C, nbss(close_req(PIPE_FID, 20))) == [JobEnded(partial=True, key="smb-rpc-2")]
    assert d.feed(C, nbss(close_req(PIPE_FID, 21))) == []  # closed already
