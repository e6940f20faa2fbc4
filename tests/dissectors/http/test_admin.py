"""dissectors/http/admin.py: a printer's web interface over HTTP (fed through HttpDissector, every way)."""
from __future__ import annotations

import gzip

import pytest

from sniffprint.dissectors.events import ContentDone, FlowFact, SecretSeen, ServiceSeen
from sniffprint.dissectors.http.admin import MAX_FORM
from sniffprint.model import Service
from tests.dissectors.http.vectors import C2S, S2C, factory, ipp_ok, post, print_job, response
from tests.helpers import feed_every_way

HP = "Server: HP HTTP Server; HP LaserJet 4250 - CNBX512345\r\n"
PAGE = b"<html><head><title>Home</title></head><body>status</body></html>"


def get(path: str = "/", extra: str = "") -> bytes:
    return f"GET {path} HTTP/1.1\r\nHost: prn\r\n{extra}\r\n".encode()


def html(body: bytes = PAGE, status: str = "200 OK", extra: str = "") -> bytes:
    return response(body, status, extra, ctype="text/html")


def facts(events: list) -> dict:
    return {e.name: e.value for e in events if isinstance(e, FlowFact)}


def secrets(events: list) -> list[SecretSeen]:
    return [e for e in events if isinstance(e, SecretSeen)]


def run(*script: tuple, port: int = 80) -> list:
    return feed_every_way(factory(port), list(script))


def test_an_embedded_web_server_is_a_printer_by_its_server_header() -> None:
    ev = run((C2S, get()), (S2C, html(extra=HP)))
    assert ServiceSeen(Service.HTTP_ADMIN) in ev
    assert facts(ev) == {"http_server": "HP HTTP Server; HP LaserJet 4250 - CNBX512345",
                         "http_printer": "server-header",
                         "http_pages": 1}
    assert ContentDone() not in ev  # a printer's web interface is read to its end


def test_cups_by_its_server_header_and_ipp_stays_ipp() -> None:
    ev = run((C2S, get("/admin")), (S2C, html(extra="Server: CUPS/2.4 IPP/2.1\r\n")), port=631)
    assert facts(ev)["http_printer"] == "cups" and ServiceSeen(Service.HTTP_ADMIN) in ev
    ev = run((C2S, post(print_job())), (S2C, response(ipp_ok(), extra="Server: CUPS/2.4 IPP/2.1\r\n")), port=631)
    assert ServiceSeen(Service.HTTP_ADMIN) not in ev and facts(ev)["http_printer"] == "cups"
    assert "http_pages" not in facts(ev)  # an IPP answer is not a page


@pytest.mark.parametrize("path, status, printer", [("/hp/device/DeviceStatus/Index", "200 OK", True),
                                                   ("/web/guest/en/websys/webArch/mainFrame.cgi", "302 Found", True),
                                                   ("/PRESENTATION/HTML/TOP/INDEX.HTML", "404 Not Found", False),
                                                   ("/index.html", "200 OK", False)])
def test_printer_paths_answered(path: str, status: str, printer: bool) -> None:
    ev = run((C2S, get(path)), (S2C, html(status=status)))
    assert (facts(ev).get("http_printer") == "path") is printer


def test_a_printer_page_title() -> None:
    page = b"<html><head><title>HP LaserJet 4250 &nbsp; 10.0.0.2</title>"
    assert facts(run((C2S, get()), (S2C, html(page))))["http_printer"] == "title"
    assert "http_printer" not in facts(run((C2S, get()), (S2C, html(b"<title>Intranet</title>"))))


def test_a_gzip_page_is_read_decoded() -> None:
    page = gzip.compress(b"<html><title>Web Image Monitor</title><input type='password' name=pw></html>")
    ev = run((C2S, get()), (S2C, html(page, extra="Content-Encoding: gzip\r\n")))
    assert facts(ev)["http_printer"] == "title" and facts(ev)["http_login_prompt"] is True


def test_basic_authorization_is_a_secret_never_a_fact() -> None:
    ev = run((C2S, get("/admin", "Authorization: Basic cHJuYWRtaW46Q3Vwc0FkbTFuLUxhYi01NTIz\r\n")),
             (S2C, html(extra="Set-Cookie: org.cups.sid=4992bc36; path=/\r\n")), port=631)
    assert secrets(ev) == [SecretSeen("basic", "Authorization", user="prnadmin", secret="CupsAdm1n-Lab-5523"),
                           SecretSeen("session-set", "org.cups.sid", secret="4992bc36")]
    assert "CupsAdm1n" not in repr(ev) and "prnadmin" not in repr(ev)


def test_an_undecodable_basic_token_is_the_secret_itself() -> None:
    ev = run((C2S, get("/", "Authorization: Basic !!notbase64\r\n")), (S2C, html()))
    assert secrets(ev) == [SecretSeen("basic", "Authorization", secret="!!notbase64")]


def test_digest_gives_the_user_the_password_never_crosses() -> None:
    auth = 'Authorization: Digest username="ad\\"min", realm="x", nonce="n", uri="/", response="0a1b"\r\n'
    ev = run((C2S, get("/", auth)), (S2C, html()))
    assert secrets(ev) == [SecretSeen("digest", "Authorization", user='ad"min')]


def test_a_urlencoded_form_login_and_the_cookie_it_sets() -> None:
    body = b"user=admin&PasswordTextBox=EwsPw-Lab-8841&Login=Sign+In"
    login = post(body, path="/hp/device/SignIn/Index", ctype="application/x-www-form-urlencoded")
    answer = response(b"", "302 Found", "Location: /hp/device/Home\r\nSet-Cookie: sessionId=f5197b05; HttpOnly\r\n"
                      + HP, ctype="text/html")
    ev = run((C2S, login), (S2C, answer))
    assert secrets(ev) == [SecretSeen("form-urlencoded", "PasswordTextBox", user="admin", secret="EwsPw-Lab-8841"),
                           SecretSeen("session-set", "sessionId", secret="f5197b05")]
    assert facts(ev)["http_printer"] == "server-header"


def test_a_multipart_form_login() -> None:
    body = (b"--XyZ\r\nContent-Disposition: form-data; name=\"username\"\r\n\r\nadmin\r\n"
            b"--XyZ\r\nContent-Disposition: form-data; name=\"upload\"; filename=\"a.txt\"\r\n\r\npassword=no\r\n"
            b"--XyZ\r\nContent-Disposition: form-data; name=\"PasswordTextBox\"\r\n\r\nEwsPw-Lab-8841\r\n--XyZ--\r\n")
    login = post(body, path="/hp/device/SignIn/Index", ctype="multipart/form-data; boundary=XyZ")
    ev = run((C2S, login), (S2C, html(status="302 Found", extra="Location: /x\r\n")))
    assert secrets(ev) == [SecretSeen("form-multipart", "PasswordTextBox", user="admin", secret="EwsPw-Lab-8841")]


def test_a_form_without_a_password_is_no_login_and_sets_no_session() -> None:
    login = post(b"q=search&lang=en", path="/find", ctype="application/x-www-form-urlencoded")
    ev = run((C2S, login), (S2C, html(extra="Set-Cookie: sessionId=abc\r\n")))
    assert secrets(ev) == []


def test_session_like_cookies_sent_are_secrets_others_are_not() -> None:
    ev = run((C2S, get("/hp/device/NetworkSettings/Index", "Cookie: _ga=GA1.2; sessionId=f5197b05; lang=en\r\n")),
             (S2C, html(extra=HP)))
    assert secrets(ev) == [SecretSeen("session-cookie", "sessionId", secret="f5197b05")]


def test_a_huge_form_is_read_only_up_to_its_bound() -> None:
    body = b"PasswordTextBox=" + b"a" * (MAX_FORM + 1000)
    d = factory(80)()
    ev = d.feed(C2S, post(body, path="/x", ctype="application/x-www-form-urlencoded"))
    (s,) = secrets(ev)
    assert s.secret is not None and len(s.secret) == MAX_FORM - len(b"PasswordTextBox=")


@pytest.mark.parametrize("answer", [
    response(b"", "301 Moved Permanently", "Location: https://prn/hp/device/\r\n", ctype="text/html"),
    response(b"", "426 Upgrade Required", "Upgrade: TLS/1.2,TLS/1.1,TLS/1.0\r\nConnection: Upgrade\r\n",
             ctype="text/html"),
    html(b'<html><meta http-equiv="refresh" content="0; URL=https://prn/"></html>'),
])
def test_redirects_to_https_are_not_pages(answer: bytes) -> None:
    f = facts(run((C2S, get()), (S2C, answer)))
    assert f["http_redirect_https"] is True and "http_pages" not in f


def test_login_prompts_in_clear() -> None:
    challenge = response(b"", "401 Unauthorized", 'WWW-Authenticate: Basic realm="CUPS"\r\n', ctype="text/html")
    assert facts(run((C2S, get("/admin")), (S2C, challenge)))["http_login_prompt"] is True
    form = html(b'<form><input name="PasswordTextBox" type="password"></form>')
    assert facts(run((C2S, get()), (S2C, form)))["http_login_prompt"] is True
    other = response(b"", "401 Unauthorized", "WWW-Authenticate: Negotiate\r\n", ctype="text/html")
    assert "http_login_prompt" not in facts(run((C2S, get()), (S2C, other)))


def test_pages_are_counted_per_answer_on_a_keep_alive_connection() -> None:
    ev = run((C2S, get("/a") + get("/b") + get("/c")), (S2C, html(extra=HP) + html() + html(status="404 Not Found")))
    assert facts(ev)["http_pages"] == 2
