"""SMB1 WRITE_ANDX / WRITE (MS-CIFS 2.2.4.43, 2.2.4.12): print data in offset order, pipe data."""
from __future__ import annotations

from sniffprint.dissectors.events import JobEnded, JobField
from tests.dissectors.dcerpc import vectors as rpc
from tests.dissectors.smb.smb1.wire1 import (
    DISK_FID,
    DISK_TID,
    PIPE_FID,
    PRINT_FID,
    chain,
    ipc_pipe,
    login,
    nt_create_req,
    nt_create_resp,
    print_share,
    tree_connect_req,
    tree_connect_resp,
    write_andx_req,
    write_req,
)
from tests.dissectors.smb.wire import DOC, C, S, doc_bytes, job_events, nbss, new
from tests.helpers import feed_every_way


def test_a_print_share_write_is_a_job_with_the_sessions_user():
    ev = feed_every_way(new, login() + print_share(DOC, "Q3.ps"))
    assert doc_bytes(ev) == DOC
    jobs = job_events(ev)
    assert JobField("user", "alice", "smb") in jobs and JobField("host", "WS-ALICE", "smb") in jobs
    assert jobs[-1] == JobEnded()


def test_core_write_and_a_large_write_andx():
    big = bytes(range(256)) * 512  # 128 KiB: longer than the framing buffers
    script = login() + print_share(b"")[:4] + [(C, nbss(write_req(PRINT_FID, 0, b"%!PS\n"))),
                                               (C, nbss(write_andx_req(PRINT_FID, 5, big)))]
    d = new()
    ev = []
    for direction, data in script:
        for i in range(0, len(data), 1460):
            ev += d.feed(direction, data[i:i + 1460])
    assert doc_bytes(ev) == b"%!PS\n" + big


def test_pipe_writes_feed_rpc_and_disk_writes_are_not_read():
    msg_start = rpc.bind(1)  # MSG_START alone (impacket, Samba): the data is the message
    start = rpc.request(2, 17, rpc.start_doc_stub("raw.txt"))
    prefixed = len(start).to_bytes(2, "little") + start  # RAW_MODE | MSG_START: a 2-byte length first
    ev = feed_every_way(new, login() + ipc_pipe() + [
        (C, nbss(write_andx_req(PIPE_FID, 0, msg_start, mode=0x0008, remaining=len(msg_start)))),
        (C, nbss(write_andx_req(PIPE_FID, 0, prefixed, mode=0x000C, remaining=400))),
    ])
    assert JobField("document_name", "raw.txt", "spoolss") in job_events(ev)
    ev = feed_every_way(new, login() + [
        (C, nbss(chain([tree_connect_req(r"\\SRV\DOCS")], mid=3))),
        (S, nbss(chain([tree_connect_resp("A:")], reply=True, tid=DISK_TID, mid=3))),
        (C, nbss(chain([nt_create_req("copy.prn")], tid=DISK_TID, mid=4))),
        (S, nbss(chain([nt_create_resp(DISK_FID)], reply=True, tid=DISK_TID, mid=4))),
        (C, nbss(write_andx_req(DISK_FID, 0, DOC, tid=DISK_TID)))])
    assert doc_bytes(ev) == b""
