"""Live capture on the loopback interface (root only): our decoder parses the socket's bytes."""
from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading

import pytest

pytestmark = pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0,
                                reason="live capture needs root (CAP_NET_RAW)")


def _listener() -> tuple[socket.socket, int]:
    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", 0))
    srv.listen(1)
    return srv, srv.getsockname()[1]


def _wait_ready(proc: subprocess.Popen) -> None:  # type: ignore[type-arg]
    """Block until live says its socket is open (its first stderr line)."""
    line = proc.stderr.readline()
    assert "capturing on lo" in (line.decode() if isinstance(line, bytes) else line), line


def test_live_capture_on_loopback_sees_a_print_job():
    srv, port = _listener()
    received = bytearray()

    def serve() -> None:
        conn, _ = srv.accept()
        with conn:
            while chunk := conn.recv(65536):
                received.extend(chunk)

    threading.Thread(target=serve, daemon=True).start()
    proc = subprocess.Popen([sys.executable, "-m", "sniffprint", "live", "-i", "lo", "--bpf", f"tcp port {port}",
                             "--duration", "4", "--format", "json"], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    _wait_ready(proc)
    job = b"\x1b%-12345X@PJL JOB NAME=\"live\"\r\n@PJL ENTER LANGUAGE=POSTSCRIPT\r\n%!PS-Adobe-3.0\n(x) show\n"
    with socket.create_connection(("127.0.0.1", port)) as c:
        c.sendall(job)
    out, err = proc.communicate(timeout=30)
    srv.close()
    assert proc.returncode == 0, err.decode()
    flows = [json.loads(x) for x in out.decode().splitlines() if x.startswith('{"type":"flow"')]
    mine = [f for f in flows if f["server_port"] == port]
    assert mine, out.decode()[:2000]
    assert mine[0]["service"] == "raw9100" and mine[0]["print"] is True
    assert mine[0]["c2s_bytes"] == len(job)
    assert mine[0]["rexmit_bytes"] == 0, "loopback frames were counted twice"


def test_live_bad_bpf_is_a_one_line_error():
    out = subprocess.run([sys.executable, "-m", "sniffprint", "live", "-i", "lo", "--bpf", "tcp port (((",
                          "--duration", "1"], capture_output=True, text=True, timeout=60)
    assert out.returncode == 2 and "Traceback" not in out.stderr
    assert len(out.stderr.strip().splitlines()) == 1


def test_live_line_format_prints_findings_and_status_lines():
    srv, port = _listener()

    def serve() -> None:
        conn, _ = srv.accept()
        with conn:
            while conn.recv(65536):
                pass

    threading.Thread(target=serve, daemon=True).start()
    proc = subprocess.Popen([sys.executable, "-m", "sniffprint", "live", "-i", "lo", "--bpf", f"tcp port {port}",
                             "--duration", "5", "--status-interval", "1"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    _wait_ready(proc)
    with socket.create_connection(("127.0.0.1", port)) as c:
        c.sendall(b"%!PS-Adobe-3.0\n%%Title: quarterly\n(Quarterly payroll) show showpage\n")
    out, err = proc.communicate(timeout=30)
    srv.close()
    assert proc.returncode == 0, err
    assert any(" SP101 " in line and f"127.0.0.1:{port}" in line for line in out.splitlines()), out
    assert "Quarterly" not in out  # the line shows what was exposed, not the text
    status = [line for line in err.splitlines() if "packets" in line and "flows" in line]
    assert len(status) >= 2, err  # periodic status, then the closing summary


def test_live_jobs_share_the_interface_by_flow_and_lose_nothing():
    """--jobs 2: the kernel's PACKET_FANOUT gives each worker whole flows (both directions)."""
    srv, port = _listener()
    srv.listen(32)

    def serve() -> None:
        while True:
            try:
                conn, _ = srv.accept()
            except OSError:
                return
            with conn:
                while conn.recv(65536):
                    pass

    threading.Thread(target=serve, daemon=True).start()
    proc = subprocess.Popen([sys.executable, "-m", "sniffprint", "live", "-i", "lo", "--jobs", "2", "--bpf",
                             f"tcp port {port}", "--duration", "6", "--format", "json"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    _wait_ready(proc)
    job = b"\x1b%-12345X@PJL JOB NAME=\"live\"\r\n@PJL ENTER LANGUAGE=POSTSCRIPT\r\n%!PS-Adobe-3.0\n(x) show\n"
    for _ in range(12):
        with socket.create_connection(("127.0.0.1", port)) as c:
            c.sendall(job)
    out, err = proc.communicate(timeout=60)
    srv.close()
    assert proc.returncode == 0, err.decode()
    recs = [json.loads(x) for x in out.decode().splitlines()]
    flows = [f for f in recs if f["type"] == "flow" and f["server_port"] == port]
    assert len(flows) == 12 and all(f["c2s_bytes"] == len(job) and f["print"] for f in flows), out.decode()[:2000]
    assert all("G" not in f["history"] and f["s2c_packets"] > 0 for f in flows)  # both directions in one worker
    assert recs[-1]["type"] == "summary" and recs[-1]["flows"] == 12
