"""SMB1 OPEN_PRINT_FILE / WRITE_PRINT_FILE / CLOSE_PRINT_FILE (MS-CIFS 2.2.4.67-69)."""
from __future__ import annotations

from sniffprint.dissectors.events import JobEnded, JobField, JobStarted, PrintSeen
from tests.dissectors.smb.smb1.wire1 import (
    PRINT_FID,
    close_req,
    login,
    open_print_file_req,
    open_print_file_resp,
    write_print_file_req,
)
from tests.dissectors.smb.wire import DOC, C, S, doc_bytes, job_events, nbss, new
from tests.helpers import feed_every_way


def test_a_print_file_is_a_job_whatever_the_tree():
    script = login() + [
        (C, nbss(open_print_file_req("Budget 2026", 3, tid=0x999))),
        (S, nbss(open_print_file_resp(PRINT_FID, 3, tid=0x999))),
        (C, nbss(write_print_file_req(PRINT_FID, DOC[:100], 4))),
        (C, nbss(write_print_file_req(PRINT_FID, DOC[100:], 5))),
        (C, nbss(close_req(PRINT_FID, 6, cmd=0xC2))),
    ]
    ev = feed_every_way(new, script)
    assert PrintSeen(True) in ev and doc_bytes(ev) == DOC
    jobs = job_events(ev)
    assert jobs[0] == JobStarted("smb") and JobField("document_name", "Budget 2026", "smb") in jobs
    assert jobs[-1] == JobEnded()


def test_writes_to_a_print_file_not_opened_are_not_read():
    assert doc_bytes(feed_every_way(new, login() + [(C, nbss(write_print_file_req(PRINT_FID, DOC, 4)))])) == b""
