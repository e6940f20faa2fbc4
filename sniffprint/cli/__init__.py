"""Command line: ``sniffprint scan`` / ``verify`` / ``report`` / ``live`` / ``diff``. The only package that exits.

It parses arguments into a frozen ``Options`` and ``SourceSpec``s, lets ``api.Pipeline`` run, and
renders. Exit codes (``findings.verdict.ExitCode``, README "Exit codes"):

- ``scan``, ``report`` and ``live``: 0 the run completed (whatever it found); 2 usage error or
  unreadable input (missing path, empty file, not a capture, no capture privilege, missing
  interface, bad policy); 4 internal error.
- ``verify``: 0 print traffic seen and all of it protected; 1 a finding at or above ``--fail-on``;
  2 usage/unreadable input; 3 inconclusive; 4 internal error (``findings.verdict`` explains 0/1/3).
- ``diff``: 0 nothing got worse; 1 a cleartext path appeared or a protected one regressed; 2
  usage/unreadable input; 3 the two sets cannot be compared (no printer in both); 4 internal error.
  ``--exit-zero`` turns 1 into 0 but never hides 2, 3 or 4.

A bug never exits 0 or 1: Python's default crash status 1 is caught and becomes 4, with a
one-line message (``--debug`` shows the traceback). Human summaries go to stderr, machine output
to stdout or ``-o``.

Layout: one module per command, the ``main`` group and the registry ``COMMANDS`` here, and their
shared plumbing: ``console`` (messages on stderr, the guard that maps failures to exit codes),
``flags`` (the options several commands share) and ``run`` (options, sources, writer and pipeline
of one run). Adding a command is one new module (a ``click.Command``) plus one line in
``COMMANDS``, as for dissectors and outputs: registration is explicit, not an import side effect.
"""
from __future__ import annotations

import click

from .._version import __version__
from . import diff, live, report, scan, verify


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="sniffprint")
def main() -> None:
    """Find print traffic that crosses the network in cleartext, and prove when none does."""


COMMANDS: list[click.Command] = [
    scan.scan,
    verify.verify,
    report.report,
    live.live,
    diff.diff,
]
for _command in COMMANDS:
    main.add_command(_command)
