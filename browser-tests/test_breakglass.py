"""Break-the-glass in a real (headless) browser: a partner opens a report outside
their scope, gets the 404 page with the offer, asks for emergency access (a
too-short reason is refused beside the field, the text kept), opens the report;
the privacy officer sees the grant and marks it reviewed. The form and the
review page are checked with axe-core and saved as screenshots (breakglass-*.png).
"""

from __future__ import annotations

import uuid

import pytest
from selenium.webdriver.common.by import By

from conftest import (
    SCREENSHOTS,
    axe_check,
    by_id,
    click_and_wait,
    current_path,
    document_status,
    login,
    open_page,
    type_into,
)

pytestmark = pytest.mark.flow


def test_break_the_glass_and_review(new_browser):
    partner = new_browser()
    login(partner, "politie@doorpak.example")
    reference = None
    for number in range(1, 60):
        candidate = f"DP-2024-{number:06d}"
        open_page(partner, f"/reports/{candidate}")
        if document_status(partner) == 404 and partner.find_elements(By.ID, "break-glass-offer"):
            reference = candidate
            break
    assert reference, "no report outside the police's scope among the first demo reports"
    click_and_wait(partner, partner.find_element(By.CSS_SELECTOR, "#break-glass-offer a"))
    assert current_path(partner) == f"/break-glass/reports/{reference}"
    axe_check(partner)
    partner.save_screenshot(str(SCREENSHOTS / "breakglass-form.png"))
    type_into(by_id(partner, "reason"), "nood")
    click_and_wait(partner, by_id(partner, "break-glass-submit"))
    assert document_status(partner) == 422
    assert by_id(partner, "reason-error").is_displayed()
    axe_check(partner)
    reason = f"Acute nood, wijkteam vraagt context {uuid.uuid4().hex[:6]}"
    field = by_id(partner, "reason")
    field.clear()
    type_into(field, reason)
    click_and_wait(partner, by_id(partner, "break-glass-submit"))
    assert current_path(partner) == f"/reports/{reference}"
    assert document_status(partner) == 200

    officer = new_browser()
    login_path = "/login"
    open_page(officer, login_path)
    type_into(by_id(officer, "email"), "privacy@doorpak.example")
    from conftest import DEMO_PASSWORD
    type_into(by_id(officer, "password"), DEMO_PASSWORD)
    click_and_wait(officer, by_id(officer, "login-submit"))
    open_page(officer, "/audit/break-glass")
    assert document_status(officer) == 200
    row = next(r for r in officer.find_elements(By.CSS_SELECTOR, "#break-glass-table tbody tr") if reason in r.text)
    assert reference in row.text
    axe_check(officer)
    officer.save_screenshot(str(SCREENSHOTS / "breakglass-review.png"))
    grant = row.get_attribute("id").removeprefix("grant-")
    type_into(by_id(officer, f"note-{grant}"), "Terecht, bevestigd met het wijkteam")
    click_and_wait(officer, by_id(officer, f"review-{grant}"))
    row = by_id(officer, f"grant-{grant}")
    assert "Terecht, bevestigd met het wijkteam" in row.text
    assert not officer.find_elements(By.ID, f"review-form-{grant}")


DEMO_PERSONS = ["Yusuf Demonaam", "Lotte Testbewoner", "Ahmad Fictief", "Mila Verzonnen", "Semhar Voorbeeld"]


def find_pseudonyms(officer) -> list[str]:
    """The privacy officer's search on /privacy (by name, with the request reference) finds every demo person."""
    found = []
    for name in DEMO_PERSONS:
        open_page(officer, "/privacy")
        type_into(by_id(officer, "name"), name)
        type_into(by_id(officer, "search_reason"), "AVG-verzoek browsertest")
        click_and_wait(officer, by_id(officer, "privacy-search-submit"))
        assert document_status(officer) == 200
        found += [a.text.strip() for a in officer.find_elements(By.CSS_SELECTOR, "#privacy-results a.privacy-result")]
    return found


def test_break_the_glass_for_a_person_is_read_only(new_browser):
    officer = new_browser()
    login(officer, "privacy@doorpak.example", expect_success=False)
    nav = [a.get_attribute("href") for a in officer.find_elements(By.CSS_SELECTOR, "header nav a")]
    assert any(href.endswith("/privacy") for href in nav), f"no Privacy item in the navigation: {nav}"
    pseudonyms = find_pseudonyms(officer)
    assert len(pseudonyms) >= 5, pseudonyms
    axe_check(officer)
    officer.save_screenshot(str(SCREENSHOTS / "privacy-search.png"))

    partner = new_browser()
    login(partner, "politie@doorpak.example")
    pseudonym = None
    for candidate in pseudonyms:
        open_page(partner, f"/persons/{candidate}")
        if document_status(partner) == 404 and partner.find_elements(By.ID, "break-glass-offer"):
            pseudonym = candidate
            break
    assert pseudonym, "every demo person is in the police's scope"
    click_and_wait(partner, partner.find_element(By.CSS_SELECTOR, "#break-glass-offer a"))
    assert current_path(partner) == f"/break-glass/persons/{pseudonym}"
    axe_check(partner)
    partner.save_screenshot(str(SCREENSHOTS / "breakglass-person-form.png"))
    reason = f"Acute zorgen, huisarts belt {uuid.uuid4().hex[:6]}"
    type_into(by_id(partner, "reason"), reason)
    click_and_wait(partner, by_id(partner, "break-glass-submit"))
    assert current_path(partner) == f"/persons/{pseudonym}"
    assert document_status(partner) == 200

    # Reading is allowed; changing is not, and the page says why.
    open_page(partner, f"/persons/{pseudonym}/edit")
    assert document_status(partner) == 200
    type_into(by_id(partner, "unit"), "Z-99")
    type_into(by_id(partner, "reason"), "Unit gecorrigeerd tijdens noodtoegang")
    click_and_wait(partner, by_id(partner, "person-submit"))
    assert document_status(partner) == 403
    assert "alleen-lezen" in partner.find_element(By.TAG_NAME, "main").text
    axe_check(partner)
    partner.save_screenshot(str(SCREENSHOTS / "breakglass-read-only.png"))

    open_page(officer, "/audit/break-glass")
    row = next(r for r in officer.find_elements(By.CSS_SELECTOR, "#break-glass-table tbody tr") if reason in r.text)
    assert pseudonym in row.text
