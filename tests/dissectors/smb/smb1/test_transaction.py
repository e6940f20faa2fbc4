"""SMB1 TRANSACTION TRANS_TRANSACT_NMPIPE (MS-CIFS 2.2.4.33, 2.2.5.6): pipe exchanges, in parts."""
from __future__ import annotations

from sniffprint.dissectors.events import FlowFact, JobField
from tests.dissectors.dcerpc import vectors as rpc
from tests.dissectors.smb.smb1.wire1 import (
    PIPE_FID,
    ipc_pipe,
    login,
    trans_interim,
    trans_req,
    trans_resp,
    trans_secondary,
)
from tests.dissectors.smb.wire import OPEN_PRINTER, OPEN_PRINTER_RESP, C, S, facts, nbss, new, rpc_bind, start_doc
from tests.helpers import feed_every_way


def users(ev: list) -> list[str]:
    return [e.value for e in ev if isinstance(e, JobField) and e.name == "user"]


def test_transact_nmpipe_both_ways():
    script = login() + ipc_pipe() + [
        (C, nbss(trans_req(PIPE_FID, rpc_bind(None), 10))), (S, nbss(trans_resp(rpc.bind_ack(1), 10))),
        (C, nbss(trans_req(PIPE_FID, OPEN_PRINTER, 11))), (S, nbss(trans_resp(OPEN_PRINTER_RESP, 11))),
        (C, nbss(trans_req(PIPE_FID, start_doc("t.txt"), 12))),
    ]
    ev = feed_every_way(new, script)
    assert facts(ev)["rpc_calls"] == ["OpenPrinterEx", "StartDocPrinter"] and "bob" in users(ev)


def test_secondaries_and_a_reply_in_parts():
    a, b = OPEN_PRINTER[:50], OPEN_PRINTER[50:]
    r1, r2 = OPEN_PRINTER_RESP[:20], OPEN_PRINTER_RESP[20:]
    total = len(OPEN_PRINTER_RESP)
    script = login() + ipc_pipe() + [
        (C, nbss(trans_req(PIPE_FID, rpc_bind(None), 10))),
        (C, nbss(trans_req(PIPE_FID, a, 11, total=len(OPEN_PRINTER)))), (S, nbss(trans_interim(11))),
        (C, nbss(trans_secondary(b, 11, len(OPEN_PRINTER), len(a)))),
        (S, nbss(trans_resp(r1, 11, total=total))), (S, nbss(trans_resp(r2, 11, total=total, disp=len(r1)))),
        (C, nbss(trans_req(PIPE_FID, start_doc("t.txt"), 12))),
    ]
    assert "bob" in users(feed_every_way(new, script))


def test_other_subcommands_and_unknown_fids_are_not_read():
    d = new()
    for direction, data in login() + ipc_pipe():
        d.feed(direction, data)
    assert [e for e in d.feed(C, nbss(trans_req(0x7777, rpc_bind(None), 10))) if isinstance(e, FlowFact)] == []
    assert d.feed(S, nbss(trans_resp(b"x", 99))) == []
