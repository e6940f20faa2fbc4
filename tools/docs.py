"""Generated parts of docs/: the JSON contract and frame schemas, and the finding codes.

The tables between ``<!-- generated:NAME -->`` and ``<!-- /generated -->`` markers are written from
the code, so they cannot drift from it:

- ``records``: one table per record type (JSON key, frame dtype, meaning), from the record schemas
  in ``sniffprint/records/`` (``col(doc, dtype, ...)``);
- ``codes``: the finding codes with severity and meaning, from the table in the docstring of
  ``sniffprint/findings/codes.py``, with the titles and remediations of that module.

    python3 tools/docs.py            # exit 1 and name each stale file
    python3 tools/docs.py --update   # rewrite the generated blocks
"""
from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
BLOCK = re.compile(r"(<!-- generated:(?P<name>[a-z-]+) -->\n).*?(<!-- /generated -->)", re.S)


def _records_block() -> str:
    from sniffprint.records import (
        Advert,
        CaptureSummary,
        Change,
        ClearPort,
        ClientPath,
        ClientRecord,
        Credential,
        DiffSummary,
        Evidence,
        Finding,
        FlowRecord,
        HostName,
        JobRecord,
        PrinterRecord,
        Summary,
        Thumbnail,
        Worst,
        columns,
    )
    from sniffprint.records import Anomaly as AnomalyRecord

    out = []
    for cls, title in ((FlowRecord, '`"type": "flow"`: one per TCP connection or UDP pseudo-flow'),
                       (Credential, "`credentials[]` (inside a flow)"),
                       (Advert, "`printer_adverts[]` (inside a flow)"),
                       (HostName, "`host_names[]` (inside a flow)"),
                       (JobRecord, '`"type": "job"`: one per print job'),
                       (Finding, '`"type": "finding"`'),
                       (Evidence, "`evidence` (inside a finding; `{}` when there is none)"),
                       (Thumbnail, "`evidence.thumbnail`"),
                       (PrinterRecord, '`"type": "printer"`: one per printer'),
                       (Worst, "`worst` (inside a printer)"),
                       (ClearPort, "`clear_ports[]` (inside a printer)"),
                       (ClientRecord, '`"type": "client"`: one per workstation, after the printers'),
                       (ClientPath, "`paths[]` (inside a client)"),
                       (AnomalyRecord, '`"type": "anomaly"`'),
                       (Summary, '`"type": "summary"`: the last line'),
                       (CaptureSummary, "`captures[]` (inside the summary)"),
                       (Change, '`"type": "change"` (`sniffprint diff --format json`): one per row'),
                       (DiffSummary, '`"type": "diff"` (`sniffprint diff --format json`): the last line')):
        out.append(f"### {title}\n")
        if cls.__doc__:
            out.append(" ".join(cls.__doc__.split()) + "\n")
        out.append("| field | frame dtype | meaning |\n|---|---|---|")
        for c in columns(cls):
            when = " (only when known)" if c.sparse else ""
            out.append(f"| `{c.name}` | {c.dtype} | {c.doc}{when} |")
        out.append("")
    return "\n".join(out)


def _codes_block() -> str:
    from sniffprint.findings import codes

    rows = []
    doc = codes.__doc__ or ""
    for m in re.finditer(r"^  (SP\d{3})  (\S+)\s+(.*?)(?=^  SP\d{3}|^SP\dxx|^\S|\Z)", doc, re.M | re.S):
        code, severity, meaning = m.group(1), m.group(2), " ".join(m.group(3).split())
        rows.append(f"| {code} | {severity} | {meaning} |")
    return "| code | severity | meaning |\n|---|---|---|\n" + "\n".join(rows) + "\n"


GENERATORS = {"records": _records_block, "codes": _codes_block}


def render(text: str) -> str:
    def sub(m: re.Match[str]) -> str:
        name = m.group("name")
        if name not in GENERATORS:
            raise SystemExit(f"unknown generated block {name!r}")
        return m.group(1) + GENERATORS[name]() + m.group(3)

    return BLOCK.sub(sub, text)


def stale() -> list[Path]:
    """Docs whose generated blocks differ from what the code says now."""
    return [p for p in sorted(DOCS.glob("*.md")) if render(p.read_text()) != p.read_text()]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--update", action="store_true")
    args = ap.parse_args(argv)
    bad = stale()
    if args.update:
        for p in bad:
            p.write_text(render(p.read_text()))
            print(f"updated {p.relative_to(ROOT)}", file=sys.stderr)
        return 0
    for p in bad:
        print(f"stale: {p.relative_to(ROOT)} (run python3 tools/docs.py --update)", file=sys.stderr)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    sys.exit(main())
