"""engine/flowevents.py: what events do to a flow: keyed jobs (LPD order) get their fields and are
bounded, how jobs end (whole or partial), documents sent back, the TLS handshake time."""
from __future__ import annotations

from sniffprint import analyze
from tests import pcapgen as g


def run(tmp_path, frames, options=None, step=0.001):
    p = tmp_path / "c.pcap"
    p.write_bytes(g.pcap(frames, step=step))
    return analyze(str(p), options=options)


def _lpd_stream(n_files: int) -> bytes:
    def sub(code: int, body: bytes, name: bytes) -> bytes:
        return bytes([code]) + str(len(body)).encode() + b" " + name + b"\n" + body + b"\x00"

    data = b"".join(sub(3, b"%%!PS-Adobe-3.0\n(page %d) show\n" % i, b"df%03dws" % i) for i in range(n_files))
    control = b"Hws\nPalice\nJpayroll\n" + b"".join(b"ldf%03dws\n" % i for i in range(n_files))
    return b"\x02lp\n" + data + sub(2, control, b"cfA001ws")


def test_lpd_data_files_before_the_control_file_all_get_its_fields(tmp_path):
    c = g.Conversation(sport=515, cport=1021)
    frames = c.handshake() + c.c2s(_lpd_stream(3)) + c.close()
    p = tmp_path / "c.pcap"
    p.write_bytes(g.pcap([g.ether(f) for f in frames]))
    rep = analyze(str(p), reveal=True)
    assert len(rep.jobs) == 3
    assert all(j.user == "alice" and j.host == "ws" and not j.partial for j in rep.jobs)


def test_keyed_jobs_kept_open_at_once_are_bounded(tmp_path):
    from sniffprint.engine.flowevents import MAX_KEYED_JOBS

    c = g.Conversation(sport=515, cport=1021)
    frames = c.handshake() + c.c2s(_lpd_stream(MAX_KEYED_JOBS + 4)) + c.close()
    p = tmp_path / "c.pcap"
    p.write_bytes(g.pcap([g.ether(f) for f in frames]))
    rep = analyze(str(p), reveal=True)
    assert len(rep.jobs) == MAX_KEYED_JOBS + 4
    early = rep.jobs[:4]  # pushed out before the control file came: cut, unnamed
    assert all(j.partial and j.user is None for j in early)
    assert all(j.user == "alice" for j in rep.jobs[4:])


# ------------------------------------------------------------- a job is whole only when its end is seen
PXL_OPEN = (b"\x1b%-12345X@PJL JOB NAME=\"open\"\r\n@PJL ENTER LANGUAGE=PCLXL\r\n) HP-PCL XL;2;0\n"
            b"\xc0\x00\xf8\x86\xc8\xc1\x00\x00\xf8\x89\x43")  # BeginPage; no EndPage, no EndSession, no UEL


def _pxl_capture(tmp_path, close: bool):
    c = g.Conversation()
    frames = c.handshake() + c.c2s(PXL_OPEN) + (c.close() if close else [])
    return run(tmp_path, [g.ether(f) for f in frames])


def test_job_still_open_when_the_capture_ends_is_partial(tmp_path):
    rep = _pxl_capture(tmp_path, close=False)
    (job,) = rep.jobs
    assert job.partial is True and job.missed_bytes == 0 and job.bytes == len(PXL_OPEN)
    (f,) = [f for f in rep.findings if f.code == "SP101"]
    assert f.evidence is not None and f.evidence.complete is False
    assert "its end was not captured" in f.detail


def test_the_connections_fin_ends_the_job(tmp_path):
    rep = _pxl_capture(tmp_path, close=True)
    (job,) = rep.jobs
    assert job.partial is False
    (f,) = [f for f in rep.findings if f.code == "SP101"]
    assert f.evidence is not None and f.evidence.complete is True


def test_job_whose_uel_was_seen_is_whole_without_fin(tmp_path):
    c = g.Conversation()
    job = PXL_OPEN + b"\x1b%-12345X@PJL EOJ\r\n\x1b%-12345X"
    rep = run(tmp_path, [g.ether(f) for f in c.handshake() + c.c2s(job)])
    assert [j.partial for j in rep.jobs] == [False]


def test_document_sent_back_runs_beside_the_clients_job(tmp_path):
    c = g.Conversation()
    body = b"%!PS-Adobe-3.0\n%%Title: kept\n(stored job) show showpage\n"
    reply = (b'@PJL FSUPLOAD FORMAT:BINARY NAME="0:\\k.ps" OFFSET=0 SIZE=%d\r\n' % len(body) + body + b"\x0c")
    frames = (c.handshake() + c.c2s(PXL_OPEN[:60]) + c.s2c(reply) + c.c2s(PXL_OPEN[60:] + b"\x1b%-12345X")
              + c.close())
    rep = run(tmp_path, [g.ether(f) for f in frames])
    by_dir = {j.direction.value: j for j in rep.jobs}
    assert by_dir["c2s"].bytes == len(PXL_OPEN) + 9 and not by_dir["c2s"].partial
    assert by_dir["s2c"].bytes == len(body) and by_dir["s2c"].language == "PostScript"
    assert by_dir["s2c"].file_transfer == "FSUPLOAD"


def test_job_cut_by_the_capture_end_is_still_an_exposure_for_verify(tmp_path):
    from click.testing import CliRunner

    from sniffprint.cli import main

    c = g.Conversation()
    p = tmp_path / "open.pcap"
    p.write_bytes(g.pcap([g.ether(f) for f in c.handshake() + c.c2s(PXL_OPEN)]))
    r = CliRunner().invoke(main, ["verify", str(p)])
    assert r.exit_code == 1, r.output


def test_tls_handshake_time_from_packet_times(tmp_path):
    """tls_handshake_ms: from the packet that completes the ClientHello to the later of the packets
    that carry each direction's first protected record (TLS 1.3: the server's encrypted flight,
    then the client's Finished)."""
    from tests.dissectors.tls.vectors import handshake

    script, _, _ = handshake("1.3")
    c = g.Conversation(sport=631, mss=100000)
    frames, times = list(c.handshake()), [0.0, 0.001, 0.002]
    at = {0: 0.010, 1: 0.140, 2: 0.252}  # ClientHello, server flight, client Finished
    for i, (direction, data) in enumerate(script[:3]):
        new = c.c2s(data) if direction == 0 else c.s2c(data)
        frames += new
        times += [at[i]] * len(new)
    p = tmp_path / "t.pcap"
    p.write_bytes(g.pcap([g.ether(f) for f in frames], times=times))
    (f,) = analyze(str(p)).flows
    assert f.service == "tls" and f.tls_handshake_ms == 242.0


def test_no_handshake_time_without_a_client_hello(tmp_path):
    c = g.Conversation(sport=9100)
    frames = c.handshake() + c.c2s(b"\x17\x03\x03\x00\x05hello" * 3) + c.s2c(b"\x17\x03\x03\x00\x02hi" * 3)
    (f,) = run(tmp_path, [g.ether(x) for x in frames]).flows
    assert f.protection == "tls" and f.tls_handshake_ms is None
