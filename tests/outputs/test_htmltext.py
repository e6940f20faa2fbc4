"""outputs/htmltext.py: every string escaped with hidden characters shown, and values in words."""
from __future__ import annotations

import pytest

from sniffprint.outputs.htmltext import endpoint, esc, human_size, human_span, utc_time


@pytest.mark.parametrize("raw, shown", [
    ("<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;"),
    ('a "quoted" & \'single\'', "a &quot;quoted&quot; &amp; &#x27;single&#x27;"),
    ("bell\x07esc\x1b[31m", 'bell<span class="ctl">\\x07</span>esc<span class="ctl">\\x1b</span>[31m'),
    ("c1\x85", 'c1<span class="ctl">\\x85</span>'),
    ("right\u202eto left", 'right<span class="ctl">\\u202e</span>to left'),
    ("zero\u200bwidth", 'zero<span class="ctl">\\u200b</span>width'),
    ("line\u2028sep", 'line<span class="ctl">\\u2028</span>sep'),
    ("Grüße, 東京", "Grüße, 東京"),
    ("tab\tnew\nline", "tab\tnew\nline"),
    (None, ""),
    (42, "42"),
])
def test_esc(raw, shown):
    assert esc(raw) == shown


def test_values_in_words():
    assert [human_size(n) for n in (None, 0, 1023, 1024, 5 << 20)] == ["-", "0 B", "1023 B", "1.0 KB", "5.0 MB"]
    assert utc_time(None) == "-" and utc_time(0) == "1970-01-01 00:00:00 UTC" and "out of range" in utc_time(1e300)
    assert [human_span(s) for s in (1.25, 600, 36000, 864000)] == ["1.2 s", "10.0 min", "10.0 h", "10.0 days"]
    assert endpoint(None, None) == "the capture" and endpoint("10.0.0.2", 9100) == "10.0.0.2:9100"
    assert endpoint("fe80::1", 631) == "[fe80::1]:631" and endpoint("10.0.0.2", None) == "10.0.0.2"
