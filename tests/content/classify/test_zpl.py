"""ZPL II: detection with and without control-command prefixes."""
from __future__ import annotations

from sniffprint.content import classify
from sniffprint.content.classify import zpl


def test_detect() -> None:
    assert classify.detect_all(b"^XA^FO50,50^FDShip to alice^FS^XZ") == ["ZPL"]
    assert classify.detect_all(b"CT~~CD,~CC^~CT~\n^XA~TA000^XZ") == ["ZPL"]
    assert zpl.detect(b"~JA\r\n^XA", 0)
    assert not zpl.detect(b"~" + b" " * 300 + b"^XA", 0)
    assert [(f.name, f.value) for f in zpl.metadata(b"^XA^XZ^XA^XZ")] == [("pages", "2")]
