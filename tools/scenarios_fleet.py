"""Capture scenarios for the rest of a printer fleet's cleartext surface and for a migration.

Issue 12: printer admin panels over HTTP and HTTPS (``http-admin-cups``), SNMP in clear and with
v3 authPriv (``snmp-v2c``, ``snmp-v3``), discovery announcements (``mdns-printer``: mDNS/DNS-SD
and a CUPS browse packet).  Issue 13: a workstation/printer pair before and after moving to TLS
(``migration-before``, ``migration-after``; a second workstation ``ws2`` still prints in clear).

Real software wherever Debian has it: cupsd's web interface with PAM Basic authentication and
its own TLS, Net-SNMP ``snmpd``/``snmptrapd`` and its command-line tools, Avahi
(``avahi-daemon``, ``avahi-publish``, ``avahi-browse``), ``ippeveprinter``'s own DNS-SD,
``cups-browsed``'s legacy CUPS browsing, ``curl``, ``ipptool``, ``socat``, CUPS backends.  Two
things have no free implementation and come from ``tools/fleet_responders.py`` (its docstring
says exactly what they imitate): a printer embedded web server on port 80, and a 9100 port that
takes TLS and cleartext on the same port and answers PJL ``INFO`` queries.

Truth added on top of ``tools/make_captures.make_truth`` (see ``annotate`` of each class):

* ``sensitive_strings``: every credential-like value the scenario put on the wire or used
  (passwords, the Basic ``Authorization`` token, community strings, session cookies, SNMPv3
  user and pass phrases), with ``kind`` and ``where``; none may appear in sniffprint output.
* per flow ``facts`` (stable, compared by ``--only``): HTTP requests with status codes, which
  carried credentials and how (``basic``, ``form-urlencoded``, ``form-multipart``,
  ``session-cookie``), the password length; SNMP version, community, PDU types, whether a set
  was sent and answered; discovery service types and TXT keys.
* what tshark dissects (not compared): ``tshark_view`` per HTTP flow (HTTPS decrypted with the
  key logs the TLS endpoints wrote), ``snmp`` / ``mdns`` / ``cups_browse`` per UDP datagram;
  used here to check the facts above: the build fails if they disagree.
* top-level ``facts`` (stable): printer facts (SNMP replies, DNS-SD TXT, CUPS browse line) and,
  for the migration pair, the per-workstation and per-printer view a diff must reproduce.
"""

from __future__ import annotations

import base64
import json
import os
import re
import subprocess
import time
from pathlib import Path

import tools.make_captures as lab_base
from tools.make_captures import (
    DBUS_CONF,
    PRINT_JOB,
    USER,
    Cupsd,
    Doc,
    Expect,
    IppTool,
    Scenario,
    UdpExpect,
    read_streams,
    sh,
    sha256,
    wait_files,
)
from tools.netlab import HOSTS, Lab, LabError

RESPONDERS = Path(__file__).resolve().parent / "fleet_responders.py"

#: Debian packages these scenarios need on top of make_captures.PACKAGES
PACKAGES = ("snmpd", "snmp", "snmptrapd", "avahi-daemon", "avahi-utils", "cups-browsed")

# Test credentials: chosen here, distinctive so a leak test can search for them.
CUPS_ADMIN = ("prnadmin", "CupsAdm1n-Lab-5523")
EWS_PASSWORD = "EwsPw-Lab-8841"
SNMP_RO = "Flr2-ReadOnly-4417"
SNMP_RW = "Flr2-ReadWrite-9902"
SNMP_TRAP = "Flr2-Trap-6250"
SNMP_V3 = ("labv3admin", "Lab-v3-Auth-Pass-5521", "Lab-v3-Priv-Pass-8830")

PRINTER_FACTS = {
    "sysDescr": "HP LaserJet 4250 (sniffprint lab agent: Net-SNMP snmpd)",
    "sysName": "floor2-laserjet",
    "sysLocation": "Floor 2 copy room",
    "hrDeviceDescr": "HP LaserJet 4250",
    "prtGeneralSerialNumber": "CNBX512345",
}
OIDS = {
    "sysDescr": "1.3.6.1.2.1.1.1.0",
    "sysObjectID": "1.3.6.1.2.1.1.2.0",
    "sysContact": "1.3.6.1.2.1.1.4.0",
    "sysName": "1.3.6.1.2.1.1.5.0",
    "sysLocation": "1.3.6.1.2.1.1.6.0",
    "hrDeviceType": "1.3.6.1.2.1.25.3.2.1.2.1",
    "hrDeviceDescr": "1.3.6.1.2.1.25.3.2.1.3.1",
    "prtGeneralSerialNumber": "1.3.6.1.2.1.43.5.1.1.17.1",
}
SNMP_PDUS = {"0": "get-request", "1": "get-next-request", "2": "get-response", "3": "set-request",
             "4": "trap", "5": "get-bulk-request", "6": "inform-request", "7": "snmpV2-trap",
             "8": "report"}


# ==================================================================================== tshark JSON
class _Dup(list):
    """Values of a key that tshark's JSON repeats in one object (e.g. every ``dns.txt`` string)."""


def _pairs(pairs: list[tuple[str, object]]) -> dict:
    """json object hook: keep every value of a repeated key (plain json keeps only the last)."""
    out: dict = {}
    for k, v in pairs:
        if k not in out:
            out[k] = v
        elif isinstance(out[k], _Dup):
            out[k].append(v)
        else:
            out[k] = _Dup([out[k], v])
    return out


def tshark_json(pcap: Path, *args: str) -> list[dict]:
    """Frames as tshark's JSON (``-T json``), each the ``layers`` dict with repeated keys merged."""
    res = subprocess.run(["tshark", "-n", "-r", str(pcap), *args, "-T", "json"],
                         capture_output=True, text=True)
    if res.returncode != 0:
        raise RuntimeError(f"tshark failed: {res.stderr}")
    return [p["_source"]["layers"] for p in json.loads(res.stdout or "[]", object_pairs_hook=_pairs)]


def walk(node: object, key: str) -> list[object]:
    """Every value stored under ``key`` anywhere below ``node`` (document order)."""
    found: list[object] = []
    if isinstance(node, dict):
        for k, v in node.items():
            if k == key:
                found.extend(v if isinstance(v, _Dup) else [v])
            else:
                found.extend(walk(v, key))
    elif isinstance(node, list):
        for v in node:
            found.extend(walk(v, key))
    return found


def dicts_with(node: object, key: str) -> list[dict]:
    """Every dict below ``node`` that has ``key`` (e.g. one per SNMP varbind or DNS record)."""
    found: list[dict] = []
    if isinstance(node, dict):
        if key in node:
            found.append(node)
        for v in node.values():
            found.extend(dicts_with(v, key))
    elif isinstance(node, list):
        for v in node:
            found.extend(dicts_with(v, key))
    return found


def one(node: dict, key: str) -> str | None:
    v = node.get(key)
    if isinstance(v, list):
        v = v[0] if v else None
    return v if isinstance(v, str) else None


def hexstr(v: str | None) -> str | None:
    if v is None:
        return None
    return bytes.fromhex(v.replace(":", "")).decode("utf-8", errors="replace")


def flows_by_stream(truth: dict) -> dict[int, dict]:
    return {f["tcp_stream"]: f for f in truth["print_flows"] + truth["other_tcp_flows"]}


def concat_keylogs(dest: Path, *logs: Path) -> Path | None:
    parts = [p.read_text() for p in logs if p.exists()]
    if not any(parts):
        return None
    dest.write_text("".join(parts))
    return dest


# ============================================================================ lab building blocks
def private_dbus(sc: Scenario, lab: Lab, host: str) -> dict[str, str]:
    """A system D-Bus of our own for ``host`` (Avahi and its clients talk over it)."""
    bus = sc.work / f"dbus-{host}"
    bus.mkdir(parents=True, exist_ok=True)
    (bus / "system.conf").write_text(DBUS_CONF.format(sock=bus / "system_bus_socket"))
    sc.spawn(lab, host, ["dbus-daemon", "--config-file", str(bus / "system.conf"), "--nofork",
                         "--nopidfile"])
    deadline = time.monotonic() + 10
    while not (bus / "system_bus_socket").exists():
        if time.monotonic() > deadline:
            raise LabError("dbus-daemon did not start")
        time.sleep(0.05)
    return {"DBUS_SYSTEM_BUS_ADDRESS": f"unix:path={bus}/system_bus_socket"}


def avahi(sc: Scenario, lab: Lab, host: str, *, publish: bool = True) -> dict[str, str]:
    """avahi-daemon in ``host`` on its own D-Bus; IPv4 transport only, no HINFO/workstation."""
    env = private_dbus(sc, lab, host)
    d = sc.work / f"avahi-{host}"
    d.mkdir(parents=True, exist_ok=True)
    conf = d / "avahi-daemon.conf"
    conf.write_text(f"""[server]
use-ipv4=yes
use-ipv6=no
allow-interfaces=eth0
enable-dbus=yes
[wide-area]
enable-wide-area=no
[publish]
publish-addresses={'yes' if publish else 'no'}
publish-hinfo=no
publish-workstation=no
publish-aaaa-on-ipv4={'yes' if publish else 'no'}
[reflector]
[rlimits]
""")
    # /run/avahi-daemon holds a fixed pid file and socket: give each daemon its own tmpfs there
    Path("/run/avahi-daemon").mkdir(exist_ok=True)
    wrap = ["unshare", "-m", "sh", "-c", "mount -t tmpfs tmpfs /run/avahi-daemon && exec \"$@\"",
            "avahi"]
    sc.spawn(lab, host, wrap + ["avahi-daemon", "-f", str(conf), "--no-chroot", "--no-drop-root",
                                "--no-rlimits"],
             env=env, stdout=open(d / "avahi.log", "w"), stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 15
    while "Server startup complete" not in (d / "avahi.log").read_text():
        if time.monotonic() > deadline:
            raise LabError(f"avahi-daemon in {host} did not start: {(d / 'avahi.log').read_text()}")
        time.sleep(0.1)
    return env


def local_users(sc: Scenario, users: dict[str, tuple[int, str, str]]) -> list[str]:
    """passwd/shadow/group copies with extra users ``name -> (uid, group, password)``; returns an
    argv prefix that runs a command with them bind-mounted over /etc (own mount namespace)."""
    d = sc.work / "etc-users"
    d.mkdir(parents=True, exist_ok=True)
    passwd, shadow = Path("/etc/passwd").read_text(), Path("/etc/shadow").read_text()
    groups = Path("/etc/group").read_text().splitlines()
    for name, (uid, group, password) in users.items():
        crypt = sh(["openssl", "passwd", "-6", "-salt", "sniffprintlab", password],
                   text=True).stdout.strip()
        passwd += f"{name}:x:{uid}:{uid}:lab user:/nonexistent:/usr/sbin/nologin\n"
        shadow += f"{name}:{crypt}:19000:0:99999:7:::\n"
        groups = [g + ("," if not g.endswith(":") else "") + name if g.split(":")[0] == group
                  else g for g in groups]
    (d / "passwd").write_text(passwd)
    (d / "shadow").write_text(shadow)
    os.chmod(d / "shadow", 0o640)
    (d / "group").write_text("\n".join(groups) + "\n")
    mounts = " && ".join(f"mount --bind {d}/{f} /etc/{f}" for f in ("passwd", "shadow", "group"))
    return ["unshare", "-m", "sh", "-c", mounts + " && exec \"$@\"", "users"]


def with_broadcast(lab: Lab, host: str) -> None:
    """netlab adds addresses without a broadcast address; cups-browsed needs one to send to."""
    ip = lab.ip(host)
    lab.run(host, ["sh", "-c", f"ip addr del {ip}/24 dev eth0 && ip addr add {ip}/24 brd + dev eth0"])


def self_signed(work: Path, cn: str) -> tuple[Path, Path]:
    key, crt = work / f"{cn}.key", work / f"{cn}.crt"
    sh(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out",
        str(crt), "-days", "30", "-subj", f"/CN={cn}"])
    return key, crt


# ===================================================================================== HTTP admin
class CupsWeb:
    """cupsd with its web interface on TCP 631 (HTTP and, on the same port, HTTPS with the
    self-signed certificate CUPS makes itself), Basic authentication against PAM for /admin.

    ``DefaultEncryption IfRequested``: with CUPS' default (``Required``) an unauthenticated
    cleartext request for /admin is answered 426 instead of 401, so the Basic challenge would
    never be seen in clear; /admin/log keeps ``Encryption Required`` to show that 426."""

    def __init__(self, sc: Scenario, lab: Lab, host: str, wrap: list[str], keylog: Path):
        self.sc, self.lab, self.host = sc, lab, host
        root = self.root = sc.work / f"cupsweb-{host}"
        for sub in ("etc/ppd", "etc/ssl", "spool/tmp", "cache", "state/certs", "log"):
            (root / sub).mkdir(parents=True, exist_ok=True)
        admin = ("  AuthType Default\n  Require user @SYSTEM\n  Order allow,deny\n  Allow all\n")
        (root / "etc/cupsd.conf").write_text(
            f"Listen {root}/cups.sock\nPort 631\nServerAlias *\nLogLevel info\nBrowsing No\n"
            "DefaultAuthType Basic\nDefaultEncryption IfRequested\nWebInterface Yes\n"
            "<Location />\n  Order allow,deny\n  Allow all\n</Location>\n"
            f"<Location /admin>\n{admin}</Location>\n"
            f"<Location /admin/conf>\n{admin}</Location>\n"
            f"<Location /admin/log>\n{admin}  Encryption Required\n</Location>\n"
            "<Policy default>\n"
            "  <Limit CUPS-Add-Modify-Printer CUPS-Delete-Printer CUPS-Add-Modify-Class "
            "CUPS-Delete-Class CUPS-Set-Default CUPS-Get-Devices>\n"
            "    AuthType Default\n    Require user @SYSTEM\n    Order deny,allow\n  </Limit>\n"
            "  <Limit All>\n    Order deny,allow\n  </Limit>\n</Policy>\n")
        (root / "etc/cups-files.conf").write_text(
            f"ServerRoot {root}/etc\nServerKeychain {root}/etc/ssl\nRequestRoot {root}/spool\n"
            f"TempDir {root}/spool/tmp\nCacheDir {root}/cache\nStateDir {root}/state\n"
            f"ErrorLog {root}/log/error_log\nAccessLog {root}/log/access_log\n"
            f"PageLog {root}/log/page_log\nUser lp\nGroup lp\nSystemGroup lpadmin\n"
            "Sandboxing Relaxed\n")
        sh(["chown", "-R", "root:lp", str(root)])
        sh(["chmod", "-R", "g+rwX", str(root)])
        sc.spawn(lab, host, wrap + ["cupsd", "-f", "-c", f"{root}/etc/cupsd.conf",
                                    "-s", f"{root}/etc/cups-files.conf"],
                 env={"SSLKEYLOGFILE": str(keylog)})
        lab.wait_port(host, 631, timeout=15)
        time.sleep(0.5)

    def wait_restart(self, before: float) -> None:
        """A settings change makes cupsd rewrite cupsd.conf and restart; wait until it listens."""
        conf = self.root / "etc/cupsd.conf"
        deadline = time.monotonic() + 20
        while conf.stat().st_mtime <= before:
            if time.monotonic() > deadline:
                raise LabError("cupsd.conf was not rewritten by the settings POST")
            time.sleep(0.1)
        time.sleep(1.0)
        self.lab.wait_port(self.host, 631, timeout=20)
        time.sleep(1.0)


class HttpAdmin(Scenario):
    name = "http-admin-cups"
    packages = ("cups-daemon", "curl", "openssl", "python3")
    tls_port = 631

    def http(self, lab: Lab, url: str, *curl_args: str, jar: Path | None = None,
             save_jar: bool = False) -> subprocess.CompletedProcess:
        argv = ["curl", "-sS", "--http1.1", "-o", "/dev/null", "-w", "%{http_code}"]
        if url.startswith("https"):
            argv.append("-k")
        if jar is not None:
            argv += ["-c" if save_jar else "-b", str(jar)]
        res = self.cmd(lab, "ws", [*argv, *curl_args, url],
                       env={"SSLKEYLOGFILE": str(self.work / "keys-curl.log")})
        return res

    def expect(self, port: int, scheme: str, software: str, requests: list[dict], note: str) -> None:
        for r in requests:
            r.setdefault("credentials", None)
        self.expects.append(Expect(port, None, scheme == "https", ground_truth="http-admin",
                                   note=note, bytes_vary=True,
                                   truth_facts={"service": "https-admin" if scheme == "https" else
                                          "http-admin", "scheme": scheme,
                                          "server_software": software, "requests": requests}))

    def run(self, lab: Lab, pcap: Path) -> None:
        user, pw = CUPS_ADMIN
        wrap = local_users(self, {user: (7702, "lpadmin", pw)})
        self.how.append(f"local user {user} (group lpadmin = CUPS SystemGroup) with password "
                        f"{pw!r} in a private /etc/passwd,shadow,group bind-mounted for cupsd")
        cups = CupsWeb(self, lab, "prn", wrap, self.work / "keys-cupsd.log")
        pwfile = self.work / "ews-password"
        pwfile.write_text(EWS_PASSWORD + "\n")
        self.spawn(lab, "prn", ["python3", str(RESPONDERS), "ews", "--port", "80",
                                "--password-file", str(pwfile)])
        lab.wait_port("prn", 80)
        prn = lab.ip("prn")
        basic = ["-u", f"{user}:{pw}"]
        cred_basic = {"kind": "basic", "user": user, "password_length": len(pw)}

        def settings_form(sid: str, debug: bool) -> list[str]:
            # the simple "Server Settings" form of CUPS' admin page; SHARE/REMOTE_* stay on so
            # the rewritten cupsd.conf still listens on the network, DEBUG_LOGGING flips so that
            # each POST really changes the configuration (CUPS rewrites cupsd.conf, restarts)
            return ["--data-urlencode", f"org.cups.sid={sid}", "-d", "OP=config-server",
                    "-d", "SHARE_PRINTERS=on", "-d", "REMOTE_ANY=on", "-d", "REMOTE_ADMIN=on",
                    "-d", "USER_CANCEL_ANY=on", *(["-d", "DEBUG_LOGGING=on"] if debug else []),
                    "--data-urlencode", "CHANGESETTINGS=Change Settings"]

        def sid_of(jar: Path) -> str:
            for line in jar.read_text().splitlines():
                if "org.cups.sid" in line:
                    return line.split()[-1]
            raise LabError(f"no org.cups.sid cookie in {jar}")

        self.cookies: list[tuple[str, str]] = []
        with lab.capture(pcap, self.fmt):
            # ---- CUPS web interface over HTTP
            self.http(lab, f"http://{prn}:631/admin")
            self.expect(631, "http", "cups", [{"method": "GET", "path": "/admin", "status": 401}],
                        "CUPS /admin without credentials")
            jar = self.work / "jar-http"
            self.http(lab, f"http://{prn}:631/admin", *basic, jar=jar, save_jar=True)
            self.expect(631, "http", "cups", [{"method": "GET", "path": "/admin", "status": 200,
                                               "credentials": cred_basic, "sets_cookie": True}],
                        "CUPS /admin with Basic authorization in clear")
            sid = sid_of(jar)
            self.cookies.append(("org.cups.sid", sid))
            t0 = cups.root.joinpath("etc/cupsd.conf").stat().st_mtime
            self.http(lab, f"http://{prn}:631/admin", *basic, *settings_form(sid, True), jar=jar)
            self.expect(631, "http", "cups", [{"method": "POST", "path": "/admin", "status": 200,
                                               "credentials": cred_basic, "cookie_sent": True,
                                               "settings_change": True,
                                               "content_type": "application/x-www-form-urlencoded"}],
                        "CUPS 'Change Settings' POST (OP=config-server) in clear; cupsd restarts")
            cups.wait_restart(t0)
            self.http(lab, f"http://{prn}:631/admin/log/error_log")
            self.expect(631, "http", "cups",
                        [{"method": "GET", "path": "/admin/log/error_log", "status": 426,
                          "redirect_to_https": True}],
                        "location with 'Encryption Required': CUPS answers 426 Upgrade Required, "
                        "'Upgrade: TLS/1.2,TLS/1.1,TLS/1.0' and a meta refresh to the https:// URL")
            # ---- the same over TLS (CUPS serves TLS on 631 with its self-signed certificate)
            self.http(lab, f"https://{prn}:631/admin")
            self.expect(631, "https", "cups", [{"method": "GET", "path": "/admin", "status": 401}],
                        "CUPS /admin over TLS without credentials")
            jar2 = self.work / "jar-https"
            self.http(lab, f"https://{prn}:631/admin", *basic, jar=jar2, save_jar=True)
            self.expect(631, "https", "cups", [{"method": "GET", "path": "/admin", "status": 200,
                                                "credentials": cred_basic, "sets_cookie": True}],
                        "CUPS /admin over TLS with Basic authorization")
            sid2 = sid_of(jar2)
            self.cookies.append(("org.cups.sid", sid2))
            t0 = cups.root.joinpath("etc/cupsd.conf").stat().st_mtime
            self.http(lab, f"https://{prn}:631/admin", *basic, *settings_form(sid2, False), jar=jar2)
            self.expect(631, "https", "cups", [{"method": "POST", "path": "/admin", "status": 200,
                                                "credentials": cred_basic, "cookie_sent": True,
                                                "settings_change": True,
                                                "content_type": "application/x-www-form-urlencoded"}],
                        "CUPS 'Change Settings' POST over TLS")
            cups.wait_restart(t0)
            # ---- printer embedded web server imitation on port 80 (tools/fleet_responders.py)
            ews = f"http://{prn}"
            self.http(lab, f"{ews}/")
            self.expect(80, "http", "ews-imitation",
                        [{"method": "GET", "path": "/", "status": 200}],
                        "EWS status page, no login needed")
            self.http(lab, f"{ews}/hp/device/SignIn/Index")
            self.expect(80, "http", "ews-imitation",
                        [{"method": "GET", "path": "/hp/device/SignIn/Index", "status": 200}],
                        "EWS sign-in form (a password field)")
            ejar = self.work / "jar-ews"
            self.http(lab, f"{ews}/hp/device/SignIn/Index", "-d", "agentIdSelect=hp_EWS_AdminPassword",
                      "--data-urlencode", f"PasswordTextBox={EWS_PASSWORD}", "-d", "signInOk=Sign+In",
                      jar=ejar, save_jar=True)
            cred_form = {"kind": "form-urlencoded", "user": None, "password_field": "PasswordTextBox",
                         "password_length": len(EWS_PASSWORD)}
            self.expect(80, "http", "ews-imitation",
                        [{"method": "POST", "path": "/hp/device/SignIn/Index", "status": 302,
                          "credentials": cred_form, "sets_cookie": True,
                          "content_type": "application/x-www-form-urlencoded"}],
                        "EWS form login, url-encoded password field, session cookie set")
            self.http(lab, f"{ews}/hp/device/NetworkSettings/Index", jar=ejar)
            self.expect(80, "http", "ews-imitation",
                        [{"method": "GET", "path": "/hp/device/NetworkSettings/Index", "status": 200,
                          "credentials": {"kind": "session-cookie", "user": None,
                                          "password_length": None},
                          "cookie_sent": True}],
                        "EWS settings page fetched with the session cookie")
            self.http(lab, f"{ews}/hp/device/SignIn/Index", "-F", "agentIdSelect=hp_EWS_AdminPassword",
                      "-F", f"PasswordTextBox={EWS_PASSWORD}", "-F", "signInOk=Sign In")
            self.expect(80, "http", "ews-imitation",
                        [{"method": "POST", "path": "/hp/device/SignIn/Index", "status": 302,
                          "credentials": {**cred_form, "kind": "form-multipart"},
                          "sets_cookie": True, "content_type": "multipart/form-data"}],
                        "EWS form login, multipart/form-data")
            self.http(lab, f"{ews}/hp/device/SecuritySettings/Index")
            self.expect(80, "http", "ews-imitation",
                        [{"method": "GET", "path": "/hp/device/SecuritySettings/Index", "status": 301,
                          "redirect_to_https": True}],
                        "EWS answers only a 301 to https:// (nothing listens on 443)")
        for line in ejar.read_text().splitlines():
            if "sessionId" in line:
                self.cookies.append(("sessionId", line.split()[-1]))
        self.keylog = concat_keylogs(self.work / "keys.log", self.work / "keys-curl.log",
                                     self.work / "keys-cupsd.log")
        self.notes += [
            "CUPS 2.4 web interface (real cupsd, PAM Basic auth against a private shadow file): "
            "Digest authentication is not available in CUPS 2.x, so there is no Digest flow.",
            "CUPS does not answer a cleartext request to an 'Encryption Required' location with a "
            "3xx; it answers 426 Upgrade Required with an Upgrade header and a meta refresh to "
            "https://. A plain 301 to https:// comes from the EWS imitation on port 80.",
            "Port 80 is tools/fleet_responders.py 'ews', an honest imitation of a printer EWS "
            "(Server header 'HP HTTP Server; sniffprint lab imitation ...', /hp/device/ paths).",
            "HTTPS flows are checked with tshark using the NSS key logs curl and cupsd wrote; the "
            "key logs are not shipped.",
        ]

    def annotate(self, pcap: Path, lab: Lab, truth: dict) -> None:
        flows = flows_by_stream(truth)
        tls_views, plain_views = http_view(pcap, 631, self.keylog), http_view(pcap, None, None)
        streams = {st.index: st for st in read_streams(pcap)}
        for idx, flow in flows.items():
            view = (tls_views if flow["encrypted"] else plain_views).get(idx, [])
            flow["tshark_view"] = view
            want = flow["facts"]["requests"]
            got = [(v.get("method"), v.get("path"), v.get("status")) for v in view]
            if got != [(r["method"], r["path"], r["status"]) for r in want]:
                raise RuntimeError(f"{self.name}: stream {idx}: tshark sees {got}, expected {want}")
            for r, v in zip(want, view, strict=True):
                r["server_header"] = v.get("server")
                cred = r.get("credentials") or {}
                if cred.get("kind") == "basic" and v.get("authbasic") != f"{CUPS_ADMIN[0]}:{CUPS_ADMIN[1]}":
                    raise RuntimeError(f"{self.name}: stream {idx}: Basic credentials not seen")
                if cred.get("kind", "").startswith("form") and \
                        v["form_fields"].get(cred["password_field"]) != EWS_PASSWORD:
                    raise RuntimeError(f"{self.name}: stream {idx}: form password not seen")
            c2s = bytes(streams[idx].data["c2s"])
            in_clear = CUPS_ADMIN[1].encode() in c2s or EWS_PASSWORD.encode() in c2s or \
                basic_token().encode() in c2s
            flow["credentials_in_clear_bytes"] = in_clear
            if flow["encrypted"] and in_clear:
                raise RuntimeError(f"{self.name}: credentials in clear inside a TLS stream {idx}")
        truth["sensitive_strings"] = [
            {"kind": "user", "value": CUPS_ADMIN[0], "where": "CUPS Basic authorization"},
            {"kind": "password", "value": CUPS_ADMIN[1], "where": "CUPS Basic authorization"},
            {"kind": "basic_token", "value": basic_token(), "where": "Authorization: Basic header"},
            {"kind": "password", "value": EWS_PASSWORD, "where": "EWS login form field PasswordTextBox"},
            *[{"kind": "session_cookie", "value": v, "where": f"cookie {k}"} for k, v in self.cookies],
        ]
        truth["facts"] = {"admin_credentials": {
            "cups_basic": {"user": CUPS_ADMIN[0], "password": CUPS_ADMIN[1],
                           "password_length": len(CUPS_ADMIN[1])},
            "ews_form": {"user": None, "password": EWS_PASSWORD,
                         "password_length": len(EWS_PASSWORD)}},
            "server_headers": sorted({r["server_header"] for f in flows.values()
                                      for r in f["facts"]["requests"] if r.get("server_header")})}


def basic_token() -> str:
    return base64.b64encode(f"{CUPS_ADMIN[0]}:{CUPS_ADMIN[1]}".encode()).decode()


def http_view(pcap: Path, tls_port: int | None, keylog: Path | None) -> dict[int, list[dict]]:
    """HTTP request/response pairs per TCP stream as tshark dissects them (HTTPS when a key log
    decrypts it: pass the TLS port and the key log)."""
    args = ["-Y", "http"]
    if tls_port:
        if keylog is None:
            return {}
        args = ["-d", f"tcp.port=={tls_port},tls", "-o", f"tls.keylog_file:{keylog}", *args]
    out: dict[int, list[dict]] = {}
    for layers in tshark_json(pcap, *args):
        if tls_port and "tls" not in layers:
            continue
        idx = int(one(layers["tcp"], "tcp.stream") or -1)
        http = layers.get("http")
        lst = out.setdefault(idx, [])
        for msg in (http if isinstance(http, list) else [http]):
            if not isinstance(msg, dict):
                continue
            req = dicts_with(msg, "http.request.method")
            if req:
                lst.append({"method": one(req[0], "http.request.method"),
                            "path": one(req[0], "http.request.uri"),
                            "authbasic": first(msg, "http.authbasic"),
                            "cookie_sent": bool(walk(msg, "http.cookie")),
                            "content_type": first(msg, "http.content_type"),
                            "form_fields": form_fields(layers), "status": None})
            elif lst and first(msg, "http.response.code") is not None:
                lst[-1].update({"status": int(str(first(msg, "http.response.code"))),
                                "server": first(msg, "http.server"),
                                "set_cookie": bool(walk(msg, "http.set_cookie")),
                                "location": first(msg, "http.location"),
                                "upgrade": first(msg, "http.upgrade")})
    return out


def first(node: object, key: str) -> str | None:
    found = walk(node, key)
    return str(found[0]) if found else None


def form_fields(layers: dict) -> dict[str, str]:
    """Fields of a url-encoded or multipart/form-data request body (tshark's dissection)."""
    fields: dict[str, str] = {}
    form = layers.get("urlencoded-form")
    if form is not None:
        keys, values = walk(form, "urlencoded-form.key"), walk(form, "urlencoded-form.value")
        fields.update({str(k): str(v) for k, v in zip(keys, values, strict=False)})
    for part in dicts_with(layers.get("mime_multipart", {}), "mime_multipart.header.content-disposition"):
        disp = one(part, "mime_multipart.header.content-disposition") or ""
        m = re.search(r'name="([^"]*)"', disp)
        if m:
            data = walk(part, "data.data")
            text = [k for k in (part.get("data-text-lines") or {})]
            fields[m.group(1)] = hexstr(str(data[0])) if data else "".join(text).strip()
    return fields


# =========================================================================================== SNMP
class SnmpAgent:
    """Net-SNMP snmpd as a printer's agent: printer-ish system group, hrDeviceDescr.1 and
    prtGeneralSerialNumber.1 served with ``override``, a view limited to those subtrees."""

    def __init__(self, sc: Scenario, lab: Lab, host: str, *, v2c: bool, v3: bool,
                 trap_to: str | None = None):
        d = sc.work / f"snmpd-{host}"
        (d / "persist").mkdir(parents=True, exist_ok=True)
        lines = [f"agentAddress udp:{lab.ip(host)}:161",
                 "view printer included .1.3.6.1.2.1.1",
                 f"view printer included .{OIDS['hrDeviceType']}",
                 f"view printer included .{OIDS['hrDeviceDescr']}",
                 "view printer included .1.3.6.1.2.1.43",
                 f"sysDescr {PRINTER_FACTS['sysDescr']}",
                 f"sysName {PRINTER_FACTS['sysName']}",
                 f"sysLocation {PRINTER_FACTS['sysLocation']}",
                 "sysObjectID .1.3.6.1.4.1.11.2.3.9.1",
                 f"override .{OIDS['hrDeviceDescr']} octet_str \"{PRINTER_FACTS['hrDeviceDescr']}\"",
                 f"override .{OIDS['hrDeviceType']} object_id .1.3.6.1.2.1.25.3.1.5",
                 f"override .{OIDS['prtGeneralSerialNumber']} octet_str "
                 f"\"{PRINTER_FACTS['prtGeneralSerialNumber']}\""]
        net = lab.ip(host).rsplit(".", 1)[0] + ".0/24"
        if v2c:
            lines += [f"rocommunity {SNMP_RO} {net} -V printer",
                      f"rwcommunity {SNMP_RW} {net} -V printer"]
        if v3:
            user, auth, priv = SNMP_V3
            lines += [f"createUser {user} SHA \"{auth}\" AES \"{priv}\"",
                      f"rouser {user} priv -V printer"]
        if trap_to:
            lines += ["authtrapenable 1", f"trap2sink {trap_to}:162 {SNMP_TRAP}"]
        conf = d / "snmpd.conf"
        conf.write_text("\n".join(lines) + "\n")
        self.env = {"SNMP_PERSISTENT_DIR": str(d / "persist"), "MIBS": ""}
        sc.spawn(lab, host, ["snmpd", "-f", "-Lo", "-C", "-c", str(conf), "-p", str(d / "pid"),
                             "-I", "-smux"], env=self.env,
                 stdout=open(d / "snmpd.log", "w"), stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 10
        while "NET-SNMP version" not in (d / "snmpd.log").read_text():
            if time.monotonic() > deadline:
                raise LabError(f"snmpd did not start: {(d / 'snmpd.log').read_text()}")
            time.sleep(0.1)
        time.sleep(1.0)  # the coldStart trap (when a sink is set) goes out before the capture


class SnmpV2c(Scenario):
    name = "snmp-v2c"
    packages = ("snmpd", "snmp", "snmptrapd")
    v3_only = False

    def snmp(self, lab: Lab, tool: str, *args: str, ok: bool = True) -> str:
        res = self.cmd(lab, "ws", [tool, "-On", *args], env={"MIBS": "", "HOME": str(self.work)},
                       check=ok)
        return res.stdout

    def run(self, lab: Lab, pcap: Path) -> None:
        prn = lab.ip("prn")
        trapd = self.work / "snmptrapd"
        trapd.mkdir(exist_ok=True)
        (trapd / "snmptrapd.conf").write_text(f"authCommunity log {SNMP_TRAP}\n")
        self.spawn(lab, "ws", ["snmptrapd", "-f", "-Lo", "-C", "-c", str(trapd / "snmptrapd.conf"),
                               "-p", str(trapd / "pid"), f"udp:{lab.ip('ws')}:162"],
                   env={"SNMP_PERSISTENT_DIR": str(trapd), "MIBS": ""},
                   stdout=open(trapd / "log", "w"), stderr=subprocess.STDOUT)
        SnmpAgent(self, lab, "prn", v2c=True, v3=False, trap_to=lab.ip("ws"))
        o = OIDS
        with lab.capture(pcap, self.fmt):
            self.snmp(lab, "snmpget", "-v2c", "-c", SNMP_RO, prn, o["sysDescr"], o["sysObjectID"],
                      o["sysName"], o["hrDeviceDescr"], o["prtGeneralSerialNumber"])
            self.udp(161, "v2c", SNMP_RO, ["get-request", "get-response"], note="snmpget v2c")
            self.snmp(lab, "snmpwalk", "-v2c", "-c", SNMP_RO, prn, "1.3.6.1.2.1.1")
            self.udp(161, "v2c", SNMP_RO, ["get-next-request", "get-response"],
                     note="snmpwalk v2c of the system group")
            self.snmp(lab, "snmpbulkwalk", "-v2c", "-c", SNMP_RO, prn, "1.3.6.1.2.1.43.5.1.1")
            self.udp(161, "v2c", SNMP_RO, ["get-bulk-request", "get-response"],
                     note="snmpbulkwalk v2c of prtGeneralTable")
            out = self.snmp(lab, "snmpset", "-v2c", "-c", SNMP_RW, prn, o["sysContact"], "s",
                            "printer-admin@corp.example")
            if "printer-admin@corp.example" not in out:
                raise LabError(f"snmpset did not succeed: {out}")
            self.udp(161, "v2c", SNMP_RW, ["set-request", "get-response"], set_sent=True,
                     note="snmpset v2c with the write community: sysContact.0")
            self.snmp(lab, "snmpget", "-v1", "-c", SNMP_RO, prn, o["sysDescr"], o["sysName"])
            self.udp(161, "v1", SNMP_RO, ["get-request", "get-response"], note="snmpget v1")
            self.snmp(lab, "snmpget", "-v2c", "-c", "public", "-r", "0", "-t", "1", prn,
                      o["sysDescr"], ok=False)
            self.udp(161, "v2c", "public", ["get-request"], answered=False,
                     note="snmpget with the default community 'public': the agent drops it "
                          "(no reply) and sends an authenticationFailure trap")
            self.udp_expects.append(UdpExpect(
                162, "snmp-trap", client_host="prn", server_host="ws",
                note="snmpd authenticationFailure trap (authtrapenable 1, trap2sink to ws)",
                facts={"version": "v2c", "community": SNMP_TRAP, "pdu_types": ["snmpV2-trap"],
                       "set_sent": False, "answered": False}))
            time.sleep(0.5)
        self.notes += [
            "Net-SNMP snmpd with printer-like facts: sysDescr/sysName/sysLocation from snmpd.conf, "
            "hrDeviceDescr.1 and prtGeneralSerialNumber.1 (Printer-MIB) served with 'override'; "
            "the communities see only a view of those subtrees.",
            "Clients use numeric OIDs: Debian's snmp package ships no IETF MIB files "
            "(snmp-mibs-downloader is non-free).",
        ]

    def udp(self, port: int, version: str, community: str, pdus: list[str], *,
            set_sent: bool = False, answered: bool = True, note: str = "") -> None:
        self.udp_expects.append(UdpExpect(port, "snmp", note=note, facts={
            "version": version, "community": community, "pdu_types": pdus, "set_sent": set_sent,
            "answered": answered}))

    def annotate(self, pcap: Path, lab: Lab, truth: dict) -> None:
        frames = snmp_frames(pcap)
        returned: dict[str, str] = {}
        for flow in truth["udp_flows"]:
            seen = [frames[d["frame"]] for d in flow["datagram_list"]]
            for d, s in zip(flow["datagram_list"], seen, strict=True):
                d["snmp"] = s
            self.check(flow, seen)
            for s in seen:
                if s.get("pdu") == "get-response":
                    for name, value in s["varbinds"]:
                        for k, oid in OIDS.items():
                            if name == oid and value is not None:
                                returned[k] = value
        truth["sensitive_strings"] = self.sensitive()
        truth["facts"] = self.facts(returned, truth)

    def check(self, flow: dict, seen: list[dict]) -> None:
        f = flow["facts"]
        pdus = []
        for s in seen:
            if s.get("pdu") and s["pdu"] not in pdus:
                pdus.append(s["pdu"])
        if not self.v3_only:
            versions = {s.get("version") for s in seen}
            comms = {s.get("community") for s in seen}
            if versions != {f["version"]} or comms != {f["community"]} or pdus != f["pdu_types"]:
                raise RuntimeError(f"{self.name}: tshark sees {versions} {comms} {pdus} for {f}")
        if f["answered"] != (flow["datagrams_s2c"] > 0):
            raise RuntimeError(f"{self.name}: answered={f['answered']} but {flow['datagrams_s2c']}")

    def sensitive(self) -> list[dict]:
        return [{"kind": "snmp_community", "value": SNMP_RO, "where": "read community"},
                {"kind": "snmp_community", "value": SNMP_RW, "where": "write community (set)"},
                {"kind": "snmp_community", "value": SNMP_TRAP, "where": "trap community"},
                {"kind": "snmp_community", "value": "public",
                 "where": "default community tried by a client, rejected by the agent"}]

    def facts(self, returned: dict[str, str], truth: dict) -> dict:
        want = PRINTER_FACTS
        missing = {k: v for k, v in want.items() if returned.get(k) != v}
        if missing:
            raise RuntimeError(f"{self.name}: printer facts not in replies: {missing} ({returned})")
        return {"snmp": {
            "agent": endpoint(lab_ip(truth, "prn"), 161),
            "versions_seen": sorted({f["facts"]["version"] for f in truth["udp_flows"]}),
            "communities": {"read": SNMP_RO, "write": SNMP_RW, "trap": SNMP_TRAP,
                            "rejected": "public"},
            "set_requests": [{"oid": OIDS["sysContact"], "value": "printer-admin@corp.example",
                              "community": SNMP_RW, "answered": True}],
            "printer_facts_returned": {k: returned[k] for k in sorted(want)},
        }}


def lab_ip(truth: dict, host: str) -> str:
    return truth["topology"][host]["ipv4"]


def endpoint(ip: str, port: int) -> str:  # same format as make_captures.Stream.fmt
    return f"[{ip}]:{port}" if ":" in ip else f"{ip}:{port}"


class SnmpV3(SnmpV2c):
    name = "snmp-v3"
    v3_only = True

    def run(self, lab: Lab, pcap: Path) -> None:
        prn = lab.ip("prn")
        SnmpAgent(self, lab, "prn", v2c=False, v3=True)
        user, auth, priv = SNMP_V3
        v3 = ["-v3", "-l", "authPriv", "-u", user, "-a", "SHA", "-A", auth, "-x", "AES", "-X", priv]
        o = OIDS
        facts = {"version": "v3", "user": user, "security_level": "authPriv",
                 "auth_protocol": "SHA", "priv_protocol": "AES", "set_sent": False,
                 "answered": True}
        with lab.capture(pcap, self.fmt):
            self.snmp(lab, "snmpget", *v3, prn, o["sysDescr"], o["sysName"], o["hrDeviceDescr"],
                      o["prtGeneralSerialNumber"])
            self.udp_expects.append(UdpExpect(161, "snmp", note="snmpget v3 authPriv (engine "
                                              "discovery report, then encrypted get)", facts=facts))
            self.snmp(lab, "snmpwalk", *v3, prn, "1.3.6.1.2.1.1")
            self.udp_expects.append(UdpExpect(161, "snmp", note="snmpwalk v3 authPriv",
                                              facts=facts))
        self.notes.append("SNMPv3 USM user with SHA authentication and AES privacy only; the "
                          "user name travels in clear (msgUserName), every PDU after engine "
                          "discovery is encrypted.")

    def check(self, flow: dict, seen: list[dict]) -> None:
        if {s.get("version") for s in seen} != {"v3"}:
            raise RuntimeError(f"{self.name}: not all SNMPv3: {seen}")
        enc = [s for s in seen if s.get("encrypted")]
        if len(enc) < 2 or any(s.get("user") != SNMP_V3[0] for s in enc):
            raise RuntimeError(f"{self.name}: expected encrypted PDUs from {SNMP_V3[0]}: {seen}")
        clear = []
        for s in seen:
            if s.get("pdu") and s["pdu"] not in clear:
                clear.append(s["pdu"])
        if clear != ["get-request", "report"]:
            raise RuntimeError(f"{self.name}: PDUs in clear besides engine discovery: {clear}")
        flow["facts"]["pdu_types_in_clear"] = clear   # engine discovery only (empty user)

    def sensitive(self) -> list[dict]:
        user, auth, priv = SNMP_V3
        return [{"kind": "snmpv3_user", "value": user, "where": "msgUserName (in clear)"},
                {"kind": "password", "value": auth, "where": "SNMPv3 auth pass phrase (never "
                 "on the wire)"},
                {"kind": "password", "value": priv, "where": "SNMPv3 priv pass phrase (never "
                 "on the wire)"}]

    def facts(self, returned: dict[str, str], truth: dict) -> dict:
        if returned:
            raise RuntimeError(f"{self.name}: cleartext values seen in v3 replies: {returned}")
        return {"snmp": {"agent": endpoint(lab_ip(truth, "prn"), 161), "versions_seen": ["v3"],
                         "security_level": "authPriv", "user": SNMP_V3[0],
                         "printer_facts_returned": {}}}


def snmp_frames(pcap: Path) -> dict[int, dict]:
    """Per frame: SNMP version, community or v3 user/flags, PDU type and varbinds (tshark)."""
    out: dict[int, dict] = {}
    for layers in tshark_json(pcap, "-Y", "snmp"):
        frame = int(one(layers["frame"], "frame.number") or 0)
        s = layers["snmp"]
        rec: dict = {}
        if "snmp.msgVersion" in s:
            flags = int(str(walk(s, "snmp.msgFlags")[0]).replace(":", ""), 16)
            rec.update({"version": "v3", "user": one(s, "snmp.msgUserName") or None,
                        "auth": bool(flags & 1), "priv": bool(flags & 2),
                        "encrypted": bool(walk(s, "snmp.encryptedPDU"))})
        else:
            rec.update({"version": {"0": "v1", "1": "v2c"}.get(one(s, "snmp.version") or "", "?"),
                        "community": one(s, "snmp.community")})
        data = walk(s, "snmp.data")
        if data:
            rec["pdu"] = SNMP_PDUS.get(str(data[0]), str(data[0]))
            err = walk(s, "snmp.error_status")
            if err:
                rec["error_status"] = int(str(err[0]))
        binds = []
        for vb in dicts_with(s, "snmp.name"):
            value: str | None = None
            if "snmp.value.octets" in vb:
                value = hexstr(one(vb, "snmp.value.octets"))
            else:  # oid, int, timeticks, counter32, ... (null: no value)
                for k in vb:
                    if k.startswith("snmp.value.") and k != "snmp.value.null" and "_tree" not in k:
                        value = one(vb, k)
            binds.append((one(vb, "snmp.name"), value))
        if binds:
            rec["varbinds"] = binds
        out[frame] = rec
    return out


# ========================================================================================== mDNS
# The printer on prn, as avahi-publish announces it (prn runs none of these services: only the
# announcements are on the wire).  Keys follow the Bonjour Printing specification.
PRN_UUID = "6f0b1c2e-3d4a-4b5c-8d9e-0a1b2c3d4e5f"
PRN_NAME = "Floor2 LaserJet 4250"
PRN_TXT_COMMON = {"txtvers": "1", "qtotal": "1", "ty": "HP LaserJet 4250",
                  "product": "(HP LaserJet 4250)", "note": "Floor 2 copy room",
                  "adminurl": "http://prn.local/hp/device/DeviceStatus/Index",
                  "pdl": "application/postscript,application/vnd.hp-PCL,application/pdf",
                  "UUID": PRN_UUID}
PRN_SERVICES = {
    "_ipp._tcp": (631, {**PRN_TXT_COMMON, "rp": "ipp/print", "TLS": "1.2", "Color": "F",
                        "Duplex": "T"}),
    "_ipps._tcp": (631, {**PRN_TXT_COMMON, "rp": "ipp/print", "TLS": "1.2", "Color": "F",
                         "Duplex": "T"}),
    "_pdl-datastream._tcp": (9100, dict(PRN_TXT_COMMON)),
    "_printer._tcp": (515, {**PRN_TXT_COMMON, "rp": "Floor2"}),
    "_http._tcp": (80, {"path": "/hp/device/DeviceStatus/Index"}),
}


class MdnsPrinter(Scenario):
    name = "mdns-printer"
    packages = ("avahi-daemon", "avahi-utils", "dbus", "cups-ipp-utils", "cups-daemon",
                "cups-browsed", "cups-common")

    def lab(self) -> Lab:
        return Lab(hosts={"ws": HOSTS["ws"], "prn": HOSTS["prn"], "prn2": 21, "srv": 25})

    def run(self, lab: Lab, pcap: Path) -> None:
        with_broadcast(lab, "srv")
        # a CUPS print server sharing a queue: cups-browsed sends legacy CUPS browse packets
        srv = Cupsd(self, lab, "srv", "cups-srv")
        srv.run(["lpadmin", "-p", "Floor2_Shared", "-E", "-v", f"ipp://{lab.ip('prn')}:631/ipp/print",
                 "-m", "drv:///sample.drv/laserjet.ppd", "-o", "printer-is-shared=true",
                 "-L", "Floor 2 copy room", "-D", "Floor 2 LaserJet (shared)"])
        cbconf = self.work / "cups-browsed.conf"
        cbconf.write_text("BrowseLocalProtocols CUPS\nBrowseRemoteProtocols none\n"
                          "BrowseInterval 30\nCreateIPPPrinterQueues No\n")
        with lab.capture(pcap, self.fmt):
            env_prn = avahi(self, lab, "prn")
            env_prn2 = avahi(self, lab, "prn2")
            env_ws = avahi(self, lab, "ws", publish=False)
            for stype, (port, txt) in PRN_SERVICES.items():
                self.spawn(lab, "prn", ["avahi-publish", "-s", PRN_NAME, stype, str(port),
                                        *[f"{k}={v}" for k, v in txt.items()]], env=env_prn)
            # ippeveprinter registers its own services (_ipp, _ipps, _printer, _http) via Avahi
            spool = self.work / "ippspool"
            spool.mkdir(exist_ok=True)
            (self.work / "ippkeys").mkdir(exist_ok=True)
            self.spawn(lab, "prn2", ["ippeveprinter", "-p", "631", "-n", lab.hostname("prn2"),
                                     "-k", "-c", "/bin/true", "-d", str(spool),
                                     "-K", str(self.work / "ippkeys"), "-M", "Example",
                                     "-m", "Floor3 IPP Everywhere", "-f",
                                     "application/pdf,application/postscript,image/pwg-raster",
                                     "Floor3"], env={**env_prn2, "HOME": str(self.work)})
            self.spawn(lab, "srv", ["cups-browsed", "-c", str(cbconf)],
                       env={**srv.env, "DBUS_SYSTEM_BUS_ADDRESS": "unix:path=/nonexistent"})
            time.sleep(6)
            res = self.cmd(lab, "ws", ["avahi-browse", "-a", "-r", "-t", "-p"], env=env_ws)
            self.browse = [line.split(";") for line in res.stdout.splitlines()
                           if line.startswith("=")]
            time.sleep(1)
        for host, note in (("prn", "avahi-daemon probes and announcements, avahi-publish services"),
                           ("prn2", "avahi-daemon for ippeveprinter's own DNS-SD registration"),
                           ("ws", "avahi-browse -a -r: queries (and avahi's own probes: none, "
                                  "publish-addresses=no)")):
            self.udp_expects.append(UdpExpect(5353, "mdns", client_host=host,
                                              server_host="224.0.0.251", note=note,
                                              exact_counts=False))
        self.udp_expects.append(UdpExpect(631, "cups-browse", client_host="srv",
                                          server_host=lab.ip("srv").rsplit(".", 1)[0] + ".255",
                                          note="cups-browsed BrowseLocalProtocols CUPS",
                                          exact_counts=False))
        # the UDP expectations are matched in time order per endpoint, so their order is free
        self.notes += [
            "prn is announced by avahi-publish only (no service behind the announcements); prn2 "
            "runs ippeveprinter, which registers its own DNS-SD services through Avahi; srv is a "
            "CUPS server with a shared queue whose cups-browsed broadcasts CUPS 1.x browse "
            "packets (BrowseLocalProtocols CUPS) to the subnet broadcast address (netlab adds no "
            "broadcast address, the scenario re-adds srv's with 'brd +').",
            "Avahi runs with use-ipv6=no: mDNS is carried over IPv4 only (AAAA records are still "
            "published). Announcements repeat on timers: datagram counts vary run to run.",
        ]

    def annotate(self, pcap: Path, lab: Lab, truth: dict) -> None:
        frames = mdns_frames(pcap)
        browse = cups_browse_frames(pcap)
        announced: dict[str, dict] = {}
        for flow in truth["udp_flows"]:
            if flow["service"] == "cups-browse":
                lines = []
                for d in flow["datagram_list"]:
                    d["cups_browse"] = browse.get(d["frame"])
                    if d["cups_browse"] and d["cups_browse"] not in lines:
                        lines.append(d["cups_browse"])
                if not lines:
                    raise RuntimeError(f"{self.name}: no CUPS browse packet dissected")
                flow["facts"] = {"browse": [{k: v for k, v in b.items() if k != "raw"}
                                            for b in lines]}
                continue
            host = next(h for h, a in truth["topology"].items()
                        if flow["client"].startswith(a["ipv4"] + ":"))
            services: dict[str, dict] = {}
            queries: set[str] = set()
            for d in flow["datagram_list"]:
                m = frames.get(d["frame"], {})
                d["mdns"] = {k: m[k] for k in ("response", "questions") if k in m}
                queries.update(m.get("questions", []) if not m.get("response") else [])
                for inst, rec in m.get("services", {}).items():
                    s = services.setdefault(inst, {"type": rec["type"], "txt": {}})
                    for k in ("port", "target"):
                        if rec.get(k) is not None:
                            s[k] = rec[k]
                    s["txt"].update(rec.get("txt") or {})
            flow["facts"] = {
                "sender": host,
                "service_types": sorted({s["type"] for s in services.values()}),
                "instances": sorted(services),
                "txt_keys": {t: sorted({k for s in services.values() if s["type"] == t
                                        for k in s.get("txt", {})})
                             for t in sorted({s["type"] for s in services.values()})},
                "queries_for": sorted(q for q in queries if q.endswith("._tcp.local")
                                      or q.startswith("_services")),
            }
            flow["tshark_services"] = services
            if services:
                announced[host] = services
        want = {f"{PRN_NAME}.{t}.local" for t in PRN_SERVICES}
        got = set(announced.get("prn", {}))
        if got != want:
            raise RuntimeError(f"{self.name}: prn announced {sorted(got)}, expected {sorted(want)}")
        for inst, (port, txt) in ((f"{PRN_NAME}.{t}.local", v) for t, v in PRN_SERVICES.items()):
            s = announced["prn"][inst]
            if s.get("port") != port or s.get("txt") != txt:
                raise RuntimeError(f"{self.name}: {inst}: tshark sees {s}, published {port} {txt}")
        ipp2 = {s["type"] for s in announced.get("prn2", {}).values()}
        if not {"_ipp._tcp", "_ipps._tcp"} <= ipp2:
            raise RuntimeError(f"{self.name}: ippeveprinter announced {ipp2}")
        truth["facts"] = {
            "mdns": {
                "prn": {"announced_by": "avahi-publish", "instance": PRN_NAME,
                        "services": {t: {"port": p, "txt": txt} for t, (p, txt) in PRN_SERVICES.items()}},
                "prn2": {"announced_by": "ippeveprinter (its own DNS-SD through Avahi)",
                         "service_types": sorted(ipp2),
                         "txt_keys": sorted({k for s in announced["prn2"].values()
                                             for k in s.get("txt", {})})},
            },
            "cups_browse": next(f["facts"]["browse"][0] for f in truth["udp_flows"]
                                if f["service"] == "cups-browse"),
        }
        truth["avahi_browse_on_ws"] = [ln[3:] for ln in getattr(self, "browse", [])]


def mdns_frames(pcap: Path) -> dict[int, dict]:
    """Per mDNS frame: response flag, question names, and per service instance its type, SRV
    port/target and TXT key/values (from the PTR, SRV and TXT records the sender owns)."""
    out: dict[int, dict] = {}
    for layers in tshark_json(pcap, "-Y", "mdns"):
        frame = int(one(layers["frame"], "frame.number") or 0)
        m = layers.get("mdns", {})
        flags = walk(m, "dns.flags.response")
        rec: dict = {"response": str(flags[0]) in ("1", "True") if flags else False,
                     "questions": [str(q) for q in walk(m.get("Queries", {}), "dns.qry.name")]}
        services: dict[str, dict] = {}

        def svc(inst: str, services: dict[str, dict] = services) -> dict:
            stype = ".".join(inst.split(".")[-3:-1])  # "<name>._ipp._tcp.local" -> "_ipp._tcp"
            return services.setdefault(inst, {"type": stype, "port": None, "target": None})

        # a response's records are the sender's own; in a query the answer section holds known
        # answers (other hosts' records) and the authority section a probe's proposed records
        sections = ("Answers", "Additional records") if rec["response"] else \
            ("Authoritative nameservers",)
        for section in sections:
            for r in dicts_with(m.get(section, {}), "dns.resp.type"):
                name, rtype = one(r, "dns.resp.name") or "", one(r, "dns.resp.type")
                if rtype == "12" and name.endswith("._tcp.local") and not name.startswith("_services"):
                    inst = one(r, "dns.ptr.domain_name") or ""
                    if "._sub." not in name and inst.endswith(name):
                        svc(inst)
                elif rtype == "33":
                    if not name:  # tshark splits an SRV owner name into service/proto/name
                        name = ".".join(one(r, k) or "" for k in ("dns.srv.service", "dns.srv.proto",
                                                                  "dns.srv.name"))
                    s = svc(name)
                    s["port"] = int(one(r, "dns.srv.port") or 0)
                    s["target"] = one(r, "dns.srv.target")
                elif rtype == "16" and "._tcp.local" in name:
                    txt = {}
                    for item in walk(r, "dns.txt"):
                        k, _, v = str(item).partition("=")
                        if k:
                            txt[k] = v
                    svc(name)["txt"] = txt
        rec["services"] = services
        out[frame] = rec
    return out


def cups_browse_frames(pcap: Path) -> dict[int, dict]:
    out = {}
    for layers in tshark_json(pcap, "-Y", "cups"):
        frame = int(one(layers["frame"], "frame.number") or 0)
        c = layers["cups"]
        out[frame] = {"type": one(c, "cups.ptype"), "state": one(c, "cups.state"),
                      "uri": one(c, "cups.uri"), "location": one(c, "cups.location"),
                      "information": one(c, "cups.information"),
                      "make_model": one(c, "cups.make_model")}
    return out


# ===================================================================================== migration
class PrinterHost:
    """The one printer of the migration pair, at the same address before and after: port 9100
    (tools/fleet_responders.py 'jetdirect': TLS or cleartext, answers PJL INFO), LPD on 515
    (cups-lpd per connection into a private cupsd whose queue ends in a loopback sink), IPP and
    IPPS on 631 (ippeveprinter), and in the 'after' capture an EWS imitation on port 80."""

    def __init__(self, sc: "MigrationBefore", lab: Lab, *, ews: bool):
        self.sc, self.lab = sc, lab
        w = sc.work
        self.jobs = w / "jetdirect"
        key, crt = self_signed(w, "prn.lab")
        sc.how.append("openssl req -x509 -newkey rsa:2048 -nodes -subj /CN=prn.lab (build time)")
        sc.spawn(lab, "prn", ["python3", str(RESPONDERS), "jetdirect", "--port", "9100",
                              "--outdir", str(self.jobs), "--cert", str(crt), "--key", str(key),
                              "--keylog", str(w / "keys-jetdirect.log")])
        lab.wait_port("prn", 9100)
        self.lpd_sink = w / "lpd-received"
        sc.socat_sink(lab, "prn", "TCP4-LISTEN:9101,bind=127.0.0.1,fork,reuseaddr", self.lpd_sink)
        self.lpd = Cupsd(sc, lab, "prn", "cups-lpd")
        self.lpd.run(["lpadmin", "-p", "Floor2", "-E", "-v", "socket://127.0.0.1:9101"])
        sc.spawn(lab, "prn", ["socat", "TCP4-LISTEN:515,fork,reuseaddr",
                              "EXEC:/usr/lib/cups/daemon/cups-lpd"], env=self.lpd.env)
        lab.wait_port("prn", 515)
        sc.start_printer(lab)  # ippeveprinter on 631 (IppTool.start_printer)
        if ews:
            pwfile = w / "ews-password"
            pwfile.write_text(EWS_PASSWORD + "\n")
            sc.spawn(lab, "prn", ["python3", str(RESPONDERS), "ews", "--port", "80",
                                  "--password-file", str(pwfile)])
            lab.wait_port("prn", 80)

    def raw_files(self) -> dict[int, Path]:
        return {int(f.stem.split("-")[1]): f for f in self.jobs.glob("job-*.bin")}


NETBIOS_NAME = "PC-ALICE"  # ws's NetBIOS name (a workstation named after its user: masked by default)
NMBD_CONF = """[global]
netbios name = {name}
workgroup = LAB
interfaces = eth0
bind interfaces only = yes
local master = no
preferred master = no
domain master = no
os level = 0
wins support = no
dns proxy = no
disable spoolss = yes
load printers = no
lock directory = {d}/lock
state directory = {d}/state
cache directory = {d}/cache
private dir = {d}/private
pid directory = {d}/run
ncalrpc dir = {d}/ncalrpc
log file = {d}/log.%m
"""


class MigrationBefore(IppTool):
    """Before the move: ws prints raw 9100, LPD and IPP in clear, ws2 prints raw 9100 in clear.
    Both say their names on the LAN: ws by the NetBIOS name service (nmbd registers PC-ALICE, and
    answers ws2's nmblookup), ws2 by mDNS (avahi-daemon announces ws2.local)."""

    name = "migration-before"
    packages = ("cups-daemon", "cups-client", "cups-bsd", "cups-ipp-utils", "socat", "dbus",
                "ghostscript", "groff", "openssl", "python3", "samba", "samba-common-bin",
                "avahi-daemon")
    tls_port = None
    after = False

    def lab(self) -> Lab:
        return Lab(hosts={"ws": HOSTS["ws"], "ws2": 11, "prn": HOSTS["prn"]})

    # ippeveprinter and ipptool use GnuTLS, which writes an NSS key log to $SSLKEYLOGFILE: with
    # it tshark decrypts the IPPS flow and the truth gets the real first application data
    def spawn(self, lab: Lab, host: str, argv, **kw):
        if argv[0] == "ippeveprinter":
            kw["env"] = {**kw.get("env", {}), "SSLKEYLOGFILE": str(self.work / "keys-ippeveprinter.log")}
        return super().spawn(lab, host, argv, **kw)

    def cmd(self, lab: Lab, host: str, argv, **kw):
        if argv[0] == "ipptool":
            kw["env"] = {**kw.get("env", {}), "SSLKEYLOGFILE": str(self.work / "keys-ipptool.log")}
        return super().cmd(lab, host, argv, **kw)

    def ipp_job(self, lab: Lab, doc: Doc, scheme: str) -> None:
        self.scheme = scheme
        self.ipptool(lab, PRINT_JOB, doc=doc, transfer="-L", jobname=doc.title,
                     fmt="application/pdf")
        self.ipp_jobs += 1
        self.wait_job(self.ipp_jobs)

    def ipp_received(self, doc: Doc) -> Path:
        want = sha256(doc.data)
        for f in self.spool.rglob("*"):
            if f.is_file() and f.suffix != ".prn" and sha256(f.read_bytes()) == want:
                return f
        raise LabError(f"ippeveprinter kept no copy of {doc.title}")

    def run(self, lab: Lab, pcap: Path) -> None:
        self.ipp_jobs = 0
        printer = PrinterHost(self, lab, ews=self.after)
        ws = Cupsd(self, lab, "ws")
        ws2 = Cupsd(self, lab, "ws2")
        prn = lab.ip("prn")
        ws2.run(["lpadmin", "-p", "Floor2_LaserJet", "-E", "-v", f"socket://{prn}:9100"])
        d = self.docs
        docs = {"raw": d.make("raw", "pjl-ps", "salary_review.ps"),
                "lpd": d.make("lpd", "ps-dsc", "benefits-enrolment.ps"),
                "ipp": d.make("ipp", "pdf", "offer-letter.pdf"),
                "ws2": d.make("ws2", "pjl-pcl5-text", "Q3_payroll_summary.txt")}
        self.workstations: dict[str, dict] = {}
        with_broadcast(lab, "ws")
        with_broadcast(lab, "ws2")
        if not self.after:
            ws.run(["lpadmin", "-p", "Floor2_LaserJet", "-E", "-v", f"socket://{prn}:9100"])
            ws.run(["lpadmin", "-p", "Floor2_via_LPD", "-E", "-v", f"lpd://{prn}/Floor2"])
            with lab.capture(pcap, self.fmt):
                self.names(lab)
                ws.lp("Floor2_LaserJet", docs["raw"])
                self.job("ws", 9100, "raw9100", docs["raw"], "CUPS socket backend")
                time.sleep(0.3)
                ws.lp("Floor2_via_LPD", docs["lpd"])
                self.job("ws", 515, "lpd", docs["lpd"], "CUPS lpd backend -> cups-lpd",
                         job_name=re.sub(r"[^A-Za-z0-9]", "_", docs["lpd"].title))
                time.sleep(0.3)
                self.ipp_job(lab, docs["ipp"], "ipp")
                self.job("ws", 631, "ipp", docs["ipp"], "ipptool Print-Job (ipp://)")
                time.sleep(0.3)
                ws2.lp("Floor2_LaserJet", docs["ws2"])
                self.job("ws2", 9100, "raw9100", docs["ws2"], "ws2: CUPS socket backend")
            self.printer_state = {"answered_in_clear": [9100, 515, 631], "tls_in_use": []}
        else:
            with lab.capture(pcap, self.fmt):
                self.names(lab)
                self.ipp_job(lab, docs["ipp"], "ipps")
                self.job("ws", 631, "ipps", docs["ipp"], "ipptool Print-Job (ipps://)")
                time.sleep(0.3)
                self.cmd(lab, "ws", ["socat", "-u", f"OPEN:{docs['raw'].path}",
                                     f"OPENSSL:{prn}:9100,verify=0"])
                self.job("ws", 9100, "tls9100", docs["raw"], "socat OPENSSL to port 9100")
                time.sleep(0.3)
                # the cleartext paths the printer still answers (what issue 13 calls out)
                self.cmd(lab, "ws", ["socat", "-u", "/dev/null", f"TCP:{prn}:9100"])
                self.other("ws", 9100, "tcp-connect-only", "connect + close, no data: the "
                           "printer answers SYN-ACK on cleartext 9100")
                query = "\x1b%-12345X@PJL\r\n@PJL INFO ID\r\n@PJL INFO STATUS\r\n\x1b%-12345X"
                out = self.cmd(lab, "ws", ["socat", "-t", "2", "-", f"TCP:{prn}:9100"],
                               input=query).stdout
                if "CODE=10001" not in out:
                    raise LabError(f"PJL INFO STATUS not answered: {out!r}")
                self.other("ws", 9100, "pjl-status-query", "PJL INFO ID + INFO STATUS in clear, "
                           "answered (a status monitor's query, no document)",
                           facts={"pjl_queries": ["INFO ID", "INFO STATUS"], "answered": True})
                out = self.cmd(lab, "ws", ["socat", "-t", "2", "-", f"TCP:{prn}:515"],
                               input="\x03Floor2\n").stdout
                self.other("ws", 515, "lpd-queue-query", "RFC 1179 'send queue state (short)' in "
                           "clear, answered by cups-lpd", facts={"lpd_command": 3,
                                                                 "answered": bool(out)})
                self.cmd(lab, "ws", ["curl", "-sS", "--http1.1", "-o", "/dev/null",
                                     f"http://{prn}/"])
                self.other("ws", 80, "http-admin", "EWS imitation status/admin page over "
                           "HTTP, no login", facts={"service": "http-admin", "requests": [
                               {"method": "GET", "path": "/", "status": 200, "credentials": None}]})
                time.sleep(0.3)
                ws2.lp("Floor2_LaserJet", docs["ws2"])
                self.job("ws2", 9100, "raw9100", docs["ws2"], "ws2 still prints in clear "
                         "(CUPS socket backend)")
            self.printer_state = {"answered_in_clear": [9100, 515, 80],
                                  "tls_in_use": ["ipps", "tls9100"]}
        printer.lpd.wait_idle("Floor2")
        wait_files(printer.jobs, len([e for e in self.expects if e.server_port == 9100
                                      and e.doc is not None]))
        raw = printer.raw_files()
        self.received_by_port = raw
        for e in self.expects:
            if e.doc is None:
                continue
            if e.server_port == 515:
                e.received = wait_files(printer.lpd_sink, 1)[0]
            elif e.server_port == 631:
                e.received = self.ipp_received(e.doc)
        self.keylog = concat_keylogs(self.work / "keys.log", self.work / "keys-ipptool.log",
                                     self.work / "keys-ippeveprinter.log",
                                     self.work / "keys-jetdirect.log")
        self.notes += [
            "Same printer address (10.77.0.20, same MAC) in migration-before and migration-after; "
            "ws is 10.77.0.10 and ws2 10.77.0.11 in both (netlab hosts ws, ws2, prn).",
            "Port 9100 is tools/fleet_responders.py 'jetdirect' (cleartext and TLS on one port, "
            "PJL INFO answers), because socat cannot do both on one port; 515 is cups-lpd, 631 is "
            "ippeveprinter (IPP and IPPS on one port).",
            "The existing captures raw9100-cups-socket, lpd-cups and ipp-ipptool use the same "
            "printer and workstation addresses and may serve as an alternative 'before' set "
            "(without ws2).",
        ]

    def names(self, lab: Lab) -> None:
        """The workstations' names on the wire: nmbd on ws registers its NetBIOS name by broadcast
        (RFC 1002 B-node registration) and answers ws2's name query; avahi-daemon on ws2 probes
        for and announces ws2.local (its A record). Run at the start of the capture."""
        d = self.work / "nmbd-ws"
        for sub in ("lock", "state", "cache", "private", "run", "ncalrpc"):
            (d / sub).mkdir(parents=True, exist_ok=True)
        conf = d / "smb.conf"
        conf.write_text(NMBD_CONF.format(name=NETBIOS_NAME, d=d))
        self.spawn(lab, "ws", ["nmbd", "--foreground", "--no-process-group", f"--configfile={conf}"])
        avahi(self, lab, "ws2")
        time.sleep(4)  # B-node registration: 3 broadcasts, then the name is held (RFC 1002 5.1.1)
        out = self.cmd(lab, "ws2", ["nmblookup", "-B", lab.ip("ws").rsplit(".", 1)[0] + ".255",
                                    NETBIOS_NAME]).stdout
        if lab.ip("ws") not in out:
            raise LabError(f"nmblookup did not find {NETBIOS_NAME}: {out!r}")
        bcast = lab.ip("ws").rsplit(".", 1)[0] + ".255"
        self.udp_expects += [
            UdpExpect(137, "nbns", client_host="ws", server_host=bcast, exact_counts=False,
                      note=f"nmbd on ws: name registrations of {NETBIOS_NAME} (and its other names), "
                           "its query for the workgroup's master browser"),
            UdpExpect(138, "other", client_host="ws", server_host=bcast, exact_counts=False,
                      note="nmbd on ws: browser host announcement and election request (datagram "
                           "service, not read by sniffprint)"),
            UdpExpect(137, "nbns", client_host="ws2", server_host=bcast, exact_counts=False,
                      note=f"nmblookup on ws2: a broadcast name query for {NETBIOS_NAME}"),
            UdpExpect(0, "nbns", client_host="ws", server_host="ws2", exact_counts=False,
                      note=f"nmbd on ws answers ws2's query (to nmblookup's own port): {NETBIOS_NAME} "
                           f"is {lab.ip('ws')}"),
            UdpExpect(5353, "mdns", client_host="ws2", server_host="224.0.0.251", exact_counts=False,
                      note="avahi-daemon on ws2: probes and announcements of ws2.local"),
        ]
        self.hostnames = {"ws": {"nbns": NETBIOS_NAME}, "ws2": {"mdns": "ws2.local"}}

    def job(self, host: str, port: int, protocol: str, doc: Doc, note: str,
            job_name: str | None = None) -> None:
        self.expects.append(Expect(port, protocol, protocol in ("ipps", "tls9100"), doc, USER,
                                   job_name or doc.title, note=f"{host}: {note}"))
        w = self.workstations.setdefault(host, {"protocols_clear": [], "protocols_protected": [],
                                                "jobs_clear": 0, "jobs_protected": 0})
        protected = protocol in ("ipps", "tls9100")
        key = "protocols_protected" if protected else "protocols_clear"
        if protocol not in w[key]:
            w[key].append(protocol)
        w["jobs_protected" if protected else "jobs_clear"] += 1

    def other(self, host: str, port: int, ground_truth: str, note: str,
              facts: dict | None = None) -> None:
        self.expects.append(Expect(port, None, False, None, ground_truth=ground_truth,
                                   note=f"{host}: {note}", truth_facts=facts,
                                   bytes_vary=ground_truth in ("http-admin", "lpd-queue-query")))

    def annotate(self, pcap: Path, lab: Lab, truth: dict) -> None:
        # which workstation each flow came from (the expects record the host in the note)
        clients = {h: a["ipv4"] for h, a in truth["topology"].items()}
        for f in truth["print_flows"] + truth["other_tcp_flows"]:
            host = f["note"].split(":")[0]
            if not f["client"].startswith(clients[host] + ":"):
                raise RuntimeError(f"{self.name}: flow {f['client']} is not from {host}")
            f["workstation"] = host
        truth["facts"] = {
            "phase": "after" if self.after else "before",
            "printer": {"address": clients["prn"], **self.printer_state},
            "workstations": {clients[h]: {**w, "prints_to": [clients["prn"]],
                                          "hostnames": self.hostnames.get(h, {})}
                             for h, w in sorted(self.workstations.items())},
        }


class MigrationAfter(MigrationBefore):
    """After the move: ws prints over IPPS and TLS-wrapped 9100; the printer still answers on
    cleartext 9100 (SYN-ACK, PJL INFO), 515 and 80; ws2 still prints raw 9100 in clear."""

    name = "migration-after"
    tls_port = (631, 9100)
    after = True



SCENARIOS: list[type[Scenario]] = [HttpAdmin, SnmpV2c, SnmpV3, MdnsPrinter, MigrationBefore,
                                   MigrationAfter]

# register with the capture lab (make_captures imports this module at the end of its own list;
# registering from here also works when this module happens to be imported first)
lab_base.SCENARIOS.extend(c for c in SCENARIOS if c not in lab_base.SCENARIOS)
lab_base.PACKAGES.extend(p for p in PACKAGES if p not in lab_base.PACKAGES)

__all__ = ["SCENARIOS", "PACKAGES"]
