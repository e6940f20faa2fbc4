"""engine/flowrecord.py: the Zeek connection state of every combination of handshake and close
flags, and a flow record's counts, languages and tuple-valued facts."""
from __future__ import annotations

import pytest

from sniffprint import analyze
from sniffprint.engine.flowrecord import conn_state
from sniffprint.model import ConnState
from tests import pcapgen as g

SYN, SYNACK, FIN_C, FIN_S, RST_C, RST_S = (1 << i for i in range(6))  # Flow.state_flags bits


@pytest.mark.parametrize(("flags", "state"), [
    (SYN, ConnState.S0),
    (SYN | RST_S, ConnState.REJ),
    (0, ConnState.OTH),
    (FIN_C | FIN_S, ConnState.OTH),  # no handshake seen: mid-stream, whatever follows
    (SYN | SYNACK, ConnState.S1),
    (SYNACK, ConnState.S1),  # the SYN was not captured
    (SYN | SYNACK | FIN_C | FIN_S, ConnState.SF),
    (SYN | SYNACK | FIN_C, ConnState.S2),
    (SYN | SYNACK | FIN_S, ConnState.S3),
    (SYN | SYNACK | RST_C | FIN_S, ConnState.RSTO),  # a reset wins over a FIN
    (SYN | SYNACK | RST_S, ConnState.RSTR),
])
def test_conn_state(flags, state):
    assert conn_state(flags) is state


def test_record_of_a_print_flow(tmp_path):
    frames, job = g.print_job_frames()
    p = tmp_path / "c.pcap"
    p.write_bytes(g.pcap(frames))
    rep = analyze(str(p))
    (f,) = rep.flows
    assert f.proto == "tcp" and f.state == "SF" and f.jobs == len(rep.jobs) > 0 and f.print is True
    assert f.c2s_bytes == len(job) and f.missed_bytes == 0 and f.credentials is None
    assert f.community_id.startswith("1:") and isinstance(f.languages, tuple)
    assert f.duration == round(f.ts_end - f.ts_start, 6)
