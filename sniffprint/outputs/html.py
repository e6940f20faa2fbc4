"""One self-contained HTML report (``sniffprint report CAPTURE... -o report.html``, ``--format html``).

What it shows, top to bottom: the verdict and why (``Summary.verdict``/``reasons``, the verdict
every format states), one row per printer (verdict, protocols, bytes in clear and protected,
worst finding; the cleartext ports still enabled beside TLS), one row per workstation (who still
prints in clear, to which printers: ``htmlmigration``), every finding with its redacted evidence
(hash, masked excerpt, sensitive-data counts, keyed hashes of names, a pixelated page-1
thumbnail when the run wrote an evidence folder), what to do per finding code, the plots
(``plots``), and the facts of the captures (SHA-256 when known, time span, packets, anomalies,
tool version).

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

This module assembles the page (its head, stylesheet and order of sections); the sections are
``htmlsections``, ``htmlfinding`` and ``htmlmigration``, the escaping and the value formats ``htmltext``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._version import __version__
from ..records import Summary
from .base import CollectingWriter
from .htmlfinding import evidence_section
from .htmlmigration import still_enabled, workstations_section
from .htmlsections import (
    captures_section,
    findings_section,
    plots_section,
    printers_section,
    remediation_section,
    verdict_header,
)
from .htmltext import esc

if TYPE_CHECKING:  # pragma: no cover
    from ..report import Report

__all__ = ["CSS", "HtmlWriter", "esc", "render"]

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
        verdict_header(stats, findings, printers, reveal),
        "<main>",
        "<nav><a href=\"#printers\">Printers</a><a href=\"#workstations\">Workstations</a>"
        "<a href=\"#plots\">Plots</a><a href=\"#findings\">Findings</a>"
        "<a href=\"#remediation\">What to do</a><a href=\"#evidence\">Evidence</a>"
        "<a href=\"#captures\">Captures</a></nav>",
        printers_section(printers),
        still_enabled(printers),
        workstations_section(report.client_records()),
        plots_section(report),
        findings_section(order, stats),
        remediation_section(order, stats),
        evidence_section(order, evidence_dir),
        captures_section(stats, report.anomalies),
        f"<footer>sniffprint {esc(__version__)}. By default this report holds no document text, no value "
        "found to be sensitive, and no user, job or document name in clear (keyed hashes stand in for "
        "them); thumbnails are pixelated below legibility.</footer>",
        "</main></body></html>\n",
    ]
    return "\n".join(parts)
