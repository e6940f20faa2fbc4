"""PJL: detection, line parsing, metadata fields, printer replies, and PJL-wrapped language lists."""
from __future__ import annotations

import random
import shutil
import subprocess

import pytest

from sniffprint.content import classify
from sniffprint.content.classify import pjl

UEL = pjl.UEL
HEADER = (UEL + b'@PJL JOB NAME="pay roll.doc"\r\n'
          b"@PJL SET STRINGCODESET=UTF8\r\n"
          b'@PJL SET USERNAME="alice"\r\n'
          b'@PJL SET JOBNAME = "pay roll.doc"\r\n'
          b'@PJL SET HOLDKEY="4711"\r\n'
          b'@PJL SET JOBATTR="JobAcct1=bob"\r\n'
          b'@PJL COMMENT "Username: alice"\r\n')


def test_detect() -> None:
    assert pjl.detect(UEL + b"@PJL", 0)
    assert pjl.detect(b"@pjl info id\r\n", 0)
    assert not pjl.detect(b"%!PS", 0)
    assert classify.detect(b"\x00\r\n" + UEL) == "PJL"


@pytest.mark.parametrize("line, command, options", [
    (b'@PJL JOB NAME="a b" DISPLAY="x"', "JOB", (("NAME", "a b"), ("DISPLAY", "x"))),
    (b"@PJL SET USERNAME = alice", "SET", (("USERNAME", "alice"),)),
    (b"@PJL SET LPARM : PCL SYMSET = ROMAN8", "SET", (("SYMSET", "ROMAN8"),)),
    (b"@PJL ENTER LANGUAGE = PCLXL", "ENTER", (("LANGUAGE", "PCLXL"),)),
    (b'@PJL EOJ NAME="x', "EOJ", (("NAME", "x"),)),  # an unterminated quote keeps its text
    (b"@PJL", "", ()),
])
def test_parse_line(line: bytes, command: str, options: tuple[tuple[str, str], ...]) -> None:
    cmd = pjl.parse_line(line)
    assert cmd is not None
    assert cmd.command == command
    assert cmd.options == options


def test_parse_line_rejects_other_text() -> None:
    assert pjl.parse_line(b"%!PS-Adobe") is None


def test_comment_is_text() -> None:
    cmd = pjl.parse_line(b'@PJL COMMENT "Username: alice; Host: ws"')
    assert cmd is not None and cmd.command == "COMMENT" and "Host: ws" in cmd.text and cmd.options == ()


def test_metadata_fields_and_sensitive_holdkey() -> None:
    doc = HEADER + b"@PJL ENTER LANGUAGE=PCL\r\n\x1bE hello \x1bE" + UEL + b'@PJL EOJ NAME="pay roll.doc"\r\n' + UEL
    fields = pjl.metadata(doc)
    got = [(f.name, f.value, f.source, f.sensitive) for f in fields]
    assert got[:4] == [("job_name", "pay roll.doc", "pjl", False), ("user", "alice", "pjl", False),
                       ("job_name", "pay roll.doc", "pjl", False), ("holdkey", "4711", "pjl", True)]
    assert ("user", "bob", "pjl", False) in got  # JobAcct1
    assert got[-1] == ("job_name", "pay roll.doc", "pjl", False)  # EOJ NAME


def test_metadata_utf8_and_latin1_values() -> None:
    assert pjl.metadata(UEL + '@PJL SET USERNAME="jörg"\n'.encode())[0].value == "jörg"
    assert pjl.metadata(UEL + '@PJL SET USERNAME="jörg"\n'.encode("latin-1"))[0].value == "jörg"


def test_languages_of_a_switching_job() -> None:
    doc = (HEADER + b"@PJL ENTER LANGUAGE=PCL\r\n\x1bE\x1b&l0O text \x1bE" + UEL
           + b"@PJL ENTER LANGUAGE=POSTSCRIPT\r\n%!PS-Adobe-3.0\nshowpage\n\x04" + UEL + b"@PJL EOJ\r\n" + UEL)
    assert classify.detect_all(doc) == ["PJL", "PCL5", "PostScript"]


def test_entered_language_without_body_bytes() -> None:
    assert classify.detect_all(HEADER + b"@PJL ENTER LANGUAGE = PCLXL\r\n") == ["PJL", "PCLXL"]
    assert classify.detect_all(b"@PJL INFO ID\r\n") == ["PJL"]


def test_pclxl_after_a_second_pjl_header() -> None:
    """Ghostscript pxlmono after a CUPS PJL header: ENTER PCLXL, UEL, more PJL, ENTER PCLXL again."""
    doc = (HEADER + b"@PJL ENTER LANGUAGE=PCLXL\r\n" + UEL + b"@PJL SET RENDERMODE=GRAYSCALE\n"
           b"@PJL ENTER LANGUAGE = PCLXL\n) HP-PCL XL;1;1;Comment x\n\xd1\x2c\x01")
    assert classify.detect_all(doc) == ["PJL", "PCLXL"]


def test_auto_switch_without_enter() -> None:
    assert classify.detect_all(UEL + b"@PJL JOB\r\n%!PS-Adobe-3.0\n") == ["PJL", "PostScript"]


def test_parse_reply() -> None:
    assert pjl.parse_reply(b'@PJL INFO ID\r\n"HP LaserJet 4250"\r\n') == ("INFO ID", "HP LaserJet 4250")
    reply = b'@PJL USTATUS DEVICE\r\nCODE=10001\r\nDISPLAY="Ready"\r\nONLINE=TRUE\r\n'
    what, detail = pjl.parse_reply(reply) or ("", "")
    assert what == "USTATUS DEVICE" and detail == "CODE=10001; DISPLAY=Ready; ONLINE=TRUE"
    assert pjl.parse_reply(b"%%[ status: idle ]%%") is None


@pytest.mark.skipif(shutil.which("gs") is None, reason="Ghostscript not installed")
def test_ghostscript_pxlmono_and_ljet4pjl(tmp_path) -> None:  # type: ignore[no-untyped-def]
    ps = tmp_path / "t.ps"
    ps.write_bytes(b"%!PS\n/Helvetica findfont 12 scalefont setfont 72 720 moveto (Hi) show showpage\n")
    for device, want in (("pxlmono", ["PJL", "PCLXL"]), ("ljet4pjl", ["PJL", "PCL5"])):
        out = tmp_path / f"t.{device}"
        subprocess.run(["gs", "-q", "-dNOPAUSE", "-dBATCH", "-dSAFER", f"-sDEVICE={device}", "-r75",
                        f"-sOutputFile={out}", str(ps)], check=True, capture_output=True, timeout=60)
        assert classify.detect_all(out.read_bytes()) == want


def test_fuzz_never_raises() -> None:
    rnd = random.Random(7)
    seeds = [HEADER + b"@PJL ENTER LANGUAGE=PCLXL\r\n) HP-PCL XL;1;1\n", b'@PJL INFO ID\r\n"x"\r\n']
    for i in range(2000):
        b = bytearray(rnd.choice(seeds) if i % 3 else rnd.randbytes(rnd.randint(0, 200)))
        for _ in range(rnd.randint(0, 6)):
            if b:
                b[rnd.randrange(len(b))] = rnd.randrange(256)
        buf = bytes(b)
        classify.detect_all(buf, buf[-50:], [buf[5:]])
        classify.metadata(buf, buf[-50:], whole=bool(i % 2))
        pjl.parse_reply(buf)


def test_jobattr_accounting_keys_and_entered_format() -> None:
    doc = (UEL + b'@PJL SET JOBATTR="JobAcct1=jdoe"\r\n@PJL SET JOBATTR="JobAcct2=WS-0042"\r\n'
           b'@PJL SET JOBATTR="JobAcct3=CORP"\r\n@PJL SET JOBATTR="JobAcct4=20181228141929"\r\n'
           b'@PJL SET JOBATTR="JobAcct6=Adobe Acrobat Reader DC "\r\n@PJL SET JOBATTR="JobAcct7=AcroRd32.exe"\r\n'
           b'@PJL SET JOBATTR="@MCHN=LAB-PC"\r\n@PJL SET JOBATTR="@APP=Excel"\r\n'
           b'@PJL SET JOBATTR="@CNAM=host2"\r\n@PJL SET JOBATTR="@LUNA=kim"\r\n@PJL SET JOBATTR="@ACNA=q3.xlsx"\r\n'
           b'@PJL SET JOBATTR="@TRCH=OFF"\r\n@PJL SET JOBATTR="JobAcct9="\r\n'
           b"@PJL ENTER LANGUAGE = PCLXL\r\n")
    got = [(f.name, f.value) for f in pjl.metadata(doc)]
    assert got == [("user", "jdoe"), ("host", "WS-0042"), ("creator", "Adobe Acrobat Reader DC"),
                   ("host", "LAB-PC"), ("creator", "Excel"), ("host", "host2"), ("user", "kim"),
                   ("document_name", "q3.xlsx"), ("document_format", "PCLXL")]
