"""Persons and cooling-off dwellings in a real (headless) browser, with axe on every page.

Against `doorpak serve --demo`: the police link a person to one of their reports (errors shown
in place first), find the person again with a reason, and the GGD linking the same person to
its own report is told the police are involved; then a coordinator takes a cooling-off placement
from request through approval, start and extension to its end.
"""

from __future__ import annotations

import datetime as dt
import uuid
from urllib.parse import urlparse

from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from conftest import (
    COORDINATOR,
    GGD,
    POLICE,
    SCREENSHOTS,
    axe_check,
    body_text,
    by_id,
    choose,
    click_and_wait,
    current_path,
    error_texts,
    exists,
    h1_text,
    login,
    open_page,
    set_value,
    type_into,
)


def shot(driver, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    driver.save_screenshot(str(SCREENSHOTS / f"cases-{name}.png"))


def first_report_path(driver) -> str:
    open_page(driver, "/reports")
    link = driver.find_element(By.CSS_SELECTOR, "table a[href^='/reports/DP-']")
    return urlparse(link.get_attribute("href")).path


def link_person(driver, report_path: str, name: str, birth_date: str, role: str) -> None:
    open_page(driver, report_path)
    assert exists(driver, "#report-persons"), "the report page has a persons section"
    click_and_wait(driver, by_id(driver, "link-person"))
    choose(by_id(driver, "role"), role)
    type_into(by_id(driver, "name"), name)
    set_value(driver, by_id(driver, "birth_date"), birth_date)
    click_and_wait(driver, by_id(driver, "person-submit"))


def test_person_link_search_and_who_else(new_browser):
    name = f"Fictief Browsertest {uuid.uuid4().hex[:6]}"
    police = new_browser()
    login(police, POLICE, expect_success=False)
    report = first_report_path(police)
    open_page(police, report + "/persons/new")
    axe_check(police)
    click_and_wait(police, by_id(police, "person-submit"))
    assert error_texts(police), "an empty form shows errors"
    assert exists(police, "#role-error") and exists(police, "#name-error")
    axe_check(police)
    shot(police, "person-form-errors")

    link_person(police, report, name, "2001-05-06", "causing_concern")
    assert current_path(police).startswith("/persons/P-"), f"linking ends on the person page, not {police.current_url}"
    assert exists(police, "#person-created")
    assert name in h1_text(police)
    pseudonym = current_path(police).split("/")[2]
    axe_check(police)
    shot(police, "person-page")

    open_page(police, report)
    assert pseudonym in by_id(police, "report-persons").text
    assert name not in body_text(police), "the report page shows the pseudonym, not the name"
    axe_check(police)

    open_page(police, "/persons")
    type_into(by_id(police, "name"), name.upper())
    click_and_wait(police, by_id(police, "person-search-submit"))
    assert exists(police, "#reason-error"), "searching without a reason is refused"
    axe_check(police)
    type_into(by_id(police, "reason"), "Browsertest: melding afhandelen")
    click_and_wait(police, by_id(police, "person-search-submit"))
    assert pseudonym in by_id(police, "person-results").text
    axe_check(police)
    shot(police, "person-search")

    ggd = new_browser()
    login(ggd, GGD, expect_success=False)
    open_page(ggd, f"/persons/{pseudonym}")
    assert "404" in ggd.title or exists(ggd, "main h1") and pseudonym not in body_text(ggd), "the GGD cannot see the person yet"
    link_person(ggd, first_report_path(ggd), name.lower(), "2001-05-06", "affected")
    assert exists(ggd, "#person-matched"), "the same name and date of birth match the known person"
    assert current_path(ggd) == f"/persons/{pseudonym}"
    assert "Politie" in by_id(ggd, "who-else").text, "the police are shown as involved"
    # The match links, but discloses nothing the police recorded, and offers no blind edit (issue 11).
    assert exists(ggd, "#details-withheld"), "the details the police recorded are withheld"
    assert not exists(ggd, "#edit-person"), "details one cannot read are not edited"
    axe_check(ggd)
    shot(ggd, "person-who-else")


def test_cooling_off_placement_from_request_to_end(new_browser):
    name = f"Fictief Afkoeling {uuid.uuid4().hex[:6]}"
    coordinator = new_browser()
    login(coordinator, COORDINATOR, expect_success=False)
    open_page(coordinator, "/cooling-off")
    assert exists(coordinator, "#availability"), "the availability calendar is shown"
    assert exists(coordinator, "#occupancy"), "the demo placement shows in the occupancy view"
    axe_check(coordinator)
    shot(coordinator, "cooling-off-overview")

    link_person(coordinator, first_report_path(coordinator), name, "2000-02-03", "causing_concern")
    click_and_wait(coordinator, by_id(coordinator, "request-placement"))
    click_and_wait(coordinator, by_id(coordinator, "placement-request-submit"))
    assert exists(coordinator, "#reason-error") and exists(coordinator, "#guidance_organisation-error")
    axe_check(coordinator)
    today = dt.date.today()
    type_into(by_id(coordinator, "reason"), "Browsertest: afstand nodig na bedreiging")
    set_value(coordinator, by_id(coordinator, "from"), today.isoformat())
    set_value(coordinator, by_id(coordinator, "through"), (today + dt.timedelta(days=5)).isoformat())
    Select(by_id(coordinator, "guidance_organisation")).select_by_visible_text("GGD – Vangnet & Advies")
    click_and_wait(coordinator, by_id(coordinator, "placement-request-submit"))
    assert current_path(coordinator).startswith("/cooling-off/placements/")
    placement = current_path(coordinator)
    axe_check(coordinator)
    shot(coordinator, "placement-requested")

    Select(by_id(coordinator, "approve-dwelling")).select_by_visible_text("Afkoelwoning Parkzicht (2)")
    click_and_wait(coordinator, by_id(coordinator, "approve-submit"))
    click_and_wait(coordinator, by_id(coordinator, "start-submit"))
    set_value(coordinator, by_id(coordinator, "extend-day"), (today + dt.timedelta(days=9)).isoformat())
    click_and_wait(coordinator, by_id(coordinator, "extend-submit"))
    assert exists(coordinator, "#extend-reason-error"), "an extension needs a reason"
    axe_check(coordinator)
    type_into(by_id(coordinator, "extend-reason"), "Terugkeer nog niet veilig")
    click_and_wait(coordinator, by_id(coordinator, "extend-submit"))
    assert current_path(coordinator) == placement
    axe_check(coordinator)
    shot(coordinator, "placement-active")

    by_id(coordinator, "outcome-returned_to_location").click()
    click_and_wait(coordinator, by_id(coordinator, "end-submit"))
    assert "terug naar de locatie" in by_id(coordinator, "placement-outcome").text
    history = by_id(coordinator, "history").text
    for step in ("Aangevraagd", "Goedgekeurd", "Verblijf gestart", "Verlengd", "Verblijf beëindigd"):
        assert step in history, f"{step} is in the history"
    axe_check(coordinator)
    shot(coordinator, "placement-ended")


def test_case_from_opening_to_closing(new_browser):
    """The police open a case for a person they linked, add the GGD with consent, write a note,
    move the phase and close the case with an outcome; axe on every page."""
    name = f"Fictief Casus {uuid.uuid4().hex[:6]}"
    police = new_browser()
    login(police, POLICE, expect_success=False)
    link_person(police, first_report_path(police), name, "1998-08-08", "causing_concern")
    click_and_wait(police, by_id(police, "open-case"))
    click_and_wait(police, by_id(police, "case-submit"))
    assert exists(police, "#reason-error"), "a case needs a reason for opening"
    axe_check(police)
    type_into(by_id(police, "reason"), "Browsertest: herhaalde incidenten, hulp geweigerd")
    click_and_wait(police, by_id(police, "case-submit"))
    assert current_path(police).startswith("/cases/CS-")
    case_path = current_path(police)
    axe_check(police)

    Select(by_id(police, "member")).select_by_visible_text("Nadia Verbeek")
    type_into(by_id(police, "member_role"), "GGD-verpleegkundige")
    Select(by_id(police, "legal_basis")).select_by_value("consent")
    set_value(police, by_id(police, "consent_date"), dt.date.today().isoformat())
    type_into(by_id(police, "consent_scope"), "Zorgcoördinatie")
    click_and_wait(police, by_id(police, "member-submit"))
    assert "Nadia Verbeek" in by_id(police, "members").text
    type_into(by_id(police, "note-body"), "Eerste gesprek gevoerd")
    click_and_wait(police, by_id(police, "note-submit"))
    Select(by_id(police, "phase")).select_by_value("analysis")
    click_and_wait(police, by_id(police, "phase-submit"))
    assert by_id(police, "case-phase").text == "analyse"
    axe_check(police)
    shot(police, "case-page")

    ggd = new_browser()
    login(ggd, GGD, expect_success=False)
    open_page(ggd, case_path)
    assert "Eerste gesprek gevoerd" in by_id(ggd, "notes").text, "the member reads the note"
    axe_check(ggd)

    Select(by_id(police, "phase")).select_by_value("closed")
    click_and_wait(police, by_id(police, "phase-submit"))
    assert exists(police, "#outcome-error"), "closing needs an outcome"
    Select(by_id(police, "phase")).select_by_value("closed")
    Select(by_id(police, "outcome")).select_by_value("stabilised")
    type_into(by_id(police, "phase-reason"), "Rust op de locatie")
    click_and_wait(police, by_id(police, "phase-submit"))
    assert by_id(police, "case-phase").text == "afgesloten"
    assert "situatie gestabiliseerd" in by_id(police, "case-outcome").text
    axe_check(police)
    shot(police, "case-closed")
    open_page(police, "/cases")
    axe_check(police)


def test_api_token_shows_until_when_it_works(new_browser):
    """A new personal access token is listed with the day it stops working (90 days; issue 11)."""
    police = new_browser()
    login(police, POLICE, expect_success=False)
    open_page(police, "/account")
    type_into(by_id(police, "token-name"), f"Browsertest {uuid.uuid4().hex[:6]}")
    click_and_wait(police, by_id(police, "token-submit"))
    assert exists(police, "#new-token"), error_texts(police)
    table = police.find_element(By.CSS_SELECTOR, "table[aria-labelledby='tokens-heading']")
    assert "Geldig tot" in table.text
    expires = (dt.date.today() + dt.timedelta(days=90)).strftime("%Y")
    assert expires in table.find_element(By.CSS_SELECTOR, "tbody tr").text
    axe_check(police)
    police.execute_script("document.getElementById('tokens-heading').scrollIntoView()")
    shot(police, "account-token-expiry")
