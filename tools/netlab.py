"""Network-namespace lab: a workstation, a printer, a web host and a passive observer.

Topology (one ``Lab`` instance)::

    <prefix>-ws  eth0 ──veth── p-ws ┐
    <prefix>-prn eth0 ──veth── p-prn├─ br0 (no IP)   in <prefix>-tap (the vantage point)
    <prefix>-web eth0 ──veth── p-web┘

Every host gets ``10.77.<net>.<n>/24`` and ``fd77:<net>::<n>/64`` (added with ``nodad``).
Offloads are switched off on every veth end and on the bridge so a capture on ``br0`` holds
wire-sized frames with valid checksums; IPv6 is disabled on the bridge ports and the bridge so
the observer adds no traffic of its own.

Processes started with :meth:`Lab.spawn` are recorded and stopped by their PID (process group)
in ``__exit__``; after that, whatever still runs inside the lab's own namespaces (for example a
daemon's grandchild) is killed by the PID the kernel reports for that namespace, and the
namespaces are deleted.  Nothing is ever killed by name.

Stdlib only; needs root and ``ip netns`` (iproute2).  Used by ``tools/make_captures.py`` and by
end-to-end tests (``from tools.netlab import Lab``).
"""

from __future__ import annotations

import contextlib
import ipaddress
import os
import secrets
import shutil
import signal
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator, Mapping, Sequence

__all__ = ["Lab", "LabError", "Proc", "HOSTS", "preflight"]

#: host name -> last address octet / IPv6 interface id
HOSTS: Mapping[str, int] = {"ws": 10, "prn": 20, "web": 30}

OFFLOADS = ("tso", "off", "gso", "off", "gro", "off", "tx", "off", "rx", "off")


class LabError(RuntimeError):
    """The lab cannot be built or used (not root, no ``ip netns``, a command failed...)."""


def preflight() -> None:
    """Raise :class:`LabError` unless this process can build a lab."""
    if os.geteuid() != 0:
        raise LabError("tools.netlab needs root (it creates network namespaces); run as root")
    for tool in ("ip", "ethtool", "sysctl"):
        if shutil.which(tool) is None:
            raise LabError(f"tools.netlab needs {tool!r} in PATH (Debian: iproute2, ethtool, procps)")
    probe = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True)
    if probe.returncode != 0:
        raise LabError(f"'ip netns' is unavailable: {probe.stderr.strip() or probe.returncode}")


def _sh(argv: Sequence[str], *, check: bool = True, **kw) -> subprocess.CompletedProcess:
    kw.setdefault("capture_output", True)
    kw.setdefault("text", True)
    res = subprocess.run(list(argv), **kw)
    if check and res.returncode != 0:
        raise LabError(f"command failed ({res.returncode}): {' '.join(argv)}\n{res.stderr or ''}")
    return res


@dataclass
class Proc:
    """A process started in a namespace; stopped by the PID (and its process group) we recorded."""

    host: str
    argv: list[str]
    popen: subprocess.Popen
    stop_signal: int = signal.SIGTERM

    @property
    def pid(self) -> int:
        return self.popen.pid

    def alive(self) -> bool:
        return self.popen.poll() is None

    def stop(self, timeout: float = 5.0) -> int | None:
        """Signal the process group led by our PID, wait, escalate to SIGKILL."""
        if self.popen.poll() is None:
            for sig, wait in ((self.stop_signal, timeout), (signal.SIGKILL, 5.0)):
                try:
                    os.killpg(self.pid, sig)  # spawned with start_new_session: pgid == pid
                except ProcessLookupError:
                    break
                try:
                    self.popen.wait(wait)
                    break
                except subprocess.TimeoutExpired:
                    continue
        else:
            # leader gone; its group may still hold children (e.g. socat fork children)
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(self.pid, signal.SIGKILL)
        for stream in (self.popen.stdout, self.popen.stderr):
            if stream is not None:
                with contextlib.suppress(Exception):
                    stream.close()
        return self.popen.returncode


@dataclass
class Lab:
    """Context manager building the four-namespace topology; see the module docstring."""

    net: int = 0                      # third octet of 10.77.<net>.0/24 and fd77:<net>::/64
    hosts: Mapping[str, int] = field(default_factory=lambda: dict(HOSTS))
    prefix: str = ""                  # namespace name prefix; unique per instance when empty
    mtu: Mapping[str, int] = field(default_factory=dict)   # per-host MTU override
    settle: float = 1.5               # seconds to let links come up
    uts: bool = True                  # run/spawn in a UTS namespace whose hostname is the host key
    procs: list[Proc] = field(default_factory=list, init=False)
    _made: list[str] = field(default_factory=list, init=False)

    def __post_init__(self) -> None:
        if not self.prefix:
            self.prefix = f"spl{os.getpid() % 100000}{secrets.token_hex(2)}"
        if not (0 <= self.net <= 255):
            raise ValueError("net must be 0..255")

    # ---- naming / addressing ---------------------------------------------------------------
    def ns(self, host: str) -> str:
        if host != "tap" and host not in self.hosts:
            raise KeyError(f"unknown lab host {host!r} (have {sorted(self.hosts)} and 'tap')")
        return f"{self.prefix}-{host}"

    def ip(self, host: str, v6: bool = False) -> str:
        n = self.hosts[host]
        if v6:
            return str(ipaddress.IPv6Address(f"fd77:{self.net:x}::{n}"))
        return f"10.77.{self.net}.{n}"

    def mac(self, host: str) -> str:
        return f"02:77:00:{self.net:02x}:00:{self.hosts[host]:02x}"

    @staticmethod
    def port_name(host: str) -> str:
        return f"p-{host}"[:15]

    bridge = "br0"

    # ---- lifecycle ---------------------------------------------------------------------------
    def __enter__(self) -> "Lab":
        preflight()
        try:
            self._build()
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _ipn(self, host: str, *args: str) -> None:
        _sh(["ip", "-n", self.ns(host), *args])

    def _sysctl(self, host: str, key: str, value: str) -> None:
        self.run(host, ["sysctl", "-q", "-w", f"{key}={value}"])

    def _build(self) -> None:
        existing = _sh(["ip", "netns", "list"]).stdout
        for host in ("tap", *self.hosts):
            name = self.ns(host)
            if any(line.split()[0] == name for line in existing.splitlines() if line.strip()):
                raise LabError(f"namespace {name} already exists; pick another prefix")
            self._made.append(name)
            _sh(["ip", "netns", "add", name])
            self._ipn(host, "link", "set", "lo", "up")
        self._write_etc_hosts()
        tap = "tap"
        self._sysctl(tap, "net.ipv6.conf.all.disable_ipv6", "1")
        self._sysctl(tap, "net.ipv6.conf.default.disable_ipv6", "1")
        self._ipn(tap, "link", "add", self.bridge, "type", "bridge", "stp_state", "0",
                  "forward_delay", "0")
        for host in self.hosts:
            port = self.port_name(host)
            self._ipn(tap, "link", "add", port, "type", "veth", "peer", "name", "eth0",
                      "netns", self.ns(host))
            self._ipn(tap, "link", "set", port, "master", self.bridge)
            self._ipn(host, "link", "set", "eth0", "address", self.mac(host))
            # no router solicitations / autoconf chatter on the hosts
            for key, val in (("accept_ra", "0"), ("router_solicitations", "0"),
                             ("autoconf", "0"), ("dad_transmits", "0")):
                self._sysctl(host, f"net.ipv6.conf.default.{key}", val)
                self._sysctl(host, f"net.ipv6.conf.eth0.{key}", val)
            self._ipn(host, "addr", "add", f"{self.ip(host)}/24", "dev", "eth0")
            self._ipn(host, "addr", "add", f"{self.ip(host, v6=True)}/64", "dev", "eth0", "nodad")
            self.run(host, ["ethtool", "-K", "eth0", *OFFLOADS], capture_output=True)
            self.run(tap, ["ethtool", "-K", port, *OFFLOADS], capture_output=True)
            self._ipn(tap, "link", "set", port, "up")
            if host in self.mtu:  # after the IPv6 set-up: an MTU < 1280 switches IPv6 off
                self._ipn(host, "link", "set", "eth0", "mtu", str(self.mtu[host]))
            self._ipn(host, "link", "set", "eth0", "up")
        self.run(tap, ["ethtool", "-K", self.bridge, *OFFLOADS], capture_output=True)
        self._ipn(tap, "link", "set", self.bridge, "up")
        time.sleep(self.settle)

    def hostname(self, host: str) -> str:
        """Name of ``host`` in every lab namespace's /etc/hosts (IPv4 and IPv6 entries)."""
        return f"{host}.lab"

    def _write_etc_hosts(self) -> None:
        # `ip netns exec NS` bind-mounts /etc/netns/NS/* over /etc/*: give each host a hosts file
        lines = ["127.0.0.1 localhost", "::1 localhost ip6-localhost ip6-loopback"]
        for h in self.hosts:
            lines.append(f"{self.ip(h)} {self.hostname(h)} {h}")
        for h in self.hosts:
            lines.append(f"{self.ip(h, v6=True)} {self.hostname(h)} {h}")
        for host in ("tap", *self.hosts):
            etc = Path("/etc/netns") / self.ns(host)
            etc.mkdir(parents=True, exist_ok=True)
            (etc / "hosts").write_text("\n".join(lines) + "\n")
            (etc / "hostname").write_text(f"{host}\n")

    def close(self) -> None:
        """Stop recorded processes, kill leftovers inside our namespaces, delete namespaces."""
        for proc in reversed(self.procs):
            with contextlib.suppress(Exception):
                proc.stop()
        self.procs.clear()
        for name in reversed(self._made):
            self._kill_ns_leftovers(name)
            subprocess.run(["ip", "netns", "del", name], capture_output=True)
            shutil.rmtree(Path("/etc/netns") / name, ignore_errors=True)
        self._made.clear()

    @staticmethod
    def _kill_ns_leftovers(name: str) -> None:
        for _ in range(3):
            res = subprocess.run(["ip", "netns", "pids", name], capture_output=True, text=True)
            pids = [int(p) for p in res.stdout.split() if p.isdigit() and int(p) != os.getpid()]
            if not pids:
                return
            for pid in pids:
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.kill(pid, signal.SIGKILL)
            time.sleep(0.2)

    # ---- running things ------------------------------------------------------------------------
    def _argv(self, host: str, argv: Sequence[str]) -> list[str]:
        base = ["ip", "netns", "exec", self.ns(host)]
        if self.uts and host != "tap":
            # own hostname per host (LPD control files, SMB workstation names show it)
            base += ["unshare", "--uts", "--", "sh", "-c", 'hostname "$0" && exec "$@"', host]
        return [*base, *map(str, argv)]

    def run(self, host: str, argv: Sequence[str], *, check: bool = True,
            env: Mapping[str, str] | None = None, timeout: float | None = 120,
            **kw) -> subprocess.CompletedProcess:
        """Run ``argv`` inside ``host``'s namespace and wait (``subprocess.run`` keywords)."""
        if env is not None:
            env = {**os.environ, **env}
        kw.setdefault("capture_output", True)
        kw.setdefault("text", True)
        res = subprocess.run(self._argv(host, argv), env=env, timeout=timeout, **kw)
        if check and res.returncode != 0:
            raise LabError(f"[{host}] failed ({res.returncode}): {' '.join(map(str, argv))}\n"
                           f"stdout: {res.stdout}\nstderr: {res.stderr}")
        return res

    def spawn(self, host: str, argv: Sequence[str], *, env: Mapping[str, str] | None = None,
              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd: str | None = None,
              stop_signal: int = signal.SIGTERM) -> Proc:
        """Start a long-running process in ``host``'s namespace (own session/process group)."""
        full_env = {**os.environ, **env} if env is not None else None
        popen = subprocess.Popen(self._argv(host, argv), env=full_env, stdout=stdout,
                                 stderr=stderr, stdin=subprocess.DEVNULL, cwd=cwd,
                                 start_new_session=True)
        proc = Proc(host, list(map(str, argv)), popen, stop_signal)
        self.procs.append(proc)
        return proc

    def stop(self, proc: Proc) -> int | None:
        rc = proc.stop()
        with contextlib.suppress(ValueError):
            self.procs.remove(proc)
        return rc

    def wait_port(self, host: str, port: int, *, v6: bool = False, timeout: float = 10.0) -> None:
        """Wait until something listens on TCP ``port`` in ``host`` (checked with ``ss``)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            out = self.run(host, ["ss", "-Hltn", f"sport = :{port}"], check=False).stdout
            if out.strip():
                return
            time.sleep(0.1)
        raise LabError(f"nothing listens on {host}:{port} after {timeout}s")

    @contextlib.contextmanager
    def capture(self, path: str | os.PathLike, fmt: str = "pcap", *, bpf: str | None = None,
                pre: float = 1.0, post: float = 1.5) -> Iterator[Path]:
        """Capture on the bridge in the tap namespace while the ``with`` body runs."""
        path = Path(path).absolute()
        path.parent.mkdir(parents=True, exist_ok=True)
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
        if fmt == "pcap":
            argv = ["tcpdump", "-i", self.bridge, "--immediate-mode", "-U", "-s", "0", "-n", "-Z", "root",
                    "-w", str(path)]
            if bpf:
                argv.append(bpf)
        elif fmt == "pcapng":
            argv = ["dumpcap", "-i", self.bridge, "-q", "-s", "0", "-w", str(path)]
            if bpf:
                argv += ["-f", bpf]
        else:
            raise ValueError(f"fmt must be 'pcap' or 'pcapng', not {fmt!r}")
        proc = self.spawn("tap", argv, stderr=subprocess.PIPE, stop_signal=signal.SIGINT)
        deadline = time.monotonic() + 15
        while not (path.exists() and path.stat().st_size > 0):
            if not proc.alive():
                err = proc.popen.stderr.read() if proc.popen.stderr else ""
                raise LabError(f"capture process died: {err}")
            if time.monotonic() > deadline:
                self.stop(proc)
                raise LabError(f"capture file {path} did not appear")
            time.sleep(0.05)
        time.sleep(pre)
        try:
            yield path
        finally:
            time.sleep(post)
            self.stop(proc)
