"""Shared by the CLI's tests: a small capture (a print job and a web flow) and the JSON lines reader."""
from __future__ import annotations

import json

import pytest

from tests import pcapgen as g

KEYED = {"SNIFFPRINT_HASH_KEY": "cli-tests"}  # no one-off "created a site key" notice on stderr


@pytest.fixture
def capture(tmp_path):
    frames, job = g.print_job_frames()
    c = g.Conversation(cport=50000, sport=443, server="10.0.0.3")  # a web server, not the printer
    web = c.handshake() + c.c2s(b"GET / HTTP/1.1\r\n\r\n") + c.s2c(b"HTTP/1.1 200 OK\r\n\r\nhi") + c.close()
    p = tmp_path / "c.pcap"
    p.write_bytes(g.pcap(frames + [g.ether(f) for f in web] + [b"\x00\x01"]))
    return p


def records(out: str) -> list[dict]:
    return [json.loads(line) for line in out.splitlines() if line.strip()]
