"""Fixtures for the end-to-end lab tests (root only; each scenario skips with its reason).

``e2e_work`` is one scratch directory per session (mode 0755: Samba and ippeveprinter children
run as other users and must traverse it); set ``SNIFFPRINT_E2E_KEEP=1`` to keep it for a look at
the captures and logs.  ``raw9100_recording`` is shared by the verify and live modules: one lab
run where tcpdump, two ``sniffprint live`` and two ``sniffprint verify --interface`` processes
watch the same cleartext job.
"""
from __future__ import annotations

import os
import shutil
import signal
import sys
import tempfile
from pathlib import Path

import pytest

from tests.e2e import scenarios as sc


@pytest.fixture(scope="session")
def e2e_work():
    path = Path(tempfile.mkdtemp(prefix="sniffprint-e2e-"))
    os.chmod(path, 0o755)
    yield path
    if os.environ.get("SNIFFPRINT_E2E_KEEP"):
        sys.stderr.write(f"\nend-to-end scratch kept in {path}\n")
    else:
        shutil.rmtree(path, ignore_errors=True)


#: how long the observers with --duration run; the raw 9100 driver takes ~3.5 s after they start
LIVE_DURATION = 7


def raw9100_observers(write_pcap: Path | None) -> list[sc.ObserverSpec]:
    live_args = ["--duration", str(LIVE_DURATION), "--format", "json"]
    if write_pcap is not None:
        live_args += ["--write-pcap", str(write_pcap)]
    obs = [sc.ObserverSpec("live", "live", live_args),
           sc.ObserverSpec("live-sigterm", "live", ["--format", "json"], stop=signal.SIGTERM)]
    if sc.has_verify():
        obs += [sc.ObserverSpec("verify-if", "verify", ["--duration", str(LIVE_DURATION), "--format", "json"],
                                interface_flag="--interface"),
                sc.ObserverSpec("verify-if-nomatch", "verify",
                                ["--duration", str(LIVE_DURATION), "--format", "json", "--bpf", "tcp port 7"],
                                interface_flag="--interface")]
    return obs


@pytest.fixture(scope="session")
def raw9100_recording(e2e_work):
    sc.require("raw")
    write_pcap = e2e_work / "live-written.pcap" if sc.live_supports("--write-pcap") else None
    rec = sc.record(e2e_work, "raw9100-clear", sc.raw9100(), raw9100_observers(write_pcap))
    rec.facts["live_write_pcap"] = write_pcap
    return rec

