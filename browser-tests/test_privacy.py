"""Data-subject rights in a real (headless) browser: a correction keeps a trail (GDPR art. 16):
the person form asks for a reason when something changes (refused beside the field without
one, what was typed kept), and the privacy officer's export page shows the old and new value
with the reason; the export offers its JSON download. axe on the pages; screenshots privacy-*.png.
"""

from __future__ import annotations

import uuid

import pytest
from selenium.webdriver.common.by import By

from conftest import (SCREENSHOTS, axe_check, by_id, click_and_wait, current_path, document_status, login, open_page,
                      type_into)

pytestmark = pytest.mark.flow


def test_correction_keeps_a_trail_shown_in_the_export(new_browser):
    officer = new_browser()
    login(officer, "privacy@doorpak.example", expect_success=False)
    open_page(officer, "/privacy")
    type_into(by_id(officer, "name"), "Mila Verzonnen")
    type_into(by_id(officer, "search_reason"), "AVG-verzoek browsertest")
    click_and_wait(officer, by_id(officer, "privacy-search-submit"))
    pseudonym = officer.find_element(By.CSS_SELECTOR, "#privacy-results a.privacy-result").text.strip()

    # The coordinator who linked the demo persons corrects the contact details.
    coordinator = new_browser()
    login(coordinator, "coordinator@doorpak.example")
    open_page(coordinator, f"/persons/{pseudonym}/edit")
    assert document_status(coordinator) == 200
    new_contact = f"06-{uuid.uuid4().int % 10**8:08d}"
    contact = by_id(coordinator, "contact")
    old_contact = contact.get_attribute("value")
    type_into(contact, new_contact)
    click_and_wait(coordinator, by_id(coordinator, "person-submit"))
    assert document_status(coordinator) == 422
    assert by_id(coordinator, "reason-error").is_displayed()
    assert by_id(coordinator, "contact").get_attribute("value") == new_contact
    axe_check(coordinator)
    coordinator.save_screenshot(str(SCREENSHOTS / "privacy-correction-reason.png"))
    reason = f"Nieuw nummer doorgegeven door bewoner {uuid.uuid4().hex[:4]}"
    type_into(by_id(coordinator, "reason"), reason)
    click_and_wait(coordinator, by_id(coordinator, "person-submit"))
    assert current_path(coordinator) == f"/persons/{pseudonym}"

    open_page(officer, f"/privacy/persons/{pseudonym}/export?reason=AVG-verzoek+browsertest")
    assert document_status(officer) == 200
    table = by_id(officer, "corrections-table")
    row = next(r for r in table.find_elements(By.CSS_SELECTOR, "tbody tr") if reason in r.text)
    assert new_contact in row.text and (old_contact or "(leeg)") in row.text
    href = by_id(officer, "export-json").get_attribute("href")
    assert f"/privacy/persons/{pseudonym}/export.json?reason=" in href
    axe_check(officer)
    officer.save_screenshot(str(SCREENSHOTS / "privacy-export-corrections.png"))
