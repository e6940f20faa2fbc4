"""cli/run.py: where the output goes, what could not be read or written (exit 2 unless exposed), and a
fast start (nothing heavy imported)."""
from __future__ import annotations

import pytest
from click.testing import CliRunner

from sniffprint.cli import main
from tests.cli.conftest import records


def test_output_file(capture, tmp_path):
    out = tmp_path / "o.jsonl"
    r = CliRunner().invoke(main, ["scan", "--format", "json", "-o", str(out), str(capture)])
    assert r.exit_code == 0 and r.stdout == ""
    assert any(x["type"] == "flow" for x in records(out.read_text()))


def test_cli_does_not_import_heavy_modules():
    import subprocess
    import sys

    code = ("import sys, sniffprint.cli; "
            "print(sorted(m for m in ('pandas','matplotlib','scapy') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_cli_starts_without_the_analysis():
    """`sniffprint --help` and click's parsing need the commands, not the dissectors, the
    findings or the writers: those are imported by the command that runs (194 ms -> 56 ms)."""
    import subprocess
    import sys

    code = ("import sys, sniffprint.cli; print(sorted(m for m in ('sniffprint.dissectors', 'sniffprint.engine', "
            "'sniffprint.findings.verdict', 'sniffprint.outputs.html', 'sniffprint.api') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_every_format_resolves_to_its_writer():
    from sniffprint.outputs import OUTPUTS
    from sniffprint.outputs.base import Writer

    assert list(OUTPUTS) == ["table", "json", "csv", "junit", "sarif", "line", "html", "parquet"]
    assert all(issubclass(OUTPUTS[fmt], Writer) for fmt in OUTPUTS)


@pytest.mark.skipif(not __import__("os").path.exists("/dev/full"), reason="no /dev/full")
def test_a_full_disk_is_exit_2_with_the_path_and_the_os_error():
    from tests.conftest import PCAPS

    r = CliRunner().invoke(main, ["scan", "--format", "json", "-o", "/dev/full", str(PCAPS / "lpd-cups.pcap")])
    assert r.exit_code == 2 and "/dev/full" in r.stderr and "No space left" in r.stderr
    r = CliRunner().invoke(main, ["verify", "-o", "/dev/full", str(PCAPS / "tls9100-socat.pcap")])
    assert r.exit_code == 2 and "/dev/full" in r.stderr
    r = CliRunner().invoke(main, ["verify", "-o", "/dev/full", str(PCAPS / "lpd-cups.pcap")])
    assert r.exit_code == 1 and "/dev/full" in r.stderr  # proof is proof: exposure still exits 1


@pytest.mark.parametrize(("cap", "code"), [("tls9100-socat.pcap", 2), ("lpd-cups.pcap", 1)])
def test_a_read_error_keeps_what_was_found_and_exits_2_unless_exposed(cap, code, monkeypatch):
    import errno

    from sniffprint.api import pipeline
    from sniffprint.sources import CaptureReadError
    from tests.conftest import PCAPS

    real = pipeline.open_source

    def cut_short(spec, sink, stats, index_start=0, **kw):  # noqa: ANN001
        yield from real(spec, sink, stats, index_start, **kw)  # everything, then the disk fails
        raise CaptureReadError(spec.name, OSError(errno.EIO, "Input/output error"), stats)

    monkeypatch.setattr(pipeline, "open_source", cut_short)
    r = CliRunner().invoke(main, ["verify", "--format", "json", str(PCAPS / cap)])
    assert r.exit_code == code, r.stderr
    assert "Input/output error" in r.stderr and "Traceback" not in r.stderr
    recs = records(r.stdout)
    assert recs[-1]["type"] == "summary" and any(x["type"] == "flow" for x in recs)  # nothing found was lost
