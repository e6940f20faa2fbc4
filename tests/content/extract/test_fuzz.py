"""extract_text never raises and stays fast on mutated documents of every language."""
from __future__ import annotations

import random
import struct
import time
import zlib

from sniffprint.content import classify
from sniffprint.content.extract import extract_text

UEL = classify.UEL


def _seeds() -> list[bytes]:
    content = zlib.compress(b"BT /F1 12 Tf 72 720 Td (Hello) Tj [(W)-300(orld)] TJ T* (x) ' ET")
    cmap = zlib.compress(b"1 begincodespacerange <00> <FF> endcodespacerange 1 beginbfchar <48> <0041> endbfchar "
                         b"1 beginbfrange <00> <FF> <0020> endbfrange")
    pdf = (b"%PDF-1.7\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
           b"2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj\n"
           b"3 0 obj << /Type /Page /Parent 2 0 R /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >> endobj\n"
           + (b"4 0 obj << /Length %d /Filter /FlateDecode >> stream\n" % len(content)) + content
           + b"\nendstream endobj\n5 0 obj << /Type /Font /Subtype /Type1 /ToUnicode 6 0 R "
           b"/Encoding << /Differences [65 /A /eacute /uni0041] >> >> endobj\n"
           + (b"6 0 obj << /Length %d /Filter /FlateDecode >> stream\n" % len(cmap)) + cmap + b"\nendstream endobj\n"
           b"7 0 obj << /Type /ObjStm /N 1 /First 4 >> stream\n8 0 << /Type /Page >>\nendstream endobj\n%%EOF")
    ps = (b"%!PS-Adobe-3.0\n%%Title: (t\\(x\\))\n%%BeginProlog\n/Q {moveto show} bind def\n%%EndProlog\n"
          b"/Helvetica findfont 12 scalefont setfont 72 720 moveto (a\\(b\\)c \\101) show <414243> show\n"
          b"(q) 10 10 Q 1 0 (w) ashow [(x) 1] pop BT (T) Tj [(J) -300 (K)] TJ ET showpage\n")
    pcl = (b"\x1bE\x1b&u1200D\x1b(19U\x1b*p900x200YHello\x1b*p+50XWorld\x1b*b4W\x01\x02\x03\x04"
           b"\x1b(s3W\x00\x00\x00\x1b&p2Xok\x1b%0BLBlabel\x03\x1b%0A\x0c\x1bE")
    xl = (b") HP-PCL XL;2;0\n\xd1\x2c\x01\x2c\x01\xf8\x89\x41\x43\xd3\x10\x00\x20\x00\xf8\x4c\x6b"
          b"\xc8\xc1\x05\x00Hello\xf8\xab\xa8\xc9\xc0\x02A\x00B\x00\xf8\xab\xa8\xfb\x04abcd\xfa\x02\x00\x00\x00xy"
          b"\x44\x42")
    hdr = bytearray(1796)
    hdr[:10] = b"PwgRaster\x00"
    hdr[452:456] = struct.pack(">I", 1)
    return [pdf, ps, pcl, UEL + b"@PJL ENTER LANGUAGE=PCLXL\r\n" + xl + UEL,
            UEL + b"@PJL ENTER LANGUAGE=POSTSCRIPT\r\n" + ps + UEL + b"@PJL ENTER LANGUAGE=PCL\r\n" + pcl + UEL,
            b"RaS2" + bytes(hdr), b"UNIRAST\x00\x00\x00\x00\x01" + bytes(40)]


def _mutate(rng: random.Random, data: bytes) -> bytes:
    b = bytearray(data)
    for _ in range(rng.randint(1, 8)):
        op = rng.randrange(6)
        i = rng.randrange(len(b) + 1)
        if op == 0 and b:
            b[min(i, len(b) - 1)] = rng.randrange(256)
        elif op == 1:
            b[i:i] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 16)))
        elif op == 2:
            del b[i:i + rng.randint(1, 64)]
        elif op == 3:
            b = b[:i]
        elif op == 4:
            tok = rng.choice([b"(", b")", b"<", b">>", b"[", b"{", b"\\", b"\x1b*b99999W", b"stream\n", b"obj",
                              b"\x1f\x8b", b"/Length 999999", b"9999999999 0 R", b"\xc8\xc2\xff\xff\xff\xff",
                              b"\xfa\xff\xff\xff\x7f", UEL, b"@PJL ENTER LANGUAGE=PDF\r\n", b"BT", b"TJ"])
            b[i:i] = tok
        else:
            j = rng.randrange(len(b) + 1)
            b[i:i] = b[j:j + rng.randint(1, 200)]
    return bytes(b)


def test_fuzz_never_raises_bounded_time() -> None:
    rng = random.Random(20261125)
    seeds = _seeds()
    worst = 0.0
    for k in range(2400):
        doc = _mutate(rng, seeds[k % len(seeds)])
        try:
            langs = classify.detect_all(doc)
        except UnicodeError:  # classify.pjl.language_name on non-Latin-1 ENTER values (reported)
            langs = []
        t0 = time.perf_counter()
        r = extract_text(doc, langs, max_chars=10_000)
        worst = max(worst, time.perf_counter() - t0)
        assert r.status in ("text", "raster", "no-text", "unsupported", "truncated")
        assert "extractor error" not in r.detail, (k, r.detail)
        assert len(r.text) <= 10_000
        assert isinstance(r.detail, str)
    assert worst < 2.0


def test_random_bytes() -> None:
    rng = random.Random(7)
    for _ in range(300):
        doc = bytes(rng.randrange(256) for _ in range(rng.randint(0, 2000)))
        for langs in ([], ["PDF"], ["PostScript"], ["PCL5"], ["PCLXL"]):
            r = extract_text(doc, langs)
            assert "extractor error" not in r.detail
