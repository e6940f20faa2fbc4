"""SARIF that a code-scanning service accepts: valid against the official OASIS 2.1.0 schema
(vendored in tests/outputs/schemas), rules with full descriptions, help and security severity,
results located in their capture with stable fingerprints; and, where it is installed, zero errors
from Microsoft's SARIF multitool with its GitHub rules."""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from sniffprint.cli import main
from sniffprint.findings.codes import DESCRIPTIONS, FIXES, REMEDIATION, TITLES
from sniffprint.outputs.sarif import artifact_uri, rule_help
from tests.conftest import PCAPS, ROOT

SCHEMA = Path(__file__).parent / "schemas" / "sarif-schema-2.1.0.json"
EXPOSED = "raw9100-cups-socket.pcap"
PROTECTED = "tls9100-socat.pcap"
NOTHING = "mixed-background.pcap"


def _sarif(args: list[str], cwd: Path | None = None) -> dict:
    old = os.getcwd()
    if cwd is not None:
        os.chdir(cwd)
    try:
        r = CliRunner().invoke(main, ["verify", "--format", "sarif", *args])
    finally:
        os.chdir(old)
    assert r.exit_code in (0, 1, 3), r.stderr
    return json.loads(r.stdout)


def _policy(tmp_path: Path) -> str:
    p = tmp_path / "policy.toml"
    p.write_text('allow_self_signed = false\n[[exceptions]]\nport = 515\nreason = "legacy queue"\n')
    return str(p)


def _documents(tmp_path: Path) -> dict[str, dict]:
    """SARIF of every shape: exposed, protected (absolute path), nothing to see, several captures,
    a policy with an exception (suppressed results), standard input."""
    docs = {
        "exposed": _sarif([f"pcaps/{EXPOSED}"], cwd=ROOT),
        "protected-absolute": _sarif([str(PCAPS / PROTECTED)]),
        "nothing": _sarif([str(PCAPS / NOTHING)]),
        "several": _sarif([str(PCAPS / EXPOSED), str(PCAPS / PROTECTED), str(PCAPS / NOTHING)]),
        "policy": _sarif(["--policy", _policy(tmp_path), str(PCAPS / "lpd-cups.pcap"), str(PCAPS / PROTECTED)]),
    }
    # every bundled capture in one run: every code they raise, and fingerprints unique across them
    docs["all-bundled"] = _sarif(sorted(str(p) for p in PCAPS.iterdir() if p.suffix in (".pcap", ".pcapng")))
    r = CliRunner().invoke(main, ["verify", "--format", "sarif", "-"], input=(PCAPS / EXPOSED).read_bytes())
    docs["stdin"] = json.loads(r.stdout)
    return docs


@pytest.fixture(scope="module")
def documents(tmp_path_factory) -> dict[str, dict]:
    return _documents(tmp_path_factory.mktemp("sarif"))


def test_every_document_is_valid_against_the_official_schema(documents):
    jsonschema = pytest.importorskip("jsonschema", reason="jsonschema not installed (pip install '.[test]')")
    schema = json.loads(SCHEMA.read_text())
    assert "docs.oasis-open.org/sarif/sarif/v2.1.0" in schema["id"]
    validator = jsonschema.Draft4Validator(schema, format_checker=jsonschema.Draft4Validator.FORMAT_CHECKER)
    for name, doc in documents.items():
        errors = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(doc)]
        assert errors == [], name


def test_the_schema_check_can_fail():
    jsonschema = pytest.importorskip("jsonschema", reason="jsonschema not installed (pip install '.[test]')")
    schema = json.loads(SCHEMA.read_text())
    bad = {"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "x"}},
                                         "results": [{"message": {"text": "m"}, "level": "fatal"}]}]}
    assert list(jsonschema.Draft4Validator(schema).iter_errors(bad))


def test_every_code_has_a_full_description_and_help():
    assert set(DESCRIPTIONS) == set(TITLES) == set(FIXES)
    for code in TITLES:
        assert len(DESCRIPTIONS[code]) > len(TITLES[code])
        assert all(k in REMEDIATION for k in FIXES[code])
        text, md = rule_help(code)
        assert text and DESCRIPTIONS[code] in md and "Remediation" in md
    assert len(set(DESCRIPTIONS.values())) == len(DESCRIPTIONS)  # each code its own description
    text, md = rule_help("SP101")  # per protocol
    assert REMEDIATION["lpd"] in text and REMEDIATION["smb"] in text and "- **LPD**" in md


def test_rules_carry_what_code_scanning_requires(documents):
    for name, doc in documents.items():
        run = doc["runs"][0]
        rules = run["tool"]["driver"]["rules"]
        assert [r["id"] for r in rules] == sorted({r["ruleId"] for r in run["results"]}), name
        for i, rule in enumerate(rules):
            code = rule["id"]
            assert rule["name"] != code and rule["shortDescription"]["text"] == TITLES[code]
            assert rule["fullDescription"]["text"] == DESCRIPTIONS[code]
            assert rule["help"]["text"] and rule["help"]["markdown"].startswith(f"**{code} ")
            sev = float(rule["properties"]["security-severity"])
            assert 0.0 <= sev <= 10.0
            assert ("security" in rule["properties"]["tags"]) is (not code.startswith("SP9"))
            assert all(r["ruleIndex"] == i for r in run["results"] if r["ruleId"] == code)


def test_security_severity_follows_the_worst_severity_of_the_run(documents, tmp_path):
    rules = {r["id"]: r for r in documents["exposed"]["runs"][0]["tool"]["driver"]["rules"]}
    assert float(rules["SP101"]["properties"]["security-severity"]) >= 9.0  # critical: PII in the job
    assert 4.0 <= float(rules["SP301"]["properties"]["security-severity"]) < 7.0  # medium
    # the policy raises a self-signed certificate to medium, and its rule says so
    rules = {r["id"]: r for r in documents["policy"]["runs"][0]["tool"]["driver"]["rules"]}
    assert 4.0 <= float(rules["SP204"]["properties"]["security-severity"]) < 7.0
    rules = {r["id"]: r for r in documents["protected-absolute"]["runs"][0]["tool"]["driver"]["rules"]}
    assert float(rules["SP204"]["properties"]["security-severity"]) < 4.0


def test_results_are_located_in_their_capture(documents):
    run = documents["exposed"]["runs"][0]
    assert [a["location"]["uri"] for a in run["artifacts"]] == [f"pcaps/{EXPOSED}"]  # relative stays relative
    digest = hashlib.sha256((PCAPS / EXPOSED).read_bytes()).hexdigest()
    assert run["artifacts"][0]["hashes"] == {"sha-256": digest}
    assert run["artifacts"][0]["length"] == (PCAPS / EXPOSED).stat().st_size
    for res in run["results"]:
        phys = res["locations"][0]["physicalLocation"]
        assert phys["artifactLocation"] == {"uri": f"pcaps/{EXPOSED}", "index": 0}
        assert phys["region"] == {"startLine": 1}
    sp101 = next(r for r in run["results"] if r["ruleId"] == "SP101")
    logical = sp101["locations"][0]["logicalLocations"]
    assert logical[0]["name"] == "10.77.0.20:9100" and logical[1]["name"] == sp101["properties"]["uid"]

    run = documents["protected-absolute"]["runs"][0]
    assert run["artifacts"][0]["location"]["uri"] == (PCAPS / PROTECTED).as_uri()  # absolute: a file URI
    run = documents["stdin"]["runs"][0]
    assert run["artifacts"][0]["location"] == {"uri": "stdin"} and "hashes" not in run["artifacts"][0]
    # a finding of the whole run (no print traffic in any capture) names every capture read
    run = documents["nothing"]["runs"][0]
    sp904 = next(r for r in run["results"] if r["ruleId"] == "SP904")
    assert sp904["locations"][0]["physicalLocation"]["artifactLocation"]["index"] == 0


def test_artifact_uris():
    assert artifact_uri("pcaps/a b.pcap") == "pcaps/a%20b.pcap"
    assert artifact_uri("/srv/caps/x.pcap") == "file:///srv/caps/x.pcap"
    assert artifact_uri("-") == "stdin"
    assert artifact_uri("live:eth0") == "live/eth0"


def _fingerprints(doc: dict) -> dict[str, str]:
    """fingerprint -> rule, over the results of a run"""
    return {r["partialFingerprints"]["sniffprint/v1"]: r["ruleId"] for r in doc["runs"][0]["results"]}


def test_fingerprints_are_stable_across_runs_and_orders_of_captures(tmp_path):
    a, b = str(PCAPS / EXPOSED), str(PCAPS / PROTECTED)
    once = _fingerprints(_sarif([a, b]))
    assert len(once) == len(_sarif([a, b])["runs"][0]["results"])  # unique within a run
    assert _fingerprints(_sarif([a, b])) == once  # the same run again
    assert _fingerprints(_sarif([b, a])) == once  # the captures in the other order
    copy = tmp_path / "renamed.pcap"  # the same capture under another name and path
    shutil.copyfile(a, copy)
    alone = _fingerprints(_sarif([str(copy)]))
    assert set(alone) <= set(once)
    # and two different captures never share a fingerprint
    assert not set(_fingerprints(_sarif([str(PCAPS / "lpd-cups.pcap")]))) & set(alone)


def test_fingerprints_are_unique_across_every_bundled_capture(documents):
    doc = documents["all-bundled"]
    assert len(_fingerprints(doc)) == len(doc["runs"][0]["results"]) > 20
    assert {"SP101", "SP105", "SP301"} <= {r["ruleId"] for r in doc["runs"][0]["results"]}


def test_the_same_capture_twice_keeps_fingerprints_unique():
    a = str(PCAPS / EXPOSED)
    doc = _sarif([a, a])
    results = doc["runs"][0]["results"]
    assert len(_fingerprints(doc)) == len(results)


# ------------------------------------------------------------------ Microsoft's SARIF multitool
def _multitool() -> str | None:
    """The multitool binary: $SNIFFPRINT_SARIF_MULTITOOL, or the npm package that .ci/run installs
    (``npm install --prefix .ci/npm @microsoft/sarif-multitool``), or a global npm install."""
    env = os.environ.get("SNIFFPRINT_SARIF_MULTITOOL")
    if env:
        return env
    roots = [ROOT / ".ci" / "npm" / "node_modules"]
    npm = shutil.which("npm")
    if npm:
        out = subprocess.run([npm, "root", "-g"], capture_output=True, text=True, timeout=60)
        if out.returncode == 0 and out.stdout.strip():
            roots.append(Path(out.stdout.strip()))
    for root in roots:
        exe = root / "@microsoft" / "sarif-multitool-linux" / "Sarif.Multitool"
        if exe.is_file():
            return str(exe)
    return None


def test_the_sarif_multitool_with_github_rules_finds_no_error(documents, tmp_path):
    if shutil.which("node") is None and not os.environ.get("SNIFFPRINT_SARIF_MULTITOOL"):
        pytest.skip("node is not installed: the SARIF multitool comes from the npm registry")
    exe = _multitool()
    if exe is None:
        pytest.skip("@microsoft/sarif-multitool is not installed "
                    "(npm install --prefix .ci/npm @microsoft/sarif-multitool; .ci/run does it)")
    if not os.access(exe, os.X_OK):
        os.chmod(exe, 0o755)
    env = {**os.environ, "DOTNET_SYSTEM_GLOBALIZATION_INVARIANT": "1", "DOTNET_CLI_TELEMETRY_OPTOUT": "1"}
    bad = dict(documents["exposed"])  # the check can fail: a rule without help is a GitHub error
    bad = json.loads(json.dumps(bad))
    del bad["runs"][0]["tool"]["driver"]["rules"][0]["help"]
    for name, doc in [*documents.items(), ("no-help", bad)]:
        (tmp_path / f"{name}.sarif").write_text(json.dumps(doc))
    log = tmp_path / "validation.sarif.json"  # one run over every file (each start costs seconds)
    files = sorted(str(p) for p in tmp_path.glob("*.sarif"))
    out = subprocess.run([exe, "validate", "--rule-kind", "Sarif;Gh", "--output", str(log), *files],
                         capture_output=True, text=True, timeout=300, env=env)
    assert out.returncode == 0 and log.exists(), out.stdout[-3000:] + out.stderr[-3000:]
    errors: dict[str, list[str]] = {}
    for r in json.loads(log.read_text())["runs"][0].get("results") or []:
        if r.get("level", "warning") == "error":
            uri = r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            errors.setdefault(Path(uri).name.removesuffix(".sarif"), []).append(r["ruleId"])
    assert errors.pop("no-help", None), "the multitool found nothing wrong with a rule that has no help"
    assert errors == {}, out.stdout[-3000:]
