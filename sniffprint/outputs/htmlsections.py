"""The sections of the HTML report around the findings: the verdict header, the printers table,
the findings table, what to do (one row per fix), the plots, and the facts of the captures.

Invariants: every string goes through ``esc``; the plots are PNGs rendered in memory and embedded
as ``data:`` URIs (``plots.png``; matplotlib is imported there, only when a report is drawn);
the anomalies table is bounded by ``MAX_ANOMALY_KINDS``.
"""
from __future__ import annotations

import base64
from collections import Counter
from typing import Any

from .._version import __version__
from ..findings.codes import TITLES
from ..findings.verdict import finding_fails
from ..model import Severity
from ..records import CaptureSummary, Finding, PrinterRecord, Summary
from .htmltext import endpoint, esc, human_size, human_span, utc_time

MAX_ANOMALY_KINDS = 50


def verdict_header(stats: Summary, findings: list[Finding], printers: list[PrinterRecord], reveal: bool) -> str:
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
    return f" from {utc_time(min(first))} to {utc_time(max(last))} ({human_span(max(last) - min(first))})"


def printers_section(printers: list[PrinterRecord]) -> str:
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
                    f"<td class=\"num\">{human_size(p.bytes_clear)}</td>"
                    f"<td class=\"num\">{human_size(p.bytes_protected)}</td><td>{worst}</td></tr>")
    rows.append("</tbody></table>")
    return head + "".join(rows) + "</section>"


def findings_section(order: list[Finding], stats: Summary) -> str:
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
                   f"<td class=\"mono\">{esc(endpoint(f.server_ip, f.server_port))}</td><td>{esc(f.title)}</td>"
                   f"<td>{fails}</td></tr>")
    out.append("</tbody></table></section>")
    return "\n".join(out)


def remediation_section(order: list[Finding], stats: Summary) -> str:
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
            where = sorted({endpoint(f.server_ip, f.server_port) for f in fs})
            out.append(f"<tr><td>{esc(fix)}</td><td>{what}</td><td class=\"mono\">{esc(', '.join(where))}</td></tr>")
        out.append("</tbody></table>")
    out.append("</section>")
    return "".join(out)


def plots_section(report: Any) -> str:
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


def captures_section(stats: Summary, anomalies: list[Any]) -> str:
    out = ["<section id=\"captures\"><h2>Captures</h2>",
           "<table><thead><tr><th>capture</th><th>format</th><th>SHA-256</th><th>first packet</th>"
           "<th>span</th><th>packets</th><th>bytes</th><th>state</th></tr></thead><tbody>"]
    for c in stats.captures:
        state = [w for w, on in (("truncated", c.truncated), ("damaged", c.damaged)) if on]
        if c.read_error:
            state.append(f"read error: {c.read_error}")
        if c.drops:
            state.append(f"{c.drops} dropped")
        span = human_span(c.last_ts - c.first_ts) if c.first_ts is not None and c.last_ts is not None else "-"
        sha = (f"<span class=\"mono\">{esc(c.sha256)}</span>" if c.sha256 else
               "<span class=\"muted\">not computed (written with an evidence folder)</span>")
        out.append(f"<tr><td class=\"mono\">{esc(c.path)}</td><td>{esc(c.format or '-')}</td><td>{sha}</td>"
                   f"<td>{utc_time(c.first_ts)}</td><td>{esc(span)}</td><td class=\"num\">{c.frames}</td>"
                   f"<td class=\"num\">{human_size(c.bytes)}</td><td>{esc(', '.join(state) or 'complete')}</td></tr>")
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
