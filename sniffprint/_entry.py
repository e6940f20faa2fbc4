"""The console entry point (``sniffprint`` and ``python -m sniffprint``): a verdict that cannot lie.

Python's own crash status is 1, which ``verify`` defines as EXPOSED. So nothing is imported here
at module level but the standard library: importing the CLI (and through it the whole pipeline)
happens inside ``main``, and any exception there, or anything that escapes the CLI's own guard, is
exit 4 (INTERNAL) with one line on stderr; ``--debug`` adds the traceback. Exits the CLI decides
(0-4, click's usage errors) pass through unchanged.
"""
from __future__ import annotations

import sys
import traceback

INTERNAL = 4  # findings.verdict.ExitCode.INTERNAL, not imported: this module must import nothing of ours


def _crash(what: str, exc: BaseException) -> None:
    if "--debug" in sys.argv[1:]:
        traceback.print_exception(type(exc), exc, exc.__traceback__, file=sys.stderr)
    msg = f"{type(exc).__name__}: {exc}".splitlines()[0] if str(exc) else type(exc).__name__
    where = f" {what}" if what else ""
    sys.stderr.write(f"sniffprint: internal error{where}: {msg} -- please report it "
                     "(run again with --debug for the traceback)\n")
    sys.exit(INTERNAL)


def main() -> None:
    try:
        from .cli import main as cli_main
    except Exception as exc:  # an import that fails is a bug (or a broken install), never a verdict
        _crash("while starting", exc)
        return
    try:
        cli_main()
    except SystemExit:
        raise
    except KeyboardInterrupt as exc:
        _crash("(interrupted)", exc)
    except Exception as exc:  # the CLI's guard missed it: still a bug
        _crash("", exc)


if __name__ == "__main__":  # pragma: no cover
    main()
