"""engine/table.py: orientation, history, port reuse, uids, eviction, checksums, connection states."""
from __future__ import annotations

from sniffprint import analyze
from sniffprint.options import Options
from tests import pcapgen as g


def run(tmp_path, frames, options=None, step=0.001):
    p = tmp_path / "c.pcap"
    p.write_bytes(g.pcap(frames, step=step))
    return analyze(str(p), options=options)


def test_syn_orients_and_history(tmp_path):
    frames, job = g.print_job_frames()
    rep = run(tmp_path, frames)
    (f,) = rep.flows
    assert f.orientation == "syn"
    assert f.history == "ShADFf"  # S syn, h syn-ack, A ack, D data, F fin, f fin (no pure server ack)
    assert f.state == "SF"
    assert f.c2s_packets == 1 + 1 + -(-len(job) // 1000) + 2 and f.s2c_packets == 2


def test_synack_first_still_orients_to_the_syn_sender(tmp_path):
    frames, job = g.print_job_frames()
    rep = run(tmp_path, frames[1:])  # the SYN was not captured
    (f,) = rep.flows
    assert (f.client_port, f.server_port) == (40000, 9100)
    assert f.c2s_bytes == len(job)


def test_mid_stream_start_uses_the_port_heuristic(tmp_path):
    c = g.Conversation()
    c.handshake()
    frames = c.s2c(b"@PJL USTATUS DEVICE\r\nCODE=10001\r\n\x0c") + c.c2s(b"\x1b%-12345X@PJL INFO STATUS\r\n")
    rep = run(tmp_path, [g.ether(f) for f in frames])
    (f,) = rep.flows
    assert (f.client_port, f.server_port) == (40000, 9100)
    assert f.orientation == "port" and f.history.startswith("^")
    assert f.state == "OTH"


def test_port_reuse_after_fin_starts_a_new_flow(tmp_path):
    f1, job1 = g.print_job_frames()
    f2, job2 = g.print_job_frames(cisn=90000, job=b"%!PS-Adobe-3.0\n(second) show showpage\n")
    rep = run(tmp_path, f1 + f2)
    assert [f.c2s_bytes for f in rep.flows] == [len(job1), len(job2)]
    assert len({f.uid for f in rep.flows}) == 2


def test_new_syn_with_other_isn_on_open_flow_starts_a_new_flow(tmp_path):
    c1 = g.Conversation()
    frames = c1.handshake() + c1.c2s(b"%!PS first")  # never closed
    f2, job2 = g.print_job_frames(cisn=777777, job=b"%!PS second job\n")
    rep = run(tmp_path, [g.ether(f) for f in frames] + f2)
    assert [f.c2s_bytes for f in rep.flows] == [10, len(job2)]


def test_uids_are_stable_across_runs(tmp_path):
    frames, _ = g.print_job_frames()
    assert run(tmp_path, frames).flows[0].uid == run(tmp_path, frames).flows[0].uid


def test_idle_timeout_evicts_with_an_anomaly(tmp_path):
    c = g.Conversation()
    early = [g.ether(f) for f in c.handshake() + c.c2s(b"%!PS idle job")]
    other, _ = g.print_job_frames(cport=40001)
    rep = run(tmp_path, early + other, options=Options(idle_timeout=5), step=1.0)
    kinds = [a.kind for a in rep.anomalies]
    assert "flow_evicted" in kinds
    assert len(rep.flows) == 2


def test_flow_cap_evicts_least_recently_active(tmp_path):
    frames = []
    for i in range(50):
        c = g.Conversation(cport=41000 + i)
        frames += [g.ether(f) for f in c.handshake()]
    rep = run(tmp_path, frames, options=Options(max_flows=10))
    assert len(rep.flows) == 50
    evicted = [a for a in rep.anomalies if a.kind == "flow_evicted"]
    assert len(evicted) == 40
    assert "flow table full" in evicted[0].detail


def test_bad_checksums_are_counted_not_dropped(tmp_path):
    c = g.Conversation()
    frames = c.handshake()
    job = b"%!PS-Adobe-3.0\n(checksum offload) show\n"
    frames.append(g.tcp(c.client, c.server, c.cport, c.sport, c.cseq, c.sseq, g.PSH | g.ACK, job, bad_csum=True))
    rep = run(tmp_path, [g.ether(f) for f in frames])
    (f,) = rep.flows
    assert f.c2s_bytes == len(job) and f.bad_checksums == 1 and "C" in f.history
    assert rep.stats.bad_tcp_checksums == 1


def test_rejected_connection_state(tmp_path):
    syn = g.tcp("10.0.0.1", "10.0.0.2", 40000, 9100, 1, 0, g.SYN)
    rst = g.tcp("10.0.0.2", "10.0.0.1", 9100, 40000, 0, 2, g.RST | g.ACK)
    (f,) = run(tmp_path, [g.ether(syn), g.ether(rst)]).flows
    assert f.state == "REJ" and f.history == "Sr"
