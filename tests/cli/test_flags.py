"""cli/flags.py: the shared options: validation (exit 2), shell completion of their choices and of the
commands, and the group's --version."""
from __future__ import annotations

from click.testing import CliRunner

from sniffprint._version import __version__
from sniffprint.cli import main


def test_bad_option_exits_2(capture):
    assert CliRunner().invoke(main, ["scan", "--format", "nope", str(capture)]).exit_code == 2


def test_shell_completion_is_click_s():
    r = CliRunner().invoke(main, [], prog_name="sniffprint", env={"_SNIFFPRINT_COMPLETE": "bash_source"})
    assert "_sniffprint_completion" in r.stdout and "complete -o nosort -F" in r.stdout
    r = CliRunner().invoke(main, [], prog_name="sniffprint", env={
        "_SNIFFPRINT_COMPLETE": "bash_complete", "COMP_WORDS": "sniffprint scan --format ", "COMP_CWORD": "3"})
    offered = {line.split(",", 1)[1] for line in r.stdout.splitlines()}
    assert {"html", "json", "parquet", "table", "csv"} <= offered
    r = CliRunner().invoke(main, [], prog_name="sniffprint", env={
        "_SNIFFPRINT_COMPLETE": "bash_complete", "COMP_WORDS": "sniffprint ", "COMP_CWORD": "1"})
    assert {"scan", "verify", "live", "report"} <= {line.split(",", 1)[1] for line in r.stdout.splitlines()}


def test_version():
    r = CliRunner().invoke(main, ["--version"])
    assert r.exit_code == 0 and r.stdout == f"sniffprint, version {__version__}\n"
