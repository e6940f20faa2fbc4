"""The evidence folder (``scan --evidence DIR``): findings, redacted evidence, chain of custody.

Layout::

    DIR/manifest.json            capture SHA-256s, tool version, command, run times, the id of the
                                 names' hash key (never the key), every file written with its
                                 SHA-256 and mode (chain of custody)
    DIR/findings.jsonl           the finding, printer and client records (JSON lines, as --format json)
    DIR/evidence/<code>-<uid>[-job<N>].json   one redacted evidence file per finding
    DIR/evidence/<uid>-job<N>-page1.png       pixelated page-1 thumbnail (PostScript/PDF, gs)
  with --carve only (the folder then holds the documents themselves):
    DIR/documents/<uid>-job<N>.<ext>          the reassembled document, byte-identical
    DIR/documents/<uid>-job<N>.txt            its extracted text
    DIR/slices/<uid>.pcap                     the packets of its flow (.pcapng when link types mix)

Invariants:
- The folder is private: it must be a directory of ours that is not a symbolic link, and empty;
  an existing one is made mode 0700, missing parents are created mode 0700 whatever the umask.
  Every write goes through a descriptor of the folder opened without following links, and every
  file is created mode 0600 with ``O_EXCL | O_NOFOLLOW``: nothing is overwritten, and a link planted
  where a file would go is refused, never followed.
- The manifest is written when the folder opens, then again (atomically: a temporary file renamed
  over it) as files are written, at most once a second, and at the end with ``"complete": true``.
  A run that fails midway (a full disk, a crash) leaves a manifest of what was written and of
  the errors met.
- A write that fails (full disk, quota) is recorded, the run goes on and writes what it still
  can, and ``failure`` holds an ``OutputError`` naming the path and the OS error: the CLI exits 2
  with it (1 if an exposure was proven), never 4. Default files hold no document text and no
  metadata value in clear.
"""
from __future__ import annotations

import hashlib
import json
import os
import stat
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .._version import __version__
from ..errors import OptionsError, OutputError
from ..model import FlowKey
from ..records import JobRecord, Thumbnail

if TYPE_CHECKING:  # pragma: no cover
    from .sitekey import SiteKey


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
MANIFEST_EVERY = 1.0  # s between rewrites of the manifest while the run goes on
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_DIRECTORY = getattr(os, "O_DIRECTORY", 0)
_NEW_FILE = os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW | getattr(os, "O_CLOEXEC", 0)


def sha256_file(path: str) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fp:
        for chunk in iter(lambda: fp.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def make_private_dirs(path: Path) -> None:
    """Create ``path`` and its missing parents with mode 0700 whatever the umask (``mkdir -p``
    applies the umask to the parents; under umask 000 they would be world-writable)."""
    missing = []
    p = path
    while not os.path.lexists(p):
        missing.append(p)
        if p.parent == p:
            break
        p = p.parent
    for p in reversed(missing):
        try:
            os.mkdir(p, 0o700)
        except FileExistsError:
            continue
        os.chmod(p, 0o700, follow_symlinks=False)


def _errmsg(exc: OSError) -> str:
    return exc.strerror or str(exc)


class EvidenceFolder:
    def __init__(self, root: str, *, carve: bool = False, sources: list[str] | None = None,
                 thumbnails: bool = True, argv: list[str] | None = None, hash_key: SiteKey | None = None) -> None:
        self.root = Path(root)
        self.carve = carve
        self.thumbnails = thumbnails
        self.sources = list(sources or [])
        self.argv = list(argv if argv is not None else sys.argv)
        self.hash_key = hash_key
        self.files: dict[str, dict[str, Any]] = {}
        self.errors: list[str] = []  # every write that failed, "path: OS error"
        self.failure: OutputError | None = None  # the first of them, for the exit status
        self.carved_flows: dict[str, tuple[str, int, str, int]] = {}
        self.thumbs_made = 0
        from .thumbnail import RenderBudget

        self.render_budget = RenderBudget()  # Ghostscript time for the whole run
        self.started = time.time()
        self.complete = False
        self._saved = 0.0
        self.dfd = self._open_root(str(self.root))
        self.captures = [{"path": s, "sha256": sha256_file(s) if os.path.isfile(s) else None,
                          "bytes": os.path.getsize(s) if os.path.isfile(s) else None} for s in self.sources]
        try:
            for sub in ("evidence",) + (("documents", "slices") if carve else ()):
                os.mkdir(sub, 0o700, dir_fd=self.dfd)  # fails on anything planted there, link or not
                os.chmod(sub, 0o700, dir_fd=self.dfd, follow_symlinks=False)
            self._findings: Any = os.fdopen(self._create("findings.jsonl"), "w", encoding="utf-8")
            self.files["findings.jsonl"] = {}
            self._save_manifest()
        except OSError as exc:
            os.close(self.dfd)
            raise OptionsError(f"evidence folder {root}: {_errmsg(exc)}") from None

    def _open_root(self, root: str) -> int:
        """The folder, opened without following a link: created private, or an empty one of ours
        made private. Every later write is relative to this descriptor."""
        if os.path.islink(root):
            raise OptionsError(f"evidence folder {root} is a symbolic link: refusing to follow it "
                               "(give the real path)")
        try:
            make_private_dirs(self.root)
            fd = os.open(root, os.O_RDONLY | _DIRECTORY | _NOFOLLOW)
        except OSError as exc:
            if os.path.islink(root):
                raise OptionsError(f"evidence folder {root} is a symbolic link: refusing to follow it") from None
            raise OptionsError(f"evidence folder {root}: {_errmsg(exc)}") from None
        try:
            st = os.fstat(fd)
            if not stat.S_ISDIR(st.st_mode):
                raise OptionsError(f"evidence folder {root} is not a directory")
            if hasattr(os, "geteuid") and st.st_uid != os.geteuid():
                raise OptionsError(f"evidence folder {root} belongs to another user: refusing to write "
                                   "evidence where someone else controls the folder")
            if os.listdir(fd):
                raise OptionsError(f"evidence folder {root} is not empty: refusing to mix runs")
            os.fchmod(fd, 0o700)  # an existing empty folder may be 0777: it is made private
        except OSError as exc:
            os.close(fd)
            raise OptionsError(f"evidence folder {root}: {_errmsg(exc)}") from None
        except OptionsError:
            os.close(fd)
            raise
        return fd

    # ------------------------------------------------------------------ files
    def _create(self, rel: str) -> int:
        """A new file of the folder, mode 0600, never an existing file or a link."""
        fd = os.open(rel, _NEW_FILE, 0o600, dir_fd=self.dfd)
        os.fchmod(fd, 0o600)
        return fd

    def _failed(self, rel: str, exc: OSError) -> OutputError:
        err = OutputError(f"evidence folder {self.root / rel}: cannot write ({_errmsg(exc)})")
        self.errors.append(f"{rel}: {_errmsg(exc)}")
        if self.failure is None:
            self.failure = err
        return err

    def write(self, rel: str, data: bytes) -> str:
        """Write a new file; ``OutputError`` (also kept in ``failure``) when it cannot be written."""
        try:
            fd = self._create(rel)
            try:
                with os.fdopen(fd, "wb") as fp:
                    fp.write(data)
            except OSError:
                try:
                    os.unlink(rel, dir_fd=self.dfd)  # no half file that looks like evidence
                except OSError:
                    pass
                raise
        except OSError as exc:
            raise self._failed(rel, exc) from None
        self.files[rel] = {"sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data)}
        self._maybe_save()
        return rel

    def _stat(self, rel: str) -> os.stat_result | None:
        try:
            return os.stat(rel, dir_fd=self.dfd, follow_symlinks=False)
        except OSError:
            return None

    # ------------------------------------------------------------------ per job / finding
    def job(self, rec: JobRecord, key: FlowKey, doc: bytes, text: str) -> FolderFiles:
        """Write what the folder keeps of one job: its thumbnail, and with --carve the document, its
        text and (at the end) a pcap slice of its flow. ``OutputError`` when a write fails."""
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
        """A finding or printer record: a line of findings.jsonl (flushed, so a failure later keeps
        it) and, for a finding, its own evidence file. A failed write is recorded, never raised."""
        try:
            self._findings.write(json.dumps(rec, separators=(",", ":"), default=str) + "\n")
            self._findings.flush()
        except OSError as exc:
            self._failed("findings.jsonl", exc)
        except ValueError:  # closed after an earlier failure
            pass
        if rec.get("type") == "finding":
            name = f"{rec['code']}-{rec.get('uid') or 'capture'}"
            if rec.get("job_index") is not None:
                name += f"-job{rec['job_index']}"
            n, base = 1, name
            while f"evidence/{name}.json" in self.files:
                n += 1
                name = f"{base}-{n}"
            try:
                self.write(f"evidence/{name}.json", json.dumps(rec, indent=2, default=str).encode())
            except OutputError:
                pass  # recorded in failure/errors; the run goes on

    # ------------------------------------------------------------------ manifest
    def _manifest(self) -> dict[str, Any]:
        files = {}
        for rel, meta in sorted(self.files.items()):
            st = self._stat(rel)
            files[rel] = {**meta, **({"mode": oct(st.st_mode & 0o777)} if st is not None else {})}
        key = self.hash_key
        return {
            "tool": "sniffprint",
            "version": __version__,
            "command": self.argv,
            "started_utc": _iso(self.started),
            "finished_utc": _iso(time.time()) if self.complete else None,
            "complete": self.complete,  # false: the run was still going (or failed) when this was written
            "captures": self.captures,
            "hash_key": ({"id": key.id, "source": key.source, "path": key.path} if key is not None else None),
            "carved": self.carve,
            "errors": list(self.errors),
            "files": files,
        }

    def _save_manifest(self, extra: dict[str, Any] | None = None) -> None:
        """Replace manifest.json atomically (a new temporary file renamed over it)."""
        doc = self._manifest()
        if extra:
            doc.update(extra)
        tmp = f".manifest.json.{os.getpid()}.tmp"
        try:
            try:
                os.unlink(tmp, dir_fd=self.dfd)
            except FileNotFoundError:
                pass
            fd = self._create(tmp)
            with os.fdopen(fd, "w", encoding="utf-8") as fp:
                json.dump(doc, fp, indent=2, default=str)
            os.replace(tmp, "manifest.json", src_dir_fd=self.dfd, dst_dir_fd=self.dfd)
        except OSError as exc:
            try:
                os.unlink(tmp, dir_fd=self.dfd)
            except OSError:
                pass
            self._failed("manifest.json", exc)
        self._saved = time.monotonic()

    def _maybe_save(self) -> None:
        if time.monotonic() - self._saved >= MANIFEST_EVERY:
            self._save_manifest()

    # ------------------------------------------------------------------ end
    def finish(self, stats: dict[str, Any]) -> None:
        try:
            self._findings.close()
        except OSError as exc:
            self._failed("findings.jsonl", exc)
        st = self._stat("findings.jsonl")
        try:
            fd = os.open("findings.jsonl", os.O_RDONLY | _NOFOLLOW, dir_fd=self.dfd)
            with os.fdopen(fd, "rb") as fp:
                self.files["findings.jsonl"] = {"sha256": hashlib.sha256(fp.read()).hexdigest(),
                                                "bytes": st.st_size if st is not None else None}
        except OSError as exc:
            self.files["findings.jsonl"] = {"error": _errmsg(exc)}
        if self.carve and self.carved_flows:
            self._slices()
        self.complete = True
        self._save_manifest({"capture_stats": stats})
        os.close(self.dfd)

    def abort(self, reason: str) -> None:
        """The run failed before its end: leave a manifest of what was written, and why it stops."""
        try:
            self._findings.close()
        except OSError:
            pass
        self.errors.append(f"run aborted: {reason}")
        self._save_manifest()
        os.close(self.dfd)

    def _slices(self) -> None:
        from ..errors import SniffprintError
        from .pcapslice import write_slice

        files = [s for s in self.sources if s != "-" and not s.startswith("live:")]
        real = f"/proc/self/fd/{self.dfd}"  # the folder we opened, even if its path was swapped since
        base = real if os.path.isdir(real) else str(self.root)
        for uid, key in self.carved_flows.items():
            rel = f"slices/{uid}.pcap"
            try:
                write_slice(files, [key], f"{base}/{rel}")  # O_EXCL: never through a planted link
                fd = os.open(rel, os.O_RDONLY | _NOFOLLOW, dir_fd=self.dfd)
                with os.fdopen(fd, "rb") as fp:
                    head = fp.read(4)
                    fp.seek(0)
                    digest = hashlib.sha256()
                    for chunk in iter(lambda: fp.read(1 << 20), b""):  # noqa: B023 - used at once
                        digest.update(chunk)
                if head == b"\x0a\x0d\x0d\x0a":  # mixed link types make a pcapng
                    os.rename(rel, f"{rel}ng", src_dir_fd=self.dfd, dst_dir_fd=self.dfd)
                    rel += "ng"
                st = self._stat(rel)
                self.files[rel] = {"sha256": digest.hexdigest(), "bytes": st.st_size if st is not None else None}
            except OSError as exc:
                self._failed(rel, exc)
                self.files[rel] = {"error": _errmsg(exc)}
            except (ValueError, SniffprintError) as exc:
                self.files[rel] = {"error": str(exc)}


def _iso(t: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))
