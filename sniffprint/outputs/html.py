"""One self-contained HTML report (``sniffprint report CAPTURE... -o report.html``, ``--format html``).

What it shows, top to bottom: the verdict and why (``Summary.verdict``/``reasons``, the verdict
every format states), one row per printer (verdict, protocols, bytes in clear and protected,
worst finding), every finding with its redacted evidence (hash, masked excerpt, sensitive-data
counts, keyed hashes of names, a pixelated page-1 thumbnail when the run wrote an evidence
folder), what to do per finding code, the plots (``plots``), and the facts of the captures
(SHA-256 when known, time span, packets, anomalies, tool version).

Invariants:
- Self-contained: CSS inline, images as ``data:`` URIs, no script, no font, no link that loads
  anything; a Content-Security-Policy (``default-src 'none'``) makes a browser refuse any fetch
  even if one slipped in. Only ``#`` anchors link anywhere.
- Every string goes through ``esc``: HTML-escaped, and control, format and bidirectional
  characters (off the wire, they could hide or reorder text) shown as ``\\xNN``/``\\uNNNN``.
- Redaction as in every output: the records arrive redacted by the pipeline (names in clear only
  with ``--reveal``, never document text), and nothing else is read from the traffic.
- Thumbnails are read from the run's evidence folder (``evidence_dir``) only, only if they are
  PNG files there.
"""
from __future__ import annotations

import base64
import datetime as _dt
import unicodedata
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .._version import __version__
from ..findings.codes import TITLES
from ..findings.verdict import finding_fails
from ..model import Severity
from ..records import CaptureSummary, Finding, PrinterRecord, Summary
from .base import CollectingWriter

if TYPE_CHECKING:  # pragma: no cover
    from ..report import Report

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
MAX_THUMBNAIL = 2 << 20  # a thumbnail is a few KB: anything bigger is not ours
MAX_ANOMALY_KINDS = 50
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


def _bytes(n: int | None) -> str:
    if n is None:
        return "-"
    v = float(n)
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if v < 1024 or unit == "TB":
            return f"{v:.0f} {unit}" if unit == "B" else f"{v:.1f} {unit}"
        v /= 1024
    return f"{n} B"  # pragma: no cover


def _time(ts: float | None) -> str:
    if ts is None:
        return "-"
    try:
        return _dt.datetime.fromtimestamp(ts, _dt.timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")
    except (OverflowError, OSError, ValueError):
        return f"{ts} (out of range)"


def _span(seconds: float) -> str:
    if seconds < 120:
        return f"{seconds:.1f} s"
    if seconds < 7200:
        return f"{seconds / 60:.1f} min"
    if seconds < 2 * 86400:
        return f"{seconds / 3600:.1f} h"
    return f"{seconds / 86400:.1f} days"


def _ep(ip: str | None, port: int | None) -> str:
    if not ip:
        return "the capture"
    host = f"[{ip}]" if ":" in ip else ip
    return f"{host}:{port}" if port is not None else host


CSS = """
:root{--exposed:#b71c1c;--protected:#1b5e20;--inconclusive:#e65100;--internal-error:#4a148c;--weak:#e65100;
--unknown:#616161;--ink:#1d1d1f;--muted:#5f6368;--line:#e0e0e0;--bg:#fafafa}
*{box-sizing:border-box}
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;color:var(--ink);
margin:0;background:var(--bg)}
main{max-width:1180px;margin:0 auto;padding:0 20px 40px}
header.verdict{color:#fff;padding:22px 28px;margin:0 0 18px}
header.verdict .word{font-size:34px;font-weight:700;letter-spacing:.04em}
header.verdict ul{margin:6px 0 8px;padding-left:20px}
header.verdict p{margin:0;opacity:.9;font-size:13px}
.v-exposed{background:var(--exposed)}.v-protected{background:var(--protected)}
.v-inconclusive{background:var(--inconclusive)}.v-internal-error{background:var(--internal-error)}
nav{font-size:14px;margin:0 0 8px}nav a{margin-right:14px;color:#1a4f9c}
h2{font-size:20px;border-bottom:2px solid var(--line);padding-bottom:4px;margin:28px 0 10px}
table{border-collapse:collapse;width:100%;background:#fff;font-size:14px}
th,td{border:1px solid var(--line);padding:5px 8px;text-align:left;vertical-align:top}
th{background:#f1f3f4;font-weight:600}td.num{text-align:right;font-variant-numeric:tabular-nums}
.badge{display:inline-block;border-radius:3px;padding:1px 7px;color:#fff;font-size:12px;font-weight:600;
text-transform:uppercase;letter-spacing:.03em;white-space:nowrap}
.b-exposed,.b-critical{background:var(--exposed)}.b-high{background:#d84315}.b-medium,.b-weak{background:var(--weak)}
.b-low{background:#f9a825;color:#222}.b-info{background:#607d8b}.b-protected{background:var(--protected)}
.b-unknown{background:var(--unknown)}
article.finding{background:#fff;border:1px solid var(--line);border-left:6px solid #607d8b;margin:12px 0;
padding:10px 14px}
article.sev-critical{border-left-color:var(--exposed)}article.sev-high{border-left-color:#d84315}
article.sev-medium{border-left-color:var(--weak)}article.sev-low{border-left-color:#f9a825}
article h3{margin:0 0 6px;font-size:16px}article h3 code{font-size:15px}
dl{display:grid;grid-template-columns:max-content 1fr;gap:3px 14px;margin:6px 0}
dt{color:var(--muted)}dd{margin:0;overflow-wrap:anywhere}
pre.excerpt{white-space:pre-wrap;overflow-wrap:anywhere;background:#f6f8fa;border:1px solid var(--line);
padding:6px 8px;margin:0;font-size:13px}
.chip{display:inline-block;background:#fde0dc;border-radius:10px;padding:0 8px;margin:0 4px 2px 0;font-size:13px}
.chip.zero{background:#eceff1;color:var(--muted)}
.thumb{float:right;margin:0 0 8px 14px;border:1px solid #bbb;image-rendering:pixelated;max-width:170px}
.fix{background:#e8f5e9;border-left:4px solid var(--protected);padding:6px 10px;margin-top:8px}
.excepted{background:#fff8e1;padding:4px 8px}
.grid{display:grid;grid-template-columns:1fr 1fr;gap:10px}.grid .wide{grid-column:1/3}
.plots img{width:100%;background:#fff;border:1px solid var(--line)}
.ctl{color:#b71c1c;font-family:monospace;background:#fff3e0}
.muted{color:var(--muted)}code,.mono{font-family:"DejaVu Sans Mono",monospace;font-size:13px}
footer{color:var(--muted);font-size:13px;margin-top:30px}
"""


class HtmlWriter(CollectingWriter):
    """``--format html``: the whole report as one HTML page, written when the run ends."""

    def end(self, stats: Summary) -> None:
        super().end(stats)
        self.fp.write(render(self.report, evidence_dir=self.evidence_dir, reveal=self.reveal))
        self.fp.flush()


def render(report: Report, *, evidence_dir: str | None = None, reveal: bool = False) -> str:
    """The HTML page of one run (its ``stats`` carry the verdict: ``Pipeline.verdict``)."""
    stats = report.stats or Summary(captures=(), frames=0, tcp_segments=0, udp_datagrams=0, other_ip=0, non_ip=0,
                                    ip_fragments=0, bad_ip_checksums=0, bad_tcp_checksums=0, undecodable=0,
                                    flows=0, flows_evicted=0, anomalies=0, internal_errors=0, truncated=False,
                                    elapsed_s=0.0)
    findings, printers = report.findings, report.printers
    verdict = stats.verdict or "inconclusive"
    order = sorted(findings, key=lambda f: (-f.severity.rank, f.code, f.capture or "", f.ts or 0.0))
    parts = [
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">",
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; img-src data:; "
        "style-src 'unsafe-inline'\">",
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">",
        f"<title>sniffprint: {esc(verdict.upper())}</title><style>{CSS}</style></head><body>",
        _verdict(stats, findings, printers, reveal),
        "<main>",
        "<nav><a href=\"#printers\">Printers</a><a href=\"#plots\">Plots</a><a href=\"#findings\">Findings</a>"
        "<a href=\"#remediation\">What to do</a><a href=\"#evidence\">Evidence</a>"
        "<a href=\"#captures\">Captures</a></nav>",
        _printers(printers),
        _plots(report),
        _findings(order, stats),
        _remediation(order, stats),
        _evidence(order, evidence_dir),
        _captures(stats, report.anomalies),
        f"<footer>sniffprint {esc(__version__)}. By default this report holds no document text, no value "
        "found to be sensitive, and no user, job or document name in clear (keyed hashes stand in for "
        "them); thumbnails are pixelated below legibility.</footer>",
        "</main></body></html>\n",
    ]
    return "\n".join(parts)


# ---------------------------------------------------------------------------------- sections
def _verdict(stats: Summary, findings: list[Finding], printers: list[PrinterRecord], reveal: bool) -> str:
    verdict = stats.verdict or "inconclusive"
    reasons = "".join(f"<li>{esc(r)}</li>" for r in (stats.reasons or ()))
    fail_on = stats.fail_on.value if stats.fail_on is not None else "medium"
    n = len(stats.captures)
    span = _capture_span(stats.captures)
    revealed = " Names are shown as sent (--reveal)." if reveal else ""
    return (f"<header class=\"verdict v-{esc(verdict)}\" id=\"verdict\"><div class=\"word\">{esc(verdict.upper())}"
            f"</div><ul>{reasons}</ul><p>Threshold: findings at or above <b>{esc(fail_on)}</b> fail the run. "
            f"{n} capture{'s' if n != 1 else ''}{esc(span)}, {len(printers)} printer(s), {len(findings)} finding(s)."
            f"{revealed}</p></header>")


def _capture_span(captures: tuple[CaptureSummary, ...]) -> str:
    first = [c.first_ts for c in captures if c.first_ts is not None]
    last = [c.last_ts for c in captures if c.last_ts is not None]
    if not first or not last:
        return ""
    return f" from {_time(min(first))} to {_time(max(last))} ({_span(max(last) - min(first))})"


def _printers(printers: list[PrinterRecord]) -> str:
    head = ("<section id=\"printers\"><h2>Printers</h2>")
    if not printers:
        return head + "<p class=\"muted\">No printer was seen printing.</p></section>"
    rows = ["<table id=\"printer-table\"><thead><tr><th>printer</th><th>verdict</th><th>protocols</th>"
            "<th>ports</th><th>clients</th><th>print flows</th><th>jobs in clear</th><th>bytes in clear</th>"
            "<th>bytes protected</th><th>worst finding</th></tr></thead><tbody>"]
    for p in printers:
        v = p.verdict.value
        worst = (f"<span class=\"badge b-{esc(p.worst.severity.value)}\">{esc(p.worst.severity.value)}</span> "
                 f"<code>{esc(p.worst.code)}</code> {esc(p.worst.title)}") if p.worst is not None else "-"
        rows.append(f"<tr><td class=\"mono\">{esc(p.server_ip)}</td><td><span class=\"badge b-{esc(v)}\">{esc(v)}"
                    f"</span></td><td>{esc(', '.join(p.protocols) or '-')}</td>"
                    f"<td>{esc(', '.join(map(str, p.ports)) or '-')}</td><td class=\"num\">{p.clients}</td>"
                    f"<td class=\"num\">{p.print_flows}</td><td class=\"num\">{p.jobs_clear}</td>"
                    f"<td class=\"num\">{_bytes(p.bytes_clear)}</td><td class=\"num\">{_bytes(p.bytes_protected)}"
                    f"</td><td>{worst}</td></tr>")
    rows.append("</tbody></table>")
    return head + "".join(rows) + "</section>"


def _findings(order: list[Finding], stats: Summary) -> str:
    fail_on = stats.fail_on or Severity.MEDIUM
    out = [f"<section id=\"findings\"><h2>Findings ({len(order)})</h2>"]
    if not order:
        return out[0] + "<p class=\"muted\">No findings.</p></section>"
    out.append("<table id=\"finding-table\"><thead><tr><th>#</th><th>severity</th><th>code</th><th>where</th>"
               "<th>what</th><th>fails the run</th></tr></thead><tbody>")
    for i, f in enumerate(order, 1):
        fails = "yes" if finding_fails(f, fail_on) else "no"
        out.append(f"<tr><td><a href=\"#f{i}\">{i}</a></td><td><span class=\"badge b-{esc(f.severity.value)}\">"
                   f"{esc(f.severity.value)}</span></td><td><code>{esc(f.code)}</code></td>"
                   f"<td class=\"mono\">{esc(_ep(f.server_ip, f.server_port))}</td><td>{esc(f.title)}</td>"
                   f"<td>{fails}</td></tr>")
    out.append("</tbody></table></section>")
    return "\n".join(out)


def _evidence(order: list[Finding], evidence_dir: str | None) -> str:
    if not order:
        return ""
    return "\n".join(["<section id=\"evidence\"><h2>Findings and their evidence</h2>",
                      *(_finding(i, f, evidence_dir) for i, f in enumerate(order, 1)), "</section>"])


def _finding(i: int, f: Finding, evidence_dir: str | None) -> str:
    sev = f.severity.value
    where = _ep(f.server_ip, f.server_port)
    if f.client_ip:
        where = f"{_ep(f.client_ip, f.client_port)} → {where}"
    facts: list[tuple[str, str]] = [("where", f"<span class=\"mono\">{esc(where)}</span>")]
    what = ", ".join(x for x in (f.protocol, f.language) if x)
    if what:
        facts.append(("protocol, language", esc(what)))
    if f.bytes_exposed:
        facts.append(("bytes exposed", _bytes(f.bytes_exposed)))
    if f.detail:
        facts.append(("detail", esc(f.detail)))
    if f.ts is not None:
        facts.append(("when", _time(f.ts)))
    facts.append(("capture", f"<span class=\"mono\">{esc(f.capture or '-')}</span>"))
    if f.uid:
        facts.append(("flow", f"<span class=\"mono\">{esc(f.uid)}</span>"
                      + (f" <span class=\"muted mono\">{esc(f.community_id)}</span>" if f.community_id else "")))
    thumb = ""
    ev = f.evidence
    if ev is not None:
        if ev.sha256:
            complete = "" if ev.complete is not False else " (incomplete: the hash is of what was captured)"
            facts.append(("document SHA-256", f"<span class=\"mono\">{esc(ev.sha256)}</span>{esc(complete)}"))
        if ev.length is not None:
            facts.append(("document length", _bytes(ev.length)))
        if ev.pages is not None:
            facts.append(("pages", esc(ev.pages)))
        if ev.text_status:
            facts.append(("text extracted", esc(ev.text_status) + (f" ({esc(ev.text_detail)})" if ev.text_detail
                                                                   else "")))
        if ev.pii_counts is not None:
            chips = "".join(f"<span class=\"chip{'' if n else ' zero'}\">{esc(k)} {int(n)}</span>"
                            for k, n in ev.pii_counts.items())
            facts.append(("sensitive data found", chips or "-"))
        if ev.masked_excerpt:
            facts.append(("text (masked)", f"<pre class=\"excerpt\">{esc(ev.masked_excerpt)}</pre>"))
        if ev.hashed_names:
            facts.append(("names (keyed hashes)", "<br>".join(
                f"{esc(k)}: <span class=\"mono\">{esc(v)}</span>" for k, v in ev.hashed_names.items())))
        if ev.names:
            facts.append(("names as sent (--reveal)", "<br>".join(
                f"{esc(k)}: {esc(v)}" for k, v in ev.names.items())))
        if ev.thumbnail is not None:
            data = _thumbnail(evidence_dir, ev.thumbnail.path)
            if data is not None:
                thumb = (f"<img class=\"thumb\" alt=\"page 1, pixelated\" width=\"170\" "
                         f"src=\"data:image/png;base64,{data}\">")
            else:
                facts.append(("thumbnail", esc(f"{ev.thumbnail.status}: {ev.thumbnail.detail}")))
        if ev.carved_path:
            facts.append(("carved document", f"<span class=\"mono\">{esc(ev.carved_path)}</span>"))
    excepted = (f"<p class=\"excepted\">Excepted by policy: {esc(f.suppressed)}</p>" if f.suppressed else "")
    dl = "".join(f"<dt>{k}</dt><dd>{v}</dd>" for k, v in facts)
    return (f"<article class=\"finding sev-{esc(sev)}\" id=\"f{i}\">{thumb}<h3>{i}. <span class=\"badge b-{esc(sev)}\">"
            f"{esc(sev)}</span> <code>{esc(f.code)}</code> {esc(f.title)}</h3>{excepted}<dl>{dl}</dl>"
            f"<div class=\"fix\"><b>What to do:</b> {esc(f.remediation)}</div></article>")


def _thumbnail(evidence_dir: str | None, rel: str | None) -> str | None:
    """The thumbnail PNG of the run's evidence folder, base64; None when there is none to embed."""
    if not evidence_dir or not rel:
        return None
    root = Path(evidence_dir).resolve()
    path = (root / rel).resolve()
    if root not in path.parents:
        return None  # only files inside the folder
    try:
        with open(path, "rb") as fp:
            data = fp.read(MAX_THUMBNAIL + 1)
    except OSError:
        return None
    if not data.startswith(PNG_MAGIC) or len(data) > MAX_THUMBNAIL:
        return None
    return base64.b64encode(data).decode("ascii")


def _remediation(order: list[Finding], stats: Summary) -> str:
    """One row per fix (the remediation text depends on the code and the protocol), the most
    severe first, with the findings and the printers it covers."""
    fail_on = stats.fail_on or Severity.MEDIUM
    fixes: dict[str, list[Finding]] = {}
    for f in order:  # already most severe first
        if f.remediation and (f.severity is not Severity.INFO or finding_fails(f, fail_on)):
            fixes.setdefault(f.remediation, []).append(f)
    out = ["<section id=\"remediation\"><h2>What to do</h2>"]
    if not fixes:
        out.append("<p class=\"muted\">Nothing to fix: no finding above info.</p>")
    else:
        out.append("<table><thead><tr><th>fix</th><th>for</th><th>where</th></tr></thead><tbody>")
        for fix, fs in fixes.items():
            codes = Counter(f.code for f in fs)
            sev = {f.code: f.severity.value for f in reversed(fs)}
            what = "<br>".join(f"<span class=\"badge b-{esc(sev[c])}\">{esc(sev[c])}</span> <code>{esc(c)}</code> "
                               f"{esc(TITLES.get(c, c))} ({n})" for c, n in codes.items())
            where = sorted({_ep(f.server_ip, f.server_port) for f in fs})
            out.append(f"<tr><td>{esc(fix)}</td><td>{what}</td><td class=\"mono\">{esc(', '.join(where))}</td></tr>")
        out.append("</tbody></table>")
    out.append("</section>")
    return "".join(out)


def _plots(report: Any) -> str:
    from .. import plots

    out = ["<section id=\"plots\" class=\"plots\"><h2>Plots</h2><div class=\"grid\">"]
    rows = min(max(len(report.printers), 1), plots.MAX_ROWS)
    for fn, alt, width, height, wide in (
            (plots.plot_exposure_timeline, "print flows over time by protection", 11.0, 1.7 + 0.45 * rows, True),
            (plots.plot_protocol_matrix, "print protocols per printer", 5.5, 2.4 + 0.45 * rows, False),
            (plots.plot_top_clients, "top clients by print bytes in clear", 5.5, 2.4 + 0.45 * rows, False),
            (plots.plot_tls, "TLS print flows by version and certificate", 11.0, 2.2, True)):
        data = base64.b64encode(plots.png(fn, report, width=width, height=height, dpi=100)).decode()
        cls = ' class="wide"' if wide else ""
        out.append(f"<div{cls}><img alt=\"{esc(alt)}\" "
                   f"src=\"data:image/png;base64,{data}\"></div>")
    out.append("</div></section>")
    return "\n".join(out)


def _captures(stats: Summary, anomalies: list[Any]) -> str:
    out = ["<section id=\"captures\"><h2>Captures</h2>",
           "<table><thead><tr><th>capture</th><th>format</th><th>SHA-256</th><th>first packet</th>"
           "<th>span</th><th>packets</th><th>bytes</th><th>state</th></tr></thead><tbody>"]
    for c in stats.captures:
        state = [w for w, on in (("truncated", c.truncated), ("damaged", c.damaged)) if on]
        if c.read_error:
            state.append(f"read error: {c.read_error}")
        if c.drops:
            state.append(f"{c.drops} dropped")
        span = _span(c.last_ts - c.first_ts) if c.first_ts is not None and c.last_ts is not None else "-"
        sha = (f"<span class=\"mono\">{esc(c.sha256)}</span>" if c.sha256 else
               "<span class=\"muted\">not computed (written with an evidence folder)</span>")
        out.append(f"<tr><td class=\"mono\">{esc(c.path)}</td><td>{esc(c.format or '-')}</td><td>{sha}</td>"
                   f"<td>{_time(c.first_ts)}</td><td>{esc(span)}</td><td class=\"num\">{c.frames}</td>"
                   f"<td class=\"num\">{_bytes(c.bytes)}</td><td>{esc(', '.join(state) or 'complete')}</td></tr>")
    out.append("</tbody></table>")
    out.append(f"<p>{stats.frames} packets, {stats.flows} TCP flows ({stats.flows_evicted} evicted), "
               f"{stats.anomalies} anomalies, {stats.internal_errors} internal errors, read in {stats.elapsed_s:.2f} s "
               f"by sniffprint {esc(__version__)}.</p>")
    kinds = Counter((a.layer, a.kind) for a in anomalies)
    if kinds:
        first: dict[tuple[str, str], str] = {}
        for a in anomalies:
            first.setdefault((a.layer, a.kind), a.detail)
        out.append("<h3>Anomalies</h3><table><thead><tr><th>layer</th><th>kind</th><th>count</th>"
                   "<th>first one</th></tr></thead><tbody>")
        for (layer, kind), n in kinds.most_common(MAX_ANOMALY_KINDS):
            out.append(f"<tr><td>{esc(layer)}</td><td>{esc(kind)}</td><td class=\"num\">{n}</td>"
                       f"<td>{esc(first[(layer, kind)])}</td></tr>")
        out.append("</tbody></table>")
    out.append("</section>")
    return "\n".join(out)
