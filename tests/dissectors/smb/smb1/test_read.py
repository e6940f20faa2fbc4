"""SMB1 READ_ANDX on a pipe (MS-CIFS 2.2.4.42): the server's DCE/RPC bytes."""
from __future__ import annotations

from sniffprint.dissectors.events import JobField
from tests.dissectors.smb.smb1.wire1 import PIPE_FID, ipc_pipe, login, read_andx_req, read_andx_resp, write_andx_req
from tests.dissectors.smb.wire import OPEN_PRINTER, OPEN_PRINTER_RESP, C, S, nbss, new, rpc_bind, start_doc
from tests.helpers import feed_every_way


def test_read_andx_data_is_the_pipes_server_side():
    for status in (0, 0x80000005, 0x00EA0001):  # more data: still the reply's bytes
        script = login() + ipc_pipe() + [
            (C, nbss(write_andx_req(PIPE_FID, 0, rpc_bind(None) + OPEN_PRINTER, mid=10))),
            (C, nbss(read_andx_req(PIPE_FID, 11))), (S, nbss(read_andx_resp(OPEN_PRINTER_RESP, 11, status))),
            (C, nbss(write_andx_req(PIPE_FID, 0, start_doc("x"), mid=12))),
        ]
        ev = feed_every_way(new, script)
        assert "bob" in [e.value for e in ev if isinstance(e, JobField) and e.name == "user"]


def test_a_read_without_its_request_or_failed_is_not_read():
    d = new()
    for direction, data in login() + ipc_pipe():
        d.feed(direction, data)
    assert d.feed(S, nbss(read_andx_resp(OPEN_PRINTER_RESP, 30))) == []
    d.feed(C, nbss(read_andx_req(PIPE_FID, 31)))
    assert d.feed(S, nbss(read_andx_resp(b"\x00" * 16, 31, status=0xC000014B))) == []
