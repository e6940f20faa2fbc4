"""cli/verify.py: the verdict survives a closed pipe; -q leaves only the exit status and errors."""
from __future__ import annotations

from click.testing import CliRunner

from sniffprint.cli import main
from tests.cli.conftest import KEYED
from tests.conftest import PCAPS


def test_a_closed_pipe_never_changes_the_verdict():
    import subprocess
    import sys

    from tests.conftest import PCAPS, ROOT

    cap = str(PCAPS / "raw9100-cups-socket.pcap")
    proc = subprocess.Popen([sys.executable, "-m", "sniffprint", "verify", "--format", "json", cap], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert proc.stdout is not None and proc.stdout.readline()  # `| head -1`
    proc.stdout.close()
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 1, err  # still EXPOSED, not 0
    assert "Traceback" not in err and "BrokenPipe" not in err


def test_quiet_leaves_only_the_exit_status_and_errors():
    r = CliRunner().invoke(main, ["verify", "-q", "--format", "json", str(PCAPS / "lpd-cups.pcap")], env=KEYED)
    assert r.exit_code == 1 and r.stderr == "" and r.stdout.startswith('{"type":')
    r = CliRunner().invoke(main, ["verify", "-q", str(PCAPS / "lpd-cups.pcap"), "missing.pcap"])
    assert r.exit_code == 2 and "missing.pcap" in r.stderr
