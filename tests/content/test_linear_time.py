"""Every content parser is linear in its input: hostile shapes at two sizes, N and 8N.

Each case builds a document of a hostile shape (unmatched or deeply nested delimiters, long runs
of escapes, many small objects, absurd counts, long lines) at two sizes, feeds it to the text
extractor of its language and to the classifiers (``detect_all``, ``metadata`` over the whole
document, and the PJL line parsers), and checks that the time grows about linearly: at most
``RATIO`` times for 8 times the input (linear is 8; the margin keeps a loaded 2-core machine from
flaking, while a quadratic parser gives 64), and at most ``CAP`` seconds at the larger size. Times
are CPU times (``time.process_time``), so a loaded machine stretches them less than wall time.

The documents are generated here, by code, so every shape can be read and changed.
"""
from __future__ import annotations

import gc
import struct
import time
import zlib
from collections.abc import Callable

import pytest

from sniffprint.content import classify
from sniffprint.content.classify import pcl as classify_pcl
from sniffprint.content.classify import pdf as classify_pdf
from sniffprint.content.classify import pjl
from sniffprint.content.extract import EXTRACTORS, extract_text, new_sink

RATIO = 20.0
CAP = 4.0  # seconds for one run at the larger size
FLOOR = 0.004  # seconds: below this, timer noise dominates the ratio
UEL = classify.UEL


def _pdf(objs: list[bytes], *, root: bool = True) -> bytes:
    out = [b"%PDF-1.7\n"]
    for i, o in enumerate(objs, 1):
        out.append(b"%d 0 obj\n%s\nendobj\n" % (i, o))
    out.append(b"trailer << /Root 1 0 R >>\n%%EOF\n" if root else b"%%EOF\n")
    return b"".join(out)


def _stream(data: bytes, extra: bytes = b"", flate: bool = False) -> bytes:
    if flate:
        data = zlib.compress(data, 9)
        extra += b" /Filter /FlateDecode"
    return b"<< /Length %d%s >>\nstream\n%s\nendstream" % (len(data), extra, data)


def _page_pdf(content: bytes, *, flate: bool = False, font: bytes = b"<< /Type /Font /Subtype /Type1 >>") -> bytes:
    return _pdf([b"<< /Type /Catalog /Pages 2 0 R >>",
                 b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
                 b"<< /Type /Page /Parent 2 0 R /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
                 _stream(content, flate=flate), font])


# --- PostScript -------------------------------------------------------------------------------

PS = b"%!PS-Adobe-3.0\n"


def ps_unmatched_parens(n: int) -> bytes:
    return PS + b"(" * n


def ps_unmatched_paren_runs(n: int) -> bytes:
    return PS + b"(abc def ghi " * (n // 13)


def ps_escaped_parens(n: int) -> bytes:
    return PS + b"\\(" * (n // 2)


def ps_nested_parens(n: int) -> bytes:
    return PS + b"(" * (n // 2) + b")" * (n // 2) + b" show"


def ps_open_close_mix(n: int) -> bytes:
    return PS + b"((a)" * (n // 4) + b" show"


def ps_backslashes(n: int) -> bytes:
    return PS + b"(" + b"\\" * n + b") show"


def ps_octal_escapes(n: int) -> bytes:
    return PS + b"(" + b"\\101" * (n // 4) + b") show"


def ps_unmatched_angles(n: int) -> bytes:
    return PS + b"<" * n


def ps_unmatched_hex(n: int) -> bytes:
    return PS + b"<0a1b " * (n // 6)


def ps_unmatched_a85(n: int) -> bytes:
    return PS + b"<~ab " * (n // 5)


def ps_brackets(n: int) -> bytes:
    return PS + b"[" * n + b"(x) show"


def ps_dicts(n: int) -> bytes:
    return PS + b"<<" * (n // 2)


def ps_procs(n: int) -> bytes:
    return PS + b"/A {" * (n // 4) + b"(x) show" + b"}" * (n // 4)


def ps_comments_lf(n: int) -> bytes:
    return PS + b"%c\n" * (n // 3)


def ps_unclosed_resources(n: int) -> bytes:
    return PS + b"%%BeginResource: x\n(a) show\n" * (n // 28)


def ps_many_operands(n: int) -> bytes:
    return PS + (b"(a) " + b"1 " * 250 + b"show\n") * (n // 508)


def ps_show_aliases(n: int) -> bytes:
    head = PS + b"/Q {moveto show} bind def\n"
    return head + b"(word) 10 20 Q\n" * (n // 15)


def ps_eexec(n: int) -> bytes:
    return PS + b"currentfile eexec\n" * (n // 18)


def ps_data_blocks(n: int) -> bytes:
    return PS + b"%%BeginData: 999999999 Binary Bytes\n" * (n // 36)


def ps_pdf_ops(n: int) -> bytes:
    return PS + b"BT [(a) -300 (b)] TJ 1 0 0 1 0 0 Tm (x) Tj ET\n" * (n // 45)


# --- PDF ----------------------------------------------------------------------------------------

def pdf_content_unmatched_parens(n: int) -> bytes:
    return _page_pdf(b"BT /F1 12 Tf " + b"(" * n + b" Tj ET")


def pdf_content_brackets(n: int) -> bytes:
    return _page_pdf(b"BT /F1 12 Tf " + b"[" * n + b" TJ ET")


def pdf_content_dicts(n: int) -> bytes:
    return _page_pdf(b"BT " + b"<<" * (n // 2) + b" ET")


def pdf_content_unmatched_angles(n: int) -> bytes:
    return _page_pdf(b"BT /F1 12 Tf " + b"<0" * (n // 2) + b" ET")


def pdf_flate_of_parens(n: int) -> bytes:
    """The shape from issue 9: a small Flate stream that inflates to unmatched parentheses."""
    return _page_pdf(b"BT " + b"(" * (n * 8) + b" ET", flate=True)


def pdf_many_tiny_flate(n: int) -> bytes:
    objs = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>"]
    k = n // 90
    refs = b" ".join(b"%d 0 R" % (i + 4) for i in range(k))
    objs.append(b"<< /Type /Page /Parent 2 0 R /Contents [" + refs + b"] >>")
    objs += [_stream(b"BT (a) Tj ET", flate=True) for _ in range(k)]
    return _pdf(objs)


def pdf_objects_no_endobj(n: int) -> bytes:
    return b"%PDF-1.4\n" + b"1 0 obj << /A [ " * (n // 16)


def pdf_streams_no_endstream(n: int) -> bytes:
    return b"%PDF-1.4\n" + b"1 0 obj << >> stream\n" * (n // 21)


def pdf_objects_in_one_stream(n: int) -> bytes:
    inner = b"7 0 obj << /Length 9 >> stream\nxx\n" * (n // 34)
    return _pdf([b"<< /Type /Catalog >>", b"<< /Length 99999999 >>\nstream\n" + inner + b"\nendstream"])


def pdf_deep_arrays(n: int) -> bytes:
    return b"%PDF-1.4\n1 0 obj " + b"[" * n + b"\nendobj\n"


def pdf_string_in_dict(n: int) -> bytes:
    return b"%PDF-1.4\n" + b"1 0 obj << /T (" * (n // 15)


def pdf_objstm_offsets(n: int) -> bytes:
    k = n // 12
    head = b" ".join(b"%d 0" % (i + 10) for i in range(k)) + b" "
    body = head + b"[" + b"1 " * (n // 2) + b"]"
    return _pdf([b"<< /Type /Catalog >>", _stream(body, b" /Type /ObjStm /N %d /First %d" % (k, len(head)))])


def pdf_shared_content(n: int) -> bytes:
    """Many pages drawing the same (uncompressed) content stream."""
    k = n // 40
    content = _stream(b"BT (abc) Tj ET " * 64)
    kids = b" ".join(b"%d 0 R" % (i + 5) for i in range(k))
    objs = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [" + kids + b"] /Count %d >>" % k,
            content, b"<< >>"]
    objs += [b"<< /Type /Page /Parent 2 0 R /Contents 3 0 R >>"] * k
    return _pdf(objs)


def pdf_form_reuse(n: int) -> bytes:
    """One form XObject drawn many times from the page."""
    form = _stream(b"BT (form text) Tj ET " * 64, b" /Type /XObject /Subtype /Form")
    content = b"/X1 Do " * (n // 7)
    return _pdf([b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
                 b"<< /Type /Page /Parent 2 0 R /Contents 4 0 R /Resources << /XObject << /X1 5 0 R >> >> >>",
                 _stream(content), form])


def pdf_inline_font_cmap(n: int) -> bytes:
    """Many font selections of a font whose ToUnicode CMap is large."""
    cmap = b"1 begincodespacerange <00> <FF> endcodespacerange 100 beginbfchar " + b"<41> <0042> " * 2000 + b"endbfchar"
    objs = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /Contents 4 0 R /Resources << /Font << /F1 << /Type /Font "
            b"/Subtype /Type1 /ToUnicode 5 0 R >> >> >> >>",
            _stream(b"BT " + b"/F1 12 Tf (A) Tj " * (n // 17) + b"ET"), _stream(cmap)]
    return _pdf(objs)


def pdf_cmap_ranges(n: int) -> bytes:
    cmap = b"1 begincodespacerange <0000> <FFFF> endcodespacerange " + (
        b"1 beginbfrange <0000> <FFFF> <0041> endbfrange " * (n // 46))
    return _page_pdf(b"BT /F1 12 Tf <0041> Tj ET",
                     font=b"<< /Type /Font /Subtype /Type0 /ToUnicode 6 0 R >>") \
        .replace(b"trailer", b"6 0 obj\n" + _stream(cmap) + b"\nendobj\ntrailer")


def pdf_trailers(n: int) -> bytes:
    return b"%PDF-1.4\n" + b"trailer " * (n // 8)


def pdf_inline_images(n: int) -> bytes:
    return _page_pdf(b"BI /W 1 /H 1 ID " + b"x" * n)


# --- PCL 5 / PCL XL / PJL ---------------------------------------------------------------------

def pcl_huge_counts(n: int) -> bytes:
    return b"\x1bE" + b"\x1b*b99999999W\x1b&p99999999X" * (n // 25)


def pcl_escapes(n: int) -> bytes:
    return b"\x1bE" + b"\x1b" * n


def pcl_long_params(n: int) -> bytes:
    return b"\x1bE\x1b*p" + b"1x" * (n // 2)


def pcl_long_number(n: int) -> bytes:
    return b"\x1bE\x1b*p" + b"1" * n


def pcl_control_bytes(n: int) -> bytes:
    return b"\x1bE" + b"\x01\x02\x0e" * (n // 3)


def pcl_hpgl_labels(n: int) -> bytes:
    return b"\x1bE\x1b%0B" + b"LB" * (n // 2)


def pcl_text_and_moves(n: int) -> bytes:
    return b"\x1bE" + b"ab\x1b*p+40X" * (n // 10)


XL = b") HP-PCL XL;2;0\n"


def pclxl_huge_arrays(n: int) -> bytes:
    return XL + b"\xc8\xc2\xff\xff\xff\xff" * (n // 6)


def pclxl_huge_embedded(n: int) -> bytes:
    return XL + b"\xfa\xff\xff\xff\x7f" * (n // 5)


def pclxl_many_text_ops(n: int) -> bytes:
    op = b"\xc8\xc1\x02\x00ab\xf8\xab\xa8"
    return XL + b"\x43" + op * (n // len(op))


def pclxl_wide_text(n: int) -> bytes:
    k = n // 2
    return XL + b"\x43\xc9\xc2" + struct.pack("<I", k) + b"A\x00" * k + b"\xf8\xab\xa8"


def pclxl_attrs(n: int) -> bytes:
    return XL + b"\xc0\x01\xf8\x01" * (n // 4)


def pjl_long_line(n: int) -> bytes:
    return UEL + b"@PJL COMMENT " + b"A" * n


def pjl_many_lines(n: int) -> bytes:
    return UEL + b'@PJL SET USERNAME="alice"\r\n' * (n // 27)


def pjl_quotes(n: int) -> bytes:
    return UEL + b"@PJL SET JOBNAME=" + b'"' * n + b"\n"


def pjl_many_uels(n: int) -> bytes:
    return (UEL + b"@PJL\n") * (n // 14)


def pjl_options(n: int) -> bytes:
    return UEL + b"@PJL JOB " + b"A=1 " * (n // 4) + b"\n"


def gzip_of_parens(n: int) -> bytes:
    import gzip
    return gzip.compress(PS + b"(" * (n * 8))


CASES: dict[str, tuple[Callable[[int], bytes], int]] = {
    f.__name__: (f, size) for f, size in [
        (ps_unmatched_parens, 20_000), (ps_unmatched_paren_runs, 20_000), (ps_escaped_parens, 20_000),
        (ps_nested_parens, 20_000), (ps_open_close_mix, 20_000), (ps_backslashes, 50_000),
        (ps_octal_escapes, 50_000), (ps_unmatched_angles, 20_000), (ps_unmatched_hex, 20_000),
        (ps_unmatched_a85, 20_000), (ps_brackets, 20_000), (ps_dicts, 20_000), (ps_procs, 20_000),
        (ps_comments_lf, 20_000), (ps_unclosed_resources, 20_000), (ps_many_operands, 20_000),
        (ps_show_aliases, 20_000), (ps_eexec, 20_000), (ps_data_blocks, 20_000), (ps_pdf_ops, 20_000),
        (pdf_content_unmatched_parens, 20_000), (pdf_content_brackets, 20_000), (pdf_content_dicts, 20_000),
        (pdf_content_unmatched_angles, 20_000), (pdf_flate_of_parens, 20_000), (pdf_many_tiny_flate, 20_000),
        (pdf_objects_no_endobj, 20_000), (pdf_streams_no_endstream, 20_000), (pdf_objects_in_one_stream, 20_000),
        (pdf_deep_arrays, 20_000), (pdf_string_in_dict, 20_000), (pdf_objstm_offsets, 10_000),
        (pdf_shared_content, 10_000), (pdf_form_reuse, 5_000), (pdf_inline_font_cmap, 20_000),
        (pdf_cmap_ranges, 20_000), (pdf_trailers, 20_000), (pdf_inline_images, 50_000),
        (pcl_huge_counts, 20_000), (pcl_escapes, 20_000), (pcl_long_params, 20_000), (pcl_long_number, 50_000),
        (pcl_control_bytes, 20_000), (pcl_hpgl_labels, 20_000), (pcl_text_and_moves, 20_000),
        (pclxl_huge_arrays, 20_000), (pclxl_huge_embedded, 20_000), (pclxl_many_text_ops, 20_000),
        (pclxl_wide_text, 50_000), (pclxl_attrs, 20_000),
        (pjl_long_line, 50_000), (pjl_many_lines, 20_000), (pjl_quotes, 50_000), (pjl_many_uels, 20_000),
        (pjl_options, 20_000), (gzip_of_parens, 20_000),
    ]
}


def _work(doc: bytes) -> None:
    """Everything content/ does with a document: classify it (as the engine does, and over the
    whole document), extract its text, feed it to every extractor whatever its language, and parse
    its PJL lines as the dissector does."""
    langs = classify.detect_all(doc)
    classify.metadata(doc)
    classify.metadata(doc[:65536], doc[-16384:], whole=False)
    extract_text(doc, langs, max_chars=1_000_000)
    for x in EXTRACTORS:
        if x.NAME not in langs:  # the one extract_text ran is not run again
            x.extract(doc, new_sink(doc, 1_000_000))
    classify_pcl.text_runs(doc)
    pjl.header_end(doc, 0)
    for line in doc[:pjl.MAX_LINE * 4].split(b"\n")[:64]:
        pjl.parse_line(line[:pjl.MAX_LINE])
    pjl.parse_reply(doc[:pjl.MAX_LINE * 4])
    at = doc.find(b"(")
    if at >= 0:
        classify_pdf.read_string(doc, at)


def _timed(doc: bytes) -> float:
    """CPU seconds of ``_work`` (the best of two): waiting for a busy CPU does not count."""
    best = float("inf")
    for _ in range(2):
        gc.collect()
        t0 = time.process_time()
        _work(doc)
        best = min(best, time.process_time() - t0)
    return best


@pytest.mark.parametrize("name", sorted(CASES))
def test_time_grows_linearly(name: str) -> None:
    make, n = CASES[name]
    small, large = make(n), make(8 * n)
    t1, t8 = _timed(small), _timed(large)
    assert t8 < CAP, f"{name}: {t8:.2f} s for {len(large)} bytes"
    assert t8 < RATIO * max(t1, FLOOR), f"{name}: {t1 * 1000:.1f} ms -> {t8 * 1000:.1f} ms for 8x the input"
