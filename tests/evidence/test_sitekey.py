"""A key per site, never a constant: the names' hashes cannot be reversed by hashing a list of likely
names with a key from the source; one site keeps correlating across runs, two sites never share
hashes, and only a key id is ever written."""
from __future__ import annotations

import hashlib
import json
import os
import stat

import pytest
from click.testing import CliRunner

from sniffprint.cli import main
from sniffprint.errors import OptionsError
from sniffprint.evidence import sitekey
from sniffprint.evidence.redact import keyed_hash, mask
from tests.conftest import PCAPS

OLD_CONSTANT = b"sniffprint-redaction-v1"  # the key every install shared before
CAP = str(PCAPS / "raw9100-cups-socket.pcap")


def _run(args, env=None):
    r = CliRunner().invoke(main, args, env=env)
    assert r.exit_code in (0, 1), r.stderr
    return r


def _names(cap: str = CAP) -> list[str]:
    """Every name a capture sends (user, job, document, SMB user, printer file paths...), as --reveal
    shows them."""
    r = _run(["scan", "--format", "json", "--reveal", cap])
    names = set()
    for line in r.stdout.splitlines():
        rec = json.loads(line)
        if rec["type"] == "job":
            names |= {str(rec[k]) for k in ("user", "host", "job_name", "document_name", "title", "author",
                                            "creator") if rec.get(k)}
        if rec["type"] == "flow":
            names |= {str(rec["smb_user"])} if rec.get("smb_user") else set()
            names |= {str(p) for k in ("pjl_fs_paths", "pjl_fs_listed") for p in rec.get(k) or ()}
    return sorted(names)


def _hashes(text: str) -> set[str]:
    return {tok for tok in text.replace('"', " ").replace("<redacted:", " ").replace(">", " ").split()
            if len(tok) in (8, 32) and all(c in "0123456789abcdef" for c in tok)}


@pytest.mark.parametrize("cap", [CAP, str(PCAPS / "pjlfs-session.pcap"), str(PCAPS / "smb-print-clear.pcap")])
def test_the_old_constant_reproduces_no_hash_in_any_output(cap, tmp_path):
    names = _names(cap)
    assert names
    old = {keyed_hash(n, OLD_CONSTANT) for n in names}
    old |= {h[:8] for h in old}
    out = []
    for args in (["scan", "--format", "json"], ["scan"], ["scan", "--format", "csv", "--all"], ["verify"],
                 ["verify", "--format", "sarif"], ["verify", "--format", "junit"]):
        out.append(_run([*args, cap]).stdout)
    ev = tmp_path / "ev"
    _run(["scan", "--evidence", str(ev), cap])
    out += [f.read_text(errors="replace") for f in ev.rglob("*") if f.is_file()]
    text = "\n".join(out)
    assert "<redacted:" in text  # there are hashes to look at
    assert not old & _hashes(text)


def test_first_run_creates_a_private_key_once_and_later_runs_reuse_it(tmp_path, monkeypatch):
    home = tmp_path / "cfg"
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home))
    old = os.umask(0)  # whatever the umask: 0600 in 0700
    try:
        r1 = _run(["scan", "--format", "json", CAP])
    finally:
        os.umask(old)
    key_file = home / "sniffprint" / "hash.key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert stat.S_IMODE(key_file.parent.stat().st_mode) == 0o700
    assert stat.S_IMODE(home.stat().st_mode) == 0o700
    notices = [x for x in r1.stderr.splitlines() if "created a hash key" in x]
    assert len(notices) == 1 and str(key_file) in notices[0]
    content = key_file.read_text()
    assert len(content.strip()) == 64 and int(content, 16) >= 0  # 256 bits, in hex
    r2 = _run(["scan", "--format", "json", CAP])
    assert "hash key" not in r2.stderr  # said once
    assert key_file.read_text() == content  # reused, not replaced
    # the same site correlates names across runs: the same masks and hashes
    assert _hashes(r1.stdout) == _hashes(r2.stdout) != set()


def test_two_sites_never_share_hashes(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "site-a"))
    a = _hashes(_run(["scan", "--format", "json", CAP]).stdout)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "site-b"))
    b = _hashes(_run(["scan", "--format", "json", CAP]).stdout)
    assert a and b and not a & b


def test_hash_key_file_and_environment_override_the_site_key(tmp_path, monkeypatch):
    k1, k2 = tmp_path / "k1", tmp_path / "k2"
    k1.write_text("site one secret\n")
    k2.write_text(os.urandom(32).hex())
    h1 = _hashes(_run(["scan", "--format", "json", "--hash-key-file", str(k1), CAP]).stdout)
    h2 = _hashes(_run(["scan", "--format", "json", "--hash-key-file", str(k2), CAP]).stdout)
    assert h1 and h2 and not h1 & h2
    assert h1 == _hashes(_run(["scan", "--format", "json", "--hash-key-file", str(k1), CAP]).stdout)
    assert mask("alice", b"site one secret") in _run(["scan", "--format", "json", "--hash-key-file", str(k1),
                                                      CAP]).stdout
    # the environment variable (as tools/goldens.py sets it) is the key as given
    r = _run(["scan", "--format", "json", CAP], env={"SNIFFPRINT_HASH_KEY": "site one secret"})
    assert _hashes(r.stdout) == h1
    # none of them creates the site key file
    assert not (tmp_path / "cfg").exists()
    assert not list(tmp_path.rglob("hash.key"))


def test_a_missing_key_file_is_a_usage_error(tmp_path):
    r = CliRunner().invoke(main, ["verify", "--hash-key-file", str(tmp_path / "nope"), CAP])
    assert r.exit_code == 2 and "hash key file" in r.stderr
    empty = tmp_path / "empty"
    empty.write_text("\n")
    r = CliRunner().invoke(main, ["verify", "--hash-key-file", str(empty), CAP])
    assert r.exit_code == 2 and "empty" in r.stderr


def test_the_manifest_records_a_key_id_never_the_key(tmp_path):
    key = tmp_path / "key"
    secret = os.urandom(32).hex()
    key.write_text(secret)
    ev = tmp_path / "ev"
    _run(["scan", "--evidence", str(ev), "--hash-key-file", str(key), CAP])
    manifest = json.loads((ev / "manifest.json").read_text())
    assert manifest["hash_key"]["id"] == sitekey.key_id(bytes.fromhex(secret))
    assert len(manifest["hash_key"]["id"]) == 16
    for f in ev.rglob("*"):
        if f.is_file():
            data = f.read_bytes()
            assert secret.encode() not in data and bytes.fromhex(secret) not in data, f


def test_the_api_resolves_the_key_the_same_way(tmp_path, monkeypatch, caplog):
    from sniffprint import Options, analyze

    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "cfg"))
    with caplog.at_level("WARNING"):
        rep = analyze(CAP)
    assert any("created a hash key" in m for m in caplog.messages)
    key = sitekey.read_key_file(tmp_path / "cfg" / "sniffprint" / "hash.key")
    users = {j.user for j in rep.jobs if j.user}
    assert mask("alice", key) in users
    rep2 = analyze(CAP, options=Options(hash_key=b"explicit"))
    assert mask("alice", b"explicit") in {j.user for j in rep2.jobs}
    assert "explicit" not in repr(Options(hash_key=b"explicit"))


def test_key_material():
    raw = os.urandom(32)
    assert sitekey.key_from_material(raw.hex().encode() + b"\n") == raw
    assert sitekey.key_from_material(b"  passphrase \n") == b"passphrase"
    long = b"x" * 200
    assert sitekey.key_from_material(long) == hashlib.blake2b(long, digest_size=64).digest()
    with pytest.raises(OptionsError):
        sitekey.key_from_material(b" \n")
    assert sitekey.key_id(raw) != sitekey.key_id(raw[::-1]) and len(sitekey.key_id(raw)) == 16
    with pytest.raises(ValueError):
        keyed_hash("alice", b"")


def test_key_path_follows_xdg():
    assert str(sitekey.default_key_path({"XDG_CONFIG_HOME": "/x/cfg", "HOME": "/h"})) == "/x/cfg/sniffprint/hash.key"
    assert str(sitekey.default_key_path({"XDG_CONFIG_HOME": "rel", "HOME": "/h"})) == "/h/.config/sniffprint/hash.key"
    assert str(sitekey.default_key_path({"HOME": "/h"})) == "/h/.config/sniffprint/hash.key"


def test_an_unusable_config_dir_gives_a_one_run_key_never_a_constant(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    a = sitekey.resolve(environ={"XDG_CONFIG_HOME": str(blocker)})
    b = sitekey.resolve(environ={"XDG_CONFIG_HOME": str(blocker)})
    assert a.source == "one-run key" and a.notice and "will not correlate" in a.notice
    assert a.key != b.key and a.key != OLD_CONSTANT


def test_a_key_file_readable_by_others_is_reported(tmp_path):
    env = {"XDG_CONFIG_HOME": str(tmp_path)}
    first = sitekey.resolve(environ=env)
    assert first.created and first.path
    os.chmod(first.path, 0o644)
    again = sitekey.resolve(environ=env)
    assert again.key == first.key and not again.created and "readable by other users" in (again.notice or "")


def test_concurrent_first_runs_agree_on_one_key(tmp_path):
    from concurrent.futures import ThreadPoolExecutor

    env = {"XDG_CONFIG_HOME": str(tmp_path)}
    with ThreadPoolExecutor(8) as pool:
        keys = list(pool.map(lambda _: sitekey.resolve(environ=env), range(16)))
    assert len({k.key for k in keys}) == 1
    assert sum(k.created for k in keys) == 1
    assert sorted(p.name for p in (tmp_path / "sniffprint").iterdir()) == ["hash.key"]  # no temporary left


def test_parallel_workers_hash_with_the_parent_key(tmp_path, monkeypatch):
    """Workers (--jobs) get the key the parent resolved, never one of their own."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "cfg"))
    caps = [CAP, str(PCAPS / "smb-print-clear.pcap"), str(PCAPS / "lpd-cups.pcap")]
    one = _run(["scan", "--format", "json", "--jobs", "1", *caps])
    two = _run(["scan", "--format", "json", "--jobs", "2", *caps])
    assert _hashes(one.stdout) == _hashes(two.stdout) != set()
    assert "created a hash key" in one.stderr and "hash key" not in two.stderr
