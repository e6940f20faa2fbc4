"""masking: word shapes keep no content; property-tested."""
from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from sniffprint.evidence.masking import mask_text, masked_excerpt


def test_examples() -> None:
    assert mask_text("Alice Example, SSN 078-05-1120") == "Xxxxx Xxxxxxx, XXX 999-99-9999"
    assert mask_text("a\t\n  b") == "x x"
    assert mask_text("Éé ß ½ ٣ 中") == "Xx x 9⁄9 9 x"  # NFKC: ½ is 1⁄2
    # letters dressed as symbols, other scripts' marks, compatibility forms: all masked (issue 9)
    assert mask_text("Ⓒ Ⓐⓑ ＡＢＣ１２ 𝐀𝐁") == "X Xx XXX99 XX"
    assert mask_text("कि שָׁלוֹם a\u0301b") == "x xxxx xx"
    assert masked_excerpt("  hello   world  ") == "xxxxx xxxxx"
    assert masked_excerpt("abc def", max_len=3) == "xxx\u2026"
    assert masked_excerpt("") == ""


def _clean(out: str, text: str) -> bool:
    """No letter, number or mark survives, in the output or in its NFKC form."""
    import unicodedata

    def ok(s: str) -> bool:
        return all(unicodedata.category(c)[0] not in "LNM" or c in "xX9" for c in s)

    return ok(out) and ok(unicodedata.normalize("NFKC", out))


@given(st.text())
def test_no_alphanumeric_survives(text: str) -> None:
    out = mask_text(text)
    assert _clean(out, text)
    assert _clean(masked_excerpt(text), text)


@given(st.text())
def test_idempotent(text: str) -> None:
    once = mask_text(text)
    assert mask_text(once) == once
    ex = masked_excerpt(text)
    assert masked_excerpt(ex.rstrip("\u2026"), max_len=10**6) == ex.rstrip("\u2026")


@given(st.text(), st.integers(min_value=0, max_value=300))
def test_excerpt_length(text: str, n: int) -> None:
    ex = masked_excerpt(text, n)
    assert len(ex) <= n + 1
    assert not ex.startswith(" ") and "  " not in ex
