"""_entry.py: a crash can never read as a verdict. Any exception while the package loads, or one
the CLI's guard missed, is exit 4 with one line (the traceback only under --debug)."""
from __future__ import annotations

import os
import subprocess
import sys

import pytest
from click.testing import CliRunner

from sniffprint.cli import main
from tests.conftest import PCAPS, ROOT

CAP = str(PCAPS / "raw9100-cups-socket.pcap")  # an exposed capture: a real verdict would be 1


def _run(args: list[str], shadow: dict[str, str], tmp_path) -> subprocess.CompletedProcess[str]:
    for rel, text in shadow.items():
        path = tmp_path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(tmp_path), str(ROOT)])}
    return subprocess.run([sys.executable, "-m", "sniffprint", *args], capture_output=True, text=True,
                          env=env, cwd=ROOT, timeout=120)


@pytest.mark.parametrize("shadow", [
    {"click/__init__.py": "raise RuntimeError('broken click install')"},  # a dependency fails to import
    {"pandas/__init__.py": "raise ImportError('no pandas')", "click/__init__.py": "import sys; del sys"},
], ids=["dependency-raises", "dependency-is-not-what-we-expect"])
def test_an_exception_at_import_is_exit_4_with_one_line(shadow, tmp_path):
    r = _run(["verify", CAP], shadow, tmp_path)
    assert r.returncode == 4, (r.returncode, r.stderr)
    lines = [line for line in r.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "internal error" in lines[0] and "Traceback" not in r.stderr


def test_debug_shows_the_traceback_and_still_exits_4(tmp_path):
    r = _run(["verify", "--debug", CAP], {"click/__init__.py": "raise RuntimeError('broken click install')"},
             tmp_path)
    assert r.returncode == 4 and "Traceback" in r.stderr and "broken click install" in r.stderr


def test_a_crash_during_the_run_is_4_with_or_without_debug(monkeypatch):
    from sniffprint import api

    def boom(self):  # noqa: ANN001
        raise RuntimeError("simulated bug")

    monkeypatch.setattr(api.Pipeline, "_finish", boom)
    for extra in ([], ["--debug"]):
        r = CliRunner().invoke(main, ["verify", *extra, CAP])
        assert r.exit_code == 4, (extra, r.output)
        assert "internal error" in r.stderr


def test_the_module_entry_point_passes_real_verdicts_through(tmp_path):
    assert _run(["verify", CAP], {}, tmp_path).returncode == 1
    assert _run(["verify", str(PCAPS / "tls9100-socat.pcap")], {}, tmp_path).returncode == 0
    assert _run(["verify"], {}, tmp_path).returncode == 2
