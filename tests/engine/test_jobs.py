"""Job records: languages over head, UEL windows and tail; metadata merge and its sources; bounds."""
from __future__ import annotations

from sniffprint.engine import jobs
from sniffprint.engine.jobs import Job
from sniffprint.report import to_json

UEL = b"\x1b%-12345X"


def job(*chunks: bytes, fields: dict[str, str] | None = None, protocol: str = "raw9100") -> Job:
    j = Job(uid="C1", index=0, protocol=protocol)
    for name, value in (fields or {}).items():
        j.fields[name] = value
        j.sources[name] = protocol
    for c in chunks:
        j.add(c)
    j.ended = True
    return j


def test_record_keeps_the_contract_fields() -> None:
    rec = to_json(job(b"%!PS\n").record())
    for name in ("type", "uid", "job_index", "protocol", "language", "languages", "user", "host", "job_name",
                 "document_name", "title", "bytes", "missed_bytes", "partial"):
        assert name in rec
    assert rec["languages"] == ["PostScript"] and rec["language"] == "PostScript"


def test_unknown_and_empty() -> None:
    assert job(b"hello world").languages() == ["unknown"]
    assert job().languages() == []


def test_language_switch_deep_in_the_document() -> None:
    body = b"\x1b*b100W" + b"\x00" * 200_000
    doc = (UEL + b"@PJL JOB\r\n@PJL ENTER LANGUAGE=PCL\r\n\x1bE" + body + UEL
           + b"@PJL ENTER LANGUAGE=POSTSCRIPT\r\n%!PS\n" + b"% x\n" * 20_000 + UEL + b"@PJL EOJ\r\n" + UEL)
    j = Job(uid="C1", index=0, protocol="raw9100")
    for i in range(0, len(doc), 1460):  # in segment-sized pieces: the UEL may be cut
        j.add(doc[i:i + 1460])
    assert j.languages() == ["PJL", "PCL5", "PostScript"]
    assert len(j.head) == jobs.HEAD_BYTES and len(j.tail) == jobs.TAIL_BYTES
    assert sum(len(w) for w in j.windows) <= jobs.MAX_WINDOWS * jobs.WINDOW_BYTES


def test_pdf_trailer_read_from_the_tail() -> None:
    doc = (b"%PDF-1.4\n" + b"%" + b"x" * 300_000 + b"\n2 0 obj\n<</Title(Big report)/Author(alice)>>\nendobj\n"
           b"trailer\n<</Info 2 0 R>>\n%%EOF\n")
    rec = job(doc[:100_000], doc[100_000:]).record()
    assert rec.title == "Big report" and rec.author == "alice"
    assert rec.sources["title"] == "pdf-info"


def test_envelope_wins_document_fills_the_rest() -> None:
    doc = (UEL + b'@PJL JOB NAME="pay.roll.doc"\r\n@PJL SET USERNAME="bob"\r\n@PJL SET HOLDKEY="0000"\r\n'
           b"@PJL ENTER LANGUAGE=PCL\r\n\x1bE")
    rec = job(doc, fields={"user": "alice", "job_name": "pay_roll_doc"}, protocol="lpd").record()
    assert rec.user == "alice" and rec.job_name == "pay_roll_doc"
    assert rec.title == "pay.roll.doc"  # the document's own name, when no title is stated
    assert rec.sources == {"user": "lpd", "job_name": "lpd", "title": "pjl", "document_format": "pjl"}
    assert rec.document_format == "PCL"  # ENTER LANGUAGE as sent
    assert rec.holdkey_present is True
    assert "0000" not in repr(rec)  # a PIN is never shown


def test_dsc_for_only_when_nothing_better() -> None:
    ps = b"%!PS-Adobe-3.0\n%%Title: T\n%%For: carol\n%%Pages: 2\n"
    assert job(ps).record().user == "carol"
    pjl = UEL + b'@PJL SET USERNAME="dave"\r\n@PJL ENTER LANGUAGE=POSTSCRIPT\r\n' + ps
    rec = job(pjl).record()
    assert rec.user == "dave" and rec.title == "T" and rec.pages == 2
    assert rec.sources["user"] == "pjl" and rec.sources["title"] == "dsc"


def test_gzip_compressed_document() -> None:
    import gzip

    rec = job(gzip.compress(b"%!PS-Adobe-3.0\n%%Title: zipped\n")).record()
    assert rec.languages == ("PostScript",) and rec.compression == "gzip" and rec.title == "zipped"


def test_gap_makes_partial() -> None:
    j = job(b"%PDF-1.4\n")
    j.gap(100)
    rec = j.record()
    assert rec.partial is True and rec.missed_bytes == 100


def test_pages_is_an_integer_or_none() -> None:
    assert job(b"%!PS-Adobe-3.0\n%%Pages: 12\n").record().pages == 12
    assert job(b"%!PS-Adobe-3.0\n%%Pages: (atend)\n").record().pages is None
    assert "pages" not in job(b"%!PS-Adobe-3.0\n%%Pages: (atend)\n").record().sources
    assert [jobs.page_count(v) for v in ("7", " 3 ", "-1", "2.5", "\u0663", "9" * 20, None)] == [
        7, 3, None, None, None, None, None]


def test_metadata_as_sent_compression_and_format() -> None:
    # IPP said gzip and the dissector handed on the inflated document: the job still says gzip
    rec = job(b"%!PS-Adobe-3.0\n", fields={"compression": "gzip", "document_format": "application/postscript"},
              protocol="ipp").record()
    assert rec.compression == "gzip" and rec.document_format == "application/postscript"
    assert rec.sources["compression"] == "ipp" and rec.sources["document_format"] == "ipp"
    # the envelope's format wins over the PJL ENTER LANGUAGE inside the document
    doc = UEL + b"@PJL ENTER LANGUAGE=PCLXL\r\n) HP-PCL XL;2;0\n"
    assert job(doc, fields={"document_format": "application/vnd.hp-pclxl"}, protocol="ipp").record(
    ).document_format == "application/vnd.hp-pclxl"
    assert job(b"%!PS\n").record().compression is None


def test_jobattr_accounting_fills_user_host_creator() -> None:
    doc = (UEL + b'@PJL SET JOBATTR="JobAcct1=jdoe"\r\n@PJL SET JOBATTR="JobAcct2=WS-0042"\r\n'
           b'@PJL SET JOBATTR="JobAcct6=Microsoft Word"\r\n@PJL SET JOBATTR="JobAcct8=other"\r\n'
           b"@PJL ENTER LANGUAGE=PCLXL\r\n) HP-PCL XL;2;0\n")
    rec = job(doc).record()
    assert (rec.user, rec.host, rec.creator) == ("jdoe", "WS-0042", "Microsoft Word")
    assert rec.sources["host"] == "pjl" and rec.sources["creator"] == "pjl"
    doc = (UEL + b'@PJL SET JOBATTR = "@MCHN=LAB-PC"\r\n@PJL SET JOBATTR="@APP=Excel"\r\n'
           b'@PJL SET JOBATTR="@LUNA=kim"\r\n@PJL ENTER LANGUAGE=POSTSCRIPT\r\n%!PS\n%%For: other\n')
    rec = job(doc).record()
    assert (rec.user, rec.host, rec.creator) == ("kim", "LAB-PC", "Excel")
    # an envelope's user (LPD, IPP) keeps precedence over the accounting inside the document
    assert job(doc, fields={"user": "lpduser"}, protocol="lpd").record().user == "lpduser"


def test_direction_defaults_to_c2s() -> None:
    from sniffprint.model import JobDirection

    assert job(b"%!PS\n").record().direction is JobDirection.C2S
    j = Job(uid="C1", index=1, protocol="raw9100", direction=JobDirection.S2C)
    j.add(b"%!PS\n")
    assert to_json(j.record())["direction"] == "s2c"
