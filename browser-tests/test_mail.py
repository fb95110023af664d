"""Notification e-mail delivered to a real SMTP server (aiosmtpd) run here.

Starts an aiosmtpd Controller on a free loopback port and a Doorpak server of its own
(`.build/debug/doorpak serve --demo`, fresh data dir, DOORPAK_BIN overrides the binary) with
`--smtp-*` flags pointing at it. A demo partner chooses "immediately" on the account page; an
district coordinator assigns a report to them with the report page's assignment form; the mail that
arrives must carry the reference and an absolute link, and none of the report's description,
its category or anyone's name. Further servers do the same over STARTTLS and implicit TLS with AUTH.

Needs no DOORPAK_URL.
"""

from __future__ import annotations

import email
import email.policy
import os
import re
import shutil
import socket
import ssl
import subprocess
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from conftest import (COORDINATOR, POLICE, ROOT, SCREENSHOTS, axe_check, body_text, by_id, click_and_wait, current_path,
                      h1_text, login, logout, make_driver, open_page)

pytestmark = pytest.mark.flow

BIN = Path(os.environ.get("DOORPAK_BIN", str(ROOT / ".build" / "debug" / "doorpak")))
SENDER = "doorpak@gemeente.example"
SMTP_USER = "doorpak-mailer"
SMTP_PASSWORD = "mail-s3cret-for-tests-only"
#: Every demo user's name (DemoData.swift): none may appear in a mail.
DEMO_NAMES = ["Marieke van den Berg", "Sanne Verhoeven", "Joost Hendriks", "Nadia Verbeek", "Ruben de Graaf", "Eva Smit",
              "Pieter Bakker", "Thomas Kuipers", "Lotte Jansen", "Daan Visser", "Iris Bosman", "Kevin Dekker",
              "Femke Willems", "Bas Koster", "Noor Peters", "Mark Hoekstra"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Inbox:
    """An aiosmtpd handler that keeps every message it is given."""

    def __init__(self):
        self.messages: list[dict] = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.messages.append({"from": envelope.mail_from, "to": list(envelope.rcpt_tos), "data": envelope.original_content,
                                  "auth": session.authenticated,
                                  "tls": session.ssl is not None or server.transport.get_extra_info("ssl_object") is not None})
        return "250 Message accepted for delivery"

    def wait_for(self, recipient: str, timeout: float = 90) -> dict:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                for message in self.messages:
                    if recipient in message["to"]:
                        return message
            time.sleep(0.5)
        pytest.fail(f"no mail for {recipient} within {timeout:.0f} s; got {len(self.messages)} other(s)", pytrace=False)


def authenticate(server, session, envelope, mechanism, auth_data):
    ok = isinstance(auth_data, LoginPassword) and auth_data.login == SMTP_USER.encode() and auth_data.password == SMTP_PASSWORD.encode()
    return AuthResult(success=ok)


def start_doorpak(*smtp_args: str, env_extra: dict[str, str] | None = None):
    if not BIN.exists():
        pytest.fail(f"{BIN} is not built (swift build --product doorpak)", pytrace=False)
    data = tempfile.mkdtemp(prefix="doorpak-mail-")
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DOORPAK_DATA_DIR", "PORT", "HOST", "DOORPAK_PUBLIC_URL")}
    env.update(env_extra or {})
    log = open(Path(data) / "server.log", "wb")
    process = subprocess.Popen([str(BIN), "serve", "--demo", "--port", str(port), "--data-dir", data, *smtp_args],
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


def stop_doorpak(process, data, log) -> str:
    process.terminate()
    try:
        process.wait(20)
    except subprocess.TimeoutExpired:
        process.kill()
    log.close()
    text = (Path(data) / "server.log").read_text(errors="replace")
    shutil.rmtree(data, ignore_errors=True)
    return text


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


def choose_immediately(driver) -> None:
    """As the signed-in user: e-mail immediately, on the account page."""
    open_page(driver, "/account")
    by_id(driver, "notification-preference-form")
    by_id(driver, "mail-immediately").click()
    click_and_wait(driver, by_id(driver, "notification-preference-submit"))
    assert current_path(driver) == "/account"
    assert by_id(driver, "preference-saved").is_displayed()
    assert by_id(driver, "mail-immediately").is_selected()


def assign_a_police_report_to(driver, owner_name: str) -> dict[str, str]:
    """As the district coordinator: open a report routed to the police and make `owner_name` its owner.
    Returns what the mail must not contain (description, category) and the reference."""
    open_page(driver, "/reports?status=new")
    links = [a.get_attribute("href") for a in driver.find_elements(By.CSS_SELECTOR, "table a[href^='/reports/DP-'], table a[href*='/reports/DP-']")]
    assert links, "the demo worklist has reports"
    for link in links[:60]:
        driver.get(link)
        owner = Select(by_id(driver, "assign-owner"))
        labels = {o.text.strip(): o.get_attribute("value") for o in owner.options}
        if owner_name in labels and owner.first_selected_option.text.strip() != owner_name:
            reference = h1_text(driver).split()[0]
            description = by_id(driver, "report-description").text.strip()
            category = driver.find_element(By.CSS_SELECTOR, "h1 .subtitle").text.split("·")[-1].strip()
            owner.select_by_visible_text(owner_name)
            click_and_wait(driver, by_id(driver, "assign-submit"))
            assert by_id(driver, "report-owner").text.strip() == owner_name, body_text(driver)[:500]
            return {"reference": reference, "description": description, "category": category}
    pytest.fail(f"no report among the first {len(links)} could be assigned to {owner_name}", pytrace=False)


def check_mail(message: dict, base: str, seen: dict[str, str]) -> str:
    parsed = email.message_from_bytes(message["data"], policy=email.policy.default)
    body = parsed.get_content()
    whole = parsed["Subject"] + "\n" + body
    reference = seen["reference"]
    assert message["from"] == SENDER and message["to"] == [POLICE]
    assert reference in parsed["Subject"], parsed["Subject"]
    assert f"{base}/reports/{reference}" in body, body
    assert parsed["Message-ID"] and re.fullmatch(r"<[0-9a-f-]{36}@gemeente\.example>", parsed["Message-ID"].strip())
    assert parsed["Date"] and parsed["MIME-Version"] == "1.0"
    assert parsed.get_content_type() == "text/plain" and parsed.get_content_charset() == "utf-8"
    # Only the reference and links: no description (not even a long piece of it), no category, no names.
    description = seen["description"]
    for piece in [description] + [description[i:i + 25] for i in range(0, max(1, len(description) - 25), 25)]:
        assert piece not in whole, f"the description leaked: {piece!r}"
    assert seen["category"].lower() not in whole.lower(), f"the category {seen['category']!r} leaked"
    for name in DEMO_NAMES:
        assert name not in whole and name.split()[-1] not in whole, f"a name leaked: {name}"
    return body


def test_assignment_mails_the_new_owner_with_reference_and_link_only(browser):
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    process, base, data, log = start_doorpak("--smtp-host", "127.0.0.1", "--smtp-port", str(controller.port),
                                             "--smtp-tls", "none", "--mail-from", SENDER)
    server_log = ""
    try:
        officer = browser(base)
        login(officer, POLICE)
        choose_immediately(officer)
        axe_check(officer)
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        officer.save_screenshot(str(SCREENSHOTS / "account-notification-preference.png"))

        admin = browser(base)
        login(admin, COORDINATOR)
        seen = assign_a_police_report_to(admin, "Ruben de Graaf")

        message = inbox.wait_for(POLICE)
        check_mail(message, base, seen)
        assert not message["tls"] and not message["auth"]

        # The same notification in the app: unread, in words, counted in the navigation.
        open_page(officer, "/notifications")
        assert h1_text(officer) == "Berichten"
        row = officer.find_element(By.CSS_SELECTOR, "#notifications-table tbody tr")
        assert "Nieuw" in row.text and seen["reference"] in row.text
        # The demo's seeded escalations also notified this officer: the count holds those and this one.
        count = officer.find_element(By.CSS_SELECTOR, ".main-nav a[href='/notifications'] .nav-count").text.split()[0]
        assert count.rstrip("+").isdigit() and int(count.rstrip("+")) >= 1, count
        axe_check(officer)
        officer.save_screenshot(str(SCREENSHOTS / "notifications-page.png"))
        click_and_wait(officer, by_id(officer, "mark-all-read"))
        assert by_id(officer, "marked-read").is_displayed()
        assert not officer.find_elements(By.CSS_SELECTOR, ".main-nav a[href='/notifications'] .nav-count")
        link = officer.find_element(By.CSS_SELECTOR, "#notifications-table tbody tr a")
        click_and_wait(officer, link)
        assert current_path(officer) == f"/reports/{seen['reference']}"
    finally:
        server_log = stop_doorpak(process, data, log)
        controller.stop()
    # Secrets and addresses stay out of the server's log.
    assert POLICE not in server_log


@pytest.fixture(scope="module")
def tls_files():
    folder = Path(tempfile.mkdtemp(prefix="doorpak-smtp-tls-"))
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=localhost",
                    "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
                    "-keyout", str(folder / "key.pem"), "-out", str(folder / "cert.pem")], check=True, capture_output=True)
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


@pytest.mark.parametrize("mode", ["starttls", "tls"])
@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
def test_tls_with_auth_delivers_and_keeps_the_password_out_of_the_log(browser, tls_files, mode):
    """STARTTLS (required by the server) and implicit TLS, each with AUTH and a private CA."""
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(str(tls_files / "cert.pem"), str(tls_files / "key.pem"))
    inbox = Inbox()
    # aiosmtpd's auth_require_tls only knows STARTTLS; with implicit TLS the whole connection is encrypted.
    tls = ({"tls_context": context, "require_starttls": True, "auth_require_tls": True} if mode == "starttls"
           else {"ssl_context": context, "auth_require_tls": False})
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port(), **tls, authenticator=authenticate, auth_required=True)
    controller.start()
    process, base, data, log = start_doorpak(
        "--smtp-host", "localhost", "--smtp-port", str(controller.port), "--smtp-tls", mode,
        "--smtp-username", SMTP_USER, "--smtp-ca-file", str(tls_files / "cert.pem"), "--mail-from", SENDER,
        env_extra={"DOORPAK_SMTP_PASSWORD": SMTP_PASSWORD})
    try:
        officer = browser(base)
        login(officer, POLICE)
        choose_immediately(officer)
        admin = browser(base)
        login(admin, COORDINATOR)
        seen = assign_a_police_report_to(admin, "Ruben de Graaf")
        message = inbox.wait_for(POLICE)
        assert message["tls"] and message["auth"], f"sent over {mode} after AUTH"
        check_mail(message, base, seen)
    finally:
        server_log = stop_doorpak(process, data, log)
        controller.stop()
    assert SMTP_PASSWORD not in server_log
