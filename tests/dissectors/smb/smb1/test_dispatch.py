"""SMB1 dispatch: AndX chains both ways, whole conversations on 139 and 445 fed every way, fuzz."""
from __future__ import annotations

import struct

from sniffprint.dissectors.events import FlowFact, JobField, Note, PrintSeen
from sniffprint.dissectors.smb.smb1.dispatch import ANSWERS, REQUESTS, RESPONSES
from tests.dissectors.dcerpc import vectors as rpc
from tests.dissectors.smb.smb1.wire1 import (
    NBSS_POSITIVE,
    NBSS_REQUEST,
    PIPE_FID,
    PRINT_TID,
    chain,
    header,
    ipc_pipe,
    login,
    negotiate_req,
    negotiate_resp,
    print_share,
    read_andx_req,
    read_andx_resp,
    session_setup_req,
    session_setup_resp,
    trans_req,
    trans_resp,
    tree_connect_req,
    tree_connect_resp,
    write_andx_req,
)
from tests.dissectors.smb.wire import DOC, C, S, doc_bytes, facts, nbss, new, ntlm_auth, spnego
from tests.helpers import feed_every_way, fuzz, key


def test_session_setup_and_tree_connect_in_one_chain():
    req = chain([session_setup_req(spnego(ntlm_auth("carol", "CORP", "XP")), 2), tree_connect_req(r"\\SRV\LP")],
                mid=2)
    resp = chain([session_setup_resp(), tree_connect_resp("LPT1:")], reply=True, tid=PRINT_TID, mid=2)
    script = [(C, nbss(negotiate_req(["NT LM 0.12"]))), (S, nbss(negotiate_resp(0))), (C, nbss(req)), (S, nbss(resp))]
    ev = feed_every_way(new, script)
    assert FlowFact("smb_user", "carol") in ev and PrintSeen(True) in ev and FlowFact("smb_share", "LP") in ev


def test_print_on_139_after_a_netbios_session_request():
    ev = feed_every_way(lambda: new_139(), [(C, NBSS_REQUEST), (S, NBSS_POSITIVE)] + login() + print_share(DOC))
    assert doc_bytes(ev) == DOC and facts(ev)["smb_dialect"] == "NT LM 0.12"


def new_139():
    from sniffprint.dissectors.smb import SmbDissector
    return SmbDissector(key(139))


def test_spoolss_over_smb1_feeds_the_rpc_parser():
    stub = rpc.start_doc_stub("Microsoft Word - salary_review.docx")
    script = login() + ipc_pipe() + [
        (C, nbss(trans_req(PIPE_FID, rpc.bind(1), 10))), (S, nbss(trans_resp(rpc.bind_ack(1), 10))),
        (C, nbss(write_andx_req(PIPE_FID, 0, rpc.request(2, 17, stub), mid=11))),
        (C, nbss(read_andx_req(PIPE_FID, 12))), (S, nbss(read_andx_resp(rpc.response(2, b"\x01\x00\x00\x00" * 2), 12))),
        (C, nbss(write_andx_req(PIPE_FID, 0, rpc.request(3, 19, rpc.write_stub(DOC)), mid=13))),
        (C, nbss(write_andx_req(PIPE_FID, 0, rpc.request(4, 23, rpc.handle_stub()), mid=14))),
    ]
    ev = feed_every_way(new, script)
    assert doc_bytes(ev) == DOC and facts(ev)["smb1"] is True
    assert JobField("document_name", "Microsoft Word - salary_review.docx", "spoolss", key="smb-rpc-1") in ev


def test_tables_and_a_bad_andx_offset():
    assert set(ANSWERS) & set(RESPONSES) == set() and 0x72 in REQUESTS
    bad = header(0x75) + bytes([4]) + struct.pack("<BBHHH", 0xA2, 0, 10, 0, 1) + b"\x02\x00\x00\x00"
    ev = new().feed(C, nbss(bad))
    assert [e.kind for e in ev if isinstance(e, Note)] == ["smb_malformed"]


def test_fuzz():
    seeds = [b"".join(d for _, d in login() + print_share(DOC)),
             b"".join(d for _, d in login() + ipc_pipe() + [(C, nbss(trans_req(PIPE_FID, rpc.bind(1), 10)))])]
    fuzz(new, seeds, cases=1500)
