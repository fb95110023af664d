"""Retention pages: the periods and destruction records for the privacy officer, the periods form
for administrators (a refused value shown beside its field), both axe-clean."""

from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By

from conftest import (ADMIN, axe_check, by_id, click_and_wait, current_path, document_status, exists, login,
                      open_page, type_into)

pytestmark = pytest.mark.flow

PRIVACY = "privacy@doorpak.example"


def test_privacy_officer_sees_periods_and_destruction_records(driver):
    login(driver, PRIVACY, expect_success=False)
    open_page(driver, "/retention")
    assert document_status(driver) == 200
    assert exists(driver, "#periods-table")
    rows = driver.find_elements(By.CSS_SELECTOR, "#periods-table tbody tr")
    # One row per record type (RetentionRecordType): closed cases, closed and resolved reports, report
    # notes, persons, notifications, outbox, sessions, login attempts and the access log.
    assert len(rows) == 10
    assert any("5 jaar" in r.text or "1826" in r.text for r in rows), "closed cases have their own period"
    assert exists(driver, "#destruction-table") or exists(driver, "#no-records")
    assert not exists(driver, "#edit-periods"), "only administrators change periods"
    axe_check(driver)


def test_administrator_changes_a_period(driver):
    login(driver, ADMIN)
    open_page(driver, "/admin/retention")
    axe_check(driver)
    field = by_id(driver, "notifications")
    type_into(field, "5")
    click_and_wait(driver, by_id(driver, "retention-submit"))
    assert document_status(driver) == 422
    assert exists(driver, "#notifications-error") and exists(driver, "#error-summary")
    assert by_id(driver, "notifications").get_attribute("value") == "5"
    axe_check(driver)
    type_into(by_id(driver, "notifications"), "180")
    click_and_wait(driver, by_id(driver, "retention-submit"))
    assert current_path(driver) == "/admin/retention"
    assert exists(driver, "#saved-notice")
