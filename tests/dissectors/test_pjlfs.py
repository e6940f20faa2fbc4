"""PJL file system and the printer's side of 9100: command lines, replies ended by FF or by a UEL,
FSDIRLIST listings, FSUPLOAD bodies and documents sent back as s2c jobs (byte vectors written
after the HP PJL Technical Reference's file-system and status-readback chapters)."""
from __future__ import annotations

from sniffprint.dissectors import pjlfs
from sniffprint.dissectors.events import DocumentData, DocumentGap, Event, FlowFact, JobEnded, JobField, JobStarted
from sniffprint.model import Direction
from tests.helpers import feed_every_way, fuzz

UEL = b"\x1b%-12345X"
FF = b"\x0c"
S2C = Direction.S2C
# A stored PCL job as a printer keeps it: binary, with FF and ESC and even a UEL inside.
STORED = UEL + b'@PJL JOB NAME="Payroll"\r\n@PJL ENTER LANGUAGE=PCL\r\n\x1bE\x1b*b4W\x0c\x1b\x0c\x00page\x0c' + UEL
UPLOAD = (b'@PJL FSUPLOAD FORMAT:BINARY NAME="0:\\saved\\Payroll.pcl" OFFSET=0 SIZE=%d\r\n' % len(STORED)
          + STORED + FF)
DIRLIST = (b'@PJL FSDIRLIST NAME="0:\\saved" ENTRY=1\r\n. TYPE=DIR\r\n.. TYPE=DIR\r\n'
           b"Payroll.pcl TYPE=FILE SIZE=54\r\nold TYPE=DIR\r\n" + FF)
QUERY = b'@PJL FSQUERY NAME="0:\\saved\\Payroll.pcl" TYPE=FILE SIZE=54\r\n' + FF
INFO_UEL = b'@PJL INFO ID\r\n"HP LaserJet M605"\r\n' + UEL  # a reply ended by a UEL, not a FF
USTATUS = b"@PJL INFO USTATUS\r\nDEVICE=ON\r\nJOB=ON\r\n" + FF


class Side:
    """``PrinterSide`` behind the dissector contract, for ``feed_every_way`` and ``fuzz``."""

    def __init__(self) -> None:
        self.session = pjlfs.Session()
        self.side = pjlfs.PrinterSide(self.session)

    def feed(self, direction: Direction, data: bytes) -> list[Event]:
        return self.side.feed(data)

    def gap(self, direction: Direction, length: int) -> list[Event]:
        return self.side.gap(length)

    def close(self) -> list[Event]:
        return self.side.close()


def test_command_lines() -> None:
    fs = pjlfs.parse(b'@PJL FSDOWNLOAD FORMAT:BINARY SIZE=171 NAME="0:\\pjl\\x.sh"')
    assert fs == pjlfs.FsCommand("FSDOWNLOAD", "0:\\pjl\\x.sh", 171, None, True)
    assert pjlfs.parse(b'@PJL FSUPLOAD NAME = "0:\\a b.pcl" OFFSET = 10 SIZE = 20') == pjlfs.FsCommand(
        "FSUPLOAD", "0:\\a b.pcl", 20, 10, False)
    assert pjlfs.parse(b'@PJL FSINIT VOLUME="0:"') == pjlfs.FsCommand("FSINIT", "0:", None, None, False)
    assert pjlfs.parse(b'@pjl fsdelete name="1:\\x"').command == "FSDELETE"  # type: ignore[union-attr]
    assert pjlfs.parse(b"@PJL FSAPPEND FORMAT:BINARY SIZE=99999999999999999 NAME=\"0:\\x\"").size is None  # type: ignore[union-attr]
    assert pjlfs.parse(b"@PJL INFO ID") is None and pjlfs.parse(b"not pjl") is None


def test_dirlist_names() -> None:
    assert pjlfs.dirlist(DIRLIST[:-1]) == ("0:\\saved", ["Payroll.pcl", "old"])
    assert pjlfs.dirlist(b'@PJL FSDIRLIST NAME="0:\\nope" ENTRY=1\r\nFILEERROR=3\r\n') == ("0:\\nope", [])
    assert pjlfs.join("0:\\", "pjl") == "0:\\pjl" and pjlfs.join("0:\\a", "b") == "0:\\a\\b"


def test_upload_body_is_a_document_of_its_own() -> None:
    ev = feed_every_way(Side, [(S2C, UPLOAD + USTATUS)])
    assert ev == [JobStarted("raw9100", key="s2c-1", direction=S2C),
                  JobField("file_transfer", "FSUPLOAD", "pjl", key="s2c-1"),
                  JobField("document_name", "0:\\saved\\Payroll.pcl", "pjl", key="s2c-1"),
                  DocumentData(STORED, "s2c-1"), JobEnded(False, "s2c-1"),
                  FlowFact("pjl_device_info", "INFO USTATUS: DEVICE=ON; JOB=ON")]


def test_replies_end_at_ff_or_at_the_next_uel() -> None:
    ev = feed_every_way(Side, [(S2C, INFO_UEL + USTATUS + QUERY + DIRLIST)])
    assert ev == [FlowFact("pjl_device_info", "INFO ID: HP LaserJet M605"),
                  FlowFact("pjl_device_info", "INFO USTATUS: DEVICE=ON; JOB=ON"),
                  FlowFact("pjl_fs_listed", ["0:\\saved\\Payroll.pcl", "0:\\saved\\old"])]


def test_upload_errors_and_empty_files_are_no_documents() -> None:
    err = b'@PJL FSUPLOAD NAME="0:\\gone"\r\nFILEERROR=3\r\n' + FF
    assert feed_every_way(Side, [(S2C, err)]) == []
    empty = b'@PJL FSUPLOAD FORMAT:BINARY NAME="0:\\e" OFFSET=0 SIZE=0\r\n' + FF
    ev = feed_every_way(Side, [(S2C, empty + USTATUS)])
    assert [type(e) for e in ev] == [JobStarted, JobField, JobField, JobEnded, FlowFact]


def test_upload_cut_by_the_end_is_partial() -> None:
    ev = feed_every_way(Side, [(S2C, UPLOAD[:-20])])
    assert ev[-1] == JobEnded(True, "s2c-1")


def test_gap_inside_an_upload_body() -> None:
    s = Side()
    ev = s.feed(S2C, UPLOAD[:80])
    ev += s.gap(S2C, 10)
    ev += s.feed(S2C, UPLOAD[90:] + USTATUS)
    ev += s.close()
    assert DocumentGap(10, "s2c-1") in ev and JobEnded(True, "s2c-1") in ev
    assert ev[-1] == FlowFact("pjl_device_info", "INFO USTATUS: DEVICE=ON; JOB=ON")  # back in step after it


def test_document_sent_back_outside_a_reply() -> None:
    ps = b"%!PS-Adobe-3.0\n%%Title: back\n(hello) show showpage\n"
    ev = feed_every_way(Side, [(S2C, ps + UEL + USTATUS)])
    assert ev == [JobStarted("raw9100", key="s2c-1", direction=S2C), DocumentData(ps, "s2c-1"),
                  JobEnded(False, "s2c-1"), FlowFact("pjl_device_info", "INFO USTATUS: DEVICE=ON; JOB=ON")]
    # only the end of the connection ends it
    ev = feed_every_way(Side, [(S2C, ps)])
    assert ev[-1] == JobEnded(False, "s2c-1", eof=True)


def test_junk_between_replies_is_skipped() -> None:
    ev = feed_every_way(Side, [(S2C, b"\x00\r\n%%[ status: idle ]%%\r\n" + FF + b"\x1bZ" + USTATUS)])
    assert ev == [FlowFact("pjl_device_info", "INFO USTATUS: DEVICE=ON; JOB=ON")]


def test_session_facts_once_each_and_bounded() -> None:
    session = pjlfs.Session()
    fs = pjlfs.parse(b'@PJL FSQUERY NAME="0:\\a"')
    assert fs is not None
    assert session.saw(fs) == [FlowFact("pjl_fs_commands", ["FSQUERY"]), FlowFact("pjl_fs_paths", ["0:\\a"])]
    assert session.saw(fs) == []
    for i in range(200):
        session.saw(pjlfs.FsCommand("FSDELETE", f"0:\\{i}", None, None, False))
    assert len(session.paths) == pjlfs.MAX_PATHS


def test_fuzz() -> None:
    fuzz(Side, [UPLOAD, INFO_UEL + USTATUS, DIRLIST + QUERY, b"%!PS\n(x) show\n" + UEL + USTATUS],
         cases=2500, direction=S2C)


def test_lab_capture_pjlfs_session() -> None:
    """pcaps/pjlfs-session.pcap (a test responder, tools/pjlfs_responder.py): what was read back and
    written is found, with the right directions, findings and redaction."""
    import json

    from sniffprint import analyze
    from tests.conftest import PCAPS

    truth = json.loads((PCAPS / "pjlfs-session.truth.json").read_text())
    (pf,) = truth["print_flows"]
    shown = analyze(str(PCAPS / truth["file"]), reveal=True).flows[0]
    assert set(pf["pjl_fs"]["paths"]) <= set(shown.pjl_fs_paths or ())
    rep = analyze(str(PCAPS / truth["file"]))
    (flow,) = rep.flows
    assert flow.pjl_fs_commands == tuple(c for c in pf["pjl_fs"]["commands"] if c.startswith("FS"))
    jobs = {j.sha256: j for j in rep.jobs}
    for payload in pf["payloads"]:
        job = jobs[payload["document"]["sha256"]]
        assert job.bytes == payload["document"]["size"] and not job.partial
        assert job.direction.value == ("s2c" if payload["direction"] == "server_to_client" else "c2s")
        assert job.file_transfer == ("FSUPLOAD" if job.direction.value == "s2c" else "FSDOWNLOAD")
    assert len(rep.jobs) == len(pf["payloads"])  # the commands themselves are no job
    by_job = {f.job_index: f for f in rep.findings if f.job_index is not None}
    written = next(j for j in rep.jobs if j.file_transfer == "FSDOWNLOAD")
    assert by_job[written.job_index].code == "SP105"  # a file planted, not a print document
    assert "shell script" in by_job[written.job_index].detail
    key = next(j for j in rep.jobs if j.sha256 == pf["payloads"][2]["document"]["sha256"])
    assert by_job[key.job_index].code == "SP101" and by_job[key.job_index].severity == "critical"
    assert by_job[key.job_index].evidence.pii_counts["private_key"] == 1  # type: ignore[union-attr]
    ps = next(j for j in rep.jobs if j.language == "PostScript")
    assert by_job[ps.job_index].severity == "critical" and by_job[ps.job_index].evidence.pii_counts["ssn"] == 1  # type: ignore[union-attr]
    (sp105,) = [f for f in rep.findings if f.code == "SP105" and f.job_index is None]
    assert sp105.severity == "high" and "FSUPLOAD" in sp105.detail
    assert not any(p in sp105.detail for p in pf["pjl_fs"]["paths"][1:])  # paths only by keyed hash
    assert all(p.startswith("<redacted:") for p in flow.pjl_fs_paths or ())  # masked without --reveal
