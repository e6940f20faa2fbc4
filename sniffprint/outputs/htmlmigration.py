"""The migration in the HTML report: the workstations section of a run (``ClientRecord``: who still
prints in clear, to which printers), the printers whose cleartext ports are still enabled beside
TLS (with their evidence flows), and the page of ``sniffprint diff --format html`` (before and
after, per printer and per workstation).

Invariants: as every HTML section, every string goes through ``esc`` and nothing is loaded from
anywhere (the diff page has the report's stylesheet and Content-Security-Policy); the rows and the
result of a diff are ``findings.diff``'s, never recomputed here.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from .._version import __version__
from ..records import Change, ClientRecord, PrinterRecord
from .htmltext import esc, human_size, utc_time

if TYPE_CHECKING:  # pragma: no cover
    from ..findings.diff import Diff

DIRECTION_BADGE = {"better": "protected", "worse": "exposed", "same": "unknown", "unknown": "unknown"}
RESULT_CLASS = {"better": "protected", "unchanged": "protected", "worse": "exposed", "incomparable": "inconclusive"}


def workstations_section(clients: list[ClientRecord]) -> str:
    """One row per client: verdict, names, printers, protocols in clear and protected, jobs and
    bytes in clear, last seen, the verdict in words (the list a Group Policy change targets)."""
    head = "<section id=\"workstations\"><h2>Workstations</h2>"
    if not clients:
        return head + "<p class=\"muted\">No workstation was seen printing.</p></section>"
    still = sum(1 for c in clients if c.protocols_clear)
    rows = [f"<p>{still} of {len(clients)} workstation(s) still print in clear.</p>",
            "<table id=\"client-table\"><thead><tr><th>workstation</th><th>verdict</th><th>names</th>"
            "<th>printers</th><th>in clear</th><th>protected</th><th>jobs in clear</th><th>bytes in clear</th>"
            "<th>last seen</th><th>why</th></tr></thead><tbody>"]
    order = sorted(clients, key=lambda c: (not c.protocols_clear, c.client_ip))  # who still has to move first
    for c in order:
        v = c.verdict.value
        rows.append(f"<tr><td class=\"mono\">{esc(c.client_ip)}</td><td><span class=\"badge b-{esc(v)}\">{esc(v)}"
                    f"</span></td><td>{esc(', '.join(c.hostnames) or '-')}</td>"
                    f"<td class=\"mono\">{esc(', '.join(c.printers))}</td>"
                    f"<td>{esc(', '.join(c.protocols_clear) or '-')}</td>"
                    f"<td>{esc(', '.join(c.protocols_protected) or '-')}</td><td class=\"num\">{c.jobs_clear}</td>"
                    f"<td class=\"num\">{human_size(c.bytes_clear)}</td><td>{utc_time(c.last_seen)}</td>"
                    f"<td>{esc(c.reason)}</td></tr>")
    rows.append("</tbody></table>")
    return head + "".join(rows) + "</section>"


def still_enabled(printers: list[PrinterRecord]) -> str:
    """The printers seen printing protected whose cleartext ports still answered, each with its
    evidence flows (empty when there is none)."""
    items = []
    for p in printers:
        if not p.clear_still_enabled_reason:
            continue
        ports = "".join(f"<li><code>{c.port}</code> {esc(c.service)}: {esc(', '.join(c.evidence))} "
                        f"({c.flows} flow(s); evidence <span class=\"mono\">{esc(', '.join(c.uids))}</span>)</li>"
                        for c in p.clear_ports or () if c.port in (p.clear_still_enabled or ()))
        items.append(f"<li><span class=\"mono\">{esc(p.server_ip)}</span>: {esc(p.clear_still_enabled_reason)}"
                     f"<ul>{ports}</ul></li>")
    if not items:
        return ""
    return ("<div class=\"excepted\" id=\"still-enabled\"><b>Cleartext still enabled beside TLS</b> (the "
            "migration's last step, disabling the cleartext protocols, is not done):<ul>" + "".join(items)
            + "</ul></div>")


def _rows(changes: list[Change], scope: str) -> str:
    out = ["<table><thead><tr><th></th><th>protocol</th><th>before</th><th>after</th><th>change</th>"
           "<th>what</th><th>evidence (after)</th></tr></thead><tbody>"]
    for c in changes:
        who = c.printer if c.scope == "printer" else c.client
        badge = f"<span class=\"badge b-{DIRECTION_BADGE[c.direction]}\">{esc(c.change)}</span>"
        if c.scope == scope:
            names = f" ({esc(', '.join(c.hostnames))})" if c.hostnames and scope == "client" else ""
            out.append(f"<tr><th class=\"mono\" colspan=\"2\">{esc(who)}{names}</th><th>{esc(c.before)}</th>"
                       f"<th>{esc(c.after)}</th><th>{badge}</th><th colspan=\"2\">{esc(c.detail)}</th></tr>")
            continue
        proto = f"{c.protocol} to {c.printer}" if c.scope == "client-protocol" else c.protocol
        out.append(f"<tr><td></td><td>{esc(proto)}</td><td>{esc(c.before)}</td><td>{esc(c.after)}</td>"
                   f"<td>{badge}</td><td>{esc(c.detail)}</td>"
                   f"<td class=\"mono\">{esc(', '.join(c.uids or ()) or '-')}</td></tr>")
    out.append("</tbody></table>")
    return "".join(out)


def diff_section(diff: Diff) -> str:
    """Before and after: the printers, then the workstations."""
    parts = []
    for title, scope, anchor in (("Printers", "printer", "diff-printers"),
                                 ("Workstations", "client", "diff-workstations")):
        rows = [c for c in diff.changes if c.scope.startswith(scope)]
        body = _rows(rows, scope) if rows else "<p class=\"muted\">None seen.</p>"
        parts.append(f"<section id=\"{anchor}\"><h2>{title}: before and after</h2>{body}</section>")
    return "\n".join(parts)


def render_diff(diff: Diff) -> str:
    """The self-contained page of ``sniffprint diff --format html``."""
    from .html import CSS

    s = diff.summary
    reasons = "".join(f"<li>{esc(r)}</li>" for r in s.reasons)
    sides = (f"Before: {esc(', '.join(s.before))}. After: {esc(', '.join(s.after))}. "
             f"{s.printers_compared} printer(s) in both sets; {s.better} better, {s.worse} worse, {s.same} unchanged, "
             f"{s.unknown} seen on one side only.")
    return "\n".join([
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">",
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; img-src data:; "
        "style-src 'unsafe-inline'\">",
        f"<title>sniffprint diff: {esc(s.result.upper())}</title><style>{CSS}</style></head><body>",
        f"<header class=\"verdict v-{RESULT_CLASS.get(s.result, 'inconclusive')}\" id=\"verdict\"><div class=\"word\">"
        f"{esc(s.result.upper())}</div><ul>{reasons}</ul><p>{sides}</p></header>",
        "<main>",
        diff_section(diff),
        f"<footer>sniffprint {esc(__version__)} diff.</footer>",
        "</main></body></html>\n",
    ])
