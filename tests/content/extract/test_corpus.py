"""extract_text on the documents of the shared reference captures, carved from the reassembled
client->server stream (tshark ``follow,tcp,raw``) and found by the manifest's sha256 and size."""
from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from sniffprint.content import classify
from sniffprint.content.extract import extract_text
from sniffprint.evidence import pii

REAL = Path("/work/shared/pcaps-real")
MANIFEST = REAL / "MANIFEST.json"
SIGNATURES = (b"%PDF", b"%!", b"\x1b%-12345X", b"@PJL", b"\x1bE")

pytestmark = [pytest.mark.skipif(not MANIFEST.exists(), reason="shared reference corpus absent"),
              pytest.mark.skipif(shutil.which("tshark") is None, reason="tshark not installed")]


def _flows() -> list[tuple[str, dict[str, Any]]]:
    if not MANIFEST.exists():
        return []
    m = json.loads(MANIFEST.read_text())
    return [(c["file"], f) for c in m["captures"] for f in c["print_flows"]
            if f.get("document") and not f["encrypted"] and f.get("doc_bytes_found_in_stream")]


def client_stream(pcap: Path, n: int) -> bytes:
    out = subprocess.run(["tshark", "-r", str(pcap), "-q", "-z", f"follow,tcp,raw,{n}"], capture_output=True,
                         text=True, check=True, timeout=120).stdout
    body = out.split("Node 1:", 1)[1].split("\n", 1)[1]
    chunks = []
    for line in body.splitlines():
        if line.startswith("===="):
            break
        if line and not line.startswith("\t"):  # server->client lines are tab-indented
            chunks.append(bytes.fromhex(line.strip()))
    return b"".join(chunks)


def carve(stream: bytes, sha256: str, size: int) -> bytes | None:
    for sig in SIGNATURES:
        for m in re.finditer(re.escape(sig), stream):
            cand = stream[m.start():m.start() + size]
            if hashlib.sha256(cand).hexdigest() == sha256:
                return cand
    return None


@pytest.mark.parametrize(("pcap", "flow"), _flows(), ids=lambda v: v if isinstance(v, str) else str(v["tcp_stream"]))
def test_reference_document(pcap: str, flow: dict[str, Any]) -> None:
    d = flow["document"]
    doc = carve(client_stream(REAL / pcap, flow["tcp_stream"]), d["sha256"], d["size"])
    assert doc is not None, "document not found in the reassembled stream"
    r = extract_text(doc, classify.detect_all(doc))
    if d["raster_only"]:
        assert r.status == "raster", r
        assert r.text == ""
        return
    assert r.status == "text", r
    expected = d["string_in_extracted_text"] or {k: v for k, v in d["string_in_raw_bytes"].items()
                                                 if k not in ("job_title", "user")}
    for key, present in expected.items():
        if present:
            assert d["strings"][key] in r.text, key
    c = pii.counts(r.text)
    assert c["email"] >= 1 and c["ssn"] >= 1
    if expected.get("card"):
        assert c["card"] >= 1
