#!/usr/bin/env python3
"""Build sniffprint's own sample captures by driving real print software in network namespaces.

    python3 tools/make_captures.py [--update] [--only NAME[,NAME...]] [--keep] [--list]

Every scenario builds a fresh ``tools.netlab.Lab`` (workstation ``ws``, printer/print server
``prn``, web host ``web``, observer ``tap`` with a bridge), starts real servers (socat, CUPS,
cups-lpd, ippeveprinter, Samba, python3 -m http.server), runs real clients (lp, ipptool,
smbclient, socat, curl) and captures on the bridge in the observer namespace.  More scenarios
live in ``tools/scenarios_*.py`` modules that register themselves in ``SCENARIOS`` (admin
panels, SNMP, discovery and the migration pair: ``tools/scenarios_fleet.py``).

Output: ``pcaps/<name>.pcap|.pcapng`` and ``pcaps/<name>.truth.json``.  The ground truth is
computed independently of sniffprint:

* stream byte counts: tshark per-frame fields (``tcp.stream``, addresses, ``tcp.seq_raw``,
  ``tcp.len``, ``tcp.payload``); each direction's bytes are the union of the sequence ranges
  seen, every byte counted once (retransmissions do not count twice);
* documents: sha256 of the file the client was given, checked against what the server side
  received (socat output file, CUPS/ippeveprinter spool copy, Samba print command copy) and,
  for cleartext flows, searched for in the reassembled client->server stream;
* TLS version and SMB dialect/encryption: tshark dissection (``-d tcp.port==N,tls``); the
  HTTP ``Upgrade: TLS`` flow is not followed by tshark 4.0, there the ServerHello is parsed
  from the reassembled stream and the truth says so;
* TLS handshake timing (``tls_handshake``): ClientHello, ServerHello and the first records of
  content type 23 per direction as tshark sees them without keys, and, where a TLS endpoint
  wrote an NSS key log (``SSLKEYLOGFILE``), the first *decrypted* application data per direction;
* UDP (``udp_flows``): every datagram from tshark, grouped per endpoint pair (multicast and
  broadcast per sender), matched to what the scenario sent (``UdpExpect``), with per-datagram
  facts that a scenario may add (SNMP, mDNS, CUPS browsing: see tools/scenarios_fleet.py).

Without ``--update`` everything is built in a temporary directory and the stable part of the
ground truth (see ``stable_view``) is compared with the committed files; a difference is
printed and the exit status is 1.  Needs root, Debian 12 packages listed in ``PACKAGES``.
"""

from __future__ import annotations

import argparse
import dataclasses
import difflib
import hashlib
import ipaddress
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tools.netlab import Lab, LabError  # noqa: E402

# scenario modules (tools/scenarios_*.py) import their base classes from tools.make_captures;
# when this file runs as a script that must be this very module, not a second copy of it
if __name__ == "__main__":
    sys.modules.setdefault("tools.make_captures", sys.modules[__name__])

PCAPS = ROOT / "pcaps"
TRUTH_VERSION = 1

#: Debian packages the lab needs (also printed by --packages)
PACKAGES = ("tcpdump tshark cups cups-client cups-bsd cups-filters cups-ipp-utils samba smbclient "
            "socat ghostscript groff ethtool dbus openssl iproute2 poppler-utils nftables curl "
            "procps util-linux python3 samba-common-bin python3-tdb").split()

MAX_CAPTURE = 150 * 1024
MAX_TOTAL = 1536 * 1024

PERSON = {
    "name": "Alice Example",
    "email": "alice.example@corp.example",
    "ssn": "078-05-1120",
    "card": "4111 1111 1111 1111",
}
USER = "alice"
UEL = b"\x1b%-12345X"


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def sh(argv, **kw) -> subprocess.CompletedProcess:
    kw.setdefault("capture_output", True)
    res = subprocess.run(argv, **kw)
    if res.returncode != 0:
        err = res.stderr.decode(errors="replace") if isinstance(res.stderr, bytes) else res.stderr
        raise RuntimeError(f"{' '.join(map(str, argv))} failed: {err}")
    return res


def versions(*pkgs: str) -> dict[str, str]:
    out = subprocess.run(["dpkg-query", "-W", "-f=${Package} ${Version}\n", *pkgs],
                         capture_output=True, text=True).stdout
    return dict(line.split(" ", 1) for line in out.splitlines() if " " in line)


# ====================================================================================== documents
@dataclasses.dataclass
class Doc:
    tag: str
    kind: str
    path: Path
    languages: list[str]
    strings: dict[str, str]
    user: str
    title: str
    how: str
    raster_only: bool = False

    @property
    def data(self) -> bytes:
        return self.path.read_bytes()

    def truth(self) -> dict:
        data = self.data
        raw = {k: v.encode() in data for k, v in self.strings.items()}
        d = {"sha256": sha256(data), "size": len(data), "kind": self.kind,
             "languages": self.languages, "strings": self.strings,
             "string_in_raw_bytes": raw, "raster_only": self.raster_only, "made_with": self.how}
        text = extract_text(self)
        if text is not None:
            d["string_in_extracted_text"] = {k: v in text for k, v in self.strings.items()}
        return d


def extract_text(doc: Doc) -> str | None:
    if doc.kind == "pdf":
        res = subprocess.run(["pdftotext", str(doc.path), "-"], capture_output=True, text=True)
        return res.stdout
    return None


class DocFactory:
    """Deterministic documents: same scenario + tag -> same bytes (so sha256 is stable)."""

    def __init__(self, workdir: Path, scenario: str):
        self.dir = workdir / "docs"
        self.dir.mkdir(parents=True, exist_ok=True)
        self.scenario = scenario

    def strings(self, tag: str, title: str) -> dict[str, str]:
        hexpart = sha256(f"{self.scenario}/{tag}".encode())[:8]
        return {"canary": f"CANARY-{self.scenario}-{hexpart}", **PERSON,
                "job_title": title, "user": USER}

    def postscript(self, s: dict[str, str], title: str, *, pages: int = 1,
                   lines_per_page: int = 4) -> bytes:
        head = [
            "%!PS-Adobe-3.0",
            f"%%Title: {title}",
            f"%%For: {USER}",
            "%%Creator: sniffprint capture lab (hand-written PostScript)",
            "%%CreationDate: D:20260101120000Z",
            f"%%Pages: {pages}",
            "%%BoundingBox: 0 0 298 420",
            "%%DocumentMedia: A6 298 420 0 () ()",
            "%%EndComments",
            "%%BeginProlog",
            "/L { moveto show } bind def",
            "%%EndProlog",
            "%%BeginSetup",
            f"[ /Title ({title}) /Author ({USER}) /Creator (sniffprint lab) /DOCINFO pdfmark",
            "<< /PageSize [298 420] >> setpagedevice",
            "/Helvetica findfont 9 scalefont setfont",
            "%%EndSetup",
        ]
        body = []
        fixed = [f"Payroll statement {s['canary']}", f"Employee: {s['name']}",
                 f"E-mail: {s['email']}", f"SSN: {s['ssn']}", f"Card: {s['card']}"]
        for p in range(1, pages + 1):
            body.append(f"%%Page: {p} {p}")
            y = 395
            rows = fixed + [f"Line {p}.{i:03d} salary adjustment record for {s['name']} "
                            f"ref {s['canary']}" for i in range(lines_per_page)]
            for row in rows:
                body.append(f"({row}) 12 {y} L")
                y -= 11
            body.append("showpage")
        return ("\n".join(head + body + ["%%Trailer", "%%EOF", ""])).encode()

    @staticmethod
    def pjl(body: bytes, *, title: str, language: str, host: str = "ws") -> bytes:
        head = (UEL + b"@PJL JOB NAME=\"" + title.encode() + b"\"\r\n"
                + b"@PJL SET USERNAME=\"" + USER.encode() + b"\"\r\n"
                + b"@PJL SET JOBNAME=\"" + title.encode() + b"\"\r\n"
                + b"@PJL COMMENT \"Username: " + USER.encode() + b"; Host: " + host.encode()
                + b"\"\r\n"
                + b"@PJL SET RESOLUTION=300\r\n"
                + b"@PJL ENTER LANGUAGE=" + language.encode() + b"\r\n")
        tail = UEL + b"@PJL EOJ NAME=\"" + title.encode() + b"\"\r\n" + UEL
        return head + body + tail

    def gs(self, device: str, src: Path, out: Path, *extra: str) -> None:
        sh(["gs", "-q", "-dSAFER", "-dBATCH", "-dNOPAUSE", f"-sDEVICE={device}", *extra,
            f"-sOutputFile={out}", str(src)])

    def make(self, tag: str, kind: str, title: str, **kw) -> Doc:
        s = self.strings(tag, title)
        ps_src = self.dir / f"{tag}.src.ps"
        ps_src.write_bytes(self.postscript(s, title, **kw))
        out = self.dir / f"{tag}.{kind}.bin"
        raster = False
        if kind == "ps-dsc":
            out.write_bytes(ps_src.read_bytes())
            langs, how = ["PostScript"], "hand-written PostScript with DSC comments"
        elif kind == "pjl-ps":
            out.write_bytes(self.pjl(ps_src.read_bytes(), title=title, language="POSTSCRIPT"))
            langs, how = ["PJL", "PostScript"], "hand-written PostScript (DSC) in a PJL wrapper"
        elif kind == "pdf":
            self.gs("pdfwrite", ps_src, out, "-dOmitInfoDate", "-dOmitID", "-dOmitXMP")
            langs, how = ["PDF"], "ghostscript pdfwrite of hand-written PostScript"
        elif kind == "pjl-pclxl":
            tmp = self.dir / f"{tag}.pxl"
            self.gs("pxlmono", ps_src, tmp, "-r150")
            out.write_bytes(self.pjl(tmp.read_bytes(), title=title, language="PCLXL"))
            langs, how, raster = ["PJL", "PCLXL"], "ghostscript pxlmono -r150 in a PJL wrapper", True
        elif kind == "pjl-pcl5-raster":
            tmp = self.dir / f"{tag}.pcl"
            self.gs("ljet4", ps_src, tmp, "-r150")
            out.write_bytes(self.pjl(tmp.read_bytes(), title=title, language="PCL"))
            langs, how, raster = ["PJL", "PCL5"], "ghostscript ljet4 -r150 in a PJL wrapper", True
        elif kind == "pjl-pcl5-text":
            troff = "\n".join([".pl 11i", ".ll 6i", ".ft CR", f"Payroll statement {s['canary']}",
                               ".br", f"Employee: {s['name']}", ".br", f"E-mail: {s['email']}",
                               ".br", f"SSN: {s['ssn']}", ".br", f"Card: {s['card']}", ""])
            res = sh(["groff", "-Tlj4"], input=troff.encode())
            out.write_bytes(self.pjl(res.stdout, title=title, language="PCL"))
            langs, how = ["PJL", "PCL5"], "groff -Tlj4 (text in clear) in a PJL wrapper"
        else:
            raise ValueError(kind)
        return Doc(tag, kind, out, langs, s, USER, title, how, raster)


# =================================================================================== wire truth
@dataclasses.dataclass
class Stream:
    index: int
    client: tuple[str, int]
    server: tuple[str, int]
    first_ts: float
    data: dict[str, bytearray]          # "c2s"/"s2c" reassembled (holes zero-filled)
    seen: dict[str, int]                 # bytes seen at least once
    extent: dict[str, int]               # highest offset + 1
    frames: int = 0
    retransmitted: int = 0               # payload frames that repeated already-seen bytes

    @staticmethod
    def fmt(ep: tuple[str, int]) -> str:
        return f"[{ep[0]}]:{ep[1]}" if ":" in ep[0] else f"{ep[0]}:{ep[1]}"


def tshark(pcap: Path, *args: str) -> list[list[str]]:
    res = subprocess.run(["tshark", "-n", "-r", str(pcap), *args, "-E", "separator=|"],
                         capture_output=True, text=True)
    if res.returncode != 0:
        raise RuntimeError(f"tshark failed: {res.stderr}")
    return [line.split("|") for line in res.stdout.splitlines() if line.strip()]


def read_streams(pcap: Path) -> list[Stream]:
    rows = tshark(pcap, "-Y", "tcp", "-T", "fields", "-e", "tcp.stream", "-e", "ip.src",
                  "-e", "ipv6.src", "-e", "tcp.srcport", "-e", "ip.dst", "-e", "ipv6.dst",
                  "-e", "tcp.dstport", "-e", "tcp.flags.syn", "-e", "tcp.flags.ack",
                  "-e", "tcp.seq_raw", "-e", "tcp.len", "-e", "tcp.payload",
                  "-e", "frame.time_epoch")
    raw: dict[int, list] = {}
    for r in rows:
        raw.setdefault(int(r[0]), []).append(r)
    streams = []
    for idx, frames in sorted(raw.items()):
        syn = next((f for f in frames if f[7] in ("1", "True") and f[8] in ("0", "False")), None)
        if syn is None:
            raise RuntimeError(f"stream {idx} in {pcap.name}: no SYN captured")
        client = (syn[1] or syn[2], int(syn[3]))
        server = (syn[4] or syn[5], int(syn[6]))
        isn: dict[str, int] = {}
        for f in frames:
            src = (f[1] or f[2], int(f[3]))
            d = "c2s" if src == client else "s2c"
            if f[7] in ("1", "True"):
                isn[d] = int(f[9])
        st = Stream(idx, client, server, float(frames[0][12]), {"c2s": bytearray(),
                    "s2c": bytearray()}, {}, {})
        covered: dict[str, list[tuple[int, int]]] = {"c2s": [], "s2c": []}
        for f in frames:
            st.frames += 1
            length = int(f[10] or 0)
            if not length:
                continue
            src = (f[1] or f[2], int(f[3]))
            d = "c2s" if src == client else "s2c"
            off = (int(f[9]) - isn[d] - 1) % 2**32
            payload = bytes.fromhex(f[11].replace(":", ""))
            assert len(payload) == length, (pcap, idx, len(payload), length)
            buf = st.data[d]
            if len(buf) < off + length:
                buf.extend(b"\0" * (off + length - len(buf)))
            if any(a < off + length and off < b for a, b in covered[d]):
                st.retransmitted += 1
            buf[off:off + length] = payload
            covered[d].append((off, off + length))
        for d in ("c2s", "s2c"):
            st.seen[d] = union_len(covered[d])
            st.extent[d] = len(st.data[d])
        streams.append(st)
    return streams


def union_len(ranges: list[tuple[int, int]]) -> int:
    total, end = 0, -1
    for a, b in sorted(ranges):
        if a > end:
            total += b - a
            end = b
        elif b > end:
            total += b - end
            end = b
    return total


def tls_versions(pcap: Path, port: int) -> dict[int, str]:
    names = {"0x0304": "TLS 1.3", "0x0303": "TLS 1.2", "0x0302": "TLS 1.1", "0x0301": "TLS 1.0"}
    out = {}
    for r in tshark(pcap, "-d", f"tcp.port=={port},tls", "-Y", "tls.handshake.type==2",
                    "-T", "fields", "-e", "tcp.stream", "-e", "tls.handshake.version",
                    "-e", "tls.handshake.extensions.supported_version"):
        v = r[2] or r[1]
        out[int(r[0])] = names.get(v.split(",")[0], v)
    return out


def tls_version_from_stream(s2c: bytes) -> str | None:
    """ServerHello version parsed from the server->client bytes (for flows tshark won't follow)."""
    i = 0
    while True:
        i = s2c.find(b"\x16\x03", i)
        if i < 0 or i + 11 > len(s2c):
            return None
        if s2c[i + 5] == 2:  # handshake type ServerHello
            body = s2c[i + 9:]
            legacy = body[:2]
            pos = 2 + 32
            sid_len = body[pos]
            pos += 1 + sid_len + 2 + 1
            ext_len = int.from_bytes(body[pos:pos + 2], "big")
            pos += 2
            end = pos + ext_len
            while pos + 4 <= end:
                etype = int.from_bytes(body[pos:pos + 2], "big")
                elen = int.from_bytes(body[pos + 2:pos + 4], "big")
                if etype == 43 and elen == 2:
                    legacy = body[pos + 4:pos + 6]
                pos += 4 + elen
            return {b"\x03\x04": "TLS 1.3", b"\x03\x03": "TLS 1.2"}.get(bytes(legacy),
                                                                         legacy.hex())
        i += 1


SMB1_COMMANDS = {0x04: "CLOSE", 0x1d: "WRITE_PRINT_FILE", 0x25: "TRANSACTION", 0x2e: "READ_ANDX",
                 0x2f: "WRITE_ANDX", 0x32: "TRANSACTION2", 0x71: "TREE_DISCONNECT",
                 0x72: "NEGOTIATE", 0x73: "SESSION_SETUP_ANDX", 0x74: "LOGOFF_ANDX",
                 0x75: "TREE_CONNECT_ANDX", 0xa2: "NT_CREATE_ANDX", 0xc0: "OPEN_PRINT_FILE",
                 0xc1: "WRITE_PRINT_FILE", 0xc2: "CLOSE_PRINT_FILE"}


NT1_NAMES = ("NT LM 0.12", "NT LANMAN 1.0")   # [MS-CIFS] NT LAN Manager dialect, two spellings


def smb_facts(pcap: Path) -> dict[int, dict]:
    facts: dict[int, dict] = {}
    # SMB1: the dialect is the request's list entry the response's index names ("NT LM 0.12")
    offered: dict[int, list[str]] = {}
    for r in tshark(pcap, "-Y", "smb.cmd==0x72", "-T", "fields", "-e", "tcp.stream",
                    "-e", "smb.flags.response", "-e", "smb.dialect.name", "-e", "smb.dialect.index"):
        if r[1] in ("0", "False"):
            offered[int(r[0])] = r[2].split(",")
        elif r[3] and int(r[0]) in offered:
            chosen = offered[int(r[0])][int(r[3])]
            f = facts.setdefault(int(r[0]), {})
            f["smb1_dialect_selected"] = chosen
            # Samba lists the NT1 dialect under both names and picks the first one offered
            f["smb_dialect"] = "NT LM 0.12" if chosen in NT1_NAMES else chosen
    for r in tshark(pcap, "-Y", "smb && smb.flags.response==0", "-T", "fields", "-e", "tcp.stream",
                    "-e", "smb.cmd", "-e", "smb.file", "-e", "smb.path"):
        f = facts.setdefault(int(r[0]), {})
        for code in r[1].split(","):
            name = SMB1_COMMANDS.get(int(code, 16), code) if code != "0xff" else None
            if name and name not in f.setdefault("smb1_commands", []):
                f["smb1_commands"].append(name)
        if r[2] and r[2] not in f.get("smb1_filenames", []):
            f.setdefault("smb1_filenames", []).append(r[2])
        if r[3] and "0x75" in r[1].split(",") and r[3].split(",")[-1] not in f.get("smb1_trees", []):
            f.setdefault("smb1_trees", []).append(r[3].split(",")[-1])
    for r in tshark(pcap, "-Y", "nbss.type==0x81", "-T", "fields", "-e", "tcp.stream"):
        facts.setdefault(int(r[0]), {})["nbss_session_request"] = True
    for r in tshark(pcap, "-Y", "smb2.cmd==0 && smb2.flags.response==1", "-T", "fields",
                    "-e", "tcp.stream", "-e", "smb2.dialect"):
        d = {"0x0311": "3.1.1", "0x0302": "3.0.2", "0x0300": "3.0", "0x0210": "2.1",
             "0x0202": "2.0.2"}
        facts.setdefault(int(r[0]), {})["smb_dialect"] = d.get(r[1], r[1])
    for r in tshark(pcap, "-Y", "smb2.header.transform.enc_data", "-T", "fields",
                    "-e", "tcp.stream"):
        f = facts.setdefault(int(r[0]), {})
        f["transform_frames"] = f.get("transform_frames", 0) + 1
    for r in tshark(pcap, "-Y", "ntlmssp.auth.username", "-T", "fields", "-e", "tcp.stream",
                    "-e", "ntlmssp.auth.username"):
        facts.setdefault(int(r[0]), {})["ntlmssp_user"] = r[1]
    for r in tshark(pcap, "-Y", "smb2.cmd==5 && smb2.flags.response==0", "-T", "fields",
                    "-e", "tcp.stream", "-e", "smb2.filename"):
        if r[1]:
            facts.setdefault(int(r[0]), {}).setdefault("smb2_filenames", []).append(r[1])
    for r in tshark(pcap, "-Y", "smb2.cmd==3 && smb2.flags.response==0", "-T", "fields",
                    "-e", "tcp.stream", "-e", "smb2.tree"):
        if r[1]:
            facts.setdefault(int(r[0]), {}).setdefault("smb2_trees", []).append(r[1])
    return facts


def tls_handshakes(pcap: Path, ports: tuple[int, ...], clients: dict[int, tuple[str, int]],
                   keylog: Path | None = None) -> dict[int, dict]:
    """Per TCP stream carrying TLS: ClientHello/ServerHello times and the first application data.

    Without keys an observer sees record content types only: in TLS 1.3 the encrypted handshake
    (EncryptedExtensions... Finished) already travels in type-23 records, so "first type-23
    record" is an upper bound on the handshake only for TLS 1.2.  With the NSS key log of one
    endpoint tshark decrypts the records and the first record whose inner type is 23 is the first
    real application data; ``decrypted`` says whether that worked for the stream.  The ``ms_to_*``
    figures count from the ClientHello, per direction and ``both`` (until data of that kind has
    gone both ways; None when one direction never carried any, e.g. one-way raw printing).
    """
    decode = [a for port in ports for a in ("-d", f"tcp.port=={port},tls")]
    fields = ["-T", "fields", "-e", "tcp.stream", "-e", "frame.time_epoch", "-e", "ip.src",
              "-e", "ipv6.src", "-e", "tcp.srcport", "-e", "tls.record.content_type",
              "-e", "tls.handshake.type", "-e", "tls.record.opaque_type"]

    def rows(*extra: str) -> list[list[str]]:
        return tshark(pcap, *decode, *extra, "-Y", "tls", *fields)

    out: dict[int, dict] = {}

    def first(stream: int, key: str, direction: str, ts: float) -> None:
        d = out[stream].setdefault(key, {"c2s": None, "s2c": None})
        if d[direction] is None:
            d[direction] = round(ts, 6)

    for r in rows():
        idx = int(r[0])
        if idx not in clients:
            continue
        ts, d = float(r[1]), ("c2s" if ((r[2] or r[3]), int(r[4])) == clients[idx] else "s2c")
        types, hs = r[5].split(","), r[6].split(",")
        rec = out.setdefault(idx, {"client_hello_ts": None, "server_hello_ts": None})
        if "1" in hs and rec["client_hello_ts"] is None:
            rec["client_hello_ts"] = round(ts, 6)
        if "2" in hs and rec["server_hello_ts"] is None:
            rec["server_hello_ts"] = round(ts, 6)
        if "23" in types or "23" in r[7].split(","):  # TLS 1.3: outer type in opaque_type
            first(idx, "first_type23_record_ts", d, ts)
    out = {k: v for k, v in out.items() if v["client_hello_ts"] is not None}
    for rec in out.values():
        rec.setdefault("first_type23_record_ts", {"c2s": None, "s2c": None})
        rec["first_application_data_ts"] = {"c2s": None, "s2c": None}
        rec["decrypted"] = False
    if keylog is not None and keylog.exists() and keylog.stat().st_size:
        finished: set[int] = set()
        app: dict[int, dict[str, float]] = {}
        for r in rows("-o", f"tls.keylog_file:{keylog}"):
            idx = int(r[0])
            if idx not in out:
                continue
            d = "c2s" if ((r[2] or r[3]), int(r[4])) == clients[idx] else "s2c"
            if "20" in r[6].split(","):      # Finished is only visible once decrypted
                finished.add(idx)
            if "23" in r[5].split(","):       # decrypted: the inner content type
                app.setdefault(idx, {}).setdefault(d, round(float(r[1]), 6))
        for idx in finished:
            out[idx]["decrypted"] = True
            out[idx]["first_application_data_ts"].update(app.get(idx, {}))
    for rec in out.values():
        ch = rec["client_hello_ts"]
        for src, dst in (("first_type23_record_ts", "ms_to_first_type23_record"),
                         ("first_application_data_ts", "ms_to_first_application_data")):
            ms = {d: (round((t - ch) * 1000, 3) if t is not None else None)
                  for d, t in rec[src].items()}
            vals = [v for v in ms.values() if v is not None]
            ms["both"] = max(vals) if len(vals) == 2 else None
            rec[dst] = ms
        rec["decrypted_with"] = "NSS key log of one TLS endpoint" if rec["decrypted"] else None
    return out


# =========================================================================================== UDP
@dataclasses.dataclass
class UdpFlow:
    """Datagrams between two endpoints (unicast), or from one sender to a group/broadcast address."""

    index: int
    client: tuple[str, int]             # sender of the first datagram
    server: tuple[str, int]
    to_group: bool
    datagrams: list[dict]


def _is_group(addr: str) -> bool:
    ip = ipaddress.ip_address(addr)
    # multicast, limited broadcast, or the lab's /24 directed broadcast (x.y.z.255)
    return ip.is_multicast or (ip.version == 4 and addr.endswith(".255"))


def read_udp(pcap: Path) -> list[UdpFlow]:
    """Every UDP datagram (not the copies quoted inside ICMP errors), grouped into flows."""
    rows = tshark(pcap, "-Y", "udp && !icmp && !icmpv6", "-T", "fields", "-e", "frame.number",
                  "-e", "frame.time_epoch", "-e", "ip.src", "-e", "ipv6.src", "-e", "udp.srcport",
                  "-e", "ip.dst", "-e", "ipv6.dst", "-e", "udp.dstport", "-e", "udp.length",
                  "-e", "frame.protocols")
    flows: dict[tuple, UdpFlow] = {}
    for r in rows:
        src, dst = (r[2] or r[3], int(r[4])), (r[5] or r[6], int(r[7]))
        group = _is_group(dst[0])
        key = (src, dst) if group else tuple(sorted((src, dst)))
        fl = flows.get(key)
        if fl is None:
            fl = flows[key] = UdpFlow(len(flows), src, dst, group, [])
        fl.datagrams.append({"frame": int(r[0]), "ts": round(float(r[1]), 6),
                             "dir": "c2s" if src == fl.client else "s2c",
                             "payload_bytes": int(r[8]) - 8,
                             "tshark_protocol": r[9].split(":")[-1]})
    return list(flows.values())


def udp_truth(sc: "Scenario", pcap: Path, lab: Lab) -> list[dict]:
    """Match the scenario's UdpExpects to the captured UDP flows (strict: nothing unexplained)."""
    flows = sorted(read_udp(pcap), key=lambda f: f.datagrams[0]["ts"])

    def addrs(host: str) -> tuple[str, ...]:
        return (lab.ip(host), lab.ip(host, v6=True)) if host in lab.hosts else (host,)

    used: set[int] = set()
    out = []
    for e in sc.udp_expects:
        cand = [f for f in flows if f.index not in used and e.server_port in (0, f.server[1])
                and f.server[0] in addrs(e.server_host) and f.client[0] in addrs(e.client_host)]
        if not cand:
            raise RuntimeError(f"{sc.name}: no captured UDP flow for {e}")
        f = cand[0]
        used.add(f.index)
        n = {d: sum(1 for g in f.datagrams if g["dir"] == d) for d in ("c2s", "s2c")}
        b = {d: sum(g["payload_bytes"] for g in f.datagrams if g["dir"] == d) for d in ("c2s", "s2c")}
        flow = {"udp_flow": f.index, "client": Stream.fmt(f.client), "server": Stream.fmt(f.server),
                "to_group": f.to_group, "service": e.service,
                "first_ts": f.datagrams[0]["ts"], "last_ts": f.datagrams[-1]["ts"],
                "datagrams_c2s": n["c2s"], "datagrams_s2c": n["s2c"],
                "payload_bytes_c2s": b["c2s"], "payload_bytes_s2c": b["s2c"],
                "exact_counts": e.exact_counts}
        if e.facts:
            flow["facts"] = e.facts
        if e.note:
            flow["note"] = e.note
        flow["datagram_list"] = f.datagrams
        out.append(flow)
    extra = [f for f in flows if f.index not in used]
    if extra:
        raise RuntimeError(f"{sc.name}: unexpected UDP flows: " + ", ".join(
            f"{Stream.fmt(f.client)}->{Stream.fmt(f.server)} ({len(f.datagrams)})" for f in extra))
    return out


# ================================================================================== flow specs
@dataclasses.dataclass
class Expect:
    """What the scenario did, in order, per server endpoint; matched to captured streams."""

    server_port: int
    protocol: str | None = None          # print protocol, or None for an "other" flow
    encrypted: bool = False
    doc: Doc | None = None
    user: str | None = None
    job_name: str | None = None
    received: Path | None = None         # what the server side received (decrypted)
    ground_truth: str | None = None      # for other flows: http / plain-tcp / smb-disk-copy ...
    note: str = ""
    server_host: str = "prn"
    facts: dict = dataclasses.field(default_factory=dict)      # copied into the flow as is
    payloads: list[Payload] = dataclasses.field(default_factory=list)  # more documents/files
    truth_facts: dict | None = None      # stable facts under the flow's "facts" (compared by --only)
    bytes_vary: bool = False             # byte counts differ run to run (dates, cookies, keys)


@dataclasses.dataclass
class UdpExpect:
    """One UDP endpoint pair the scenario caused, matched to the captured datagrams in time order.

    ``server_host`` is a lab host name or a literal address (a multicast group, a broadcast
    address); ``client_host`` is the host that sent the first datagram; ``server_port`` 0 matches
    any port (an answer to a client's ephemeral port, whose first datagram is the answer)."""

    server_port: int
    service: str
    client_host: str = "ws"
    server_host: str = "prn"
    note: str = ""
    facts: dict | None = None            # stable facts (compared by --only)
    exact_counts: bool = True            # datagram counts are deterministic (else not compared)


@dataclasses.dataclass
class Payload:
    """A document or file carried by a flow besides (or instead of) its print document."""

    doc: Doc
    direction: str                       # "client_to_server" or "server_to_client"
    role: str                            # e.g. "file-written-to-printer", "document-read-back"
    copy: Path                           # the receiving side's copy (checked by sha256)
    note: str = ""


class Scenario:
    name: str = ""
    fmt = "pcap"
    packages: tuple[str, ...] = ()
    tls_port: int | None = None
    upgrade_tls: bool = False

    def __init__(self, work: Path):
        self.work = work
        self.work.mkdir(parents=True, exist_ok=True)
        os.chmod(self.work, 0o755)
        self.docs = DocFactory(work, self.name)
        self.how: list[str] = []
        self.expects: list[Expect] = []
        self.udp_expects: list[UdpExpect] = []
        self.notes: list[str] = []
        self.keylog: Path | None = None  # NSS key log written by a TLS endpoint, if any

    # helpers --------------------------------------------------------------------------------
    def cmd(self, lab: Lab, host: str, argv, **kw):
        self.how.append(f"[{host}] " + " ".join(shlex.quote(str(a)) for a in argv))
        return lab.run(host, argv, **kw)

    def spawn(self, lab: Lab, host: str, argv, **kw):
        self.how.append(f"[{host}] (server) " + " ".join(shlex.quote(str(a)) for a in argv))
        return lab.spawn(host, argv, **kw)

    def socat_sink(self, lab: Lab, host: str, listen: str, outdir: Path, *opts: str):
        outdir.mkdir(parents=True, exist_ok=True)
        return self.spawn(lab, host, ["socat", *opts, listen,
                                      f"SYSTEM:cat > {outdir}/job-$SOCAT_PEERPORT.bin"])

    def lab(self) -> Lab:
        return Lab()

    def stream_facts(self, pcap: Path) -> dict[int, dict]:
        """Extra tshark view per tcp.stream (merged into the flow's ``tshark_view``)."""
        return {}

    def run(self, lab: Lab, pcap: Path) -> None:
        raise NotImplementedError

    def annotate(self, pcap: Path, lab: Lab, truth: dict) -> None:
        """Add scenario-specific facts to the finished truth (default: nothing)."""


# ------------------------------------------------------------------------------------- CUPS
class Cupsd:
    """A private cupsd (own ServerRoot/spool/cache/state, unix socket only) in one namespace."""

    def __init__(self, sc: Scenario, lab: Lab, host: str, name: str = "cups"):
        self.sc, self.lab, self.host = sc, lab, host
        self.root = sc.work / f"{name}-{host}"
        for sub in ("etc/ppd", "etc/ssl", "spool/tmp", "cache", "state/certs", "log"):
            (self.root / sub).mkdir(parents=True, exist_ok=True)
        self.sock = self.root / "cups.sock"
        (self.root / "etc/cupsd.conf").write_text(
            f"Listen {self.sock}\nLogLevel warn\nBrowsing No\nBrowseLocalProtocols none\n"
            "DefaultAuthType None\nWebInterface No\nJobRetryLimit 0\nMaxJobTime 120\n"
            "PreserveJobFiles No\n"
            "<Location />\n  Order allow,deny\n  Allow all\n</Location>\n"
            "<Policy default>\n  <Limit All>\n    Order deny,allow\n  </Limit>\n</Policy>\n")
        (self.root / "etc/cups-files.conf").write_text(
            f"ServerRoot {self.root}/etc\nRequestRoot {self.root}/spool\n"
            f"TempDir {self.root}/spool/tmp\nCacheDir {self.root}/cache\n"
            f"StateDir {self.root}/state\nErrorLog {self.root}/log/error_log\n"
            f"AccessLog {self.root}/log/access_log\nPageLog {self.root}/log/page_log\n"
            "User lp\nGroup lp\nSystemGroup root\nFileDevice Yes\nSandboxing Relaxed\n")
        sh(["chown", "-R", "root:lp", str(self.root)])
        sh(["chmod", "-R", "g+rwX", str(self.root)])
        self.env = {"CUPS_SERVER": str(self.sock)}
        sc.spawn(lab, host, ["cupsd", "-f", "-c", f"{self.root}/etc/cupsd.conf",
                             "-s", f"{self.root}/etc/cups-files.conf"])
        deadline = time.monotonic() + 15
        while not self.sock.exists():
            if time.monotonic() > deadline:
                raise LabError("cupsd did not create its socket")
            time.sleep(0.1)
        time.sleep(0.3)

    def run(self, argv, **kw):
        return self.sc.cmd(self.lab, self.host, argv, env=self.env, **kw)

    def wait_idle(self, queue: str, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            out = self.lab.run(self.host, ["lpstat", "-o", queue], env=self.env,
                               check=False).stdout
            if not out.strip():
                return
            time.sleep(0.2)
        raise LabError(f"CUPS queue {queue} not idle after {timeout}s: "
                       + (self.root / "log/error_log").read_text()[-2000:])

    def lp(self, queue: str, doc: Doc, title: str | None = None) -> None:
        self.run(["lp", "-d", queue, "-U", USER, "-t", title or doc.title, str(doc.path)])
        self.wait_idle(queue)


def wait_files(directory: Path, count: int, timeout: float = 20) -> list[Path]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        files = sorted(directory.glob("job-*.bin")) if directory.exists() else []
        if len(files) >= count:
            time.sleep(0.3)
            return files
        time.sleep(0.1)
    raise LabError(f"expected {count} received files in {directory}")


class RawCupsSocket(Scenario):
    name = "raw9100-cups-socket"
    packages = ("cups-daemon", "cups-client", "socat", "ghostscript", "groff")
    kinds = (("pcl5", "pjl-pcl5-text", "Q3_payroll_summary.txt"),
             ("pclxl", "pjl-pclxl", "benefits-enrolment.docx"),
             ("ps", "ps-dsc", "salary_review.ps"),
             ("pdf", "pdf", "offer-letter.pdf"))
    port = 9100
    protocol = "raw9100"
    v6 = False

    def run(self, lab: Lab, pcap: Path) -> None:
        sink = self.work / "received"
        if self.v6:
            self.socat_sink(lab, "prn", f"TCP6-LISTEN:{self.port},fork,reuseaddr", sink)
        else:
            self.socat_sink(lab, "prn", f"TCP4-LISTEN:{self.port},fork,reuseaddr", sink)
        lab.wait_port("prn", self.port)
        cups = Cupsd(self, lab, "ws")
        host = f"[{lab.ip('prn', v6=True)}]" if self.v6 else lab.ip("prn")
        cups.run(["lpadmin", "-p", "Floor2_LaserJet", "-E", "-v", f"socket://{host}:{self.port}"])
        docs = [self.docs.make(tag, kind, title) for tag, kind, title in self.kinds]
        with lab.capture(pcap, self.fmt):
            for doc in docs:
                cups.lp("Floor2_LaserJet", doc)
                time.sleep(0.3)
        files = wait_files(sink, len(docs))
        by_port = {int(f.stem.split("-")[1]): f for f in files}
        for doc in docs:
            self.expects.append(Expect(self.port, self.protocol, False, doc, USER, doc.title,
                                       received=None))
        self.received_by_port = by_port
        self.notes.append("CUPS raw queue (no PPD): the socket backend sends the file verbatim; "
                          "user/job name exist on the wire only inside the document "
                          "(PJL, PostScript DSC, PDF Info).")


class RawNonStd(RawCupsSocket):
    name = "raw9100-nonstd-port"
    kinds = (("pcl5", "pjl-pcl5-text", "Q3_payroll_summary.txt"),
             ("ps", "pjl-ps", "salary_review.ps"))
    port = 9101
    protocol = "raw-nonstd"


class RawV6(RawCupsSocket):
    name = "raw9100-ipv6"
    kinds = (("ps", "pjl-ps", "salary_review.ps"),)
    v6 = True


class RawPcapng(RawCupsSocket):
    name = "raw9100-pcapng"
    fmt = "pcapng"
    kinds = (("pclxl", "pjl-pclxl", "benefits-enrolment.docx"),
             ("ps", "ps-dsc", "salary_review.ps"))


class LpdCups(Scenario):
    name = "lpd-cups"
    packages = ("cups-daemon", "cups-client", "cups-bsd", "socat", "ghostscript", "groff")

    def run(self, lab: Lab, pcap: Path) -> None:
        sink = self.work / "received"
        self.socat_sink(lab, "prn", "TCP4-LISTEN:9100,bind=127.0.0.1,fork,reuseaddr", sink)
        srv = Cupsd(self, lab, "prn", "cups-srv")
        srv.run(["lpadmin", "-p", "Floor2", "-E", "-v", "socket://127.0.0.1:9100"])
        self.spawn(lab, "prn", ["socat", "TCP4-LISTEN:515,fork,reuseaddr",
                                "EXEC:/usr/lib/cups/daemon/cups-lpd"], env=srv.env)
        lab.wait_port("prn", 515)
        cli = Cupsd(self, lab, "ws")
        cli.run(["lpadmin", "-p", "Floor2_via_LPD", "-E", "-v", f"lpd://{lab.ip('prn')}/Floor2"])
        docs = [self.docs.make("ps", "ps-dsc", "salary_review.ps"),
                self.docs.make("pcl5", "pjl-pcl5-text", "Q3_payroll_summary.txt"),
                self.docs.make("pcl5r", "pjl-pcl5-raster", "org-chart.pdf")]
        with lab.capture(pcap, self.fmt):
            for doc in docs:
                cli.lp("Floor2_via_LPD", doc)
                time.sleep(0.3)
        srv.wait_idle("Floor2")
        files = wait_files(sink, len(docs))
        received = sorted(files, key=lambda p: p.stat().st_mtime)
        for doc, rec in zip(docs, received, strict=True):
            self.expects.append(Expect(515, "lpd", False, doc, USER,
                                       re.sub(r"[^A-Za-z0-9]", "_", doc.title), received=rec))
        self.notes.append("CUPS lpd backend -> socat on 515 running cups-lpd per connection -> "
                          "private cupsd on the printer host -> raw queue to a local socat sink; "
                          "the lpd backend rewrites every non-alphanumeric character in the job title to '_' "
                          "(job_name here "
                          "is what is on the wire, in the control file's J line).")


# -------------------------------------------------------------------------------------- IPP
PRINT_JOB = """{
  NAME "Print-Job"
  OPERATION Print-Job
  GROUP operation-attributes-tag
  ATTR charset attributes-charset utf-8
  ATTR naturalLanguage attributes-natural-language en
  ATTR uri printer-uri $uri
  ATTR name requesting-user-name $requser
  ATTR name job-name $jobname
  ATTR mimeMediaType document-format $docformat
  FILE $filename
  STATUS successful-ok
}
"""
CREATE_SEND = """{
  NAME "Create-Job"
  OPERATION Create-Job
  GROUP operation-attributes-tag
  ATTR charset attributes-charset utf-8
  ATTR naturalLanguage attributes-natural-language en
  ATTR uri printer-uri $uri
  ATTR name requesting-user-name $requser
  ATTR name job-name $jobname
  STATUS successful-ok
  EXPECT job-id
}
{
  NAME "Send-Document"
  OPERATION Send-Document
  GROUP operation-attributes-tag
  ATTR charset attributes-charset utf-8
  ATTR naturalLanguage attributes-natural-language en
  ATTR uri printer-uri $uri
  ATTR integer job-id $job-id
  ATTR name requesting-user-name $requser
  ATTR boolean last-document true
  ATTR mimeMediaType document-format $docformat
  FILE $filename
  STATUS successful-ok
}
"""
GET_ATTRS = """{
  NAME "Get-Printer-Attributes"
  OPERATION Get-Printer-Attributes
  GROUP operation-attributes-tag
  ATTR charset attributes-charset utf-8
  ATTR naturalLanguage attributes-natural-language en
  ATTR uri printer-uri $uri
  ATTR name requesting-user-name $requser
  ATTR keyword requested-attributes printer-name,printer-make-and-model,document-format-supported
  STATUS successful-ok
}
"""

DBUS_CONF = """<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>system</type>
  <listen>unix:path={sock}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow user="*"/><allow own="*"/><allow send_destination="*"/><allow receive_sender="*"/>
    <allow send_requested_reply="true"/><allow receive_requested_reply="true"/>
  </policy>
</busconfig>
"""


class IppTool(Scenario):
    name = "ipp-ipptool"
    packages = ("cups-ipp-utils", "dbus", "ghostscript")
    scheme = "ipp"
    flag = ""                   # "" / "-E"
    protocol = "ipp"
    encrypted = False
    flows = ("print-job", "create-send", "get-attrs")

    def start_printer(self, lab: Lab) -> None:
        bus = self.work / "dbus"
        bus.mkdir(exist_ok=True)
        (bus / "system.conf").write_text(DBUS_CONF.format(sock=bus / "system_bus_socket"))
        self.spawn(lab, "prn", ["dbus-daemon", "--config-file", str(bus / "system.conf"),
                                "--nofork", "--nopidfile"])
        deadline = time.monotonic() + 10
        while not (bus / "system_bus_socket").exists():
            if time.monotonic() > deadline:
                raise LabError("dbus-daemon did not start")
            time.sleep(0.1)
        self.spool = self.work / "ippspool"
        (self.work / "ippkeys").mkdir(exist_ok=True)
        self.spool.mkdir(exist_ok=True)
        env = {"DBUS_SYSTEM_BUS_ADDRESS": f"unix:path={bus}/system_bus_socket",
               "HOME": str(self.work)}
        self.spawn(lab, "prn", ["ippeveprinter", "-p", "631", "-n", lab.hostname("prn"),
                                "-r", "off", "-k", "-c", "/bin/true", "-d", str(self.spool),
                                "-K", str(self.work / "ippkeys"), "-M", "Example",
                                "-m", "Floor3 IPP", "-f",
                                "application/pdf,application/postscript,image/pwg-raster",
                                "Floor3"], env=env,
                   stdout=open(self.work / "ippeveprinter.log", "w"), stderr=subprocess.STDOUT)
        lab.wait_port("prn", 631)
        time.sleep(0.5)

    def ipptool(self, lab: Lab, test: str, *, doc: Doc | None, transfer: str,
                jobname: str = "", fmt: str = "") -> None:
        tf = self.work / f"{test.split()[3].strip(chr(34))}.test"
        tf.write_text(test)
        argv = ["ipptool", "-t", "-T", "20"]
        if self.flag:
            argv.append(self.flag)
        if transfer:
            argv.append(transfer)
        argv += ["-d", f"requser={USER}"]
        if doc is not None:
            argv += ["-d", f"jobname={jobname}", "-d", f"docformat={fmt}", "-f", str(doc.path)]
        argv += [f"{self.scheme}://{lab.ip('prn')}:631/ipp/print", str(tf)]
        self.cmd(lab, "ws", argv, env={"HOME": str(self.work)})

    def run(self, lab: Lab, pcap: Path) -> None:
        self.start_printer(lab)
        pdf = self.docs.make("pdf", "pdf", "offer-letter.pdf")
        ps = self.docs.make("ps", "ps-dsc", "salary_review.ps")
        with lab.capture(pcap, self.fmt):
            if "print-job" in self.flows:
                self.ipptool(lab, PRINT_JOB, doc=pdf, transfer="-L", jobname=pdf.title,
                             fmt="application/pdf")
                self.expects.append(Expect(631, self.protocol, self.encrypted, pdf, USER,
                                           pdf.title, note="Print-Job, Content-Length"))
                self.wait_job(1)
            if "create-send" in self.flows:
                self.ipptool(lab, CREATE_SEND, doc=ps, transfer="-C", jobname=ps.title,
                             fmt="application/postscript")
                self.expects.append(Expect(631, self.protocol, self.encrypted, ps, USER,
                                           ps.title, note="Create-Job + Send-Document, chunked"))
                self.wait_job(2)
            if "get-attrs" in self.flows:
                self.ipptool(lab, GET_ATTRS, doc=None, transfer="-L")
                self.expects.append(Expect(631, self.protocol, self.encrypted, None, USER, None,
                                           note="Get-Printer-Attributes only, no document"))
        # spool copies kept by ippeveprinter -k: "<job-id>-<name>.<ext>"
        kept = {}
        for f in self.spool.rglob("*"):
            m = re.match(r"(\d+)-", f.name)
            if f.is_file() and m and f.suffix != ".prn":
                kept[int(m.group(1))] = f
        jid = 0
        for e in self.expects:
            if e.doc is not None:
                jid += 1
                e.received = kept.get(jid)

    def wait_job(self, n: int, timeout: float = 20) -> None:
        # ippeveprinter answers server-error-busy while "printing"; wait for the job to finish
        deadline = time.monotonic() + timeout
        logf = self.work / "ippeveprinter.log"
        while time.monotonic() < deadline:
            text = logf.read_text(errors="replace") if logf.exists() else ""
            if text.count("Processing time was") >= n:
                time.sleep(1.0)
                return
            time.sleep(0.2)


class IppsTool(IppTool):
    name = "ipps-ipptool"
    scheme = "ipps"
    protocol = "ipps"
    encrypted = True
    tls_port = 631


class IppUpgrade(IppTool):
    name = "ipp-upgrade-tls"
    flag = "-E"
    protocol = "ipp-upgrade-tls"
    encrypted = True
    upgrade_tls = True
    flows = ("print-job", "get-attrs")


# -------------------------------------------------------------------------------------- TLS 9100
class Tls9100(Scenario):
    name = "tls9100-socat"
    packages = ("socat", "openssl")
    tls_port = 9100

    def run(self, lab: Lab, pcap: Path) -> None:
        key, crt = self.work / "prn.key", self.work / "prn.crt"
        sh(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key),
            "-out", str(crt), "-days", "30", "-subj", "/CN=prn.lab"])
        self.how.append("openssl req -x509 -newkey rsa:2048 -nodes -subj /CN=prn.lab (build time)")
        sink = self.work / "received"
        self.socat_sink(lab, "prn", f"OPENSSL-LISTEN:9100,fork,reuseaddr,cert={crt},key={key},"
                        "verify=0", sink)
        lab.wait_port("prn", 9100)
        d12 = self.docs.make("ps12", "pjl-ps", "salary_review.ps")
        d13 = self.docs.make("pcl13", "pjl-pcl5-text", "Q3_payroll_summary.txt")
        with lab.capture(pcap, self.fmt):
            for doc, extra in ((d12, ",max-version=TLS1.2"), (d13, "")):
                self.cmd(lab, "ws", ["socat", "-u", f"OPEN:{doc.path}",
                                     f"OPENSSL:{lab.ip('prn')}:9100,verify=0{extra}"])
                self.expects.append(Expect(9100, "tls9100", True, doc, USER, doc.title,
                                           note="TLS 1.2 forced" if extra else "default"))
                time.sleep(0.5)
        files = wait_files(sink, 2)
        self.received_by_port = {int(f.stem.split("-")[1]): f for f in files}


# -------------------------------------------------------------------------------------- SMB
class SmbPrint(Scenario):
    name = "smb-print-clear"
    packages = ("samba", "smbclient", "ghostscript")
    encrypt = "off"

    def run(self, lab: Lab, pcap: Path) -> None:
        s = self.work / "samba"
        for sub in ("lock", "state", "cache", "private", "pid", "ncalrpc", "log"):
            (s / sub).mkdir(parents=True, exist_ok=True)
        for sub in ("spool", "out", "share"):
            (s / sub).mkdir(parents=True, exist_ok=True)
            os.chmod(s / sub, 0o1777)
        # a private passwd/group with user alice, bind-mounted in a mount namespace
        (s / "passwd").write_text(Path("/etc/passwd").read_text()
                                  + "alice:x:7701:7701:Alice Example:/nonexistent:/bin/false\n")
        (s / "group").write_text(Path("/etc/group").read_text() + "alice:x:7701:\n")
        conf = s / "smb.conf"
        conf.write_text(f"""[global]
  workgroup = LAB
  server role = standalone server
  netbios name = PRN
  disable netbios = yes
  smb ports = 445
  lock directory = {s}/lock
  state directory = {s}/state
  cache directory = {s}/cache
  private dir = {s}/private
  pid directory = {s}/pid
  ncalrpc dir = {s}/ncalrpc
  log file = {s}/log/log.%m
  log level = 1
  passdb backend = tdbsam:{s}/private/passdb.tdb
  server smb encrypt = {self.encrypt}
  load printers = no
  printcap name = /dev/null
  printing = bsd
  disable spoolss = yes
  server services = -nbt -dns -kdc
  map to guest = never
[Floor2]
  path = {s}/spool
  printable = yes
  print command = /bin/cp %s {s}/out/job-%j.bin; /bin/rm %s
  lpq command = /bin/true
  lprm command = /bin/true
[docs]
  path = {s}/share
  read only = no
""")
        wrap = ["unshare", "-m", "sh", "-c",
                f"mount --bind {s}/passwd /etc/passwd && mount --bind {s}/group /etc/group "
                "&& exec \"$@\"", "wrap"]
        self.cmd(lab, "prn", wrap + ["sh", "-c", f"printf 'pass\\npass\\n' | smbpasswd -c {conf}"
                                     " -s -a alice"])
        self.spawn(lab, "prn", wrap + ["smbd", "--foreground", "--no-process-group",
                                       "--debug-stdout", "-s", str(conf)],
                   stdout=open(self.work / "smbd.log", "w"), stderr=subprocess.STDOUT)
        lab.wait_port("prn", 445)
        time.sleep(0.5)
        prot = "encrypt" if self.encrypt == "required" else "off"
        cli = ["smbclient", "-s", "/dev/null", "-p", "445", "-U", f"{USER}%pass",
               f"--client-protection={prot}"]
        doc = self.docs.make("pdf", "pdf", "offer-letter.pdf")
        copy = self.docs.make("copy", "pjl-pcl5-text", "Q3_payroll_summary.txt")
        prn = lab.ip("prn")
        upload = self.work / "upload"
        upload.mkdir(exist_ok=True)
        named = upload / doc.title          # smbclient names the spool file after the local file
        shutil.copy(doc.path, named)
        with lab.capture(pcap, self.fmt):
            self.cmd(lab, "ws", cli + [f"//{prn}/Floor2", "-c", f"print {named}"])
            self.expects.append(Expect(445, "smb2", self.encrypt == "required", doc, USER,
                                       doc.title + "-<pid>",
                                       note="smbclient print to printable share; smbclient "
                                            "names the spool file '<local name>-<its pid>'"))
            time.sleep(0.5)
            self.cmd(lab, "ws", cli + [f"//{prn}/docs", "-c",
                                       f"put {copy.path} Q3_payroll_summary.prn"])
            self.expects.append(Expect(445, None, self.encrypt == "required", copy, USER,
                                       ground_truth="smb-disk-copy",
                                       note="file copy of a PJL/PCL document to a DISK share "
                                            "(not printing)"))
        outs = wait_files(s / "out", 1)
        self.expects[0].received = outs[0]
        self.expects[1].received = s / "share" / "Q3_payroll_summary.prn"


class SmbPrintEnc(SmbPrint):
    name = "smb-print-encrypted"
    encrypt = "required"


# ------------------------------------------------------------------------------ background
class MixedBackground(Scenario):
    name = "mixed-background"
    packages = ("python3", "curl", "socat", "ghostscript")

    def run(self, lab: Lab, pcap: Path) -> None:
        www = self.work / "www"
        www.mkdir()
        pdf = self.docs.make("pdf", "pdf", "annual-report.pdf")
        shutil.copy(pdf.path, www / "annual-report.pdf")
        (www / "index.html").write_text("<html><body><h1>intranet</h1>"
                                        "<a href=annual-report.pdf>report</a></body></html>\n")
        self.spawn(lab, "web", ["python3", "-m", "http.server", "--bind", lab.ip("web"), "8080"],
                   cwd=str(www))
        lab.wait_port("web", 8080)
        sink = self.work / "received"
        self.socat_sink(lab, "web", "TCP4-LISTEN:5001,fork,reuseaddr", sink)
        lab.wait_port("web", 5001)
        logf = self.work / "docs" / "app.log"
        s = self.docs.strings("log", "app.log")
        logf.write_text("".join(f"2026-01-01T12:{i:02d}:00Z INFO user={USER} "
                                f"session={s['canary']} action=view-payroll\n" for i in range(40)))
        with lab.capture(pcap, self.fmt):
            for path in ("/", "/annual-report.pdf"):
                self.cmd(lab, "ws", ["curl", "-s", "-o", "/dev/null", "--http1.1",
                                     f"http://{lab.ip('web')}:8080{path}"])
                self.expects.append(Expect(8080, None, False, pdf if "pdf" in path else None,
                                           ground_truth="http", server_host="web",
                                           received=www / "annual-report.pdf",
                                           note=f"HTTP GET {path} (python3 -m http.server)"))
            self.cmd(lab, "ws", ["socat", "-u", f"OPEN:{logf}", f"TCP:{lab.ip('web')}:5001"])
            self.expects.append(Expect(5001, None, False, None, ground_truth="plain-tcp",
                                       server_host="web",
                                       note="plain TCP transfer of a text log with socat"))
        self.notes.append("No printing at all: HTTP download of a PDF that contains a canary, "
                          "and a plain TCP log transfer.  Nothing here is a print flow.")


class Lossy(Scenario):
    name = "lossy"
    packages = ("socat", "nftables")

    def lab(self) -> Lab:
        return Lab(mtu={"ws": 576})

    def run(self, lab: Lab, pcap: Path) -> None:
        sink = self.work / "received"
        self.socat_sink(lab, "prn", "TCP4-LISTEN:9100,fork,reuseaddr", sink)
        lab.wait_port("prn", 9100)
        doc = self.docs.make("big", "pjl-ps", "quarterly-payroll-full.ps", pages=20,
                             lines_per_page=30)
        # deterministic loss (tc netem is not available on every kernel): every 17th data
        # segment leaving the client is dropped before the bridge (the observer sees a hole,
        # then the retransmission), every 19th arriving at the printer is dropped after the
        # bridge (the observer sees the segment twice).
        nft_ws = ("add table inet loss; add chain inet loss out { type filter hook output "
                  "priority 0; }; add rule inet loss out tcp dport 9100 tcp flags & (syn|fin) "
                  "== 0 meta length > 100 numgen inc mod 17 == 5 drop")
        nft_prn = ("add table inet loss; add chain inet loss in { type filter hook input "
                   "priority 0; }; add rule inet loss in tcp dport 9100 tcp flags & (syn|fin) "
                   "== 0 meta length > 100 numgen inc mod 19 == 11 drop")
        self.cmd(lab, "ws", ["nft", nft_ws])
        self.cmd(lab, "prn", ["nft", nft_prn])
        self.how.append("[ws] ip link set eth0 mtu 576")
        with lab.capture(pcap, self.fmt):
            self.cmd(lab, "ws", ["socat", "-u", f"OPEN:{doc.path}",
                                 f"TCP:{lab.ip('prn')}:9100"])
        files = wait_files(sink, 1)
        self.expects.append(Expect(9100, "raw9100", False, doc, USER, doc.title,
                                   received=files[0], note="MTU 576 + deterministic nft drops"))
        self.notes.append("tc netem is unavailable on the build kernel, so loss is made with "
                          "nftables 'numgen inc' drop rules on the client egress and printer "
                          "ingress; the capture holds retransmissions and out-of-order segments.")


SCENARIOS: list[type[Scenario]] = [RawCupsSocket, RawNonStd, RawV6, RawPcapng, LpdCups, IppTool,
                                   IppsTool, IppUpgrade, Tls9100, SmbPrint, SmbPrintEnc,
                                   MixedBackground, Lossy]

# scenario modules import names from this one: when run as a script, let them find this module
sys.modules.setdefault("tools.make_captures", sys.modules[__name__])
from tools.scenarios_windows import SCENARIOS as WINDOWS_SCENARIOS  # noqa: E402

SCENARIOS += WINDOWS_SCENARIOS
import tools.scenarios_fleet  # noqa: E402,F401  (registers admin/SNMP/discovery/migration scenarios)


# =============================================================================== truth building
def build(cls: type[Scenario], outdir: Path, scratch: Path) -> dict:
    sc = cls(scratch / cls.name)
    ext = "pcapng" if sc.fmt == "pcapng" else "pcap"
    pcap = outdir / f"{cls.name}.{ext}"
    with sc.lab() as lab:
        sc.run(lab, pcap)
    os.chmod(pcap, 0o644)  # dumpcap creates 0600 files
    truth = make_truth(sc, pcap, lab)
    (outdir / f"{cls.name}.truth.json").write_text(json.dumps(truth, indent=1) + "\n")
    return truth


def make_truth(sc: Scenario, pcap: Path, lab: Lab) -> dict:
    streams = read_streams(pcap)
    tls_ports = sc.tls_port if isinstance(sc.tls_port, tuple) else \
        ((sc.tls_port,) if sc.tls_port else ())
    tls: dict[int, str] = {}
    for port in tls_ports:
        tls.update(tls_versions(pcap, port))
    handshakes = tls_handshakes(pcap, tls_ports, {st.index: st.client for st in streams},
                                sc.keylog) if tls_ports else {}
    smb = smb_facts(pcap) if any(e.server_port in (139, 445) for e in sc.expects) else {}
    extra_view = sc.stream_facts(pcap)  # scenario-specific tshark view, per tcp.stream
    received_by_port = getattr(sc, "received_by_port", {})
    # match expectations to streams: per (server ip, server port), in time order
    used: set[int] = set()
    pairs = []
    for e in sc.expects:
        cand = [st for st in sorted(streams, key=lambda st: st.first_ts)
                if st.server[1] == e.server_port and st.index not in used
                and st.server[0] in (lab.ip(e.server_host), lab.ip(e.server_host, v6=True))]
        if not cand:
            raise RuntimeError(f"{sc.name}: no captured stream for {e}")
        used.add(cand[0].index)
        pairs.append((e, cand[0]))
    extra = [st for st in streams if st.index not in used]
    if extra:
        raise RuntimeError(f"{sc.name}: unexpected TCP streams: "
                           + ", ".join(f"{Stream.fmt(s.client)}->{Stream.fmt(s.server)}"
                                       for s in extra))
    print_flows, other = [], []
    for e, st in pairs:
        c2s, s2c = bytes(st.data["c2s"]), bytes(st.data["s2c"])
        holes = {d: st.extent[d] - st.seen[d] for d in ("c2s", "s2c")}
        if any(holes.values()):
            raise RuntimeError(f"{sc.name}: stream {st.index} has holes {holes}")
        flow = {
            "tcp_stream": st.index,
            "client": Stream.fmt(st.client),
            "server": Stream.fmt(st.server),
            "first_ts": round(st.first_ts, 6),
        }
        if e.protocol:
            flow["protocol"] = e.protocol
        else:
            flow["ground_truth"] = e.ground_truth
        flow.update({
            "encrypted": e.encrypted,
            "carries_document": e.doc is not None or bool(e.payloads),
            "client_to_server_stream_bytes": st.seen["c2s"],
            "server_to_client_stream_bytes": st.seen["s2c"],
            "frames": st.frames,
            "retransmitted_payload_frames": st.retransmitted,
        })
        if st.index in tls:
            flow["tls_version"] = tls[st.index]
            flow["tls_version_source"] = "tshark"
        if st.index in handshakes:
            flow["tls_handshake"] = handshakes[st.index]
        elif e.protocol and e.encrypted and e.protocol not in NOT_TLS:
            v = tls_version_from_stream(s2c)
            flow["tls_version"] = v
            flow["tls_version_source"] = ("ServerHello parsed from the reassembled stream "
                                          "(tshark 4.0 does not follow HTTP Upgrade: TLS)")
        if st.index in smb:
            f = smb[st.index]
            names = [n for n in f.get("smb2_filenames", []) + f.get("smb1_filenames", [])
                     if e.job_name and n.startswith(e.job_name.replace("-<pid>", ""))]
            if names:
                e.job_name = names[0]
            flow["smb_dialect"] = f.get("smb_dialect")
            flow["smb_transform_frames"] = f.get("transform_frames", 0)
            flow["tshark_view"] = {k: f[k] for k in ("ntlmssp_user", "smb2_filenames",
                                                     "smb2_trees", "smb1_filenames", "smb1_trees",
                                                     "smb1_commands", "smb1_dialect_selected",
                                                     "nbss_session_request")
                                   if k in f}
            if e.encrypted and not f.get("transform_frames"):
                raise RuntimeError(f"{sc.name}: expected SMB3 transform frames")
            if not e.encrypted and f.get("transform_frames"):
                raise RuntimeError(f"{sc.name}: unexpected SMB3 encryption")
        if e.doc is not None:
            doc = e.doc.truth()
            data = e.doc.data
            rec = e.received or received_by_port.get(st.client[1])
            if rec is None:
                raise RuntimeError(f"{sc.name}: no server-side copy for stream {st.index}")
            got = sha256(rec.read_bytes())
            if got != doc["sha256"]:
                raise RuntimeError(f"{sc.name}: server received {got}, client sent "
                                   f"{doc['sha256']} ({rec})")
            doc["server_side_copy_sha256_matches"] = True
            flow["document"] = doc
            carrier = c2s if data[:64] in c2s or data[:64] not in s2c else s2c
            flow["document_direction"] = "client_to_server" if carrier is c2s else \
                "server_to_client"
            flow["doc_bytes_found_in_stream"] = data in carrier
            flow["doc_prefix_found_in_stream"] = data[:64] in carrier
            if not e.encrypted and not flow["doc_prefix_found_in_stream"]:
                raise RuntimeError(f"{sc.name}: cleartext document not in stream {st.index}")
        if st.index in extra_view:
            flow.setdefault("tshark_view", {}).update(extra_view[st.index])
        flow.update(e.facts)
        if e.payloads:
            flow["payloads"] = [payload_truth(sc, p, c2s, s2c, e.encrypted) for p in e.payloads]
        if e.protocol:
            flow["user"] = e.user
            flow["job_name"] = e.job_name
            probes = {}
            if e.doc is not None:
                probes.update(e.doc.strings)
            if e.job_name:
                probes["job_name"] = e.job_name
            if e.user:
                probes["user"] = e.user
            flow["strings_in_reassembled_stream"] = {
                k: (v.encode() in c2s or v.encode("utf-16-le") in c2s) for k, v in probes.items()}
            if e.protocol == "lpd":
                flow["lpd_control_lines"] = lpd_control(c2s)
                if e.job_name not in flow["lpd_control_lines"].get("J", []):
                    raise RuntimeError(f"{sc.name}: job name {e.job_name} not in control file")
        if e.note:
            flow["note"] = e.note
        if e.truth_facts:
            flow["facts"] = e.truth_facts
        if e.bytes_vary:
            flow["bytes_vary"] = True
        (print_flows if e.protocol else other).append(flow)
    udp_flows = udp_truth(sc, pcap, lab)
    size = pcap.stat().st_size
    if size > MAX_CAPTURE:
        raise RuntimeError(f"{pcap.name} is {size} bytes (> {MAX_CAPTURE})")
    pkgs = ("tcpdump", "tshark", "iproute2", *sc.packages) + (("wireshark-common",) if sc.fmt ==
                                                              "pcapng" else ())
    how = [re.sub(re.escape(str(sc.work)), "$WORK", h) for h in sc.how]
    truth = {
        "truth_version": TRUTH_VERSION,
        "file": pcap.name,
        "format": sc.fmt,
        "scenario": sc.name,
        "generator": "tools/make_captures.py",
        "topology": {h: {"ipv4": lab.ip(h), "ipv6": lab.ip(h, v6=True)} for h in lab.hosts},
        "vantage_point": "Linux bridge br0 (no IP) in a separate observer namespace; offloads off",
        "how": {"commands": how, "versions": versions(*pkgs)},
        "notes": sc.notes,
        "size_bytes": size,
        "sha256": sha256(pcap.read_bytes()),
        "print_flows": print_flows,
        "other_tcp_flows": other,
    }
    if udp_flows or sc.udp_expects:
        truth["udp_flows"] = udp_flows
    sc.annotate(pcap, lab, truth)
    return truth


NOT_TLS = ("smb1", "smb2", "dcerpc")   # encrypted by SMB3 or DCE/RPC privacy, not TLS


def payload_truth(sc: Scenario, p: Payload, c2s: bytes, s2c: bytes, encrypted: bool) -> dict:
    """Ground truth of one extra payload: its document facts, checked against the copy."""
    d = p.doc.truth()
    got = sha256(p.copy.read_bytes())
    if got != d["sha256"]:
        raise RuntimeError(f"{sc.name}: {p.role} copy {p.copy} is {got}, sent {d['sha256']}")
    carrier = c2s if p.direction == "client_to_server" else s2c
    data = p.doc.data
    out = {"role": p.role, "direction": p.direction, "document": d,
           "receiving_side_copy_sha256_matches": True,
           "bytes_found_in_stream": data in carrier,
           "prefix_found_in_stream": data[:64] in carrier,
           "strings_in_stream_direction": {k: v.encode() in carrier
                                           for k, v in p.doc.strings.items()}}
    if not encrypted and not out["prefix_found_in_stream"]:
        raise RuntimeError(f"{sc.name}: cleartext {p.role} not found {p.direction}")
    if p.note:
        out["note"] = p.note
    return out


def lpd_control(c2s: bytes) -> dict[str, list[str]]:
    """Parse RFC 1179 receive-job subcommands and the control file(s) from a client stream."""
    out: dict[str, list[str]] = {}
    pos = 1 if c2s[:1] == b"\x02" else 0
    pos = c2s.find(b"\n", pos) + 1
    while 0 < pos < len(c2s):
        nl = c2s.find(b"\n", pos)
        if nl < 0:
            break
        sub = c2s[pos:nl]
        kind, rest = sub[:1], sub[1:].split(b" ", 1)
        try:
            count = int(rest[0])
        except ValueError:
            break
        body = c2s[nl + 1:nl + 1 + count]
        if kind == b"\x02":
            for line in body.decode("latin-1").splitlines():
                if line:
                    out.setdefault(line[0], []).append(line[1:])
        pos = nl + 1 + count + 1  # trailing NUL
    return out


# =========================================================================== stable comparison
#: scenario facts that are the same on every rebuild (compared by stable_view when present)
STABLE_FACTS = ("rpc_interfaces", "rpc_auth_level", "rpc_auth_type", "rpc_transport",
                "named_pipe", "spoolss", "ntlmssp_user", "pjl_fs", "epm")


def stable_view(t: dict) -> dict:
    def norm_job(name):
        return re.sub(r"-\d+$", "-<pid>", name) if isinstance(name, str) else name

    def doc(d):
        if not d:
            return None
        return {k: d[k] for k in ("sha256", "size", "languages", "strings", "kind")}

    def flow(f, fuzzy: bool):
        v = {k: f.get(k) for k in ("protocol", "ground_truth", "encrypted", "carries_document",
                                   "tls_version", "smb_dialect", "user")}
        v["job_name"] = norm_job(f.get("job_name"))
        v["document"] = doc(f.get("document"))
        if "facts" in f:
            v["facts"] = f["facts"]
        for k in STABLE_FACTS:          # facts the newer scenarios record (absent elsewhere)
            if k in f:
                v[k] = f[k]
        if "payloads" in f:
            v["payloads"] = [{"role": p["role"], "direction": p["direction"],
                              "document": doc(p["document"])} for p in f["payloads"]]
        for k in ("client_to_server_stream_bytes", "server_to_client_stream_bytes"):
            v[k] = f[k] if not fuzzy else "~%d" % round(f[k], -2)
        return v

    def fuzzy(f):
        # byte counts vary run to run where certificates/keys, smbclient's pid-suffixed
        # file name or printer state messages are inside the flow; compare those roughly
        return f.get("encrypted") or f.get("protocol") in ("ipp", "smb1", "smb2", "dcerpc") or \
            f.get("ground_truth") in ("smb-disk-copy", "dcerpc-epm") or f.get("bytes_vary", False)

    def udp(f):
        v = {k: f.get(k) for k in ("service", "to_group", "facts")}
        for k in ("datagrams_c2s", "datagrams_s2c", "payload_bytes_c2s", "payload_bytes_s2c"):
            v[k] = f[k] if f.get("exact_counts") else "varies"   # e.g. timer-driven mDNS
        return v

    view = {"file": t["file"], "format": t["format"], "scenario": t["scenario"],
            "print_flows": [flow(f, fuzzy(f)) for f in t["print_flows"]],
            "other_tcp_flows": [flow(f, fuzzy(f)) for f in t["other_tcp_flows"]]}
    if "udp_flows" in t:
        view["udp_flows"] = [udp(f) for f in t["udp_flows"]]
    if "facts" in t:   # scenario-level facts a scenario's annotate() declares stable
        view["facts"] = t["facts"]
    return view


def close_enough(a, b) -> bool:
    if isinstance(a, str) and isinstance(b, str) and a.startswith("~") and b.startswith("~"):
        x, y = int(a[1:]), int(b[1:])
        return abs(x - y) <= max(200, 0.03 * max(x, y))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(close_enough(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(close_enough(x, y) for x, y in zip(a, b, strict=True))
    return a == b


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--update", action="store_true", help="write into pcaps/ (else compare)")
    ap.add_argument("--only", help="comma-separated scenario names")
    ap.add_argument("--keep", action="store_true", help="keep the scratch directory")
    ap.add_argument("--list", action="store_true", help="list scenarios and exit")
    ap.add_argument("--packages", action="store_true", help="print the Debian packages needed")
    args = ap.parse_args(argv)
    if args.list:
        print("\n".join(c.name for c in SCENARIOS))
        return 0
    if args.packages:
        print(" ".join(PACKAGES))
        return 0
    chosen = SCENARIOS
    if args.only:
        names = set(args.only.split(","))
        unknown = names - {c.name for c in SCENARIOS}
        if unknown:
            ap.error(f"unknown scenario(s): {', '.join(sorted(unknown))}")
        chosen = [c for c in SCENARIOS if c.name in names]
    scratch = Path(tempfile.mkdtemp(prefix="sniffprint-lab-"))
    os.chmod(scratch, 0o755)
    outdir = PCAPS if args.update else scratch / "out"
    outdir.mkdir(parents=True, exist_ok=True)
    failed, mismatched = [], []
    t0 = time.monotonic()
    try:
        for cls in chosen:
            t1 = time.monotonic()
            log(f"== {cls.name}")
            try:
                truth = build(cls, outdir, scratch)
            except Exception as exc:  # keep going: report every broken scenario
                log(f"!! {cls.name} FAILED: {exc}")
                failed.append(cls.name)
                continue
            log(f"   {truth['file']}: {truth['size_bytes']} bytes, "
                f"{len(truth['print_flows'])} print flows, {len(truth['other_tcp_flows'])} other, "
                f"{len(truth.get('udp_flows', []))} udp, "
                f"{time.monotonic() - t1:.1f}s")
            if not args.update:
                ref = PCAPS / f"{cls.name}.truth.json"
                if not ref.exists():
                    log(f"!! {cls.name}: no committed {ref.name} (run with --update)")
                    mismatched.append(cls.name)
                    continue
                want = stable_view(json.loads(ref.read_text()))
                got = stable_view(truth)
                if not close_enough(want, got):
                    mismatched.append(cls.name)
                    a = json.dumps(want, indent=1, sort_keys=True).splitlines()
                    b = json.dumps(got, indent=1, sort_keys=True).splitlines()
                    print("\n".join(difflib.unified_diff(a, b, f"committed/{ref.name}",
                                                         f"rebuilt/{ref.name}", lineterm="")))
        if args.update and not args.only:
            total = sum(p.stat().st_size for p in PCAPS.glob("*.pcap*"))
            log(f"pcaps/ total {total} bytes")
            if total > MAX_TOTAL:
                log(f"!! pcaps/ is larger than {MAX_TOTAL} bytes")
                failed.append("total-size")
    finally:
        if args.keep:
            log(f"scratch kept in {scratch}")
        else:
            shutil.rmtree(scratch, ignore_errors=True)
    log(f"done in {time.monotonic() - t0:.1f}s; failed: {failed or 'none'}; "
        f"mismatched: {mismatched or 'none'}")
    return 1 if failed or mismatched else 0


if __name__ == "__main__":
    sys.exit(main())
