"""The evidence folder (``scan --evidence DIR``): findings, redacted evidence, chain of custody.

Layout::

    DIR/manifest.json            capture SHA-256s, tool version, command, run times, every file
                                 written with its SHA-256 and mode (chain of custody)
    DIR/findings.jsonl           the finding and printer records (JSON lines, as --format json)
    DIR/evidence/<code>-<uid>[-job<N>].json   one redacted evidence file per finding
    DIR/evidence/<uid>-job<N>-page1.png       pixelated page-1 thumbnail (PostScript/PDF, gs)
  with --carve only (the folder then holds the documents themselves):
    DIR/documents/<uid>-job<N>.<ext>          the reassembled document, byte-identical
    DIR/documents/<uid>-job<N>.txt            its extracted text
    DIR/slices/<uid>.pcap                     the packets of its flow (.pcapng when link types mix)

Every file is created with mode 0600 (O_EXCL: nothing is overwritten) in directories of mode
0700. Default files hold no document text and no metadata value in clear.
"""
from __future__ import annotations

import hashlib
import json
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .._version import __version__
from ..errors import OptionsError
from ..model import FlowKey
from ..records import JobRecord, Thumbnail


@dataclass(slots=True, frozen=True)
class FolderFiles:
    """What the folder wrote for one job (paths relative to the folder)."""

    thumbnail: Thumbnail | None = None
    carved_path: str | None = None
    carved_sha256: str | None = None
    text_path: str | None = None

MAX_THUMBNAILS = 200  # ~0.1 s of Ghostscript each: bound the run time on captures with many jobs
EXTENSIONS = {"PDF": "pdf", "PostScript": "ps", "PCL5": "pcl", "PCLXL": "pxl", "PWG-Raster": "pwg",
              "URF": "urf", "ZPL": "zpl", "ESC/P": "escp", "PJL": "pjl"}


def sha256_file(path: str) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fp:
        for chunk in iter(lambda: fp.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


class EvidenceFolder:
    def __init__(self, root: str, *, carve: bool = False, sources: list[str] | None = None,
                 thumbnails: bool = True, argv: list[str] | None = None) -> None:
        self.root = Path(root)
        self.carve = carve
        self.thumbnails = thumbnails
        self.sources = list(sources or [])
        self.argv = list(argv if argv is not None else sys.argv)
        self.files: dict[str, dict[str, Any]] = {}
        self.carved_flows: dict[str, tuple[str, int, str, int]] = {}
        self.thumbs_made = 0
        from .thumbnail import RenderBudget

        self.render_budget = RenderBudget()  # Ghostscript time for the whole run
        self.started = time.time()
        try:
            self.root.mkdir(mode=0o700, parents=True, exist_ok=True)
            if any(self.root.iterdir()):
                raise OptionsError(f"evidence folder {root} is not empty: refusing to mix runs")
            for sub in ("evidence",) + (("documents", "slices") if carve else ()):
                (self.root / sub).mkdir(mode=0o700, exist_ok=True)
        except OSError as exc:
            raise OptionsError(f"evidence folder {root}: {exc.strerror}") from None
        self._findings = self._open("findings.jsonl")

    # ------------------------------------------------------------------ files
    def _open(self, rel: str) -> Any:
        fd = os.open(self.root / rel, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        self.files[rel] = {}
        return os.fdopen(fd, "w", encoding="utf-8")

    def write(self, rel: str, data: bytes) -> str:
        fd = os.open(self.root / rel, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as fp:
            fp.write(data)
        self.files[rel] = {"sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data)}
        return rel

    # ------------------------------------------------------------------ per job / finding
    def job(self, rec: JobRecord, key: FlowKey, doc: bytes, text: str) -> FolderFiles:
        """Write what the folder keeps of one job: its thumbnail, and with --carve the document, its
        text and (at the end) a pcap slice of its flow."""
        stem = f"{rec.uid}-job{rec.job_index}"
        lang = next((x for x in rec.languages if x != "PJL"), None)
        thumb: Thumbnail | None = None
        if self.thumbnails and lang in ("PostScript", "PDF") and self.thumbs_made >= MAX_THUMBNAILS:
            thumb = Thumbnail(status="skipped", detail=f"only the first {MAX_THUMBNAILS} jobs get a "
                              "thumbnail (one Ghostscript run each)", path=None)
        elif self.thumbnails and lang in ("PostScript", "PDF"):
            self.thumbs_made += 1
            from .thumbnail import redacted_thumbnail

            th = redacted_thumbnail(doc, lang, budget=self.render_budget)
            thumb = Thumbnail(status=th.status, detail=th.detail,
                              path=self.write(f"evidence/{stem}-page1.png", th.png) if th.png is not None else None)
        if not self.carve:
            return FolderFiles(thumbnail=thumb)
        ext = EXTENSIONS.get(lang or "", "bin")
        carved = self.write(f"documents/{stem}.{ext}", doc)
        text_path = self.write(f"documents/{stem}.txt", text.encode("utf-8"))
        self.carved_flows[rec.uid] = (key.client_ip, key.client_port, key.server_ip, key.server_port)
        return FolderFiles(thumbnail=thumb, carved_path=carved, carved_sha256=self.files[carved]["sha256"],
                           text_path=text_path)

    def record(self, rec: dict[str, Any]) -> None:
        self._findings.write(json.dumps(rec, separators=(",", ":"), default=str) + "\n")
        if rec.get("type") == "finding":
            name = f"{rec['code']}-{rec.get('uid') or 'capture'}"
            if rec.get("job_index") is not None:
                name += f"-job{rec['job_index']}"
            n, base = 1, name
            while f"evidence/{name}.json" in self.files:
                n += 1
                name = f"{base}-{n}"
            self.write(f"evidence/{name}.json", json.dumps(rec, indent=2, default=str).encode())

    # ------------------------------------------------------------------ end
    def finish(self, stats: dict[str, Any]) -> None:
        self._findings.close()
        self.files["findings.jsonl"] = {"sha256": sha256_file(str(self.root / "findings.jsonl")),
                                        "bytes": (self.root / "findings.jsonl").stat().st_size}
        if self.carve and self.carved_flows:
            from ..errors import SniffprintError
            from .pcapslice import write_slice

            files = [s for s in self.sources if s != "-" and not s.startswith("live:")]
            for uid, key in self.carved_flows.items():
                rel = f"slices/{uid}.pcap"
                try:
                    write_slice(files, [key], str(self.root / rel))
                    with open(self.root / rel, "rb") as fp:  # mixed link types make a pcapng
                        if fp.read(4) == b"\x0a\x0d\x0d\x0a":
                            os.rename(self.root / rel, self.root / f"{rel}ng")
                            rel += "ng"
                    self.files[rel] = {"sha256": sha256_file(str(self.root / rel)),
                                       "bytes": (self.root / rel).stat().st_size}
                except (OSError, ValueError, SniffprintError) as exc:
                    self.files[rel] = {"error": str(exc)}
        for rel, meta in self.files.items():
            p = self.root / rel
            if p.exists():
                meta["mode"] = oct(p.stat().st_mode & 0o777)
        manifest = {
            "tool": "sniffprint",
            "version": __version__,
            "command": self.argv,
            "started_utc": _iso(self.started),
            "finished_utc": _iso(time.time()),
            "captures": [{"path": s, "sha256": sha256_file(s) if os.path.isfile(s) else None,
                          "bytes": os.path.getsize(s) if os.path.isfile(s) else None} for s in self.sources],
            "capture_stats": stats,
            "carved": self.carve,
            "files": dict(sorted(self.files.items())),
        }
        fd = os.open(self.root / "manifest.json", os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fp:
            json.dump(manifest, fp, indent=2, default=str)


def _iso(t: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))
