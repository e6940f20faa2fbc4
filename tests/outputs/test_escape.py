"""No injection: text from the wire never acts on a terminal, a CI dashboard or a spreadsheet.

A crafted capture plants ESC sequences, BEL, CR/LF, NUL, C1 controls, bidi overrides and formula
prefixes in every field that reaches an output: the TLS SNI and certificate subject/issuer
(built with tests/pcapgen.py and the TLS byte builders of tests/dissectors/tls/vectors.py), PJL job
and user names and the DSC title of a raw 9100 job, the NTLMSSP user and the file name of an SMB
print job. Every format of every command is then checked: the human outputs (table, line,
stderr) show every control escaped and no forged line; JUnit parses back as XML with the values
escaped; CSV cells never start a formula and read back to the value; JSON and SARIF carry the
values exactly.
"""
from __future__ import annotations

import codecs
import csv
import io
import json
import struct
import xml.etree.ElementTree as ET

import pytest
from click.testing import CliRunner

from sniffprint.cli import main
from sniffprint.outputs.csv import neutral
from sniffprint.outputs.escape import safe
from tests import pcapgen as g

BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
RAW = set("\x00\x07\x08\x1b\x7f\x85\x9b\r\u2028\u2029" + BIDI)  # must never reach a human output raw
FORGED = "FORGED-LINE"  # follows a planted newline: no output line may start with it

SNI = b"=cmd|'/C calc'!A0\x1b[2J\x07\x00\r\n" + FORGED.encode()
CN = f"=HYPERLINK(1)\x1b]0;pwn\x07\x9b\n{FORGED}\u202e\u2066cod"  # at most 64 characters (X.520)
ISSUER = f"+SUM(1)\x1b[31m\u202b\x85{FORGED}"
PJL_USER = "@SUM(1+1)\x1b[1;1H\x07\u202e\x00evil"
PJL_JOB = "-2+3\x1b[2K\u2067\x7fjob"
TITLE = "=1+1\x1b[5m\u2068\x08title"
SMB_USER = f"@user\x1b[H\x07\u202d{FORGED}"
SMB_FILE = "=doc\x1b[8m\u2069.prn"


# ---------------------------------------------------------------------------- the crafted capture
def _tls_frames() -> list[bytes]:
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization
    from cryptography.x509.oid import NameOID

    from tests.dissectors.tls import vectors as v

    k = v.signing_keys()["ec"]
    import datetime

    from cryptography.hazmat.primitives import hashes

    start = datetime.datetime(2024, 1, 1, tzinfo=datetime.timezone.utc)
    # self-signed (SP204 shows the subject in its detail); the issuer is the same hostile name
    subject = x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, ISSUER),
                         x509.NameAttribute(NameOID.COMMON_NAME, CN)])
    cert = (x509.CertificateBuilder().subject_name(subject).issuer_name(subject)
            .public_key(k.public_key()).serial_number(9).not_valid_before(start)  # type: ignore[attr-defined]
            .not_valid_after(v.NOT_AFTER).sign(k, hashes.SHA256()))  # type: ignore[arg-type]
    der = cert.public_bytes(serialization.Encoding.DER)
    entry = b"\x00" + struct.pack("!H", len(SNI)) + SNI
    hello = v.client_hello(exts=v.ext(0, struct.pack("!H", len(entry)) + entry))
    c = g.Conversation(client="10.9.0.5", server="10.9.0.20", cport=41000, sport=9100)
    frames = c.handshake() + c.c2s(hello)
    frames += c.s2c(v.server_hello(0x0303, 0xC02F) + v.certificate(der) + v.rec(22, v.hs(14, b"")))
    frames += c.c2s(v.CCS + v.appdata(300)) + c.s2c(v.CCS + v.appdata(40)) + c.c2s(v.appdata(2000)) + c.close()
    return frames


def _raw9100_frames() -> list[bytes]:
    job = (b"\x1b%-12345X@PJL\r\n@PJL SET USERNAME = \"" + PJL_USER.encode() + b"\"\r\n"
           b"@PJL JOB NAME = \"" + PJL_JOB.encode() + b"\"\r\n@PJL ENTER LANGUAGE=POSTSCRIPT\r\n"
           b"%!PS-Adobe-3.0\n%%Title: " + TITLE.encode() + b"\n%%EndComments\n"
           b"/Helvetica findfont 12 scalefont setfont 72 700 moveto (hello) show showpage\n\x1b%-12345X")
    c = g.Conversation(client="10.9.0.6", server="10.9.0.21", cport=41001, sport=9100)
    return c.handshake() + c.c2s(job) + c.close()


def _smb_frames() -> list[bytes]:
    from tests.dissectors.smb import wire as w

    c = g.Conversation(client="10.9.0.7", server="10.9.0.22", cport=41002, sport=445)
    frames = c.handshake()
    doc = b"%!PS-Adobe-3.0\n" + b"0 0 moveto (hello) show\n" * 20 + b"showpage\n"
    for d, data in [*w.login(0x0210, cipher=None, user=SMB_USER), *w.print_job(doc, name=SMB_FILE)]:
        frames += c.c2s(data) if d is w.C else c.s2c(data)
    return frames + c.close()


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    d = tmp_path_factory.mktemp("hostile")
    cap = d / "hostile.pcap"
    cap.write_bytes(g.pcap([g.ether(f) for f in _tls_frames() + _raw9100_frames() + _smb_frames()]))
    policy = d / "policy.toml"
    policy.write_text("allow_self_signed = false\n")  # SP204 fails the run: its detail reaches JUnit
    return str(cap), str(policy)


def _invoke(args: list[str]):
    r = CliRunner().invoke(main, args)
    assert r.exit_code in (0, 1), (r.exit_code, r.stderr[-2000:])
    return r


def _planted_values_reached_the_records(cap: str) -> None:
    """The attack is real: the JSON records (which escape nothing away) hold every planted value."""
    recs = [json.loads(x) for x in _invoke(["scan", "--format", "json", "--reveal", cap]).stdout.split("\n") if x]
    flows = [r for r in recs if r["type"] == "flow"]
    jobs = [r for r in recs if r["type"] == "job"]
    assert any(f.get("sni") == SNI.decode("ascii") for f in flows)
    assert any(all(c in (f.get("cert_subject") or "") for c in "\x1b\x07\x9b\n\u202e\u2066") for f in flows)
    assert any("\x1b[31m" in (f.get("cert_issuer") or "") for f in flows)
    assert any(f.get("smb_user") == SMB_USER for f in flows)
    assert any(j.get("user") == PJL_USER for j in jobs), [j.get("user") for j in jobs]
    assert any(j.get("job_name") == PJL_JOB for j in jobs)
    assert any(SMB_FILE in str(j.get("document_name")) for j in jobs)


def _human_ok(text: str, where: str) -> None:
    raw = sorted({f"U+{ord(c):04X}" for c in text if c in RAW or 0x80 <= ord(c) < 0xA0})
    assert raw == [], where
    assert not [ln for ln in text.split("\n") if ln.startswith(FORGED)], where


def test_hostile_values_never_reach_a_human_output_raw(hostile):
    cap, policy = hostile
    _planted_values_reached_the_records(cap)
    human = [["scan", cap], ["scan", "--all", cap], ["scan", "--reveal", "--all", cap],
             ["verify", "--format", "table", "--policy", policy, cap], ["scan", "--format", "line", "--reveal", cap]]
    shown = ""
    for args in human:
        r = _invoke(args)
        _human_ok(r.stdout, " ".join(args[:-1]))
        _human_ok(r.stderr, " ".join(args[:-1]) + " (stderr)")
        shown += r.stdout
    for args in (["verify", "--policy", policy, cap], ["verify", "--format", "json", "--reveal", cap]):
        _human_ok(_invoke(args).stderr, " ".join(args[:-1]) + " (stderr)")
    # the values are shown, escaped, not dropped
    assert "\\x1b]0" in shown and "\\x07" in shown and "\\u202e" in shown


def test_the_line_writer_escapes_every_field(hostile):
    from sniffprint import analyze
    from sniffprint.outputs.line import LineWriter
    from sniffprint.records import PrinterRecord

    cap, _ = hostile
    rep = analyze(cap, reveal=True)
    buf = io.StringIO()
    w = LineWriter(buf)
    w.begin()
    for f in rep.findings:
        w.finding(f)
    for p in rep.printers:
        w.printer(PrinterRecord(**{**{k: getattr(p, k) for k in p.__slots__}, "server_ip": "10.0.0.1\x1b[2J\n"
                                   + FORGED}))
    w.end(rep.stats)
    _human_ok(buf.getvalue(), "line")
    assert any(f.code == "SP204" for f in rep.findings) and "\\x1b" in buf.getvalue()


def test_junit_stays_well_formed_with_the_values_escaped(hostile):
    cap, policy = hostile
    for args in (["verify", "--format", "junit", "--policy", policy, cap], ["scan", "--format", "junit", "--reveal",
                                                                          "--policy", policy, cap]):
        out = _invoke(args).stdout
        suite = ET.fromstring(out.split("\n", 1)[1])  # parses: well-formed XML 1.0
        text = "".join(suite.itertext()) + "".join(v for el in suite.iter() for v in el.attrib.values())
        _human_ok(text, "junit")
        assert int(suite.get("failures")) >= 1 and "\\x1b" in text  # SP204's detail, escaped


def test_csv_cells_never_start_a_formula_and_read_back(hostile):
    cap, _ = hostile
    out = _invoke(["scan", "--format", "csv", "--all", "--reveal", cap]).stdout_bytes.decode()  # CR kept
    rows = list(csv.DictReader(io.StringIO(out, newline="")))
    assert len(rows) == 3
    for row in rows:
        for name, value in row.items():
            assert not value.startswith(("=", "+", "-", "@", "\t", "\r")), (name, value)
    _human_ok(out, "csv")  # cat in a terminal is safe too

    def read_back(cell: str) -> str:  # as the module docstring says
        cell = cell[1:] if cell.startswith("'") else cell
        return codecs.decode(cell.encode("latin-1", "backslashreplace"), "unicode_escape")

    by_sni = next(r for r in rows if r["sni"])
    assert by_sni["sni"].startswith("'=cmd")  # neutralised
    assert read_back(by_sni["sni"]) == SNI.decode("ascii")  # and read back exactly
    smb = next(r for r in rows if r["smb_user"])
    assert read_back(smb["smb_user"]) == SMB_USER
    subject = next(r["cert_subject"] for r in rows if r["cert_subject"])
    assert "\u202e" in read_back(subject) and "\\\\" not in read_back(subject)


def test_machine_formats_carry_the_values_exactly(hostile):
    cap, policy = hostile
    doc = json.loads(_invoke(["verify", "--format", "sarif", "--policy", policy, cap]).stdout)
    assert any("\x1b]0" in r["message"]["text"] and "\u202e" in r["message"]["text"]
               for r in doc["runs"][0]["results"])
    out = _invoke(["verify", "--format", "json", "--reveal", cap]).stdout
    # verify writes JSON to the terminal by default: nothing in it acts there, and no reader that
    # splits on U+2028/U+0085 (str.splitlines, JavaScript) cuts a record in two
    _human_ok(out, "json")
    assert out.splitlines() == out.split("\n")[:-1]
    recs = [json.loads(line) for line in out.splitlines()]
    assert any(r.get("smb_user") == SMB_USER for r in recs)  # the exact value, decoded


# ---------------------------------------------------------------------------- the functions
@pytest.mark.parametrize(("raw", "shown"), [
    ("plain text", "plain text"),
    ("caf\u00e9 \u65e5\u672c", "caf\u00e9 \u65e5\u672c"),  # letters of every script stay as they are
    ("a\x1b[2Jb", "a\\x1b[2Jb"),
    ("bell\x07", "bell\\x07"),
    ("nul\x00", "nul\\x00"),
    ("two\nlines\r", "two\\x0alines\\x0d"),
    ("tab\there", "tab\\x09here"),
    ("del\x7f c1\x9b", "del\\x7f c1\\x9b"),
    ("\u202eabc\u2066", "\\u202eabc\\u2066"),
    ("zero\u200bwidth", "zero\\u200bwidth"),
    ("sep\u2028x", "sep\\u2028x"),
    ("back\\slash \\x1b", "back\\\\slash \\\\x1b"),  # a literal backslash never passes for an escape
    ("lone \udcff", "lone \\udcff"),
    ("nonchar \ufffe", "nonchar \\ufffe"),
    ("astral \U000e0001 \U0001f600", "astral \\U000e0001 \U0001f600"),
])
def test_safe(raw, shown):
    assert safe(raw) == shown


def test_safe_output_is_printable_and_valid_xml():
    every = "".join(chr(c) for c in range(0x0, 0x3000)) + "\ud800\udfff\ufffe\uffff"
    s = safe(every)
    assert all(c not in s for c in RAW)
    ET.fromstring(f"<a b='{safe(every).replace('&', '&amp;').replace('<', '&lt;').replace(chr(39), '&apos;')}'/>")
    assert safe(12) == "12"


@pytest.mark.parametrize(("raw", "cell"), [
    ("=1+1", "'=1+1"), ("+1", "'+1"), ("-1", "'-1"), ("@SUM(A1)", "'@SUM(A1)"), ("\tx", "'\tx"),
    ("\rx", "'\rx"), ("'quoted", "''quoted"), ("plain", "plain"), ("", ""), ("a=b", "a=b"),
])
def test_csv_neutral(raw, cell):
    assert neutral(raw) == cell
    assert (cell[1:] if cell.startswith("'") else cell) == raw  # exact round trip
