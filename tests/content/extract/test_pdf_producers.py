"""PDF text from real producers (``sniffprint/content/extract/pdf.py`` on what generators write).

Each producer available here makes, at test time, a small PDF holding planted sensitive strings
(an e-mail, a US SSN, a Luhn-valid card, a phone number); the sensitive-data counts of sniffprint's
text must equal those of ``pdftotext`` (poppler) on the same file. Producers: Ghostscript
``pdfwrite``, groff's ``gropdf``, matplotlib with Type 3 and with Type 42 fonts, ReportLab,
cairo (through CairoSVG), qpdf's object streams (through pikepdf), LibreOffice; each is skipped,
with the reason, when it is missing.
"""
from __future__ import annotations

import importlib.util
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from sniffprint.evidence import pii

from ._docs import run

LINES = ["Contact alice.example@corp.example", "SSN 078-05-1120 card 4111 1111 1111 1111",
         "Phone (415) 867-5309"]
KEYS = ("email", "ssn", "card", "phone")

pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext (poppler-utils) not installed")


def _needs(program: str) -> None:
    if shutil.which(program) is None:
        pytest.skip(f"{program} not installed")


def _needs_module(name: str) -> None:
    if importlib.util.find_spec(name) is None:
        pytest.skip(f"python module {name} not installed (pip install '.[test]')")


def ghostscript(out: Path) -> None:
    _needs("gs")
    body = "".join(f"72 {720 - 20 * i} moveto ({line}) show\n" for i, line in enumerate(LINES))
    src = out.with_suffix(".ps")
    src.write_text("%!PS\n/Helvetica findfont 12 scalefont setfont\n" + body + "showpage\n")
    subprocess.run(["gs", "-q", "-dNOPAUSE", "-dBATCH", "-dSAFER", "-sDEVICE=pdfwrite", f"-sOutputFile={out}",
                    str(src)], check=True, capture_output=True, timeout=60)


def gropdf(out: Path) -> None:
    _needs("groff")
    pdf = subprocess.run(["groff", "-Tpdf"], input="\n.br\n".join(LINES).encode() + b"\n", check=True,
                         capture_output=True, timeout=60).stdout
    out.write_bytes(pdf)


def _matplotlib(out: Path, fonttype: int) -> None:
    _needs_module("matplotlib")
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    fig = Figure(figsize=(6, 3))
    for i, line in enumerate(LINES):
        fig.text(0.05, 0.8 - 0.2 * i, line)
    with matplotlib.rc_context({"pdf.fonttype": fonttype}):
        fig.savefig(out)


def matplotlib_type3(out: Path) -> None:
    _matplotlib(out, 3)


def matplotlib_type42(out: Path) -> None:
    _matplotlib(out, 42)


def reportlab(out: Path) -> None:
    _needs_module("reportlab")
    from reportlab.pdfgen import canvas

    c = canvas.Canvas(str(out))
    for i, line in enumerate(LINES):
        c.drawString(72, 720 - 20 * i, line)
    c.save()


def cairo(out: Path) -> None:
    _needs_module("cairosvg")
    try:
        import cairosvg
    except OSError as exc:  # cairocffi finds no libcairo
        pytest.skip(f"cairo library not loadable: {exc}")
    texts = "".join(f'<text x="20" y="{40 + 30 * i}" font-size="14">{line}</text>' for i, line in enumerate(LINES))
    svg = f'<svg xmlns="http://www.w3.org/2000/svg" width="500" height="200">{texts}</svg>'
    cairosvg.svg2pdf(bytestring=svg.encode(), write_to=str(out))


def object_streams(out: Path) -> None:
    """Object streams and a cross-reference stream (PDF 1.5, 7.5.7-7.5.8), written by qpdf (through
    pikepdf) from ReportLab's file."""
    _needs_module("pikepdf")
    import pikepdf

    reportlab(out.with_suffix(".plain.pdf"))
    with pikepdf.open(out.with_suffix(".plain.pdf")) as pdf:
        pdf.save(out, object_stream_mode=pikepdf.ObjectStreamMode.generate)
    assert b"/ObjStm" in out.read_bytes()


def libreoffice(out: Path) -> None:
    office = shutil.which("libreoffice") or shutil.which("soffice")
    if office is None:
        pytest.skip("libreoffice not installed")
    src = out.with_suffix(".txt")
    src.write_text("\n".join(LINES) + "\n")
    subprocess.run([office, "--headless", "--convert-to", "pdf", "--outdir", str(out.parent), str(src)],
                   check=True, capture_output=True, timeout=120)


PRODUCERS: list[Callable[[Path], None]] = [ghostscript, gropdf, matplotlib_type3, matplotlib_type42, reportlab,
                                           cairo, object_streams, libreoffice]


@pytest.mark.parametrize("produce", PRODUCERS, ids=lambda f: f.__name__)
def test_pii_counts_match_pdftotext(produce: Callable[[Path], None], tmp_path: Path) -> None:
    out = tmp_path / "doc.pdf"
    produce(out)
    ref = subprocess.run(["pdftotext", str(out), "-"], check=True, capture_output=True, timeout=60).stdout.decode()
    r = run(out.read_bytes())
    assert r.status == "text", r
    ours = {k: v for k, v in pii.counts(r.text).items() if k in KEYS}
    theirs = {k: v for k, v in pii.counts(ref).items() if k in KEYS}
    assert theirs == dict.fromkeys(KEYS, 1), f"pdftotext itself did not read the planted strings: {ref!r}"
    assert ours == theirs, r.text
