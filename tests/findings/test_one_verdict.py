"""One verdict, every format: the exit status, the JSON summary, JUnit, SARIF, the table, the HTML
report and the Parquet summary all say what findings.verdict.decide said — for every exit row, with
--fail-on and policy severities."""
from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from click.testing import CliRunner

from sniffprint.cli import main
from tests.conftest import PCAPS

STRICT = 'allow_self_signed = false\n'  # SP204 (self-signed printer certificate) becomes medium


def _policy(tmp_path, text):
    p = tmp_path / "policy.toml"
    p.write_text(text)
    return str(p)


def _frame_bug(monkeypatch):
    """A bug on one frame that no flow can be blamed for: nothing can be claimed clean."""
    from sniffprint.engine import decode

    real = decode.Decoder.decode

    def decode_with_a_bug(self, ts, linktype, data, idx):  # noqa: ANN001
        if idx == 5:
            raise RuntimeError("simulated decoder bug")
        return real(self, ts, linktype, data, idx)

    monkeypatch.setattr(decode.Decoder, "decode", decode_with_a_bug)


ROWS = [  # id, args(tmp), exit code, verdict word, setup
    ("protected", lambda t: [str(PCAPS / "tls9100-socat.pcap")], 0, "protected", None),
    ("exposed", lambda t: [str(PCAPS / "raw9100-cups-socket.pcap")], 1, "exposed", None),
    ("inconclusive", lambda t: [str(PCAPS / "mixed-background.pcap")], 3, "inconclusive", None),
    ("internal", lambda t: [str(PCAPS / "tls9100-socat.pcap")], 4, "internal-error", _frame_bug),
    ("internal-but-exposed", lambda t: [str(PCAPS / "raw9100-cups-socket.pcap")], 1, "exposed", _frame_bug),
    ("policy-medium-fails", lambda t: ["--policy", _policy(t, STRICT), str(PCAPS / "tls9100-socat.pcap")], 1,
     "exposed", None),
    ("policy-medium-below-fail-on-high", lambda t: ["--policy", _policy(t, STRICT), "--fail-on", "high",
                                                    str(PCAPS / "tls9100-socat.pcap")], 0, "protected", None),
    ("fail-on-critical", lambda t: ["--fail-on", "critical", str(PCAPS / "lpd-cups.pcap")], 1, "exposed", None),
    ("exception-suppresses", lambda t: ["--policy", _policy(t, '[[exceptions]]\nhost = "10.77.0.20"\n'
                                                            'reason = "lab"\n'), str(PCAPS / "lpd-cups.pcap")],
     0, "protected", None),
]
FORMATS = ["json", "junit", "sarif", "table", "html", "parquet"]  # csv and line state no run verdict


def _out(fmt: str, folder: Path) -> list[str]:
    """Parquet is a folder of tables, written with -o; every other format goes to stdout."""
    return ["-o", str(folder)] if fmt == "parquet" else []


def _claims(fmt: str, out: str) -> dict:
    """What an output says: the verdict word, whether it shows a failure, whether it shows an error."""
    if fmt == "json":
        summary = [json.loads(x) for x in out.splitlines() if x.strip()][-1]
        return {"verdict": summary["verdict"], "exit": summary.get("exit_code")}
    if fmt == "junit":
        suite = ET.fromstring(out)
        props = {p.get("name"): p.get("value") for p in suite.iter("property")}
        return {"verdict": props["verdict"], "failures": int(suite.get("failures")),
                "errors": int(suite.get("errors"))}
    if fmt == "sarif":
        run = json.loads(out)["runs"][0]
        return {"verdict": run["invocations"][0]["properties"]["verdict"],
                "errors": sum(r["level"] == "error" for r in run["results"]),
                "ok": run["invocations"][0]["executionSuccessful"]}
    if fmt == "html":
        header = re.search(r'<header class="verdict v-([\w-]+)" id="verdict"><div class="word">([^<]+)', out)
        assert header.group(2) == header.group(1).upper()  # the word shown is the verdict's own
        return {"verdict": header.group(1)}
    if fmt == "parquet":
        import pandas as pd

        return {"verdict": str(pd.read_parquet(Path(out) / "summary.parquet")["verdict"].iloc[0])}
    line = [x for x in out.splitlines() if x.startswith("verdict: ")][-1]
    return {"verdict": line.split()[1].rstrip(" -").lower()}


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize(("name", "argv", "code", "word", "setup"), ROWS, ids=[r[0] for r in ROWS])
def test_every_format_says_what_the_exit_status_says(name, argv, code, word, setup, fmt, tmp_path, monkeypatch):
    if setup:
        setup(monkeypatch)
    if fmt == "parquet":
        pytest.importorskip("pyarrow", reason="pyarrow not installed (pip install '.[parquet]')")
    r = CliRunner().invoke(main, ["verify", "--format", fmt, *_out(fmt, tmp_path / "verify"), *argv(tmp_path)])
    assert r.exit_code == code, (r.stdout[-2000:], r.stderr[-2000:])
    claims = _claims(fmt, str(tmp_path / "verify") if fmt == "parquet" else r.stdout)
    assert claims["verdict"] == word
    if fmt == "json":
        assert claims["exit"] == code
    if fmt == "junit":
        assert (claims["failures"] > 0) is (code == 1)
        assert (claims["errors"] > 0) is (code in (3, 4))
    if fmt == "sarif":
        assert (claims["errors"] > 0) is (code == 1)
        assert claims["ok"] is (code != 4)
    # scan computes the same verdict (it only exits 0 where verify would not)
    s = CliRunner().invoke(main, ["scan", "--format", fmt, *_out(fmt, tmp_path / "scan"), *argv(tmp_path)])
    assert s.exit_code == 0
    assert _claims(fmt, str(tmp_path / "scan") if fmt == "parquet" else s.stdout)["verdict"] == word


def test_scan_without_print_traffic_claims_no_clean_capture():
    r = CliRunner().invoke(main, ["scan", "--format", "junit", str(PCAPS / "mixed-background.pcap")])
    suite = ET.fromstring(r.stdout)
    assert int(suite.get("errors")) == 1 and suite.get("name") == "sniffprint"
