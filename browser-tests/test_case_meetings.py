"""Case meetings ("casusoverleg") in a real (headless) browser, with axe on every page.

Against `doorpak serve --demo`: the coordinator plans a meeting (errors shown beside the fields
first) with the GGD invited, puts a demo case (directed by the police) on the agenda, records
the minutes, a decision and an action for the GGD; the GGD sees the action in Mijn werk and the
meeting, but the case only as "a case you have no access to" (no reference, no minutes), also
on the printable agenda; the police, who direct the case, read the minutes there.
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
    click_and_wait,
    current_path,
    document_status,
    error_texts,
    exists,
    login,
    open_page,
    set_value,
    type_into,
)

GGD_ORGANISATION = "GGD – Vangnet & Advies"
GGD_PERSON = "Nadia Verbeek"
POLICE_ORGANISATION = "Politie – wijkteam"


def shot(driver, name: str, print_media: bool = False) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    if print_media:
        driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
    try:
        driver.set_window_size(1280, max(900, driver.execute_script("return document.body.scrollHeight")))
        driver.save_screenshot(str(SCREENSHOTS / f"case-meetings-{name}.png"))
    finally:
        if print_media:
            driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": ""})
        driver.set_window_size(1280, 900)


def demo_case_directed_by_police(coordinator, police, ggd) -> str:
    """A case the police direct and the GGD cannot see, from the demo's upcoming meeting (the
    coordinator sees references of cases in her district)."""
    open_page(coordinator, "/meetings")
    links = coordinator.find_elements(By.CSS_SELECTOR, "#meetings-upcoming a[href^='/meetings/']")
    assert links, "the demo has an upcoming meeting"
    click_and_wait(coordinator, links[0])
    references = [a.text for a in coordinator.find_elements(By.CSS_SELECTOR, "#agenda a[href^='/cases/CS-']")]
    for reference in references:
        open_page(police, "/cases/" + reference)
        if document_status(police) != 200 or "Ruben de Graaf" not in by_id(police, "case-director").text:
            continue
        open_page(ggd, "/cases/" + reference)
        if document_status(ggd) == 404:
            return reference
    raise AssertionError(f"no demo case on the agenda is directed by the police and hidden from the GGD: {references}")


def test_plan_meeting_record_outcome_and_scoped_views(new_browser):
    marker = uuid.uuid4().hex[:8]
    minutes = f"Verslag browsertest {marker}: afspraken gemaakt met wijkagent en GGD."
    action_title = f"Huisbezoek plannen {marker}"
    coordinator = new_browser()
    login(coordinator, COORDINATOR)
    police = new_browser()
    login(police, POLICE, expect_success=False)
    ggd = new_browser()
    login(ggd, GGD)
    # The nav leads to the meetings list.
    click_and_wait(coordinator, coordinator.find_element(By.CSS_SELECTOR, "nav a[href='/meetings']"))
    assert current_path(coordinator) == "/meetings"
    axe_check(coordinator)
    shot(coordinator, "list")
    reference = demo_case_directed_by_police(coordinator, police, ggd)

    # Plan: an empty form first shows the errors beside the fields.
    open_page(coordinator, "/meetings/new")
    axe_check(coordinator)
    click_and_wait(coordinator, by_id(coordinator, "meeting-submit"))
    assert document_status(coordinator) == 422
    assert exists(coordinator, "#day-error") and exists(coordinator, "#organisations-error"), error_texts(coordinator)
    axe_check(coordinator)
    shot(coordinator, "new-errors")
    day = (dt.date.today() + dt.timedelta(days=3)).isoformat()
    set_value(coordinator, by_id(coordinator, "day"), day)
    set_value(coordinator, by_id(coordinator, "time"), "13:30")
    type_into(by_id(coordinator, "place"), f"Stadsdeelkantoor, zaal {marker}")
    for organisation in (GGD_ORGANISATION, POLICE_ORGANISATION):
        coordinator.find_element(By.XPATH, f"//label[normalize-space()='{organisation}']").click()
    click_and_wait(coordinator, by_id(coordinator, "meeting-submit"))
    meeting_path = current_path(coordinator)
    assert meeting_path.startswith("/meetings/") and len(meeting_path.split("/")) == 3, coordinator.current_url
    assert GGD_ORGANISATION in by_id(coordinator, "meeting-organisations").text

    # Put the case on the agenda (an unknown reference is refused beside the field).
    type_into(by_id(coordinator, "case"), "CS-2099-999999")
    click_and_wait(coordinator, by_id(coordinator, "add-case-submit"))
    assert exists(coordinator, "#case-error")
    axe_check(coordinator)
    type_into(by_id(coordinator, "case"), reference)
    click_and_wait(coordinator, by_id(coordinator, "add-case-submit"))
    assert reference in by_id(coordinator, "agenda").text
    assert by_id(coordinator, "meeting-item-count").text == "1"

    # Record minutes, a decision and an action for the GGD.
    click_and_wait(coordinator, coordinator.find_element(By.CSS_SELECTOR, "#agenda a[id^='record-item-']"))
    axe_check(coordinator)
    type_into(by_id(coordinator, "minutes"), minutes)
    type_into(by_id(coordinator, "decision_0"), f"GGD neemt contact op ({marker}).")
    type_into(by_id(coordinator, "action_0_title"), action_title)
    # A due day in the past is refused first, beside its field, keeping what was typed.
    Select(by_id(coordinator, "action_0_organisation")).select_by_visible_text(GGD_ORGANISATION)
    Select(by_id(coordinator, "action_0_assignee")).select_by_visible_text(GGD_PERSON)
    set_value(coordinator, by_id(coordinator, "action_0_due_on"), "2020-01-01")
    click_and_wait(coordinator, by_id(coordinator, "record-submit"))
    assert document_status(coordinator) == 422
    assert exists(coordinator, "#action_0_due_on-error")
    assert by_id(coordinator, "minutes").get_attribute("value") == minutes
    axe_check(coordinator)
    shot(coordinator, "record-errors")
    set_value(coordinator, by_id(coordinator, "action_0_due_on"), (dt.date.today() + dt.timedelta(days=10)).isoformat())
    click_and_wait(coordinator, by_id(coordinator, "record-submit"))
    assert current_path(coordinator) == meeting_path
    assert "Gehouden" in by_id(coordinator, "meeting-status").text
    # The coordinator (metadata access to the case) sees the reference, not the minutes.
    assert reference in by_id(coordinator, "agenda").text and minutes not in body_text(coordinator)
    axe_check(coordinator)
    shot(coordinator, "meeting")
    open_page(coordinator, meeting_path + "/agenda")
    axe_check(coordinator)
    shot(coordinator, "agenda-coordinator-print", print_media=True)

    # The GGD: the action in Mijn werk; the meeting, but the case without reference or minutes.
    open_page(ggd, "/work")
    assert action_title in body_text(ggd), "the agreed action is in the assignee's Mijn werk"
    axe_check(ggd)
    open_page(ggd, meeting_path)
    text = body_text(ggd)
    assert "Een casus waarvoor u geen toegang heeft" in text
    assert reference not in text and minutes not in text and action_title not in text
    open_page(ggd, meeting_path + "/agenda")
    text = body_text(ggd)
    assert "Een casus waarvoor u geen toegang heeft" in text and reference not in text and minutes not in text
    assert reference not in ggd.page_source
    axe_check(ggd)
    shot(ggd, "agenda-ggd-print", print_media=True)

    # The police (invited) direct the case: they read the minutes, the decision and the action on the printable agenda.
    open_page(police, meeting_path + "/agenda")
    text = body_text(police)
    assert reference in text and minutes in text and action_title in text
    axe_check(police)
    shot(police, "agenda-police")
    shot(police, "agenda-police-print", print_media=True)
    # Not invited, not organising, no case of theirs: the location staff get 404 (the default one as a stand-in).
    staff = new_browser()
    login(staff, "locatie@doorpak.example", expect_success=False)
    open_page(staff, meeting_path)
    assert document_status(staff) == 404

    # The GGD takes no part in the case, yet must do the action: Mijn werk leads to the action's own
    # page (the action and the case's reference, nothing of the case), where it is completed.
    open_page(ggd, "/work")
    click_and_wait(ggd, ggd.find_element(By.LINK_TEXT, action_title))
    assert "/actions/" in current_path(ggd)
    text = body_text(ggd)
    assert action_title in text and minutes not in text
    axe_check(ggd)
    shot(ggd, "assigned-action")
    ggd.find_element(By.CSS_SELECTOR, "details.action-close summary").click()
    click_and_wait(ggd, ggd.find_element(By.CSS_SELECTOR, "button[name='complete']"))
    assert document_status(ggd) == 422, "a result is required"
    axe_check(ggd)
    type_into(ggd.find_element(By.CSS_SELECTOR, "textarea[name='result']"), f"Huisbezoek gedaan ({marker}).")
    click_and_wait(ggd, ggd.find_element(By.CSS_SELECTOR, "button[name='complete']"))
    assert f"Huisbezoek gedaan ({marker})." in body_text(ggd)
