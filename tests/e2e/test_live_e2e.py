"""End-to-end: ``sniffprint live`` and ``sniffprint verify --interface`` on a lab bridge (root only).

One lab run (``raw9100_recording`` in conftest) sends a cleartext PJL+PostScript job to port 9100
while tcpdump and the observers below watch ``br0`` from the tap namespace:

* ``live``          ``--duration`` N ``--format json`` [``--write-pcap``]: ends by itself, exit 0
* ``live-sigterm``  no duration, ended by SIGTERM after the job: clean end, summary, exit 0
* ``verify-if``     ``verify --interface br0 --duration`` N: exit 1 (the job is in clear)
* ``verify-if-nomatch``  the same with ``--bpf 'tcp port 7'``: sees nothing, exit 3
"""
from __future__ import annotations

import pytest

from tests.e2e import scenarios as sc


def _finding_for_printer(res: sc.CliResult, ip: str) -> list[dict]:
    return res.findings(server_ip=ip, port=sc.RAW_PORT)


def test_live_reports_the_cleartext_job_and_ends_at_duration(raw9100_recording):
    rec = raw9100_recording
    res = rec.observers["live"]
    assert res.rc == 0, res.explain()
    assert res.of_type("summary"), "a final summary record: " + res.explain()
    flows = res.flows(server_ip=rec.printer_ip, port=sc.RAW_PORT)
    assert flows and flows[0]["service"] == "raw9100" and flows[0]["protection"] == "none", res.explain()
    findings = _finding_for_printer(res, rec.printer_ip)
    assert findings, "live prints the finding for the printer: " + res.explain()
    assert any(str(f["code"]).startswith("SP1") for f in findings), res.explain()


def test_live_ends_cleanly_on_sigterm(raw9100_recording):
    rec = raw9100_recording
    res = rec.observers["live-sigterm"]
    assert res.rc == 0, "SIGTERM ends live cleanly: " + res.explain()
    assert res.of_type("summary"), res.explain()
    assert "Traceback" not in res.stderr, res.explain()
    assert _finding_for_printer(res, rec.printer_ip), res.explain()


def test_live_write_pcap_holds_the_print_flow(raw9100_recording):
    rec = raw9100_recording
    written = rec.facts.get("live_write_pcap")
    if written is None:
        pytest.skip("`sniffprint live --write-pcap` is not available in this build")
    assert rec.observers["live"].rc == 0, rec.observers["live"].explain()
    assert written.exists() and written.stat().st_size > 24, "frames were written"
    seen = sc.scan(written)
    assert seen.rc == 0, seen.explain()
    flows = [f for f in seen.flows(server_ip=rec.printer_ip, port=sc.RAW_PORT) if f["print"]]
    assert len(flows) == 1 and flows[0]["jobs"] == 1, seen.explain()
    # same flow as tcpdump saw
    ref = sc.scan(rec.pcap).flows(server_ip=rec.printer_ip, port=sc.RAW_PORT)
    assert flows[0]["c2s_bytes"] == ref[0]["c2s_bytes"], (flows, ref)


def test_verify_on_the_interface_finds_the_cleartext_job(raw9100_recording):
    sc.need_verify()
    rec = raw9100_recording
    res = rec.observers["verify-if"]
    assert res.rc == 1, res.explain()
    assert res.findings(server_ip=rec.printer_ip, port=sc.RAW_PORT, prefix="SP1"), res.explain()
    printer = res.printer(rec.printer_ip)
    assert printer is not None and printer["verdict"] == "exposed", res.explain()


def test_verify_on_the_interface_with_a_bpf_matching_nothing_is_inconclusive(raw9100_recording):
    sc.need_verify()
    res = raw9100_recording.observers["verify-if-nomatch"]
    assert res.rc == 3, res.explain()
    assert not res.findings(prefix="SP1"), res.explain()


def test_live_on_a_missing_interface_is_a_usage_error():
    sc.require("quiet")
    from sniffprint.evidence.sitekey import resolve

    resolve()  # a site that has its hash key already (the first run's notice is another line)
    res = sc.run_cli("live", "-i", "nosuchif0", "--duration", "1", timeout=60)
    assert res.rc == 2, res.explain()
    lines = [line for line in res.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "nosuchif0" in lines[0], res.explain()
    assert "Traceback" not in res.stderr

