"""Raw 9100: job boundaries inside one connection, PJL fields as they pass, gaps, printer replies."""
from __future__ import annotations

import json
import shutil
import subprocess

import pytest

from sniffprint.dissectors.events import (
    DocumentData,
    DocumentGap,
    FlowFact,
    JobEnded,
    JobField,
    JobStarted,
    PrintSeen,
)
from sniffprint.dissectors.raw9100 import Raw9100Dissector
from sniffprint.model import Direction
from tests.conftest import SHARED
from tests.helpers import KEY, feed_every_way, fuzz

C2S, S2C = Direction.C2S, Direction.S2C
UEL = b"\x1b%-12345X"
PCL_JOB = (UEL + b'@PJL JOB NAME="a.doc"\r\n@PJL SET USERNAME="alice"\r\n@PJL SET HOLDKEY="1234"\r\n'
           b"@PJL ENTER LANGUAGE=PCL\r\n\x1bE\x1b&l0O hello \x1bE" + UEL + b'@PJL EOJ NAME="a.doc"\r\n' + UEL)
PS_JOB = b"%!PS-Adobe-3.0\n%%Title: b.ps\n%%For: bob\nshowpage\n%%EOF\n"
PDF_JOB = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
PXL_JOB = (UEL + b'@PJL JOB NAME="c"\r\n@PJL ENTER LANGUAGE=PCLXL\r\n' + UEL + b"@PJL SET RENDERMODE=GRAYSCALE\n"
           b"@PJL ENTER LANGUAGE = PCLXL\n) HP-PCL XL;1;1\n\xd1\x2c\x01\x04\x00" + UEL + UEL
           + b'@PJL EOJ NAME="c"\r\n' + UEL)


def new() -> Raw9100Dissector:
    return Raw9100Dissector(KEY)


def jobs(events: list) -> list[tuple[bytes, list[tuple[str, str]], bool]]:  # type: ignore[type-arg]
    """(document bytes, fields, partial) per job."""
    out = []
    doc, fields = bytearray(), []
    for ev in events:
        if isinstance(ev, JobStarted):
            doc, fields = bytearray(), []
        elif isinstance(ev, DocumentData):
            doc += ev.data
        elif isinstance(ev, JobField):
            fields.append((ev.name, ev.value))
        elif isinstance(ev, JobEnded):
            out.append((bytes(doc), fields, ev.partial))
    return out


def test_single_pjl_job_fields_as_they_pass() -> None:
    ev = feed_every_way(new, [(C2S, PCL_JOB)])
    assert ev[:2] == [PrintSeen(True), JobStarted("raw9100")]
    (doc, fields, partial), = jobs(ev)
    assert doc == PCL_JOB and not partial
    assert fields == [("job_name", "a.doc"), ("user", "alice"), ("holdkey", "1234"), ("document_format", "PCL"),
                      ("job_name", "a.doc")]


@pytest.mark.parametrize("order", [
    [PCL_JOB, PS_JOB, PDF_JOB, PXL_JOB, PS_JOB],
    [PS_JOB, b"\x04", PCL_JOB, PDF_JOB, PDF_JOB],
    [PXL_JOB, b"\r\n\x00", PCL_JOB],
])
def test_several_jobs_in_one_connection(order: list[bytes]) -> None:
    stream = b"".join(order)
    got = jobs(feed_every_way(new, [(C2S, stream)]))
    want = [d for d in order if d not in (b"\x04", b"\r\n\x00")]
    assert len(got) == len(want)
    assert b"".join(d for d, _, _ in got) == stream  # nothing lost, nothing doubled


def test_padding_between_jobs_stays_with_the_job_before() -> None:
    got = jobs(feed_every_way(new, [(C2S, PS_JOB + b"\x04\r\n" + UEL + b"\r\n" + UEL + b'@PJL JOB NAME="x"\n')]))
    assert got[0][0] == PS_JOB + b"\x04\r\n" + UEL + b"\r\n"
    assert got[1][0] == UEL + b'@PJL JOB NAME="x"\n' and got[1][1] == [("job_name", "x")]


def test_uel_without_job_stays_in_the_job() -> None:
    got = jobs(feed_every_way(new, [(C2S, PXL_JOB)]))
    assert len(got) == 1 and got[0][0] == PXL_JOB


def test_job_command_after_a_body_splits_without_eoj() -> None:
    a = UEL + b"@PJL JOB\n@PJL ENTER LANGUAGE=PCL\n\x1bEtext"
    b = UEL + b'@PJL JOB NAME="2"\n@PJL ENTER LANGUAGE=PCL\n\x1bE'
    got = jobs(feed_every_way(new, [(C2S, a + b)]))
    assert [d for d, _, _ in got] == [a, b]


def test_pdf_incremental_update_and_binary_ctrl_d_do_not_split() -> None:
    pdf = PDF_JOB + b"2 0 obj<<>>endobj\n%%EOF\n"
    ps = b"%!PS\n<binary \x04 data> image\nshowpage\n"
    assert len(jobs(feed_every_way(new, [(C2S, pdf)]))) == 1
    assert len(jobs(feed_every_way(new, [(C2S, ps)]))) == 1


def test_gap_marks_partial_and_resyncs_at_uel() -> None:
    d = new()
    ev = d.feed(C2S, PCL_JOB[:60])
    ev += d.gap(C2S, 500)
    ev += d.feed(C2S, b"lost body bytes" + PXL_JOB)
    ev += d.close()
    assert DocumentGap(500) in ev
    got = jobs(ev)
    assert len(got) == 2 and got[0][2] is True and got[1][0] == PXL_JOB and got[1][2] is False


def test_printer_replies() -> None:
    reply = b'@PJL INFO ID\r\n"HP LaserJet 4250"\r\n\x0c@PJL USTATUS DEVICE\r\nCODE=10001\r\n\x0cgarbage\x0c'
    ev = feed_every_way(new, [(S2C, reply)])
    assert ev == [FlowFact("pjl_device_info", "INFO ID: HP LaserJet 4250"),
                  FlowFact("pjl_device_info", "USTATUS DEVICE: CODE=10001")]
    ev = feed_every_way(new, [(C2S, PCL_JOB[:40]), (S2C, reply[:36])])
    assert JobField("pjl_device_info", "INFO ID: HP LaserJet 4250", "pjl") in ev


# ----------------------------------------------------------------- PJL file system, job ends
FS_SESSION = (UEL + b"@PJL INFO ID\r\n" + UEL + b'@PJL FSINIT VOLUME="0:"\r\n'
              + UEL + b'@PJL FSDIRLIST NAME="0:\\" ENTRY=1 COUNT=65535\r\n'
              + UEL + b'@PJL FSQUERY NAME="0:\\saved\\a.pcl"\r\n'
              + UEL + b'@PJL FSUPLOAD NAME="0:\\saved\\a.pcl" OFFSET=0 SIZE=54\r\n' + UEL)
SCRIPT = b"#!/bin/sh\n" + UEL + b"@PJL JOB\n@PJL ENTER LANGUAGE=PCL\n\x1bE echo planted\n"  # looks like a job


def fields_of(events: list) -> list[tuple[str, str]]:  # type: ignore[type-arg]
    return [(e.name, e.value) for e in events if isinstance(e, JobField)]


def test_status_and_file_system_commands_are_no_job() -> None:
    ev = feed_every_way(new, [(C2S, FS_SESSION)])
    assert jobs(ev) == []
    assert FlowFact("pjl_fs_commands", ["FSINIT", "FSDIRLIST", "FSQUERY", "FSUPLOAD"]) in ev
    assert FlowFact("pjl_fs_paths", ["0:", "0:\\", "0:\\saved\\a.pcl"]) in ev


def test_fsdownload_payload_is_a_file_not_a_print_job() -> None:
    write = UEL + b'@PJL FSDOWNLOAD FORMAT:BINARY SIZE=%d NAME="0:\\pjl\\x.sh"\r\n' % len(SCRIPT) + SCRIPT
    ev = feed_every_way(new, [(C2S, FS_SESSION + write + PCL_JOB)])
    got = jobs(ev)
    assert [d for d, _, _ in got] == [SCRIPT, PCL_JOB]  # the UEL inside the file splits nothing
    assert got[0][1] == [("file_transfer", "FSDOWNLOAD"), ("document_name", "0:\\pjl\\x.sh")]
    assert not got[0][2] and not got[1][2]
    ends = [e for e in ev if isinstance(e, JobEnded)]
    assert ends == [JobEnded(False), JobEnded(False)]  # SIZE and EOJ+UEL: both ends seen


def test_fsdownload_without_size_runs_to_the_next_uel() -> None:
    write = UEL + b'@PJL FSAPPEND FORMAT:BINARY NAME="0:\\log"\r\nline one\nline two\n'
    got = jobs(feed_every_way(new, [(C2S, write + PCL_JOB)]))
    assert [d for d, _, _ in got] == [b"line one\nline two\n", PCL_JOB]


def test_fsdownload_cut_by_the_end_is_partial() -> None:
    write = UEL + b'@PJL FSDOWNLOAD FORMAT:BINARY SIZE=500 NAME="0:\\x"\r\n' + b"x" * 100
    (doc, _, partial), = jobs(feed_every_way(new, [(C2S, write)]))
    assert doc == b"x" * 100 and partial


def test_control_lines_in_a_job_header_belong_to_it() -> None:
    job = UEL + b"@PJL USTATUSOFF\r\n@PJL INFO STATUS\r\n" + PCL_JOB[len(UEL):]
    got = jobs(feed_every_way(new, [(C2S, job)]))
    assert [d for d, _, _ in got] == [job]
    # a status query after a job, in its own UEL segment, ends it and starts nothing
    got = jobs(feed_every_way(new, [(C2S, PCL_JOB + UEL + b"@PJL INFO STATUS\r\n" + UEL + PS_JOB)]))
    assert [d for d, _, _ in got] == [PCL_JOB, UEL + PS_JOB]


def test_a_job_is_whole_only_when_its_own_end_is_seen() -> None:
    pxl = UEL + b"@PJL ENTER LANGUAGE=PCLXL\r\n) HP-PCL XL;2;0\n\xc0\x00\xf8\x86\x43"  # BeginPage, no end
    for stream, eof in [(PCL_JOB, False), (pxl, True), (PS_JOB + b"\x04", True), (PS_JOB + b"\x04" + PS_JOB, True),
                        (UEL + b"@PJL ENTER LANGUAGE=PCL\r\n\x1bEtext" + UEL, False)]:
        ends = [e for e in feed_every_way(new, [(C2S, stream)]) if isinstance(e, JobEnded)]
        assert ends[-1] == JobEnded(False, eof=eof), stream
        assert all(not e.eof for e in ends[:-1])  # a job followed by another one ended there


def test_printer_side_documents_and_device_info_on_the_open_job() -> None:
    body = b"%!PS-Adobe-3.0\n(stored) show showpage\n"
    reply = (b'@PJL FSUPLOAD FORMAT:BINARY NAME="0:\\s.ps" OFFSET=0 SIZE=%d\r\n' % len(body) + body + b"\x0c"
             + b'@PJL INFO ID\r\n"HP"\r\n' + UEL)
    ev = feed_every_way(new, [(C2S, PCL_JOB[:40]), (S2C, reply)])
    assert JobStarted("raw9100", key="s2c-1", direction=S2C) in ev
    assert DocumentData(body, "s2c-1") in ev and JobEnded(False, "s2c-1") in ev
    assert JobField("pjl_device_info", "INFO ID: HP", "pjl") in ev


def test_unknown_content_is_one_job() -> None:
    got = jobs(feed_every_way(new, [(C2S, b"just some text\n" * 10)]))
    assert len(got) == 1


def test_probe() -> None:
    assert Raw9100Dissector.probe(PCL_JOB, b"", KEY) >= 0.75
    assert Raw9100Dissector.probe(b"GET / HTTP/1.1\r\n", b"", KEY) == 0.0


@pytest.mark.skipif(shutil.which("gs") is None, reason="Ghostscript not installed")
def test_ghostscript_documents_back_to_back(tmp_path) -> None:  # type: ignore[no-untyped-def]
    src = tmp_path / "in.ps"
    src.write_bytes(b"%!PS\n/Helvetica findfont 12 scalefont setfont 72 720 moveto (Hi) show showpage\n")
    docs = []
    for dev in ("pxlmono", "pdfwrite", "ps2write"):
        out = tmp_path / f"o.{dev}"
        subprocess.run(["gs", "-q", "-dNOPAUSE", "-dBATCH", "-dSAFER", f"-sDEVICE={dev}", "-r75",
                        f"-sOutputFile={out}", str(src)], check=True, capture_output=True, timeout=60)
        docs.append(out.read_bytes())
    stream = PCL_JOB + docs[0] + docs[1] + b"\x04" + docs[2] + b"\x04"
    got = jobs(feed_every_way(new, [(C2S, stream)]))
    assert b"".join(d for d, _, _ in got) == stream
    assert len(got) == 4


def test_fuzz() -> None:
    fuzz(new, [PCL_JOB, PS_JOB + PDF_JOB, PXL_JOB, PCL_JOB + PS_JOB], cases=2500)
    fuzz(new, [b'@PJL INFO ID\r\n"x"\r\n\x0c'], cases=500, direction=S2C)
    write = UEL + b'@PJL FSDOWNLOAD FORMAT:BINARY SIZE=%d NAME="0:\\x"\r\n' % len(SCRIPT) + SCRIPT
    fuzz(new, [FS_SESSION + write + PCL_JOB, write + PS_JOB], cases=1500, rnd_seed=7)


@pytest.mark.skipif(not SHARED.exists(), reason="reference captures not present")
def test_reference_capture_a1() -> None:
    manifest = json.loads((SHARED / "MANIFEST.json").read_text())
    cap = next(c for c in manifest["captures"] if c["file"].startswith("A1"))
    out = subprocess.run(["sniffprint", "scan", "--format", "json", "--reveal", str(SHARED / cap["file"])],
                         capture_output=True, timeout=120)
    recs = [json.loads(x) for x in out.stdout.decode().splitlines() if x.startswith("{")]
    flows = {(r["client_port"]): r for r in recs if r.get("type") == "flow"}
    for pf in cap["print_flows"]:
        flow = flows[int(pf["client"].rsplit(":", 1)[1])]
        assert flow["languages"] == pf["document"]["languages"]
        job = next(r for r in recs if r.get("type") == "job" and r["uid"] == flow["uid"])
        assert job["bytes"] == pf["document"]["size"]
        assert "alice" in (job["user"], job["author"])
        assert pf["job_name"] in (job["job_name"], job["title"])
