"""The evidence folder is private and never followed elsewhere: a symlinked folder or a link where a
file would go is refused, an existing empty folder is made 0700, parents are created 0700 under
any umask; its manifest is written from the start, so a run that fails midway (a full disk, a
crash) still says what was written; a write failure is exit 2 naming the path and the OS error."""
from __future__ import annotations

import errno
import json
import os
import resource
import signal
import stat
import subprocess
import sys

import pytest
from click.testing import CliRunner

from sniffprint.cli import main
from sniffprint.errors import OptionsError, OutputError
from sniffprint.evidence import folder as folder_mod
from sniffprint.evidence.folder import EvidenceFolder
from tests.conftest import PCAPS, ROOT

CAP = str(PCAPS / "raw9100-cups-socket.pcap")  # exposed: findings, evidence files, thumbnails
CLEAN = str(PCAPS / "tls9100-socat.pcap")


def _mode(p) -> int:
    return stat.S_IMODE(os.lstat(p).st_mode)


def _scan(*args: str):
    return CliRunner().invoke(main, ["scan", *args])


def test_a_symlinked_folder_is_refused_not_followed(tmp_path):
    real = tmp_path / "real"
    real.mkdir()
    link = tmp_path / "link"
    link.symlink_to(real)
    for given in (str(link), f"{link}/"):
        r = _scan("--evidence", given, CAP)
        assert r.exit_code == 2 and "symbolic link" in r.stderr, r.stderr
    assert list(real.iterdir()) == []
    dangling = tmp_path / "dangling"
    dangling.symlink_to(tmp_path / "nowhere")
    r = _scan("--evidence", str(dangling), CAP)
    assert r.exit_code == 2 and not (tmp_path / "nowhere").exists()


def test_a_link_planted_where_a_file_goes_is_refused(tmp_path):
    target = tmp_path / "target"
    target.write_text("keep me")
    f = EvidenceFolder(str(tmp_path / "ev"))
    os.symlink(target, tmp_path / "ev" / "evidence" / "x.json")
    with pytest.raises(OutputError, match="x.json"):
        f.write("evidence/x.json", b"evidence")
    assert target.read_text() == "keep me"
    assert f.failure is not None and "x.json" in f.errors[0]
    f.finish({})
    manifest = json.loads((tmp_path / "ev" / "manifest.json").read_text())
    assert manifest["complete"] is True and any("x.json" in e for e in manifest["errors"])


def test_an_existing_empty_folder_is_made_private(tmp_path):
    ev = tmp_path / "ev"
    ev.mkdir()
    os.chmod(ev, 0o777)
    r = _scan("--evidence", str(ev), CAP)
    assert r.exit_code == 0, r.stderr
    assert _mode(ev) == 0o700


def test_parents_are_private_whatever_the_umask(tmp_path):
    ev = tmp_path / "a" / "b" / "ev"
    old = os.umask(0)
    try:
        r = _scan("--evidence", str(ev), "--carve", CAP)
    finally:
        os.umask(old)
    assert r.exit_code == 0, r.stderr
    for d in (tmp_path / "a", tmp_path / "a" / "b", ev, *[p for p in ev.rglob("*") if p.is_dir()]):
        assert _mode(d) == 0o700, d
    files = [p for p in ev.rglob("*") if p.is_file()]
    assert any(p.suffix == ".pcap" for p in files) and any(p.parent.name == "documents" for p in files)
    for p in files:
        assert _mode(p) == 0o600, p


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to give the folder to another user")
def test_a_folder_of_another_user_is_refused(tmp_path):
    ev = tmp_path / "ev"
    ev.mkdir()
    os.chown(ev, 65534, 65534)
    r = _scan("--evidence", str(ev), CAP)
    assert r.exit_code == 2 and "another user" in r.stderr


def test_the_manifest_exists_from_the_start(tmp_path):
    f = EvidenceFolder(str(tmp_path / "ev"), sources=[CAP])
    manifest = json.loads((tmp_path / "ev" / "manifest.json").read_text())
    assert manifest["complete"] is False and manifest["captures"][0]["sha256"]
    assert "findings.jsonl" in manifest["files"]
    f.write("evidence/a.json", b"{}")
    f._save_manifest()  # what the once-a-second rewrite does
    manifest = json.loads((tmp_path / "ev" / "manifest.json").read_text())
    assert manifest["files"]["evidence/a.json"]["mode"] == "0o600"
    assert not [p for p in (tmp_path / "ev").iterdir() if p.name.startswith(".manifest")]  # no temporary left
    f.finish({})


def test_a_crash_midway_leaves_a_manifest_of_what_was_written(tmp_path, monkeypatch):
    from sniffprint.findings import rules

    real = rules.Findings.finish

    def crash(self, stats):  # noqa: ANN001 - a bug at the end of the run, after evidence was written
        real(self, stats)
        raise RuntimeError("simulated bug")

    monkeypatch.setattr(rules.Findings, "finish", crash)
    ev = tmp_path / "ev"
    r = _scan("--evidence", str(ev), CAP)
    assert r.exit_code == 4
    manifest = json.loads((ev / "manifest.json").read_text())
    assert manifest["complete"] is False and any("simulated bug" in e for e in manifest["errors"])
    written = {p.relative_to(ev).as_posix() for p in ev.rglob("*") if p.is_file()} - {"manifest.json"}
    assert written and written <= set(manifest["files"])
    assert any(k.startswith("evidence/SP101") for k in manifest["files"])
    assert (ev / "findings.jsonl").read_text().count('"type":"finding"') >= 1  # flushed as they came


def _full_disk(monkeypatch, prefix: str = "evidence/") -> None:
    real = EvidenceFolder._create

    def create(self, rel):  # noqa: ANN001
        if rel.startswith(prefix):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real(self, rel)

    monkeypatch.setattr(EvidenceFolder, "_create", create)


def test_a_full_disk_is_exit_2_naming_the_path_and_the_run_finishes(tmp_path, monkeypatch):
    _full_disk(monkeypatch)
    ev = tmp_path / "ev"
    r = _scan("--evidence", str(ev), CAP)
    assert r.exit_code == 2, (r.exit_code, r.stderr)
    assert f"evidence folder {ev}/evidence/" in r.stderr and "No space left on device" in r.stderr
    assert "internal error" not in r.stderr
    assert "findings:" in r.stdout and "SP101" in r.stdout  # the run finished and the table was written
    manifest = json.loads((ev / "manifest.json").read_text())
    assert manifest["complete"] is True and manifest["errors"]
    assert (ev / "findings.jsonl").read_text().count('"type":"finding"') >= 1


def test_verify_still_exits_1_when_an_exposure_is_proven_and_says_what_was_lost(tmp_path, monkeypatch):
    _full_disk(monkeypatch)
    r = CliRunner().invoke(main, ["verify", "--evidence", str(tmp_path / "ev"), CAP])
    assert r.exit_code == 1 and "No space left on device" in r.stderr
    r = CliRunner().invoke(main, ["verify", "--evidence", str(tmp_path / "ev2"), CLEAN])
    assert r.exit_code in (0, 2)  # a clean capture writes no evidence file: nothing may fail
    if r.exit_code == 2:
        assert "No space left on device" in r.stderr


def test_the_api_raises_the_write_failure(tmp_path, monkeypatch):
    from sniffprint import Options, analyze

    _full_disk(monkeypatch)
    with pytest.raises(OutputError, match="No space left"):
        analyze(CAP, options=Options(evidence_dir=str(tmp_path / "ev")))


@pytest.mark.skipif(not hasattr(signal, "SIGXFSZ"), reason="needs RLIMIT_FSIZE and SIGXFSZ")
def test_a_real_file_size_limit_mid_run_is_exit_2(tmp_path):
    """The kernel refuses writes past RLIMIT_FSIZE (EFBIG) as it refuses them on a full disk."""
    ev = tmp_path / "ev"

    def limit() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (6000, 6000))

    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    r = subprocess.run([sys.executable, "-m", "sniffprint", "scan", "--evidence", str(ev), "--carve", CAP],
                       capture_output=True, text=True, preexec_fn=limit, env=env, timeout=300)
    assert r.returncode == 2, (r.returncode, r.stderr[-2000:])
    assert "File too large" in r.stderr and f"evidence folder {ev}/" in r.stderr
    manifest = json.loads((ev / "manifest.json").read_text())
    assert manifest["errors"]


def test_make_private_dirs(tmp_path):
    old = os.umask(0)
    try:
        folder_mod.make_private_dirs(tmp_path / "x" / "y")
    finally:
        os.umask(old)
    assert _mode(tmp_path / "x") == _mode(tmp_path / "x" / "y") == 0o700


def test_refusals_are_usage_errors(tmp_path):
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "old").write_text("x")
    with pytest.raises(OptionsError, match="not empty"):
        EvidenceFolder(str(tmp_path / "full"))
    (tmp_path / "file").write_text("x")
    with pytest.raises(OptionsError):
        EvidenceFolder(str(tmp_path / "file"))
