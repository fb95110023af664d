"""Sign-in security in a real (headless) browser: password rules, two-factor
enrolment with the QR code (decoded with zxing-cpp and compared with the
secret shown as text), sign-in with a TOTP code computed by pyotp and with a
recovery code, password change, re-authentication, and an administrator's
password reset. Every page it adds is checked with axe-core and saved as a
screenshot (auth-*.png).

The demo server runs with two-factor optional (`--demo`), so the test makes
its own user through the admin pages and leaves the demo users alone.
"""

from __future__ import annotations

import io
import time
import uuid

import pyotp
import pytest
import zxingcpp
from PIL import Image
from selenium.webdriver.common.by import By

from conftest import (
    ADMIN,
    SCREENSHOTS,
    axe_check,
    by_id,
    choose,
    click_and_wait,
    current_path,
    document_status,
    error_texts,
    exists,
    login,
    open_page,
    type_into,
)

pytestmark = pytest.mark.flow

PASSWORD = "zeven zonnige zeilboten"
NEW_PASSWORD = "acht natte regenjassen"


def shot(driver, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    driver.save_screenshot(str(SCREENSHOTS / f"auth-{name}.png"))


def check(driver, name: str, show: str | None = None) -> None:
    """axe-core on the current page, and a screenshot to look at (scrolled to `show`)."""
    axe_check(driver)
    if show:
        driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", by_id(driver, show))
    shot(driver, name)


def sign_in(driver, email: str, password: str) -> None:
    open_page(driver, "/login")
    type_into(by_id(driver, "email"), email)
    type_into(by_id(driver, "password"), password)
    click_and_wait(driver, by_id(driver, "login-submit"))


def submit_code(driver, code: str) -> None:
    type_into(by_id(driver, "code"), code)
    click_and_wait(driver, by_id(driver, "code-submit"))


def sign_out(driver) -> None:
    click_and_wait(driver, by_id(driver, "logout"))


def create_user(admin, email: str) -> str:
    """Creates an analyst through the admin form (first with a common password,
    which must be refused beside the field); returns the user page's path."""
    open_page(admin, "/admin/users/new")
    type_into(by_id(admin, "email"), email)
    type_into(by_id(admin, "name"), "Toets Tweestaps")
    type_into(by_id(admin, "password"), "wachtwoord1234")
    choose(by_id(admin, "role"), "analyst")
    click_and_wait(admin, by_id(admin, "admin-submit"))
    assert document_status(admin) == 422
    assert exists(admin, "#password-error"), error_texts(admin)
    type_into(by_id(admin, "password"), PASSWORD)
    click_and_wait(admin, by_id(admin, "admin-submit"))
    assert current_path(admin).startswith("/admin/users/"), error_texts(admin)
    return current_path(admin)


def decode_qr(driver) -> str:
    """The text in the page's QR code, read from a screenshot of the SVG."""
    svg = driver.find_element(By.CSS_SELECTOR, "svg.qr-code")
    image = Image.open(io.BytesIO(svg.screenshot_as_png))
    results = zxingcpp.read_barcodes(image)
    assert results, "zxing-cpp found no QR code in the enrolment page's SVG"
    return results[0].text


def test_two_factor_enrolment_sign_in_and_recovery(new_browser):
    admin = new_browser()
    login(admin, ADMIN)
    email = f"tweestaps-{uuid.uuid4().hex[:8]}@doorpak.example"
    user_page = create_user(admin, email)

    user = new_browser()
    sign_in(user, email, PASSWORD)
    assert current_path(user) == "/locations", error_texts(user)

    # Enrol on "Mijn account".
    open_page(user, "/account")
    assert "uit" in by_id(user, "two-factor-state").text
    check(user, "account-two-factor-off")
    click_and_wait(user, by_id(user, "enable-two-factor"))
    assert current_path(user) == "/account/two-factor"
    check(user, "two-factor-setup")
    secret = by_id(user, "totp-secret").text.replace(" ", "")
    totp = pyotp.TOTP(secret)
    assert decode_qr(user) == f"otpauth://totp/Doorpak:{email}?secret={secret}&issuer=Doorpak&algorithm=SHA1&digits=6&period=30"
    type_into(by_id(user, "code"), "000000")
    click_and_wait(user, by_id(user, "enrol-submit"))
    assert document_status(user) == 422 and exists(user, "#code-error")
    check(user, "two-factor-setup-wrong-code")
    type_into(by_id(user, "code"), totp.now())
    click_and_wait(user, by_id(user, "enrol-submit"))
    codes = [c.text for c in user.find_elements(By.CSS_SELECTOR, "#recovery-codes code")]
    assert len(codes) == 10
    check(user, "recovery-codes")
    click_and_wait(user, by_id(user, "codes-continue"))
    assert "aan" in by_id(user, "two-factor-state").text
    check(user, "account-two-factor-on")

    # Sign out and in again: password, then the code.
    sign_out(user)
    sign_in(user, email, PASSWORD)
    assert current_path(user) == "/login/two-factor"
    check(user, "sign-in-code")
    open_page(user, "/account")  # not signed in yet
    assert current_path(user) == "/login"
    sign_in(user, email, PASSWORD)
    submit_code(user, "123456" if totp.now() != "123456" else "654321")
    assert document_status(user) == 401 and exists(user, "#code-error")
    check(user, "sign-in-code-wrong")
    # The enrolment used the current step: the next one is accepted (one step of clock drift is allowed).
    submit_code(user, totp.at(time.time() + 30))
    assert current_path(user) == "/locations", error_texts(user)

    # Re-authentication for a sensitive action asks for the password and a code; a recovery code works once.
    open_page(user, "/reauth?next=%2Faccount%2Fpassword")
    check(user, "reauth")
    type_into(by_id(user, "password"), PASSWORD)
    type_into(by_id(user, "code"), codes[0])
    click_and_wait(user, by_id(user, "reauth-submit"))
    assert current_path(user) == "/account/password", error_texts(user)
    check(user, "password-change")

    # Change the password: a common one is refused beside the field, a good one is taken.
    type_into(by_id(user, "current_password"), PASSWORD)
    type_into(by_id(user, "new_password"), "welkom123456")
    type_into(by_id(user, "repeat_password"), "welkom123456")
    click_and_wait(user, by_id(user, "password-submit"))
    assert document_status(user) == 422 and exists(user, "#new_password-error")
    check(user, "password-change-refused")
    type_into(by_id(user, "current_password"), PASSWORD)
    type_into(by_id(user, "new_password"), NEW_PASSWORD)
    type_into(by_id(user, "repeat_password"), NEW_PASSWORD)
    click_and_wait(user, by_id(user, "password-submit"))
    assert current_path(user) == "/account" and exists(user, "#password-changed")

    # The administrator resets the password to a one-time password.
    open_page(admin, user_page)
    assert exists(admin, "#reset-password") and exists(admin, "#reset-two-factor")
    check(admin, "admin-user-security", show="reset-password")
    click_and_wait(admin, by_id(admin, "reset-password"))
    one_time = by_id(admin, "one-time-password").text
    check(admin, "admin-one-time-password")

    # The user's session ended; the one-time password, a recovery code, then a new password of their own.
    open_page(user, "/account")
    assert current_path(user) == "/login"
    sign_in(user, email, one_time)
    assert current_path(user) == "/login/two-factor"
    submit_code(user, codes[0])  # already used for the re-authentication
    assert document_status(user) == 401
    submit_code(user, codes[1])
    assert current_path(user) == "/login/new-password", error_texts(user)
    check(user, "new-password")
    type_into(by_id(user, "new_password"), PASSWORD + " opnieuw")
    type_into(by_id(user, "repeat_password"), PASSWORD + " opnieuw")
    click_and_wait(user, by_id(user, "password-submit"))
    assert current_path(user) == "/locations", error_texts(user)
