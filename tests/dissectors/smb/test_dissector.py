"""SmbDissector: probe, routing by protocol id, the print status at close; whole conversations
fed every way, the fuzz invariant, and the reference captures (skipped when absent)."""
from __future__ import annotations

import json
import random
import shutil
import struct
import subprocess

import pytest

from sniffprint.dissectors.events import (
    DocumentData,
    FlowFact,
    JobEnded,
    JobField,
    JobStarted,
    Note,
    PrintSeen,
    ProtectionSeen,
)
from sniffprint.dissectors.smb import SmbDissector
from sniffprint.dissectors.smb.dissector import PROTOCOLS
from sniffprint.dissectors.smb.smb2.header import FLAG_RELATED, RELATED_FID
from sniffprint.dissectors.smb.smb2.ioctl import FSCTL_PIPE_TRANSCEIVE
from sniffprint.dissectors.smb.smb2.negotiate import DIALECTS
from sniffprint.dissectors.smb.state import ShareType
from sniffprint.errors import ProtocolViolation
from tests.conftest import SHARED
from tests.dissectors.smb.wire import (
    DOC,
    FID,
    KEY,
    OPEN_PRINTER,
    OPEN_PRINTER_RESP,
    PIPE_TID,
    PRINT_TID,
    SPOOL_FID,
    C,
    S,
    close_req,
    close_resp,
    compound,
    create_req,
    create_resp,
    facts,
    ioctl_req,
    ioctl_resp,
    job_events,
    login,
    nbss,
    negotiate_req,
    new,
    pipe_open,
    print_job,
    read_req,
    read_resp,
    rpc_bind,
    spoolss_script,
    start_doc,
    transform,
    tree_resp,
    write_req,
    write_resp,
)
from tests.helpers import feed_every_way, fuzz, key, random_splits


def test_probe():
    hello = nbss(negotiate_req([0x0202]))
    assert SmbDissector.probe(hello, b"", KEY) >= 0.75
    assert SmbDissector.probe(b"GET / HTTP/1.1\r\n", b"", KEY) == 0.0

    for pid in PROTOCOLS:
        assert SmbDissector.probe(b"", b"\x00\x00\x00\x40" + pid, KEY) >= 0.75
    assert SmbDissector.probe(b"\x81\x00\x00\x44", b"", KEY) == 0.0  # a session request hints at 139 only
    assert SmbDissector.probe(b"\x81\x00\x00\x44", b"", key(139)) >= 0.75


def test_a_session_message_that_is_no_smb_protocol_is_a_violation():
    with pytest.raises(ProtocolViolation):
        new().feed(C, nbss(b"\xfaSMB" + b"\x00" * 60))


def test_close_settles_the_print_status():
    assert new().close() == [PrintSeen(False)]  # nothing seen: not print traffic
    d = new()
    d.feed(S, nbss(tree_resp(1, 1, ShareType.PRINT)))  # a response without its request names nothing
    assert d.close() == [PrintSeen(False)]
    smb1_negotiate = (b"\xffSMB\x72" + b"\x00" * 4 + b"\x18" + b"\x00" * 22 + b"\x00" + struct.pack("<H", 12)
                      + b"\x02NT LM 0.12\x00")
    d = new()
    d.feed(C, nbss(smb1_negotiate))
    assert d.close() == [FlowFact("smb1", True), PrintSeen(False)]  # offered, never answered in SMB2


def test_print_over_smb311_every_way():
    ev = feed_every_way(new, login() + print_job(DOC))
    f = facts(ev)
    assert f["smb_dialect"] == "3.1.1"
    assert f["smb_encryption_capable"] is True
    assert f["smb_user"] == "alice"
    assert f["smb_share"] == "officeprn"
    assert f["smb_signing"] is False
    assert PrintSeen(True) in ev
    assert job_events(ev) == [JobStarted("smb"), JobField("document_name", "report.prn", "smb"),
                              JobField("user", "alice", "smb"), JobField("host", "WS-ALICE", "smb"),
                              DocumentData(DOC), JobEnded()]
    assert not [e for e in ev if isinstance(e, (Note, ProtectionSeen))]


def _stream(script, direction):
    return b"".join(d for dd, d in script if dd is direction)


def test_fuzz():
    scripts = [login() + print_job(DOC), spoolss_script(None), login(session_flags=4) + [(C, nbss(transform()))]]
    c2s = [_stream(s, C) for s in scripts] + [nbss(b"\xffSMB" + b"\x72" + b"\x00" * 40)]
    s2c = [_stream(s, S) for s in scripts]
    # single messages too, so mutations land in bodies more often than in framing
    c2s += [d for s in scripts for dd, d in s if dd is C]
    s2c += [d for s in scripts for dd, d in s if dd is S]
    fuzz(new, c2s, cases=2500, direction=C)
    fuzz(new, s2c, cases=2500, rnd_seed=2, direction=S)


def _mutate(rnd: random.Random, data: bytes) -> bytes:
    b = bytearray(data)
    for _ in range(rnd.randint(1, 6)):
        if not b:
            break
        pos, op = rnd.randrange(len(b)), rnd.random()
        if op < 0.5:
            b[pos] = rnd.randrange(256)
        elif op < 0.7:
            del b[pos:pos + rnd.randint(1, 16)]
        elif op < 0.85:
            b[pos:pos] = rnd.randbytes(rnd.randint(1, 16))
        else:
            del b[pos:]  # cut short: fixed-size structures must be checked against the body
    return bytes(b)


def test_fuzz_inside_whole_conversations():
    """One message of a two-way conversation mutated (mostly inside a correct NBSS length), so that
    response parsers (READ, CREATE, TREE_CONNECT answers) meet the requests they pair with and see
    damaged bodies: events or ProtocolViolation, nothing else."""
    related = FLAG_RELATED
    chain = [(C, nbss(compound(create_req(11, PRINT_TID, "c.prn"), write_req(12, 0xFFFFFFFF, RELATED_FID, 0, DOC,
                                                                             flags=related),
                               close_req(13, 0xFFFFFFFF, RELATED_FID, flags=related)))),
             (S, nbss(compound(create_resp(11, PRINT_TID, FID), write_resp(12, PRINT_TID, len(DOC)),
                               close_resp(13, PRINT_TID))))]
    pipe_reads = [(C, nbss(write_req(12, PIPE_TID, SPOOL_FID, 0, rpc_bind(None) + OPEN_PRINTER))),
                  (C, nbss(read_req(13, PIPE_TID, SPOOL_FID))), (S, nbss(read_resp(13, PIPE_TID, OPEN_PRINTER_RESP))),
                  (C, nbss(ioctl_req(14, PIPE_TID, SPOOL_FID, FSCTL_PIPE_TRANSCEIVE, start_doc("f.txt")))),
                  (S, nbss(ioctl_resp(14, PIPE_TID, SPOOL_FID, FSCTL_PIPE_TRANSCEIVE, OPEN_PRINTER_RESP)))]
    smb1 = (b"\xffSMB\x75" + b"\x00" * 4 + b"\x98" + b"\x00" * 22 + b"\x03" + b"\xff\x00\x00\x00\x01\x00"
            + struct.pack("<H", 8) + b"LPT1:\x00\x00\x00")
    session_request = b"\x81\x00\x00\x44" + b"\x20" + b"CA" * 16 + b"\x00" + b"\x20" + b"EB" * 16 + b"\x00"
    scripts = [login() + print_job(DOC), pipe_open() + pipe_reads, login() + print_job(DOC)[:2] + chain,
               [(C, session_request), (S, b"\x82\x00\x00\x00"), (S, nbss(smb1))] + login(0x0210)]
    rnd = random.Random(11)
    for i in range(2000):
        script = list(rnd.choice(scripts))
        n = rnd.randrange(len(script))
        direction, data = script[n]
        if data[:1] == b"\x00" and rnd.random() < 0.7:  # re-framed, so that the damage reaches the parsers
            data = nbss(_mutate(rnd, data[4:]))
        else:
            data = _mutate(rnd, data)
        script[n] = (direction, data)
        d = new()
        try:
            for direction, data in script:
                for piece in random_splits(i)(data):
                    d.feed(direction, piece)
            d.close()
        except ProtocolViolation:
            pass


A5A = SHARED / "A5a_smb_print_clear.pcap"


A5B = SHARED / "A5b_smb_print_encrypted.pcap"


def _manifest_flows(name: str) -> list[dict]:
    for cap in json.loads((SHARED / "MANIFEST.json").read_text())["captures"]:
        if cap["file"] == name:
            return cap["print_flows"]
    return []


def _analyze(path):
    from sniffprint import analyze
    from sniffprint.options import Options
    return analyze(str(path), options=Options(reveal=True))


@pytest.mark.skipif(not A5A.exists(), reason="reference capture absent")
def test_a5a_clear_smb_print():
    report = _analyze(A5A)
    flows = {f.client_port: f for f in report.flows}
    for pf in _manifest_flows(A5A.name):
        port = int(pf["client"].rsplit(":", 1)[1])
        f = flows[port]
        assert f.print is True and f.protection == "none"
        assert f.smb_dialect == pf["smb_dialect_negotiated"][-1].removeprefix("SMB")
        assert f.smb_user == "alice" and f.smb_share == "officeprn"
        jobs = [j for j in report.jobs if j.uid == f.uid]
        assert len(jobs) == 1
        j = jobs[0]
        assert j.user == "alice" and j.document_name == pf["job_name"]
        assert j.bytes == pf["document"]["size"] and not j.partial
        assert set(j.languages) == set(pf["document"]["languages"])
    assert not [a for a in report.anomalies if a.kind in ("internal_error", "protocol_violation")]


@pytest.mark.skipif(not A5B.exists(), reason="reference capture absent")
def test_a5b_encrypted_smb_print():
    report = _analyze(A5B)
    assert report.flows
    for f in report.flows:
        assert f.protection == "smb3-encrypted" and f.print is None
        assert f.smb_dialect == "3.1.1" and f.smb_encryption_capable is True
    assert not report.jobs


@pytest.mark.skipif(shutil.which("tshark") is None or not A5A.exists(), reason="tshark or capture absent")
@pytest.mark.parametrize("cap", [A5A, A5B], ids=lambda p: p.name)
def test_tshark_agrees_on_dialect_and_share_type(cap):
    if not cap.exists():
        pytest.skip("capture absent")
    out = subprocess.run(["tshark", "-r", str(cap), "-Y", "smb2", "-T", "fields", "-e", "smb2.dialect",
                          "-e", "smb2.share_type", "-e", "smb2.flags.response", "-e", "smb2.cmd"],
                         capture_output=True, text=True, timeout=120).stdout
    dialects, share_types = set(), set()
    for line in out.splitlines():
        dialect, share, response, cmd = (line.split("\t") + ["", "", "", ""])[:4]
        if response in ("1", "True") and cmd == "0" and dialect:
            dialects.add(int(dialect, 16))
        if response in ("1", "True") and cmd == "3" and share:
            share_types.add(int(share, 16))
    report = _analyze(cap)
    assert {f.smb_dialect for f in report.flows} == {DIALECTS[d] for d in dialects}
    if ShareType.PRINT in share_types:
        assert all(f.print is True for f in report.flows)
    else:  # encrypted: tshark sees no tree connect either
        assert all(f.print is None for f in report.flows)
