"""A printer's web interface over HTTP: who it is, what it served, and what logins crossed.

What it reads, beside ``ipp_jobs`` (IPP in the same HTTP framing): the requests, responses and
bodies of one HTTP flow that are not IPP, for what matters about an admin panel in clear:

- **Which server**: the ``Server`` header (RFC 9110 section 10.2.4) and whether it is a
  printer's: CUPS (``CUPS/``), embedded web servers by their ``Server`` header, the page
  ``<title>``, or a request path only printer web interfaces use (``/hp/device/``,
  ``/web/guest/``, ``/PRESENTATION/``...) that was answered below 400 (``PRINTER_SERVERS``,
  ``PRINTER_PATHS``, ``PRINTER_TITLES``). The ``http_printer`` fact says which; the flow becomes
  ``http-admin`` (unless it carries IPP, which stays ``ipp``).
- **Logins**, as ``SecretSeen`` (the engine keeps them off every record; the composition root
  redacts them): ``Authorization: Basic`` (RFC 7617 section 2: base64 of user ":" password, the
  password in clear), ``Authorization: Digest`` (RFC 7616 section 3.4: the user name in clear,
  the password never on the wire), a form POST (``application/x-www-form-urlencoded``, HTML
  section 4.10.21.7, or ``multipart/form-data``, RFC 7578) with a password field
  (``PASSWORD_FIELD``); session cookies: every cookie a response sets in answer to a login
  (``session-set``), and the session-like cookies a request sends (``session-cookie``,
  ``SESSION_COOKIE``, RFC 6265 section 4.2). Whether a session cookie was sent *after a login* is
  decided across flows by the findings, which match the keyed hashes of both.
- **What was served**: ``http_pages`` (2xx answers that do not send the client to https://),
  ``http_login_prompt`` (a page with a password input, or a 401 Basic/Digest challenge),
  ``http_redirect_https`` (a 3xx ``Location: https://``, a 426 with ``Upgrade: TLS`` (RFC 2817
  section 4.2), or a ``<meta http-equiv="refresh">`` to https:// in the page).

Invariants:
- Rule 1: nothing here raises: malformed authorization, forms or cookies are simply not
  credentials. No event but ``SecretSeen`` carries a value taken from a header or a body, and
  ``SecretSeen`` carries only user names and secrets, never into a fact.
- Rule 2: bounded: a form body is kept up to ``MAX_FORM`` bytes, the head of a page up to
  ``MAX_PAGE`` bytes, at most ``MAX_FIELDS`` form fields and ``MAX_COOKIES`` cookies are read per
  message; the ``Server`` header is cut at ``MAX_SERVER`` characters.
"""
from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass
from urllib.parse import unquote_to_bytes

from ...model import Service
from ..events import Event, FlowFact, SecretSeen, ServiceSeen
from .sink import MessageHead

MAX_FORM = 64 * 1024
MAX_PAGE = 16 * 1024
MAX_FIELDS = 256
MAX_COOKIES = 32
MAX_SERVER = 120
FORM_URLENCODED = "application/x-www-form-urlencoded"
FORM_MULTIPART = "multipart/form-data"
HTML = ("text/html", "application/xhtml+xml")
IPP = "application/ipp"
# Server header -> printer (CUPS and the embedded web servers of printer makers)
PRINTER_SERVERS = re.compile(
    r"^CUPS/|HP HTTP Server|HP-ChaiSOE|Virata-EmWeb|EWS-NIC|KM-MFP|Xerox_MicroServer|Lexmark|"
    r"Brother|EPSON[_ -]|Canon HTTP Server|CANON HTTP|RICOH|SHARP|KYOCERA|Konica|TOSHIBA|"
    r"PrintSystem|Printer|JetDirect|Zebra", re.I)
# Request paths only printer web interfaces serve (HP, Ricoh, Epson, Canon, Kyocera, Brother...)
PRINTER_PATHS = re.compile(
    rb"^/(?:hp/device/|web/guest/|web/entry/|PRESENTATION/|DevMgmt/|webglue/|cgi-bin/dynamic/printer/|"
    rb"rps/|wcd/|sws/|general/status\.html|etc/mnt_info\.html|startwlm/)",
    re.I)
PRINTER_TITLES = re.compile(
    rb"printer|LaserJet|OfficeJet|DeskJet|PageWide|Embedded Web Server|Web Image Monitor|CentreWare|"
    rb"Remote UI|Web Config|Command Center|TopAccess|PageScope|Web Connection|\bCUPS\b|JetDirect|"
    rb"imageRUNNER|bizhub|WorkCentre|VersaLink|AltaLink", re.I)
PASSWORD_FIELD = re.compile(r"pass|pwd|pin$|secret", re.I)
USER_FIELD = re.compile(r"user|login|account|e-?mail|^name$|^id$|^uid$", re.I)
SESSION_COOKIE = re.compile(r"sess|sid|auth|token|login|user|key|id$", re.I)
_TITLE = re.compile(rb"<title[^>]*>(.*?)</title", re.I | re.S)
_PASSWORD_INPUT = re.compile(rb"<input[^>]*type\s*=\s*[\"']?password", re.I)
_META_REFRESH = re.compile(rb"<meta[^>]*http-equiv\s*=\s*[\"']?refresh[^>]*url\s*=\s*[\"']?\s*https://", re.I)
_DIGEST_USER = re.compile(rb'username\s*=\s*"((?:[^"\\]|\\.)*)"', re.I)
_BOUNDARY = re.compile(rb'boundary\s*=\s*(?:"([^"]{1,70})"|([^\s;,]{1,70}))', re.I)
_DISPOSITION_NAME = re.compile(rb'\bname\s*=\s*"([^"]*)"', re.I)


def _text(raw: bytes) -> str:
    """Header and form bytes as text, every byte kept distinct (for hashing)."""
    return raw.decode("utf-8", "surrogateescape")


def _label(raw: bytes) -> str:
    """A field or cookie name shown in a record: printable ASCII only, bounded."""
    return "".join(c if c.isprintable() and c.isascii() else "?" for c in raw[:64].decode("latin-1"))


@dataclass(slots=True)
class Exchange:
    """What a request taught, kept for its response (``Request.admin``)."""

    login: bool = False  # the request carried a password (Basic, Digest, a form field)
    form: str | None = None  # the form kind when its body is to be read
    boundary: bytes | None = None
    path_hint: bool = False  # the path is a printer web interface's
    status: int = 0
    redirected: bool = False  # its response sent the client to https://
    ipp: bool = False  # an IPP exchange (RFC 8010 section 4), not a page


class AdminPanel:
    """The web-interface state of one HTTP flow."""

    def __init__(self) -> None:
        self.server: str | None = None
        self.printer: str | None = None  # why the server is a printer's (cups, server-header, ...)
        self.pages = 0
        self.prompt = False
        self.redirect = False
        self.html = False  # an HTML page was served: keep reading the flow (a browser session)
        self.secrets = False  # credentials or cookies were seen: keep reading
        self.ipp = False  # the flow carries IPP: it stays an ipp flow once identified

    @property
    def interesting(self) -> bool:
        """Whether the rest of the flow is worth parsing (a printer, a browser session, a login)."""
        return self.printer is not None or self.html or self.secrets

    # ------------------------------------------------------------- requests
    def request(self, head: MessageHead, out: list[Event]) -> Exchange:
        ex = Exchange()
        head.request.admin = ex
        f = head.fields
        for value in f.values(b"authorization")[:4]:
            scheme, _, rest = value.strip().partition(b" ")
            scheme = scheme.lower()
            if scheme == b"basic":
                ex.login = True
                self._secret(out, _basic(rest.strip()))
            elif scheme == b"digest":
                ex.login = True
                m = _DIGEST_USER.search(rest)
                user = _text(re.sub(rb"\\(.)", rb"\1", m.group(1))) if m else None
                self._secret(out, SecretSeen("digest", "Authorization", user=user))
        for raw in f.values(b"cookie")[:4]:
            for pair in raw.split(b";")[:MAX_COOKIES]:
                name, eq, value = pair.strip().partition(b"=")
                if eq and value and SESSION_COOKIE.search(name.decode("latin-1")):
                    self._secret(out, SecretSeen("session-cookie", _label(name), secret=_text(value.strip(b'"'))))
        ex.path_hint = bool(PRINTER_PATHS.match(head.request.target))
        media = f.media_type()
        ex.ipp = media == IPP
        if head.request.method == b"POST":
            if media == FORM_URLENCODED:
                ex.form = "form-urlencoded"
            elif media == FORM_MULTIPART:
                m = _BOUNDARY.search(f.values(b"content-type")[0])
                if m is not None:
                    ex.form, ex.boundary = "form-multipart", m.group(1) or m.group(2)
        return ex

    def form(self, ex: Exchange, body: bytes, out: list[Event]) -> None:
        """A form body ended (or reached ``MAX_FORM``): a password field in it is a login."""
        fields = _urlencoded(body) if ex.form == "form-urlencoded" else _multipart(body, ex.boundary or b"")
        user = next((v for k, v in fields if USER_FIELD.search(k) and not PASSWORD_FIELD.search(k) and v), None)
        for k, v in fields:
            if PASSWORD_FIELD.search(k) and v:
                ex.login = True
                self._secret(out, SecretSeen(ex.form or "form", _label(k.encode("utf-8", "surrogateescape")),
                                             user=user, secret=v))

    # ------------------------------------------------------------- responses
    def response(self, head: MessageHead, out: list[Event]) -> Exchange | None:
        """A response head; returns its exchange (None when the request was not seen)."""
        f = head.fields
        ex = head.request.admin if isinstance(head.request.admin, Exchange) else None
        server = f.values(b"server")
        if server and self.server is None:
            self.server = "".join(c if c.isprintable() else " " for c in server[0].decode("latin-1"))[:MAX_SERVER]
            out.append(FlowFact("http_server", self.server))
            if self.server.startswith("CUPS/"):
                self._identified("cups", out)
            elif PRINTER_SERVERS.search(self.server):
                self._identified("server-header", out)
        if ex is None:
            return None
        ex.status = head.status
        if ex.path_hint and head.status < 400:
            self._identified("path", out)
        location = f.values(b"location")
        upgrade = f.tokens(b"upgrade")
        if (300 <= head.status < 400 and location and location[0].strip().lower().startswith(b"https://")) \
                or (head.status == 426 and any(t.startswith("tls/") for t in upgrade)):
            ex.redirected = True
        if head.status == 401 and any(v.strip().split(b" ", 1)[0].lower() in (b"basic", b"digest")
                                      for v in f.values(b"www-authenticate")):
            self._prompt(out)
        if ex.login:
            for raw in f.values(b"set-cookie")[:MAX_COOKIES]:
                name, eq, value = raw.split(b";", 1)[0].strip().partition(b"=")
                if eq and value:
                    self._secret(out, SecretSeen("session-set", _label(name), secret=_text(value.strip(b'"'))))
        media = f.media_type()
        if media in HTML:
            self.html = True
        ex.ipp = ex.ipp or media == IPP
        return ex

    def page(self, ex: Exchange, head: bytes, out: list[Event]) -> None:
        """The first ``MAX_PAGE`` bytes of an HTML answer (decoded) are known."""
        m = _TITLE.search(head)
        if m is not None and PRINTER_TITLES.search(m.group(1)[:512]):
            self._identified("title", out)
        if _PASSWORD_INPUT.search(head):
            self._prompt(out)
        if _META_REFRESH.search(head):
            ex.redirected = True

    def response_end(self, ex: Exchange | None, out: list[Event]) -> None:
        if ex is None:
            return
        if ex.redirected:
            if not self.redirect:
                self.redirect = True
                out.append(FlowFact("http_redirect_https", True))
        elif 200 <= ex.status < 300 and not ex.ipp:
            self.pages += 1
            out.append(FlowFact("http_pages", self.pages))

    # ------------------------------------------------------------- helpers
    def _identified(self, why: str, out: list[Event]) -> None:
        if self.printer is None:
            self.printer = why
            out.append(FlowFact("http_printer", why))
            if not self.ipp:
                out.append(ServiceSeen(Service.HTTP_ADMIN))

    def _prompt(self, out: list[Event]) -> None:
        if not self.prompt:
            self.prompt = True
            out.append(FlowFact("http_login_prompt", True))

    def _secret(self, out: list[Event], s: SecretSeen) -> None:
        self.secrets = True
        out.append(s)


def _basic(token: bytes) -> SecretSeen:
    """RFC 7617 section 2: base64(user-id ":" password). An undecodable token is the secret itself."""
    try:
        raw = base64.b64decode(token, validate=True)
    except (binascii.Error, ValueError):
        return SecretSeen("basic", "Authorization", secret=_text(token))
    user, colon, password = raw.partition(b":")
    if not colon:
        return SecretSeen("basic", "Authorization", secret=_text(raw))
    return SecretSeen("basic", "Authorization", user=_text(user) or None, secret=_text(password))


def _urlencoded(body: bytes) -> list[tuple[str, str]]:
    out = []
    for pair in body.split(b"&")[:MAX_FIELDS]:
        k, _, v = pair.partition(b"=")
        if k:
            out.append((_text(unquote_to_bytes(k.replace(b"+", b" "))),
                        _text(unquote_to_bytes(v.replace(b"+", b" ")))))
    return out


def _multipart(body: bytes, boundary: bytes) -> list[tuple[str, str]]:
    """RFC 7578 / RFC 2046 section 5.1.1: parts between ``--boundary`` lines, each with its own
    header section; only parts with a ``name`` and no ``filename`` are fields."""
    if not boundary:
        return []
    out = []
    for part in body.split(b"--" + boundary)[1:MAX_FIELDS + 1]:
        if part.startswith(b"--"):
            break  # the close delimiter
        head, sep, value = part.partition(b"\r\n\r\n")
        if not sep:
            head, sep, value = part.partition(b"\n\n")
        if not sep or b"filename=" in head.lower():
            continue
        m = _DISPOSITION_NAME.search(head)
        if m is not None:
            out.append((_text(m.group(1)), _text(value.removesuffix(b"\r\n").removesuffix(b"\n"))))
    return out
