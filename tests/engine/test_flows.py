"""engine/flows.py: content decides the service, and gaps reach the flow."""
from __future__ import annotations

from sniffprint import analyze
from tests import pcapgen as g


def run(tmp_path, frames, options=None, step=0.001):
    p = tmp_path / "c.pcap"
    p.write_bytes(g.pcap(frames, step=step))
    return analyze(str(p), options=options)


def test_content_decides_not_the_port(tmp_path):
    frames, job = g.print_job_frames(sport=8100)
    (f,) = run(tmp_path, frames).flows
    assert f.service == "raw9100" and f.print is True


def test_web_traffic_on_9100_is_not_print(tmp_path):
    c = g.Conversation(sport=9100)
    frames = c.handshake() + c.c2s(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n") + c.s2c(b"HTTP/1.1 200 OK\r\n\r\n") + c.close()
    (f,) = run(tmp_path, [g.ether(x) for x in frames]).flows
    assert f.service == "http" and f.print is False


def test_unknown_content_is_other_and_not_print(tmp_path):
    c = g.Conversation(sport=22)
    frames = c.handshake() + c.s2c(b"SSH-2.0-OpenSSH_9.2\r\n") + c.c2s(b"SSH-2.0-client\r\n" + bytes(3000)) + c.close()
    (f,) = run(tmp_path, [g.ether(x) for x in frames]).flows
    assert f.service == "other" and f.print is False


def test_lost_segment_is_a_gap_in_the_flow(tmp_path):
    c = g.Conversation()
    frames = c.handshake()
    data = c.c2s(b"%!PS-Adobe-3.0\n" + b"x" * 4985)
    frames += data[:2] + data[3:] + c.close()
    (f,) = run(tmp_path, [g.ether(x) for x in frames]).flows
    assert f.missed_bytes == 1000 and f.c2s_bytes == 4000 and "G" in f.history
