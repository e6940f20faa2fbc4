"""Scenario drivers for the end-to-end tests: real print software in network namespaces.

Each scenario builds its own ``tools.netlab.Lab`` (workstation ``ws`` 10.77.0.10, printer ``prn``
10.77.0.20, observer ``tap`` holding the bridge ``br0``), starts real servers (socat, socat with
OpenSSL, ippeveprinter, Samba), runs real clients (socat, ipptool, smbclient), captures on the
bridge with tcpdump (``Lab.capture``) and tears everything down again.  Optional *observers*
(``sniffprint live`` / ``sniffprint verify --interface`` started in the tap namespace) watch the
same bridge while the traffic runs, so the live path is tested on the wire the pcap path sees.

The techniques and several pieces come from ``tools/make_captures.py`` (documents, the private
dbus-daemon for ippeveprinter, the Samba set-up): they are imported, never copied, so the lab the
committed captures were made with and the lab these tests run in stay the same.

Why some waits look generous:

* ``Lab.capture`` stops tcpdump ``post`` seconds after the traffic.  libpcap's TPACKET_V3 ring
  hands packets to tcpdump per block, retired at the latest after its 1 s timeout, so a ``post``
  under ~1.2 s loses the tail of the flow (seen: a capture with 0 of 10 frames).  The default
  (1.5 s) is kept.
* An observer counts as ready when the tap namespace's ``/proc/net/packet`` lists one more packet
  socket than before it started; traffic sent before that would be invisible to it.

Nothing here touches the host's network: every address lives inside the lab's namespaces.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from tools.netlab import Lab

#: the e2e labs need no web host: two hosts build faster
HOSTS = {"ws": 10, "prn": 20}
LAB_SETTLE = 0.5          # veth + a bridge without STP forward at once; 0.5 s is plenty
RAW_PORT = 9100
DOC_TITLE = "salary_review.ps"

#: programs each scenario needs (besides python); missing ones skip the test with their names
NEEDS_LAB = ("ip", "ethtool", "sysctl", "tcpdump", "ss", "unshare")
NEEDS = {
    "raw": (*NEEDS_LAB, "socat"),
    "tls": (*NEEDS_LAB, "socat", "openssl"),
    "ipp": (*NEEDS_LAB, "ippeveprinter", "ipptool", "dbus-daemon"),
    "smb": (*NEEDS_LAB, "smbd", "smbclient", "smbpasswd", "gs", "mount"),
    "quiet": NEEDS_LAB,
}


# ============================================================================ preconditions
def _which(prog: str) -> str | None:
    return shutil.which(prog) or next((p for d in ("/usr/sbin", "/sbin")
                                       if os.path.exists(p := f"{d}/{prog}")), None)


def require(kind: str) -> None:
    """Skip the calling test (or fixture) unless this host can run scenario ``kind``."""
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        pytest.skip("end-to-end lab tests need root (they create network namespaces)")
    missing = [p for p in NEEDS[kind] if _which(p) is None]
    if missing:
        pytest.skip(f"end-to-end {kind} scenario needs {', '.join(missing)} (not installed)")
    probe = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True)
    if probe.returncode != 0:
        pytest.skip(f"'ip netns' is unavailable: {probe.stderr.strip()}")


def sniffprint_argv() -> list[str]:
    """The CLI as this interpreter runs it (works inside ``ip netns exec`` too)."""
    return [sys.executable, "-m", "sniffprint"]


@cache
def command_help(command: str) -> str:
    res = subprocess.run([*sniffprint_argv(), command, "--help"], capture_output=True, text=True,
                         timeout=60)
    return res.stdout if res.returncode == 0 else ""


def has_verify() -> bool:
    return bool(command_help("verify"))


def live_supports(option: str) -> bool:
    return option in command_help("live")


# ============================================================================ CLI results
@dataclass
class CliResult:
    """One finished sniffprint run: exit status, both streams, the JSON lines of stdout."""

    argv: list[str]
    rc: int | None
    stdout: str
    stderr: str

    @property
    def records(self) -> list[dict[str, Any]]:
        out = []
        for line in self.stdout.splitlines():
            line = line.strip()
            if line.startswith("{"):
                try:
                    out.append(json.loads(line))
                except json.JSONDecodeError:
                    continue
        return out

    def of_type(self, kind: str) -> list[dict[str, Any]]:
        return [r for r in self.records if r.get("type") == kind]

    def findings(self, *, server_ip: str | None = None, port: int | None = None,
                 prefix: str | None = None) -> list[dict[str, Any]]:
        return [f for f in self.of_type("finding")
                if (server_ip is None or f.get("server_ip") == server_ip)
                and (port is None or f.get("server_port") == port)
                and (prefix is None or str(f.get("code", "")).startswith(prefix))]

    def printer(self, ip: str) -> dict[str, Any] | None:
        return next((p for p in self.of_type("printer") if p.get("server_ip") == ip), None)

    def flows(self, *, server_ip: str | None = None, port: int | None = None) -> list[dict[str, Any]]:
        return [f for f in self.of_type("flow")
                if (server_ip is None or f.get("server_ip") == server_ip)
                and (port is None or f.get("server_port") == port)]

    def explain(self) -> str:
        """Context for an assertion message (bounded: a failing run can print a lot)."""
        return (f"\n$ {' '.join(self.argv)}\nexit {self.rc}\n--- stdout\n{self.stdout[-4000:]}"
                f"\n--- stderr\n{self.stderr[-2000:]}")


def run_cli(*args: str, timeout: float = 120) -> CliResult:
    """Run sniffprint on this host (pcap files need no namespace)."""
    argv = [*sniffprint_argv(), *map(str, args)]
    res = subprocess.run(argv, capture_output=True, text=True, timeout=timeout)
    return CliResult(argv, res.returncode, res.stdout, res.stderr)


def scan(pcap: Path) -> CliResult:
    return run_cli("scan", "--format", "json", "--all", str(pcap))


def verify(*args: str | Path) -> CliResult:
    return run_cli("verify", "--format", "json", *map(str, args))


def need_verify() -> None:
    """Fail (not skip) while ``sniffprint verify`` is missing: these tests are its contract."""
    if not has_verify():
        pytest.fail("`sniffprint verify` does not exist yet (the scenario itself was recorded "
                    "and checked with `sniffprint scan`)")


# ============================================================================ observers
def _packet_sockets(lab: Lab) -> int:
    out = lab.run("tap", ["cat", "/proc/net/packet"], check=False).stdout
    return max(0, len(out.splitlines()) - 1)


@dataclass
class ObserverSpec:
    """A sniffprint command to run in the tap namespace on ``br0`` while the traffic runs.

    ``args`` follow the sub-command (``-i br0`` is added); ``stop`` is ``None`` to let it end by
    itself (``--duration``), or a signal sent once the scenario's traffic is done."""

    name: str
    command: str                       # "live" or "verify"
    args: Sequence[str] = ()
    stop: int | None = None
    interface_flag: str = "-i"


@dataclass
class Observer:
    spec: ObserverSpec
    argv: list[str]
    popen: subprocess.Popen
    out: Path
    err: Path
    result: CliResult | None = None

    def finish(self, timeout: float) -> CliResult:
        if self.result is not None:
            return self.result
        if self.spec.stop is not None and self.popen.poll() is None:
            os.kill(self.popen.pid, self.spec.stop)  # the pid is sniffprint (ip netns exec execs)
        try:
            rc: int | None = self.popen.wait(timeout)
        except subprocess.TimeoutExpired:
            rc = None  # hung: recorded as rc None; the lab kills it by its pid on teardown
        self.result = CliResult(self.argv, rc, self.out.read_text(errors="replace"),
                                self.err.read_text(errors="replace"))
        return self.result


def start_observers(lab: Lab, work: Path, specs: Sequence[ObserverSpec],
                    timeout: float = 20) -> list[Observer]:
    """Start every observer in the tap namespace and wait until each has its capture socket."""
    before = _packet_sockets(lab)
    obs = []
    for spec in specs:
        out, err = work / f"{spec.name}.stdout", work / f"{spec.name}.stderr"
        argv = [*sniffprint_argv(), spec.command, spec.interface_flag, lab.bridge, *spec.args]
        with open(out, "w") as fo, open(err, "w") as fe:
            proc = lab.spawn("tap", argv, stdout=fo, stderr=fe)
        obs.append(Observer(spec, argv, proc.popen, out, err))
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        alive = sum(o.popen.poll() is None for o in obs)
        if _packet_sockets(lab) >= before + alive:
            break
        time.sleep(0.1)
    time.sleep(0.2)
    return obs


# ============================================================================ recordings
@dataclass
class Recording:
    """What a scenario left behind: the bridge capture, addresses, facts, observer results."""

    name: str
    pcap: Path
    work: Path
    printer_ip: str
    client_ip: str
    facts: dict[str, Any] = field(default_factory=dict)
    observers: dict[str, CliResult] = field(default_factory=dict)
    seconds: float = 0.0


Driver = Callable[[Lab, Path, Path], dict[str, Any]]


def record(work: Path, name: str, drive: Driver, observers: Sequence[ObserverSpec] = (),
           observer_timeout: float = 25) -> Recording:
    """Build a lab, start the observers, run ``drive(lab, scratch, pcap)``, tear down."""
    t0 = time.monotonic()
    scratch = work / name
    scratch.mkdir(parents=True, exist_ok=True)
    os.chmod(scratch, 0o755)   # Samba/ippeveprinter children run as other users
    pcap = scratch / f"{name}.pcap"
    with Lab(hosts=dict(HOSTS), settle=LAB_SETTLE) as lab:
        obs = start_observers(lab, scratch, observers) if observers else []
        facts = drive(lab, scratch, pcap)
        results = {o.spec.name: o.finish(observer_timeout) for o in obs}
        rec = Recording(name, pcap, scratch, lab.ip("prn"), lab.ip("ws"), facts, results)
    rec.seconds = time.monotonic() - t0
    return rec


# ============================================================================ drivers
def _document(scratch: Path) -> tuple[Path, str]:
    """A PJL-wrapped PostScript payroll page (tools/make_captures.py's DocFactory, no gs)."""
    from tools.make_captures import DocFactory

    doc = DocFactory(scratch, "e2e").make("ps", "pjl-ps", DOC_TITLE)
    return doc.path, hashlib.sha256(doc.data).hexdigest()


def _self_signed(scratch: Path) -> tuple[Path, Path]:
    key, crt = scratch / "prn.key", scratch / "prn.crt"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key),
                    "-out", str(crt), "-days", "30", "-subj", "/CN=prn.lab"],
                   check=True, capture_output=True, timeout=60)
    return key, crt


def _received(sink: Path, timeout: float = 10) -> list[Path]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        files = sorted(sink.glob("job-*.bin"))
        if files:
            time.sleep(0.2)   # let socat's cat finish writing
            return files
        time.sleep(0.1)
    return []


#: socat options pinning both ends to TLS 1.0; OpenSSL 3 refuses TLS < 1.2 at its default
#: security level, so the cipher list lowers it (what a legacy printer firmware would accept)
TLS10 = ",min-version=TLS1,max-version=TLS1,cipher=DEFAULT:@SECLEVEL=0"


def raw9100(*, tls: bool = False, send: bool = True, listen: bool = True, tls_opts: str = "") -> Driver:
    """Raw port 9100: a socat sink on the printer, a socat client on the workstation.

    ``tls``: OPENSSL-LISTEN with a self-signed certificate made here, client ``verify=0``;
    ``tls_opts`` is appended to both socat OpenSSL addresses (e.g. ``TLS10``).
    ``send=False``: the client connects and closes without a byte (a listener probe).
    ``listen=False``: nothing listens, so the SYN is answered by RST."""

    def drive(lab: Lab, scratch: Path, pcap: Path) -> dict[str, Any]:
        prn = lab.ip("prn")
        sink = scratch / "received"
        sink.mkdir(exist_ok=True)
        os.chmod(sink, 0o777)
        if listen:
            if tls:
                key, crt = _self_signed(scratch)
                address = f"OPENSSL-LISTEN:{RAW_PORT},fork,reuseaddr,cert={crt},key={key},verify=0{tls_opts}"
            else:
                address = f"TCP4-LISTEN:{RAW_PORT},fork,reuseaddr"
            lab.spawn("prn", ["socat", "-u", address, f"SYSTEM:cat > {sink}/job-$SOCAT_PEERPORT.bin"])
            lab.wait_port("prn", RAW_PORT)
        doc, digest = _document(scratch)
        source = f"OPEN:{doc}" if send else "OPEN:/dev/null"
        target = f"OPENSSL:{prn}:{RAW_PORT},verify=0{tls_opts}" if tls else f"TCP:{prn}:{RAW_PORT}"
        with lab.capture(pcap):
            client = lab.run("ws", ["socat", "-u", source, target], check=False, timeout=30)
        facts: dict[str, Any] = {"client_rc": client.returncode, "client_stderr": client.stderr[-500:],
                                 "port": RAW_PORT}
        if listen and send:
            got = _received(sink)
            facts["received_sha256"] = [hashlib.sha256(f.read_bytes()).hexdigest() for f in got]
            facts["sent_sha256"] = digest
        return facts

    return drive


def ipp(*, secure: bool, job: bool = True) -> Driver:
    """ippeveprinter on the printer (own dbus-daemon), ipptool from the workstation over
    ``ipp://`` (cleartext) or ``ipps://`` (TLS) on port 631 -- tools/make_captures.py's
    IppTool/IppsTool scenarios: one Print-Job, or (``job=False``) one Get-Printer-Attributes."""

    def drive(lab: Lab, scratch: Path, pcap: Path) -> dict[str, Any]:
        from tools.make_captures import GET_ATTRS, PRINT_JOB, IppsTool, IppTool

        sc = (IppsTool if secure else IppTool)(scratch)
        sc.start_printer(lab)
        doc = sc.docs.make("ps", "ps-dsc", DOC_TITLE)
        with lab.capture(pcap):
            if job:
                sc.ipptool(lab, PRINT_JOB, doc=doc, transfer="-L", jobname=doc.title,
                           fmt="application/postscript")
                sc.wait_job(1)
            else:
                sc.ipptool(lab, GET_ATTRS, doc=None, transfer="-L")
        return {"port": 631, "scheme": sc.scheme, "commands": sc.how}

    return drive


def smb(*, encrypted: bool) -> Driver:
    """Samba print share + smbclient ``print`` (and a disk-share copy), with or without SMB3
    encryption (server ``smb encrypt = required``, client ``--client-protection=encrypt``):
    tools/make_captures.py's SmbPrint/SmbPrintEnc scenarios, which capture by themselves."""

    def drive(lab: Lab, scratch: Path, pcap: Path) -> dict[str, Any]:
        from tools.make_captures import SmbPrint, SmbPrintEnc

        sc = (SmbPrintEnc if encrypted else SmbPrint)(scratch)
        sc.run(lab, pcap)
        return {"port": 445, "encrypted": encrypted, "commands": sc.how}

    return drive


def quiet(lab: Lab, scratch: Path, pcap: Path) -> dict[str, Any]:
    """An observer that sees nothing: the capture runs, no host sends a thing."""
    with lab.capture(pcap):
        time.sleep(0.5)
    return {}


def write_policy(path: Path, **keys: Any) -> Path:
    """A tiny TOML writer for the policy keys the tests use (lists of strings / ints, scalars)."""
    lines = []
    for k, v in keys.items():
        if isinstance(v, (list, tuple)):
            v = "[" + ", ".join(json.dumps(x) for x in v) + "]"
        else:
            v = json.dumps(v)
        lines.append(f"{k} = {v}")
    path.write_text("\n".join(lines) + "\n")
    return path

