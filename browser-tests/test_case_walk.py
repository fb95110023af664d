"""A case from opening to closing in a real (headless) browser, as issue 5 asks, with axe on every page.

Against `doorpak serve --demo`: the police open a case for a person they linked to one of their
reports and add the GGD nurse as a member with consent (date and scope); the police hand the
direction over and the GGD nurse accepts it (one case director at every moment); the coordinator
holds a case meeting with the case on its agenda and records a decision and an action with an owner
and a due date; the director requests a cooling-off placement from the case, the coordinator
approves it, the stay starts and ends with an outcome; the action is done, and the director closes
the case with an outcome and a reason (refused first without an outcome).
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
    document_status,
    error_texts,
    exists,
    login,
    open_page,
    select_label,
    set_value,
    type_into,
    visit,
)

GGD_NURSE = "Nadia Verbeek"


def shot(driver, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    driver.save_screenshot(str(SCREENSHOTS / f"case-walk-{name}.png"))


def report_in_district(driver, district: str) -> str:
    """The first report on the worklist in `district` (the demo coordinator's are Noord and Oost)."""
    open_page(driver, "/reports")
    select_label(by_id(driver, "district"), district)
    click_and_wait(driver, by_id(driver, "filter-submit"))
    link = driver.find_element(By.CSS_SELECTOR, "table a[href^='/reports/DP-']")
    return urlparse(link.get_attribute("href")).path


def test_case_walk_from_opening_to_closing(new_browser):
    name = f"Fictief Regiecasus {uuid.uuid4().hex[:6]}"
    today = dt.date.today()

    # --- The police link a person to their report and open a case for them.
    police = new_browser()
    login(police, POLICE, expect_success=False)
    # A report in a district of the demo coordinator, who then sees the case's metadata.
    report = report_in_district(police, "Noord")
    visit(police, report + "/persons/new")
    choose(by_id(police, "role"), "causing_concern")
    type_into(by_id(police, "name"), name)
    set_value(police, by_id(police, "birth_date"), "1999-09-09")
    click_and_wait(police, by_id(police, "person-submit"))
    assert current_path(police).startswith("/persons/P-")
    pseudonym = current_path(police).split("/")[2]
    axe_check(police)

    click_and_wait(police, by_id(police, "open-case"))
    axe_check(police)
    type_into(by_id(police, "reports"), report.rsplit("/", 1)[1])
    click_and_wait(police, by_id(police, "case-submit"))
    assert exists(police, "#reason-error"), "a case needs a reason for opening"
    assert document_status(police) == 422
    axe_check(police)
    type_into(by_id(police, "reason"), "Browsertest: incident na incident, hulp geweigerd; één regiehouder nodig")
    click_and_wait(police, by_id(police, "case-submit"))
    assert current_path(police).startswith("/cases/CS-"), f"opening ends on the case page, not {police.current_url}"
    case_path = current_path(police)
    reference = case_path.rsplit("/", 1)[1]
    assert by_id(police, "case-phase").text == "aanmelding"
    assert "Politie" in by_id(police, "case-director").text or by_id(police, "case-director").text.strip()
    assert name not in body_text(police), "the case page names the person by pseudonym only"
    assert pseudonym in body_text(police)
    axe_check(police)
    shot(police, "opened")

    # --- A member with consent: refused without date and scope, then added with both.
    select_label(by_id(police, "member"), GGD_NURSE)
    type_into(by_id(police, "member_role"), "GGD-verpleegkundige (Vangnet)")
    Select(by_id(police, "legal_basis")).select_by_value("consent")
    click_and_wait(police, by_id(police, "member-submit"))
    assert document_status(police) == 422
    assert exists(police, "#consent_date-error") and exists(police, "#consent_scope-error"), error_texts(police)
    axe_check(police)
    select_label(by_id(police, "member"), GGD_NURSE)
    type_into(by_id(police, "member_role"), "GGD-verpleegkundige (Vangnet)")
    Select(by_id(police, "legal_basis")).select_by_value("consent")
    set_value(police, by_id(police, "consent_date"), today.isoformat())
    type_into(by_id(police, "consent_scope"), "Zorgcoördinatie en afkoelwoning")
    click_and_wait(police, by_id(police, "member-submit"))
    members = by_id(police, "members").text
    assert GGD_NURSE in members and "Zorgcoördinatie en afkoelwoning" in members, members
    axe_check(police)

    # --- Hand-over of the direction: proposed by the police, effective only when the GGD nurse accepts.
    select_label(by_id(police, "director"), GGD_NURSE)
    type_into(by_id(police, "director_reason"), "Zorg staat voorop; GGD houdt de regie")
    click_and_wait(police, by_id(police, "director-submit"))
    director = by_id(police, "case-director").text
    assert GGD_NURSE in director, f"the proposal shows beside the director: {director!r}"
    axe_check(police)

    ggd = new_browser()
    login(ggd, GGD, expect_success=False)
    visit(ggd, case_path)
    assert exists(ggd, "#accept-form"), "the proposed director is asked to accept"
    click_and_wait(ggd, by_id(ggd, "accept-submit"))
    assert current_path(ggd) == case_path
    assert GGD_NURSE in by_id(ggd, "case-director").text
    assert exists(ggd, "#phase-form"), "the new director moves the phases"
    axe_check(ggd)
    shot(ggd, "direction-accepted")
    # The former director is no longer in the case (neither director nor member): it is not found for them.
    open_page(police, case_path)
    assert document_status(police) == 404
    assert not exists(police, "#phase-form")
    axe_check(police)

    # --- The director moves the case to analysis.
    Select(by_id(ggd, "phase")).select_by_value("analysis")
    click_and_wait(ggd, by_id(ggd, "phase-submit"))
    assert by_id(ggd, "case-phase").text == "analyse"
    axe_check(ggd)

    # --- A case meeting: the coordinator plans it with the police and the GGD invited, puts the case on
    # the agenda and records the minutes, a decision and an action with an owner and a due date.
    coordinator = new_browser()
    login(coordinator, COORDINATOR, expect_success=False)
    visit(coordinator, "/meetings")
    click_and_wait(coordinator, by_id(coordinator, "plan-meeting"))
    axe_check(coordinator)
    set_value(coordinator, by_id(coordinator, "day"), (today + dt.timedelta(days=1)).isoformat())
    set_value(coordinator, by_id(coordinator, "time"), "10:00")
    type_into(by_id(coordinator, "place"), "Stadsdeelkantoor, zaal 2")
    for label in coordinator.find_elements(By.CSS_SELECTOR, "#organisations label"):
        if "GGD" in label.text or "Politie" in label.text:
            checkbox = by_id(coordinator, label.get_attribute("for"))
            if not checkbox.is_selected():
                checkbox.click()
    click_and_wait(coordinator, by_id(coordinator, "meeting-submit"))
    assert current_path(coordinator).startswith("/meetings/"), f"planning ends on the meeting, not {coordinator.current_url}"
    meeting = current_path(coordinator)
    axe_check(coordinator)
    type_into(by_id(coordinator, "case"), reference)
    click_and_wait(coordinator, by_id(coordinator, "add-case-submit"))
    assert reference in by_id(coordinator, "agenda").text
    axe_check(coordinator)
    record = coordinator.find_elements(By.CSS_SELECTOR, "#agenda a[id^='record-']")
    assert record, "the organiser may record the outcome of the case on the agenda"
    click_and_wait(coordinator, record[0])
    axe_check(coordinator)
    type_into(by_id(coordinator, "minutes"), "Browsertest: besproken met politie en GGD; bewoner accepteert begeleiding")
    type_into(by_id(coordinator, "decision_0"), "Tijdelijk verblijf in de afkoelwoning aanvragen")
    due = (today + dt.timedelta(days=14)).isoformat()
    type_into(by_id(coordinator, "action_0_title"), "Intake GGZ plannen")
    select_label(by_id(coordinator, "action_0_organisation"), "GGD")
    select_label(by_id(coordinator, "action_0_assignee"), GGD_NURSE)
    set_value(coordinator, by_id(coordinator, "action_0_due_on"), due)
    click_and_wait(coordinator, by_id(coordinator, "record-submit"))
    assert current_path(coordinator) == meeting, f"recording ends on the meeting, not {coordinator.current_url} ({error_texts(coordinator)})"
    # The coordinator reads the case's metadata only: the agenda says it was discussed, not what was said.
    agenda = by_id(coordinator, "agenda").text
    assert "Tijdelijk verblijf" not in agenda and "Intake GGZ plannen" not in agenda, agenda
    # Recording an outcome marks the meeting held (older builds let the organiser set it by hand).
    if exists(coordinator, "#status") and "held" in [o.get_attribute("value") for o in Select(by_id(coordinator, "status")).options]:
        Select(by_id(coordinator, "status")).select_by_value("held")
        click_and_wait(coordinator, by_id(coordinator, "details-submit"))
    assert "Gehouden" in by_id(coordinator, "meeting-status").text
    axe_check(coordinator)
    # The case director (invited organisation) reads the minutes, the decision and the action.
    visit(ggd, meeting)
    agenda = by_id(ggd, "agenda").text
    assert "Tijdelijk verblijf in de afkoelwoning aanvragen" in agenda and "Intake GGZ plannen" in agenda, agenda
    shot(ggd, "meeting-recorded")
    visit(ggd, meeting + "/agenda")

    # The action is on the case and in the owner's Mijn werk; the meeting is on the case page.
    visit(ggd, case_path)
    assert "Intake GGZ plannen" in by_id(ggd, "action-list").text
    assert exists(ggd, "#case-meetings-list"), "the case page lists its meetings"
    visit(ggd, "/work")
    assert "Intake GGZ plannen" in by_id(ggd, "work-actions").text, "the meeting's action is in the owner's Mijn werk"

    # --- A cooling-off placement requested from the case, approved by the coordinator, started and ended.
    visit(ggd, case_path)
    placement_links = ggd.find_elements(By.CSS_SELECTOR, "a.placement-request")
    assert placement_links, "the case page offers a placement request for its person"
    click_and_wait(ggd, placement_links[0])
    axe_check(ggd)
    type_into(by_id(ggd, "reason"), "Browsertest: afstand nodig na dreiging op de gang")
    set_value(ggd, by_id(ggd, "from"), today.isoformat())
    set_value(ggd, by_id(ggd, "through"), (today + dt.timedelta(days=7)).isoformat())
    select_label(by_id(ggd, "guidance_organisation"), "GGD")
    click_and_wait(ggd, by_id(ggd, "placement-request-submit"))
    assert current_path(ggd).startswith("/cooling-off/placements/"), f"the request ends on the placement, not {ggd.current_url}"
    placement = current_path(ggd)
    axe_check(ggd)

    visit(coordinator, placement)
    # Approve into a dwelling with a free place for the whole stay (other tests on this server fill some).
    dwellings = [o.get_attribute("value") for o in Select(by_id(coordinator, "approve-dwelling")).options if o.get_attribute("value")]
    for dwelling in dwellings:
        Select(by_id(coordinator, "approve-dwelling")).select_by_value(dwelling)
        click_and_wait(coordinator, by_id(coordinator, "approve-submit"))
        if not exists(coordinator, "#approve-dwelling-error"):
            break
    assert exists(coordinator, "#start-submit"), f"approved into one of {len(dwellings)} dwellings: {error_texts(coordinator)}"
    axe_check(coordinator)
    click_and_wait(coordinator, by_id(coordinator, "start-submit"))
    axe_check(coordinator)
    by_id(coordinator, "outcome-returned_to_location").click()
    click_and_wait(coordinator, by_id(coordinator, "end-submit"))
    assert "terug naar de locatie" in by_id(coordinator, "placement-outcome").text
    history = by_id(coordinator, "history").text
    for step in ("Aangevraagd", "Goedgekeurd", "Verblijf gestart", "Verblijf beëindigd"):
        assert step in history, f"{step} is in the placement's history"
    axe_check(coordinator)
    shot(coordinator, "placement-ended")

    # --- The owner marks the meeting's action done with a result, on the case page.
    visit(ggd, case_path)
    item = ggd.find_element(By.XPATH, "//ul[@id='action-list']/li[.//strong[contains(., 'Intake GGZ plannen')]]")
    item.find_element(By.CSS_SELECTOR, "details.action-close summary").click()
    type_into(item.find_element(By.CSS_SELECTOR, "textarea[name='result']"), "Intake gepland voor volgende week")
    click_and_wait(ggd, item.find_element(By.CSS_SELECTOR, "button[name='complete']"))
    assert "Intake gepland voor volgende week" in by_id(ggd, "action-list").text
    axe_check(ggd)

    # --- Closing: refused without an outcome, then closed with outcome and reason.
    visit(ggd, case_path)
    Select(by_id(ggd, "phase")).select_by_value("closed")
    type_into(by_id(ggd, "phase-reason"), "Rust op de locatie, zorg loopt via de GGD")
    click_and_wait(ggd, by_id(ggd, "phase-submit"))
    assert exists(ggd, "#outcome-error"), "closing needs an outcome"
    assert document_status(ggd) == 422
    axe_check(ggd)
    Select(by_id(ggd, "phase")).select_by_value("closed")
    Select(by_id(ggd, "outcome")).select_by_value("stabilised")
    type_into(by_id(ggd, "phase-reason"), "Rust op de locatie, zorg loopt via de GGD")
    click_and_wait(ggd, by_id(ggd, "phase-submit"))
    assert by_id(ggd, "case-phase").text == "afgesloten"
    assert "situatie gestabiliseerd" in by_id(ggd, "case-outcome").text
    assert "Rust op de locatie" in body_text(ggd)
    # One timeline: the case's steps, the meeting, the action, the placement, in one chronology.
    kinds = {li.get_attribute("class") for li in ggd.find_elements(By.CSS_SELECTOR, "#timeline > li")}
    for kind in ("timeline-case", "timeline-action", "timeline-placement", "timeline-meeting", "timeline-report"):
        assert kind in kinds, f"{kind} on the timeline: {sorted(kinds)}"
    axe_check(ggd)
    shot(ggd, "closed")

    # The coordinator sees the closed case's facts, never its notes or opening reason.
    visit(coordinator, case_path)
    assert exists(coordinator, "#metadata-only")
    assert "incident na incident" not in body_text(coordinator)
    assert by_id(coordinator, "case-phase").text == "afgesloten"
    visit(coordinator, "/cases")
