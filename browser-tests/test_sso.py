"""Single sign-on against a real OpenID Connect provider run here.

Starts `oidc-provider-mock` (PyPI; a Flask/Authlib provider with discovery, JWKS, RS256 ID tokens)
on a free loopback port, wrapped in a recorder that keeps the authorization and token requests,
and two Doorpak servers of its own (`.build/debug/doorpak serve --demo`, fresh data dirs): one
with `--oidc-issuer` and passwords still on, one with `--disable-local-passwords`. The user signs
in on the provider's own page by typing a demo user's e-mail address as the subject.

Needs no DOORPAK_URL; DOORPAK_BIN overrides the binary.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import shutil
import socket
import subprocess
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar
from pathlib import Path

import pytest
import werkzeug.serving
from oidc_provider_mock import app as oidc_app
from selenium.webdriver.common.by import By

from conftest import (ADMIN, POLICE, ROOT, SCREENSHOTS, axe_check, body_text, by_id, click_and_wait, current_path,
                      exists, h1_text, make_driver, open_page)

pytestmark = pytest.mark.flow

CLIENT_ID = "doorpak-test"
CLIENT_SECRET = "s3cret-for-tests-only"
PROVIDER_NAME = "Testorganisatie"
BIN = Path(os.environ.get("DOORPAK_BIN", str(ROOT / ".build" / "debug" / "doorpak")))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Recorder:
    """WSGI middleware that keeps what the relying party sent to the provider."""

    def __init__(self, app):
        self.app = app
        self.authorize: list[dict[str, str]] = []
        self.token: list[dict[str, object]] = []
        self.redirects: list[str] = []

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        if path == "/oauth2/authorize" and environ["REQUEST_METHOD"] == "GET":
            self.authorize.append(dict(urllib.parse.parse_qsl(environ.get("QUERY_STRING", ""))))
        if path == "/oauth2/token":
            length = int(environ.get("CONTENT_LENGTH") or 0)
            body = environ["wsgi.input"].read(length)
            environ["wsgi.input"] = __import__("io").BytesIO(body)
            self.token.append({"form": dict(urllib.parse.parse_qsl(body.decode())),
                               "authorization": environ.get("HTTP_AUTHORIZATION", "")})
        def recording_start_response(status, headers, exc_info=None):
            if path == "/oauth2/authorize":
                self.redirects += [v for k, v in headers if k.lower() == "location"]
            return start_response(status, headers, exc_info)

        return self.app(environ, recording_start_response)


@pytest.fixture(scope="module")
def provider():
    port = free_port()
    recorder = Recorder(oidc_app(require_nonce=True))
    server = werkzeug.serving.make_server("127.0.0.1", port, recorder, threaded=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
    thread.start()
    recorder.issuer = f"http://127.0.0.1:{port}"
    yield recorder
    server.shutdown()
    thread.join(5)


def start_doorpak(issuer: str, *extra: str):
    if not BIN.exists():
        pytest.fail(f"{BIN} is not built (swift build --product doorpak)", pytrace=False)
    data = tempfile.mkdtemp(prefix="doorpak-sso-")
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DOORPAK_DATA_DIR", "PORT", "HOST")}
    env["DOORPAK_OIDC_CLIENT_SECRET"] = CLIENT_SECRET
    log = open(Path(data) / "server.log", "wb")
    process = subprocess.Popen(
        [str(BIN), "serve", "--demo", "--port", str(port), "--data-dir", data, "--oidc-issuer", issuer,
         "--oidc-client-id", CLIENT_ID, "--oidc-name", PROVIDER_NAME, *extra],
        stdout=log, stderr=subprocess.STDOUT, env=env, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while True:
        if process.poll() is not None:
            pytest.fail(f"doorpak exited: {(Path(data) / 'server.log').read_text()[-2000:]}", pytrace=False)
        try:
            with urllib.request.urlopen(base + "/health", timeout=2) as r:
                if r.status == 200:
                    break
        except OSError:
            pass
        if time.monotonic() > deadline:
            process.kill()
            pytest.fail("doorpak did not answer /health within 120 s", pytrace=False)
        time.sleep(0.3)
    return process, base, data, log


def stop_doorpak(process, data, log):
    process.terminate()
    try:
        process.wait(20)
    except subprocess.TimeoutExpired:
        process.kill()
    log.close()
    shutil.rmtree(data, ignore_errors=True)


@pytest.fixture(scope="module")
def doorpak(provider):
    process, base, data, log = start_doorpak(provider.issuer)
    yield base
    stop_doorpak(process, data, log)


@pytest.fixture(scope="module")
def doorpak_sso_only(provider):
    process, base, data, log = start_doorpak(provider.issuer, "--disable-local-passwords")
    yield base
    stop_doorpak(process, data, log)


@pytest.fixture
def browser(request):
    drivers = []

    def factory(base: str):
        d = make_driver()
        d.base_url = base
        drivers.append(d)
        return d

    yield factory
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for i, d in enumerate(drivers):
        try:
            d.save_screenshot(str(SCREENSHOTS / f"{request.node.name}{'' if i == 0 else f'-{i + 1}'}.png"))
        finally:
            d.quit()


def sign_in_at_provider(driver, subject: str) -> None:
    """On the provider's own authorization page: type the subject (the mock uses it as the e-mail claim)."""
    assert "/oauth2/authorize" in driver.current_url, f"not at the provider: {driver.current_url}"
    field = driver.find_element(By.CSS_SELECTOR, "input[name=sub]")
    field.send_keys(subject)
    click_and_wait(driver, driver.find_element(By.CSS_SELECTOR, "form button[type=submit]:not([name])"))


def s256(verifier: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()


def test_sso_sign_in_lands_signed_in(browser, doorpak, provider):
    driver = browser(doorpak)
    open_page(driver, "/login")
    button = by_id(driver, "sso-login")
    assert button.text.strip() == f"Inloggen met {PROVIDER_NAME}"
    assert exists(driver, "#password"), "with passwords on, the password form stays"
    axe_check(driver)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    driver.save_screenshot(str(SCREENSHOTS / "sso-login-page.png"))
    click_and_wait(driver, button)
    sign_in_at_provider(driver, ADMIN)
    assert current_path(driver) == "/reports", f"ended on {driver.current_url}: {h1_text(driver)!r} {body_text(driver)[:300]!r}"
    assert exists(driver, "#logout"), "signed in: the sign-out button shows"

    # What went over the wire: PKCE S256 with a verifier that matches, state and nonce, a
    # confidential client authenticating with its secret.
    sent = provider.authorize[-1]
    assert sent["response_type"] == "code" and sent["client_id"] == CLIENT_ID
    assert sent["code_challenge_method"] == "S256"
    assert len(sent["state"]) >= 43 and len(sent["nonce"]) >= 43
    assert sent["redirect_uri"] == doorpak + "/login/sso/callback"
    exchange = provider.token[-1]
    assert s256(exchange["form"]["code_verifier"]) == sent["code_challenge"]
    assert exchange["authorization"].startswith("Basic ")
    assert base64.b64decode(exchange["authorization"][6:]).decode() == f"{CLIENT_ID}:{CLIENT_SECRET}"

    # The login is in the access log as a sign-on.
    open_page(driver, "/audit?action=login")
    assert "sso" in body_text(driver)


def test_unknown_email_is_refused_and_logged(browser, doorpak):
    driver = browser(doorpak)
    open_page(driver, "/login")
    click_and_wait(driver, by_id(driver, "sso-login"))
    sign_in_at_provider(driver, "onbekend@elders.example")
    assert current_path(driver) == "/login/sso/callback"
    assert by_id(driver, "sso-failed").get_attribute("data-reason") == "no_account"
    assert "geen actief Doorpak-account" in body_text(driver)
    assert not exists(driver, "#logout"), "nobody is signed in"
    axe_check(driver)

    admin = browser(doorpak)
    open_page(admin, "/login")
    click_and_wait(admin, by_id(admin, "sso-login"))
    sign_in_at_provider(admin, ADMIN)
    open_page(admin, "/audit?action=login_failed")
    assert "sso: no_account" in body_text(admin)
    assert "onbekend@elders.example" not in body_text(admin), "the refused address is not logged"


def test_replayed_callback_is_refused(browser, doorpak, provider):
    driver = browser(doorpak)
    open_page(driver, "/login")
    click_and_wait(driver, by_id(driver, "sso-login"))
    sign_in_at_provider(driver, ADMIN)
    assert current_path(driver) == "/reports"
    # The provider's redirect back (code and state) used a second time, in the same browser.
    callback = provider.redirects[-1]
    assert callback.startswith(doorpak + "/login/sso/callback?")
    driver.get(callback)
    assert by_id(driver, "sso-failed").get_attribute("data-reason") == "expired"


def test_local_passwords_can_be_switched_off(browser, doorpak_sso_only):
    driver = browser(doorpak_sso_only)
    open_page(driver, "/login")
    assert not exists(driver, "#password"), "the password form is gone"
    assert by_id(driver, "sso-login").text.strip() == f"Inloggen met {PROVIDER_NAME}"
    axe_check(driver)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    driver.save_screenshot(str(SCREENSHOTS / "sso-only-login-page.png"))

    # A password post is refused even with a valid CSRF token and the demo password.
    jar = CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    opener.open(doorpak_sso_only + "/login").read()
    csrf = next(c.value for c in jar if c.name == "dp_csrf")
    body = urllib.parse.urlencode({"_csrf": csrf, "email": ADMIN, "password": "doorpak-demo-2026"}).encode()
    with pytest.raises(urllib.error.HTTPError) as refused:
        opener.open(urllib.request.Request(doorpak_sso_only + "/login", data=body,
                                           headers={"Content-Type": "application/x-www-form-urlencoded"}))
    assert refused.value.code == 403
    assert not any(c.name == "dp_session" for c in jar)

    click_and_wait(driver, by_id(driver, "sso-login"))
    sign_in_at_provider(driver, ADMIN)
    assert current_path(driver) == "/reports"


def test_reauthentication_goes_through_the_provider(browser, doorpak_sso_only, provider):
    """With local passwords off, /reauth offers only the provider; the provider is asked to sign the
    user in again (prompt=login, max_age=0) and the session counts as re-verified, logged as sso."""
    driver = browser(doorpak_sso_only)
    open_page(driver, "/login")
    click_and_wait(driver, by_id(driver, "sso-login"))
    sign_in_at_provider(driver, ADMIN)
    assert current_path(driver) == "/reports"

    open_page(driver, "/reauth?next=%2Faccount")
    assert not exists(driver, "#password"), "no password to type with local passwords off"
    link = by_id(driver, "reauth-sso")
    assert link.text.strip() == f"Opnieuw inloggen met {PROVIDER_NAME}"
    axe_check(driver)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    driver.save_screenshot(str(SCREENSHOTS / "sso-reauth-page.png"))
    before = len(provider.authorize)
    click_and_wait(driver, link)
    assert len(provider.authorize) == before + 1
    sent = provider.authorize[-1]
    assert sent["prompt"] == "login" and sent["max_age"] == "0", sent
    sign_in_at_provider(driver, ADMIN)
    assert current_path(driver) == "/account", f"ended on {driver.current_url}: {body_text(driver)[:300]!r}"
    open_page(driver, "/audit?action=reauthenticated")
    assert "sso" in body_text(driver)


def test_reauthentication_as_someone_else_is_refused(browser, doorpak_sso_only):
    driver = browser(doorpak_sso_only)
    open_page(driver, "/login")
    click_and_wait(driver, by_id(driver, "sso-login"))
    sign_in_at_provider(driver, ADMIN)
    open_page(driver, "/reauth?next=%2Faccount")
    click_and_wait(driver, by_id(driver, "reauth-sso"))
    sign_in_at_provider(driver, POLICE)
    assert by_id(driver, "sso-failed").get_attribute("data-reason") == "other_account"
    axe_check(driver)
    # Still the administrator's session, not re-verified: a sensitive page sends back to /reauth.
    open_page(driver, "/audit?action=login_failed")
    assert "sso: other_account" in body_text(driver)


def test_sign_out_goes_on_to_the_provider(browser, doorpak, provider):
    driver = browser(doorpak)
    open_page(driver, "/login")
    click_and_wait(driver, by_id(driver, "sso-login"))
    sign_in_at_provider(driver, ADMIN)
    click_and_wait(driver, by_id(driver, "logout"))
    # The provider's end-session page (RP-initiated logout), with our client and the way back.
    deadline = time.monotonic() + 10
    while "/oauth2/end_session" not in driver.current_url and time.monotonic() < deadline:
        time.sleep(0.2)
    assert "/oauth2/end_session" in driver.current_url, driver.current_url
    query = dict(urllib.parse.parse_qsl(urllib.parse.urlparse(driver.current_url).query))
    assert query["client_id"] == CLIENT_ID and query["post_logout_redirect_uri"] == doorpak + "/login"
    click_and_wait(driver, driver.find_element(By.CSS_SELECTOR, "form button[type=submit]"))
    assert current_path(driver) == "/login"
    assert not exists(driver, "#logout")
