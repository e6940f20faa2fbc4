"""LPD (RFC 1179): daemon commands, receive-job subcommands, control file fields in either order."""
from __future__ import annotations

import json
import shutil
import subprocess

import pytest

from sniffprint.dissectors.events import (
    ContentDone,
    DocumentData,
    DocumentGap,
    FlowFact,
    JobEnded,
    JobField,
    JobStarted,
    Note,
    PrintSeen,
)
from sniffprint.dissectors.lpd import LpdDissector, parse_control
from sniffprint.errors import ProtocolViolation
from sniffprint.model import Direction
from tests.conftest import SHARED
from tests.helpers import feed_every_way, fuzz, key

C2S, S2C = Direction.C2S, Direction.S2C
KEY = key(515)
CONTROL = (b"Hws-alice\nPalice\nJpay roll.doc\nCA\nLalice\nTQ1 payroll\nMalice@corp\n"
           b"ldfA001ws-alice\nUdfA001ws-alice\nNpayroll.ps\n")
DOC = b"%!PS-Adobe-3.0\n%%Title: x\nshowpage\n"
FIELDS = [JobField("lpd_print_type", "l (text with control characters)", "lpd"),
          JobField("document_name", "payroll.ps", "lpd"), JobField("host", "ws-alice", "lpd"),
          JobField("user", "alice", "lpd"), JobField("job_name", "pay roll.doc", "lpd"),
          JobField("lpd_class", "A", "lpd"), JobField("banner_user", "alice", "lpd"),
          JobField("title", "Q1 payroll", "lpd"), JobField("mail_to", "alice@corp", "lpd")]


def sub(code: int, body: bytes, name: bytes, count: int | None = None) -> bytes:
    n = len(body) if count is None else count
    return bytes([code]) + str(n).encode() + b" " + name + b"\n" + body + (b"\x00" if count is None else b"")


def new() -> LpdDissector:
    return LpdDissector(KEY)


def test_control_file_first() -> None:
    stream = b"\x02officeq\n" + sub(2, CONTROL, b"cfA001ws-alice") + sub(3, DOC, b"dfA001ws-alice")
    ev = feed_every_way(new, [(C2S, stream), (S2C, b"\x00\x00\x00\x00\x00")])
    df = "dfA001ws-alice"  # each data file is a job keyed by its name
    assert ev == [PrintSeen(True), FlowFact("lpd_queue", "officeq"), JobStarted("lpd", df), *FIELDS,
                  DocumentData(DOC), JobEnded(False, df)]


def test_data_file_first_bsd_order() -> None:
    stream = b"\x02lp\n" + sub(3, DOC, b"dfA001ws-alice") + sub(2, CONTROL, b"cfA001ws-alice")
    ev = feed_every_way(new, [(C2S, stream)])
    df = "dfA001ws-alice"  # the job stays open by key until the control file names it
    assert ev == [PrintSeen(True), FlowFact("lpd_queue", "lp"), JobStarted("lpd", df), DocumentData(DOC),
                  *[JobField(f.name, f.value, f.source, key=df) for f in FIELDS], JobEnded(False, df)]


def test_several_data_files_before_the_control_file_all_get_its_fields() -> None:
    control = CONTROL + b"fdfB001ws-alice\nNsecond.txt\n"
    stream = (b"\x02lp\n" + sub(3, DOC, b"dfA001ws-alice") + sub(3, b"plain text\n", b"dfB001ws-alice")
              + sub(2, control, b"cfA001ws-alice"))
    ev = feed_every_way(new, [(C2S, stream)])
    a, b = "dfA001ws-alice", "dfB001ws-alice"
    assert [e for e in ev if isinstance(e, (JobStarted, JobEnded))] == [
        JobStarted("lpd", a), JobStarted("lpd", b), JobEnded(False, a), JobEnded(False, b)]
    assert JobField("user", "alice", "lpd", key=a) in ev and JobField("user", "alice", "lpd", key=b) in ev
    assert JobField("document_name", "second.txt", "lpd", key=b) in ev


def test_two_data_files_each_a_job() -> None:
    control = CONTROL + b"fdfB001ws-alice\nNsecond.txt\n"
    stream = (b"\x02lp\n" + sub(2, control, b"cfA001ws-alice") + sub(3, DOC, b"dfA001ws-alice")
              + sub(3, b"plain text\n", b"dfB001ws-alice"))
    ev = feed_every_way(new, [(C2S, stream)])
    starts = [e for e in ev if isinstance(e, JobStarted)]
    assert starts == [JobStarted("lpd", "dfA001ws-alice"), JobStarted("lpd", "dfB001ws-alice")]
    assert [e for e in ev if isinstance(e, JobEnded)] == [JobEnded(False, "dfA001ws-alice"),
                                                           JobEnded(False, "dfB001ws-alice")]
    second = ev[ev.index(starts[1]):]
    assert JobField("document_name", "second.txt", "lpd") in second
    assert JobField("lpd_print_type", "f (formatted text)", "lpd") in second


def test_unspecified_length_runs_to_end_of_connection() -> None:
    stream = b"\x02lp\n" + sub(2, CONTROL, b"cfA001ws-alice") + sub(3, b"", b"dfA001ws-alice", count=0) + DOC
    ev = feed_every_way(new, [(C2S, stream)])
    # only the end of the connection ends it: whole if that end (FIN/RST) was captured
    assert DocumentData(DOC) in ev and ev[-1] == JobEnded(False, "dfA001ws-alice", eof=True)


def test_abort_and_refusal() -> None:
    stream = b"\x02lp\n" + sub(3, DOC[:10], b"dfA", count=len(DOC)) + DOC[10:] + b"\x00\x01\n"
    ev = feed_every_way(new, [(C2S, stream), (S2C, b"\x00\x01")])
    assert JobEnded(True, "dfA") in ev
    assert any(isinstance(e, Note) and e.kind == "lpd_abort" for e in ev)
    assert any(isinstance(e, Note) and e.kind == "lpd_refused" for e in ev)


@pytest.mark.parametrize("line", [b"\x01lp\n", b"\x03lp alice\n", b"\x04lp 12 13\n", b"\x05lp root 12\n"])
def test_other_daemon_commands(line: bytes) -> None:
    ev = feed_every_way(new, [(C2S, line), (S2C, b"lp is ready\nno entries\n")])
    assert ev[:2] == [PrintSeen(True), FlowFact("lpd_queue", "lp")]
    assert ContentDone() in ev and not any(isinstance(e, JobStarted) for e in ev)


@pytest.mark.parametrize("stream", [b"\x07lp\n", b"\x02\n", b"\x02lp\n\x09x\n", b"\x02lp\n\x03abc name\n",
                                    b"\x02lp\n" + b"x" * 5000])
def test_violations(stream: bytes) -> None:
    with pytest.raises(ProtocolViolation):
        d = new()
        d.feed(C2S, stream)
        d.close()


def test_missing_nul_is_tolerated() -> None:
    stream = b"\x02lp\n" + b"\x033 df\nabc" + sub(2, CONTROL, b"cf")
    ev = feed_every_way(new, [(C2S, stream)])
    assert any(isinstance(e, Note) and e.kind == "lpd_missing_nul" for e in ev)
    assert JobField("user", "alice", "lpd", key="df") in ev


def test_gap_inside_data_and_across_framing() -> None:
    d = new()
    ev = d.feed(C2S, b"\x02lp\n" + sub(2, CONTROL, b"cf") + b"\x03100 df\n" + b"a" * 10)
    ev += d.gap(C2S, 20)
    ev += d.feed(C2S, b"b" * 70 + b"\x00")
    ev += d.close()
    assert DocumentGap(20) in ev and ev[-1] == JobEnded(True, "df")
    d = new()
    d.feed(C2S, b"\x02lp\n\x0310 df\nabc")
    ev = d.gap(C2S, 1000)
    assert ev[-2:] == [JobEnded(True, "df"), ContentDone()]


def test_parse_control() -> None:
    common, per_file = parse_control(CONTROL + b"odfB\nNb.ps\n")
    assert ("user", "alice") in common
    assert per_file["dfB"] == [("lpd_print_type", "o (PostScript)"), ("document_format", "application/postscript"),
                               ("document_name", "b.ps")]
    # "l" passes bytes through: it states no format
    assert not [f for f in per_file["dfA001ws-alice"] if f[0] == "document_format"]


def test_probe() -> None:
    assert LpdDissector.probe(b"\x02lp\n\x0289 cfA\n", b"\x00", KEY) >= 0.75
    assert LpdDissector.probe(b"GET / HTTP/1.1\r\n", b"", KEY) == 0.0


def test_fuzz() -> None:
    seeds = [b"\x02officeq\n" + sub(2, CONTROL, b"cfA001ws-alice") + sub(3, DOC, b"dfA001ws-alice"),
             b"\x02lp\n" + sub(3, DOC, b"dfA") + sub(2, CONTROL, b"cfA"), b"\x04lp alice\n"]
    fuzz(new, seeds, cases=2500)
    fuzz(new, [b"\x00\x00\x01"], cases=300, direction=S2C)


@pytest.mark.skipif(not SHARED.exists(), reason="reference captures not present")
def test_reference_capture_a2_and_tshark() -> None:
    manifest = json.loads((SHARED / "MANIFEST.json").read_text())
    cap = next(c for c in manifest["captures"] if c["file"].startswith("A2"))
    path = str(SHARED / cap["file"])
    out = subprocess.run(["sniffprint", "scan", "--format", "json", "--reveal", path], capture_output=True, timeout=120)
    recs = [json.loads(x) for x in out.stdout.decode().splitlines() if x.startswith("{")]
    flows = {r["client_port"]: r for r in recs if r.get("type") == "flow"}
    for pf in cap["print_flows"]:
        flow = flows[int(pf["client"].rsplit(":", 1)[1])]
        assert flow["languages"] == pf["document"]["languages"]
        assert flow["lpd_queue"] == pf["expected_wire_metadata"]["lpd_queue"]
        job = next(r for r in recs if r.get("type") == "job" and r["uid"] == flow["uid"])
        assert job["user"] == "alice" and job["host"] == pf["expected_wire_metadata"]["lpd_control_H"]
        assert pf["job_name"] in (job["job_name"], job["title"])
        assert job["bytes"] == pf["observed_on_wire_by_corpus_parser"]["lpd"]["data_files"][0]["size"]
    if shutil.which("tshark") is None:
        return
    t = subprocess.run(["tshark", "-r", path, "-Y", "lpd", "-T", "fields", "-e", "tcp.srcport"],
                       capture_output=True, timeout=120)
    ports = {int(x) for x in t.stdout.decode().split() if x.isdigit()}
    assert {p for p in flows if flows[p]["service"] == "lpd"} <= ports | {515}
