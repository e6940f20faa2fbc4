"""Expected endpoints: what an endpoint mapper announced, bounded, as hints for later flows."""
from __future__ import annotations

from sniffprint import analyze
from sniffprint.engine.expect import Expectations
from sniffprint.model import FlowKey, Service
from tests import pcapgen as g
from tests.dissectors.dcerpc import vectors as rpc


def test_hints_are_per_server_endpoint_and_bounded():
    e = Expectations(cap=2)
    e.expect("10.0.0.2", 49668, Service.DCERPC)
    assert e.hint(FlowKey("tcp", "10.0.0.1", 5000, "10.0.0.2", 49668)) is Service.DCERPC
    assert e.hint(FlowKey("tcp", "10.0.0.1", 5000, "10.0.0.3", 49668)) is None
    e.expect("10.0.0.2", 2, Service.DCERPC)
    e.expect("10.0.0.2", 49668, Service.DCERPC)  # announced again: the most recent
    e.expect("10.0.0.2", 3, Service.DCERPC)
    assert len(e) == 2 and e.hint(FlowKey("tcp", "a", 1, "10.0.0.2", 2)) is None


def test_an_ept_map_answer_names_the_port_a_mid_stream_flow_is_read_on(tmp_path):
    """The endpoint mapper on 135 names 49668; a flow to it seen from its middle (no bind, no SYN) is
    DCE/RPC at once; the same bytes to a port nobody named wait for the end of the flow."""
    epm = g.Conversation(sport=135, cport=40001)
    frames = epm.handshake() + epm.c2s(rpc.bind(1, [(0, rpc.EPM, [rpc.NDR])]) + rpc.request(2, 3, b"\x00" * 40))
    frames += epm.s2c(rpc.bind_ack(1) + rpc.response(2, rpc.ept_map_resp_stub([rpc.tower(rpc.MS_PAR, 49668)])))
    frames += epm.close()
    mid = g.Conversation(sport=49668, cport=40002)
    mid.handshake()
    frames += mid.c2s(rpc.request(7, 0, b"\x00" * 40))
    p = tmp_path / "c.pcap"
    p.write_bytes(g.pcap([g.ether(f) for f in frames]))
    rep = analyze(str(p))
    services = {f.server_port: f.service.value for f in rep.flows}
    assert services == {135: "dcerpc", 49668: "dcerpc"}
    assert [f.print for f in rep.flows] == [False, False]  # the mapper's flow is no print traffic
