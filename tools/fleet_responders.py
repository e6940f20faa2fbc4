#!/usr/bin/env python3
"""Two small *test* responders for the capture lab: stand-ins for parts of a network printer that no
free software on Debian implements.  Both are written for sniffprint's sample captures only; they
imitate what a printer puts on the wire, they are not printer firmware and claim no compatibility.

``ews``
    An imitation of a printer's embedded web server (EWS) on plain HTTP.  It answers like one so
    that a passive tool has something realistic to recognise: a ``Server`` header in the style of
    HP's EWS (with "sniffprint lab imitation" inside it, so nobody mistakes it for the real thing),
    page titles naming a printer model, and paths under ``/hp/device/``.  It serves

    * ``GET /`` and ``GET /hp/device/DeviceStatus/Index``: a status/admin page, no login needed;
    * ``GET /hp/device/SignIn/Index``: a login form with a password field;
    * ``POST /hp/device/SignIn/Index``: checks the password field (``application/x-www-form-urlencoded``
      or ``multipart/form-data``); on success ``302`` to the device settings page plus a
      ``Set-Cookie: sessionId=...`` (HttpOnly), on failure ``200`` with the form again;
    * ``GET /hp/device/NetworkSettings/Index``: a settings page, ``200`` with a valid session cookie,
      else ``302`` to the sign-in page;
    * ``GET /hp/device/SecuritySettings/Index``: only a ``301`` to the same path over HTTPS (what an
      EWS with "redirect HTTP to HTTPS" switched on answers; nothing listens on 443 here).

``jetdirect``
    A TCP port-9100 listener like a printer's raw ("JetDirect") port, with the two things socat
    cannot do together: TLS and cleartext on the *same* port (the first byte decides: 0x16, a TLS
    record, gets a TLS server socket from Python's ``ssl`` module, i.e. OpenSSL) and answers to
    PJL status queries.  Everything received is written to ``OUTDIR/job-<peer port>.bin``
    (decrypted for TLS); a connection that only holds ``@PJL INFO ...`` queries is answered with
    fixed, printer-like replies (``INFO ID``, ``INFO STATUS``), each ended with a form feed as
    PJL requires.

Stdlib only.  Run inside a lab namespace, e.g. ``python3 tools/fleet_responders.py ews --port 80``.
"""

from __future__ import annotations

import argparse
import email.parser
import email.policy
import http.server
import secrets
import socket
import socketserver
import ssl
import threading
import urllib.parse
from pathlib import Path

UEL = b"\x1b%-12345X"

EWS_SERVER = "HP HTTP Server; sniffprint lab imitation - Floor2 LaserJet 4250; Serial Number: CNBX512345"
EWS_MODEL = "HP LaserJet 4250 (sniffprint lab imitation)"


def _page(title: str, body: str) -> bytes:
    return (f"<!DOCTYPE html>\n<html><head><title>{title}</title></head>\n"
            f"<body><h1>{title}</h1>\n{body}\n</body></html>\n").encode()


class EwsHandler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = EWS_SERVER
    sys_version = ""
    password = ""
    sessions: set[str] = set()

    def log_message(self, fmt: str, *args: object) -> None:  # quiet: the lab keeps no logs of it
        pass

    def version_string(self) -> str:
        return self.server_version

    def _send(self, code: int, body: bytes = b"", headers: dict[str, str] | None = None) -> None:
        self.send_response(code)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-cache")
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _session_ok(self) -> bool:
        for part in (self.headers.get("Cookie") or "").split(";"):
            name, _, value = part.strip().partition("=")
            if name == "sessionId" and value in self.sessions:
                return True
        return False

    def _login_form(self, note: str = "") -> bytes:
        return _page(f"{EWS_MODEL} - Sign In",
                     f"<p>{note}</p><form method='post' action='/hp/device/SignIn/Index'>"
                     "<input type='hidden' name='agentIdSelect' value='hp_EWS_AdminPassword'>"
                     "<input type='password' name='PasswordTextBox'>"
                     "<input type='submit' name='signInOk' value='Sign In'></form>")

    def do_GET(self) -> None:  # noqa: N802 (http.server naming)
        path = urllib.parse.urlsplit(self.path).path
        if path in ("/", "/hp/device/DeviceStatus/Index"):
            self._send(200, _page(f"{EWS_MODEL} - Device Status",
                                  "<p>Ready</p><p>Toner: 62%</p><a href='/hp/device/SignIn/Index'>Sign In</a>"))
        elif path == "/hp/device/SignIn/Index":
            self._send(200, self._login_form())
        elif path == "/hp/device/NetworkSettings/Index":
            if self._session_ok():
                self._send(200, _page(f"{EWS_MODEL} - Network Settings",
                                      "<form method='post'><input name='snmpReadCommunity'>"
                                      "<input name='ldapBindPassword' type='password'></form>"))
            else:
                self._send(302, b"", {"Location": "/hp/device/SignIn/Index"})
        elif path == "/hp/device/SecuritySettings/Index":
            host = (self.headers.get("Host") or "").split(":")[0]
            self._send(301, b"", {"Location": f"https://{host}{path}"})
        else:
            self._send(404, _page("Not Found", ""))

    def do_POST(self) -> None:  # noqa: N802
        path = urllib.parse.urlsplit(self.path).path
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length)
        ctype = self.headers.get("Content-Type") or ""
        fields: dict[str, str] = {}
        if ctype.startswith("application/x-www-form-urlencoded"):
            fields = {k: v[0] for k, v in urllib.parse.parse_qs(body.decode("latin-1")).items()}
        elif ctype.startswith("multipart/form-data"):
            msg = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
                b"Content-Type: " + ctype.encode() + b"\r\n\r\n" + body)
            for part in msg.iter_parts():
                name = part.get_param("name", header="content-disposition")
                if name:
                    fields[str(name)] = part.get_content().strip() if part.get_content_maintype() == "text" \
                        else part.get_payload(decode=True).decode("latin-1")
        if path != "/hp/device/SignIn/Index":
            self._send(404, _page("Not Found", ""))
        elif fields.get("PasswordTextBox") == self.password:
            sid = secrets.token_hex(16)
            self.sessions.add(sid)
            self._send(302, b"", {"Location": "/hp/device/NetworkSettings/Index",
                                  "Set-Cookie": f"sessionId={sid}; Path=/; HttpOnly"})
        else:
            self._send(200, self._login_form("Sign in failed"))


class ThreadingHTTPServer(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True


def run_ews(args: argparse.Namespace) -> None:
    EwsHandler.password = Path(args.password_file).read_text().strip()
    ThreadingHTTPServer((args.bind, args.port), EwsHandler).serve_forever()


# ------------------------------------------------------------------------------------ jetdirect
PJL_REPLIES = {
    b"INFO ID": b'@PJL INFO ID\r\n"HP LaserJet 4250"\r\n\x0c',
    b"INFO STATUS": b'@PJL INFO STATUS\r\nCODE=10001\r\nDISPLAY="Ready"\r\nONLINE=TRUE\r\n\x0c',
}


class JetDirectHandler(socketserver.BaseRequestHandler):
    ctx: ssl.SSLContext | None = None
    outdir = Path(".")
    lock = threading.Lock()

    def handle(self) -> None:
        sock: socket.socket = self.request
        sock.settimeout(30)
        peer_port = self.client_address[1]
        try:
            first = sock.recv(1, socket.MSG_PEEK)
        except OSError:
            return
        if not first:
            return  # a bare connect (port check): nothing to store
        conn: socket.socket = sock
        if first == b"\x16" and self.ctx is not None:
            conn = self.ctx.wrap_socket(sock, server_side=True)
        data = bytearray()
        answered: set[bytes] = set()
        while True:
            try:
                chunk = conn.recv(65536)
            except (OSError, ssl.SSLError):
                break
            if not chunk:
                break
            data += chunk
            # answer PJL queries as soon as their line is complete (the client waits for them)
            for query, reply in PJL_REPLIES.items():
                if query not in answered and b"@PJL " + query + b"\r\n" in data:
                    conn.sendall(reply)
                    answered.add(query)
        with self.lock:
            (self.outdir / f"job-{peer_port}.bin").write_bytes(bytes(data))
        try:
            if isinstance(conn, ssl.SSLSocket):
                conn.unwrap()
        except (OSError, ssl.SSLError):
            pass


class ThreadingTCPServer(socketserver.ThreadingMixIn, socketserver.TCPServer):
    daemon_threads = True
    allow_reuse_address = True


def run_jetdirect(args: argparse.Namespace) -> None:
    JetDirectHandler.outdir = Path(args.outdir)
    JetDirectHandler.outdir.mkdir(parents=True, exist_ok=True)
    if args.cert:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(args.cert, args.key)
        if args.keylog:
            ctx.keylog_filename = args.keylog
        JetDirectHandler.ctx = ctx
    ThreadingTCPServer((args.bind, args.port), JetDirectHandler).serve_forever()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = ap.add_subparsers(dest="what", required=True)
    e = sub.add_parser("ews", help="imitation of a printer's embedded web server (plain HTTP)")
    e.add_argument("--bind", default="0.0.0.0")
    e.add_argument("--port", type=int, default=80)
    e.add_argument("--password-file", required=True, help="file holding the admin password")
    j = sub.add_parser("jetdirect", help="port-9100 sink: cleartext or TLS, answers PJL INFO")
    j.add_argument("--bind", default="0.0.0.0")
    j.add_argument("--port", type=int, default=9100)
    j.add_argument("--outdir", required=True)
    j.add_argument("--cert")
    j.add_argument("--key")
    j.add_argument("--keylog", help="write TLS session secrets here (NSS key log format)")
    args = ap.parse_args()
    {"ews": run_ews, "jetdirect": run_jetdirect}[args.what](args)


if __name__ == "__main__":
    main()
