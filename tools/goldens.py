"""Golden outputs of the bundled captures: ``pcaps/<name>.findings.json`` beside each capture.

Each golden pins, for one capture in ``pcaps/``, everything a user sees from it:

- ``scan``: every JSON line of ``sniffprint scan --format json`` in the order written (the public
  contract), with the run's wall-clock time removed;
- ``table``: the lines of ``sniffprint scan`` (the human table);
- ``verify``: the exit status, verdict and reasons of ``sniffprint verify``.

A refactor must leave every golden unchanged; a change of behaviour shows up as a reviewed diff.
Names are hashed with a fixed key (``GOLDEN_KEY``) so the goldens do not depend on a site key.

    python3 tools/goldens.py            # compare, print a unified diff per changed golden, exit 1
    python3 tools/goldens.py --update   # rewrite the goldens (then review ``git diff pcaps/``)
    python3 tools/goldens.py --only lpd-cups
"""
from __future__ import annotations

import argparse
import difflib
import json
import os
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
PCAPS = ROOT / "pcaps"
GOLDEN_KEY = "sniffprint-golden-test-key"
VOLATILE = ("elapsed_s",)  # summary fields that change from run to run


def captures() -> list[Path]:
    return sorted(p for p in PCAPS.iterdir() if p.suffix in (".pcap", ".pcapng"))


def golden_path(cap: Path) -> Path:
    return cap.with_name(cap.stem + ".findings.json")


def _run(args: list[str]) -> tuple[int, str]:
    from click.testing import CliRunner

    from sniffprint.cli import main

    env = {"SNIFFPRINT_HASH_KEY": GOLDEN_KEY}
    r = CliRunner().invoke(main, args, env=env, catch_exceptions=False)
    return r.exit_code, r.stdout


def _scrub(rec: dict[str, Any]) -> dict[str, Any]:
    if rec.get("type") == "summary":
        rec = {k: v for k, v in rec.items() if k not in VOLATILE}
    return rec


def produce(cap: Path) -> dict[str, Any]:
    """The golden document of one capture, as this working tree computes it."""
    rel = str(cap.relative_to(ROOT))
    cwd = os.getcwd()
    os.chdir(ROOT)  # capture paths in the output stay relative: the goldens do not name a checkout
    try:
        code, out = _run(["scan", "--format", "json", rel])
        scan = [_scrub(json.loads(line)) for line in out.splitlines() if line.strip()]
        tcode, table = _run(["scan", rel])
        vcode, vout = _run(["verify", "--format", "json", rel])
    finally:
        os.chdir(cwd)
    summary = next((json.loads(line) for line in vout.splitlines() if '"type":"summary"' in line), {})
    return {
        "capture": cap.name,
        "scan_exit": code,
        "scan": scan,
        "table_exit": tcode,
        "table": table.splitlines(),
        "verify": {"exit_code": vcode, "verdict": summary.get("verdict"), "reasons": summary.get("reasons")},
    }


def dump(doc: dict[str, Any]) -> str:
    return json.dumps(doc, indent=1, ensure_ascii=False, sort_keys=True) + "\n"  # key order is not behaviour


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--update", action="store_true", help="rewrite the goldens instead of comparing")
    ap.add_argument("--only", help="comma-separated capture stems")
    args = ap.parse_args(argv)
    chosen = captures()
    if args.only:
        names = set(args.only.split(","))
        chosen = [c for c in chosen if c.stem in names]
    changed = 0
    for cap in chosen:
        got = dump(produce(cap))
        path = golden_path(cap)
        want = path.read_text() if path.exists() else ""
        if got == want:
            continue
        changed += 1
        if args.update:
            path.write_text(got)
            print(f"updated {path.relative_to(ROOT)}", file=sys.stderr)
        else:
            sys.stdout.writelines(difflib.unified_diff(want.splitlines(True), got.splitlines(True),
                                                       f"committed/{path.name}", f"now/{path.name}"))
    if not args.update:
        print(f"{len(chosen)} goldens, {changed} changed", file=sys.stderr)
    return 1 if changed and not args.update else 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    sys.exit(main())
