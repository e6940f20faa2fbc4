"""sources/spec.py: one parse of what the user typed; directories and globs expand, sorted."""
from __future__ import annotations

import pytest

from sniffprint.errors import CaptureError
from sniffprint.sources.spec import SourceKind, SourceSpec, expand


def test_parse_names_each_kind_once():
    assert SourceSpec.parse("-").kind is SourceKind.STDIN
    live = SourceSpec.parse("live:eth0")
    assert live.kind is SourceKind.LIVE and live.name == "eth0" and str(live) == "live:eth0"
    f = SourceSpec.parse("x.pcap")
    assert f.kind is SourceKind.FILE and f.is_file and str(f) == "x.pcap"


def test_directories_and_globs_expand_sorted(tmp_path):
    for name in ("b.pcap", "a.pcapng", "c.pcap.gz", "notes.txt"):
        (tmp_path / name).write_bytes(b"x")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "d.pcap").write_bytes(b"x")
    assert [s.name for s in expand(str(tmp_path))] == [str(tmp_path / n) for n in ("a.pcapng", "b.pcap",
                                                                                 "c.pcap.gz")]
    assert [s.name for s in expand(str(tmp_path / "*.pcap*"))] == [str(tmp_path / n) for n in
                                                                   ("a.pcapng", "b.pcap", "c.pcap.gz")]
    assert [s.name for s in expand(str(tmp_path / "b.pcap"))] == [str(tmp_path / "b.pcap")]


def test_nothing_to_read_is_a_clear_error(tmp_path):
    (tmp_path / "empty").mkdir()
    with pytest.raises(CaptureError, match="no capture files"):
        expand(str(tmp_path / "empty"))
    with pytest.raises(CaptureError, match="no capture matches"):
        expand(str(tmp_path / "*.pcap"))
    assert expand(str(tmp_path / "missing.pcap"))[0].name.endswith("missing.pcap")  # named by the check
