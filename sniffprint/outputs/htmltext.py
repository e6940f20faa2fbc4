"""Values as the HTML report shows them: ``esc`` for every string, and sizes, times, spans and
endpoints in words a person reads.

Invariant: ``esc`` HTML-escapes, and shows control, format and bidirectional characters (off the
wire, they could hide or reorder text) as ``\\xNN``/``\\uNNNN``; the other helpers return no
markup and no text from the traffic.
"""
from __future__ import annotations

import datetime as _dt
import unicodedata
from typing import Any

_KEEP = {"\n", "\t"}
_HIDDEN = {"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"}


def esc(value: Any) -> str:
    """Text for HTML: escaped, with invisible and reordering characters made visible."""
    s = "" if value is None else str(value)
    out = []
    for ch in s:
        if ch in _KEEP or (" " <= ch <= "~"):
            out.append({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#x27;"}.get(ch, ch))
        elif unicodedata.category(ch) in _HIDDEN:
            code = ord(ch)
            out.append(f'<span class="ctl">\\x{code:02x}</span>' if code < 0x100
                       else f'<span class="ctl">\\u{code:04x}</span>')
        else:
            out.append(ch)
    return "".join(out)


def human_size(n: int | None) -> str:
    """Bytes in binary units (B, KB, MB...), ``-`` when unknown."""
    if n is None:
        return "-"
    v = float(n)
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if v < 1024 or unit == "TB":
            return f"{v:.0f} {unit}" if unit == "B" else f"{v:.1f} {unit}"
        v /= 1024
    return f"{n} B"  # pragma: no cover


def utc_time(ts: float | None) -> str:
    """A timestamp as UTC date and time, ``-`` when unknown."""
    if ts is None:
        return "-"
    try:
        return _dt.datetime.fromtimestamp(ts, _dt.timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")
    except (OverflowError, OSError, ValueError):
        return f"{ts} (out of range)"


def human_span(seconds: float) -> str:
    """A duration in the unit a person reads it in (s, min, h, days)."""
    if seconds < 120:
        return f"{seconds:.1f} s"
    if seconds < 7200:
        return f"{seconds / 60:.1f} min"
    if seconds < 2 * 86400:
        return f"{seconds / 3600:.1f} h"
    return f"{seconds / 86400:.1f} days"


def endpoint(ip: str | None, port: int | None) -> str:
    """``ip:port`` (IPv6 in brackets), or "the capture" for a capture-level finding."""
    if not ip:
        return "the capture"
    host = f"[{ip}]" if ":" in ip else ip
    return f"{host}:{port}" if port is not None else host
