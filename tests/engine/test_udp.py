"""engine/udp.py: UDP pseudo-flows: orientation, datagram boundaries, idle end, bounds, snaplen."""
from __future__ import annotations

from typing import ClassVar

import pytest

from sniffprint import analyze
from sniffprint.dissectors.base import Dissector
from sniffprint.dissectors.events import Event, FlowFact, SecretSeen
from sniffprint.engine import udp as udp_mod
from sniffprint.errors import ProtocolViolation
from sniffprint.model import Direction, FlowKey, Service
from sniffprint.options import Options
from tests import pcapgen as g
from tests.dissectors import ber_vectors as b

GET = b.v1v2c(1, b"s3cret-community", b.pdu(0, ("1.3.6.1.2.1.1.1.0", b.null())))
RESPONSE = b.v1v2c(1, b"s3cret-community", b.pdu(2, ("1.3.6.1.2.1.1.1.0", b.octets(b"LaserJet"))))


def run(tmp_path, frames, times=None, options=None, snaplen=262144):
    p = tmp_path / "u.pcap"
    p.write_bytes(g.pcap([g.ether(f) for f in frames], times=times, snaplen=snaplen))
    return analyze(str(p), options=options)


class Recorder(Dissector):
    """A datagram dissector that records every call, to check what the engine hands over."""

    name = "recorder"
    service = Service.OTHER
    datagram = True
    calls: ClassVar[list[tuple[Direction, bytes]]] = []

    @classmethod
    def probe(cls, c2s: bytes, s2c: bytes, key: FlowKey) -> float:
        return 0.9 if (c2s or s2c).startswith(b"REC") else 0.0

    def feed(self, direction: Direction, data: bytes) -> list[Event]:
        if data == b"REC-bad":
            raise ProtocolViolation("bad datagram")
        Recorder.calls.append((direction, data))
        return [FlowFact("snmp_versions", ["v1"]), SecretSeen("snmp-community", secret=data.decode())]


@pytest.fixture
def recorder(monkeypatch):
    Recorder.calls = []
    monkeypatch.setattr(udp_mod, "DATAGRAM_DISSECTORS", [Recorder])
    return Recorder


def test_a_request_and_its_answer_are_one_flow_oriented_by_the_server_port(tmp_path):
    rep = run(tmp_path, [g.udp("10.0.0.1", "10.0.0.2", 40000, 161, GET),
                         g.udp("10.0.0.2", "10.0.0.1", 161, 40000, RESPONSE)])
    (f,) = rep.flows
    assert (f.proto, f.client_port, f.server_port, f.orientation) == ("udp", 40000, 161, "port")
    assert (f.c2s_packets, f.s2c_packets, f.c2s_bytes, f.s2c_bytes) == (1, 1, len(GET), len(RESPONSE))
    assert f.state == "SF" and f.history == "Dd" and f.service == "snmp"
    assert rep.stats.udp_flows == 1 and rep.stats.flows == 0 and rep.stats.udp_datagrams == 2


def test_an_answer_seen_first_is_flipped_to_its_server(tmp_path):
    rep = run(tmp_path, [g.udp("10.0.0.2", "10.0.0.1", 161, 40000, RESPONSE)])
    (f,) = rep.flows
    assert (f.client_ip, f.server_port, f.c2s_packets, f.s2c_packets) == ("10.0.0.1", 161, 0, 1)
    assert f.history.startswith("^") and f.state == "S0"


@pytest.mark.parametrize("dst", ["224.0.0.251", "10.0.0.255", "ff02::fb"])
def test_a_datagram_to_a_group_comes_from_the_client(tmp_path, dst):
    src = "fe80::1" if ":" in dst else "10.0.0.9"
    rep = run(tmp_path, [g.udp(src, dst, 5353, 5353, b"\x00" * 12)])
    (f,) = rep.flows
    assert (f.client_ip, f.server_ip, f.orientation) == (src, dst, "first")


def test_datagram_boundaries_are_kept_and_secrets_never_reach_the_record(tmp_path, recorder):
    frames = [g.udp("10.0.0.1", "10.0.0.2", 40000, 9999, d) for d in (b"REC-one", b"REC-two")]
    frames.append(g.udp("10.0.0.2", "10.0.0.1", 9999, 40000, b"REC-three"))
    rep = run(tmp_path, frames)
    assert recorder.calls == [(Direction.C2S, b"REC-one"), (Direction.C2S, b"REC-two"), (Direction.S2C, b"REC-three")]
    (f,) = rep.flows
    assert f.snmp_versions == ("v1",)
    assert len(f.credentials) == 3 and all(c.secret_length in (7, 9) for c in f.credentials)
    assert "REC-one" not in repr(f)


def test_a_violation_detaches_the_dissector_and_the_rest_is_counted(tmp_path, recorder):
    frames = [g.udp("10.0.0.1", "10.0.0.2", 40000, 9999, d) for d in (b"REC-one", b"REC-bad", b"REC-two")]
    rep = run(tmp_path, frames)
    (f,) = rep.flows
    assert recorder.calls == [(Direction.C2S, b"REC-one")]
    assert f.service_violations == ("-recorder",) and f.c2s_packets == 3
    assert [a.kind for a in rep.anomalies] == ["protocol_violation"]


def test_unknown_udp_is_other_after_a_few_datagrams(tmp_path, recorder):
    frames = [g.udp("10.0.0.1", "10.0.0.2", 40000, 53, b"x" * 20)] * 5 + \
             [g.udp("10.0.0.1", "10.0.0.2", 40000, 53, b"REC-late")]
    rep = run(tmp_path, frames)
    (f,) = rep.flows
    assert f.service == "other" and recorder.calls == [] and rep.anomalies == []


def test_idle_timeout_ends_a_pseudo_flow_without_an_anomaly(tmp_path):
    frames = [g.udp("10.0.0.1", "10.0.0.2", 40000, 161, GET)] * 2
    rep = run(tmp_path, frames, times=[0.0, 61.0])
    assert len(rep.flows) == 2 and rep.anomalies == [] and rep.stats.flows_evicted == 0
    rep = run(tmp_path, frames, times=[0.0, 59.0])
    assert len(rep.flows) == 1
    rep = run(tmp_path, frames, times=[0.0, 20.0], options=Options(udp_idle_timeout=10.0))
    assert len(rep.flows) == 2


def test_the_table_of_pseudo_flows_is_bounded(tmp_path):
    frames = [g.udp("10.0.0.1", "10.0.0.2", 40000 + i, 161, GET) for i in range(150)]
    rep = run(tmp_path, frames, options=Options(max_flows=100))
    assert len(rep.flows) == 150 and rep.stats.flows_evicted == 50
    assert {a.kind for a in rep.anomalies} == {"flow_evicted"}


def test_a_datagram_cut_by_the_snap_length_is_counted_not_parsed(tmp_path):
    rep = run(tmp_path, [g.udp("10.0.0.1", "10.0.0.2", 40000, 161, GET)], snaplen=14 + 28 + 10)
    (f,) = rep.flows
    assert f.c2s_bytes == len(GET) and f.missed_bytes == len(GET) - 10 and "G" in f.history
    assert f.service == "other" and [a.kind for a in rep.anomalies] == ["truncated_datagram"]


@pytest.mark.parametrize("length", [4, 9999])
def test_a_bad_udp_length_is_an_anomaly(tmp_path, length):
    rep = run(tmp_path, [g.udp("10.0.0.1", "10.0.0.2", 40000, 161, GET, length=length)])
    assert rep.flows == [] and [a.kind for a in rep.anomalies] == ["bad_udp_header"]


def test_tcp_and_udp_flows_side_by_side(tmp_path):
    frames, _ = g.print_job_frames(wrap=lambda f: f)
    rep = run(tmp_path, frames + [g.udp("10.0.0.1", "10.0.0.2", 40000, 161, GET)])
    assert sorted(f.proto for f in rep.flows) == ["tcp", "udp"]
    assert rep.stats.flows == 1 and rep.stats.udp_flows == 1
