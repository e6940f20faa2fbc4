"""The findings of the HTML report one by one, each with its redacted evidence: where, what,
the document's hash and length, pages, text status, sensitive-data counts, the masked excerpt,
keyed hashes of names (names as sent only with ``--reveal``), the thumbnail, what to do.

Invariants: every string goes through ``esc``; a thumbnail is embedded only if it is a PNG file
inside the run's evidence folder (``evidence_dir``), at most ``MAX_THUMBNAIL`` bytes.
"""
from __future__ import annotations

import base64
from pathlib import Path

from ..records import Finding
from .htmltext import endpoint, esc, human_size, utc_time

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
MAX_THUMBNAIL = 2 << 20  # a thumbnail is a few KB: anything bigger is not ours


def evidence_section(order: list[Finding], evidence_dir: str | None) -> str:
    if not order:
        return ""
    return "\n".join(["<section id=\"evidence\"><h2>Findings and their evidence</h2>",
                      *(_article(i, f, evidence_dir) for i, f in enumerate(order, 1)), "</section>"])


def _article(i: int, f: Finding, evidence_dir: str | None) -> str:
    sev = f.severity.value
    where = endpoint(f.server_ip, f.server_port)
    if f.client_ip:
        where = f"{endpoint(f.client_ip, f.client_port)} → {where}"
    facts: list[tuple[str, str]] = [("where", f"<span class=\"mono\">{esc(where)}</span>")]
    what = ", ".join(x for x in (f.protocol, f.language) if x)
    if what:
        facts.append(("protocol, language", esc(what)))
    if f.bytes_exposed:
        facts.append(("bytes exposed", human_size(f.bytes_exposed)))
    if f.detail:
        facts.append(("detail", esc(f.detail)))
    if f.ts is not None:
        facts.append(("when", utc_time(f.ts)))
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
            facts.append(("document length", human_size(ev.length)))
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
