"""Follow-through walk (issue 4): a report is routed, picked up, handed over, the hand-over is
declined, handed over again and accepted, an action is added, runs overdue, is escalated by the
escalation job (moved clock through `doorpak escalation run --at`), and is done.

The escalation step runs the CLI against the server's own database: scripts/test exports
DOORPAK_BIN and DOORPAK_DATA_DIR for that. Without them that step is skipped with a reason."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import uuid

import pytest
from selenium.webdriver.common.by import By

from conftest import (COORDINATOR, GGD, POLICE, axe_check, body_text, by_id, choose, click_and_wait, current_path,
                      document_status, login, logout, open_page, selected_value, set_value, type_into, SCREENSHOTS)

GGD_NAME = "Nadia Verbeek"
POLICE_NAME = "Ruben de Graaf"


def option_by_label(select, label: str) -> str:
    for option in select.find_elements(By.TAG_NAME, "option"):
        if option.text.strip() == label:
            return option.get_attribute("value")
    raise AssertionError(f"no option {label!r} in #{select.get_attribute('id')}")


def shot(driver, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    driver.save_screenshot(str(SCREENSHOTS / f"followthrough-{name}.png"))


def test_report_routed_picked_up_handed_over_escalated_done(new_browser):
    coordinator, police, ggd = new_browser(), new_browser(), new_browser()

    # Registered by the coordinator: violence routes to the police, and the page says which rule did it.
    login(coordinator, COORDINATOR)
    open_page(coordinator, "/reports/new")
    by_id(coordinator, "kind-incident").click()
    choose(by_id(coordinator, "category"), option_by_label(by_id(coordinator, "category"), "Geweld"))
    location = by_id(coordinator, "location")
    if not selected_value(location):
        first = [o for o in location.find_elements(By.TAG_NAME, "option") if o.get_attribute("value")][0]
        choose(location, first.get_attribute("value"))
    set_value(coordinator, by_id(coordinator, "occurred_date"), dt.date.today().isoformat())
    set_value(coordinator, by_id(coordinator, "occurred_time"), "00:05")
    marker = f"Doorpaktest {uuid.uuid4().hex[:8]}"
    type_into(by_id(coordinator, "description"), f"{marker}: ruzie in de gang, bewoner bedreigd.")
    click_and_wait(coordinator, by_id(coordinator, "report-submit"))
    reference = current_path(coordinator).rsplit("/", 1)[1]
    assert reference.startswith("DP-"), current_path(coordinator)
    assert by_id(coordinator, "report-organisation").text.strip() == "Politie – wijkteam"
    assert by_id(coordinator, "report-routed-by").text.strip(), "the page names the routing rule"

    # Picked up by the police: owner, and "in behandeling".
    login(police, POLICE)
    open_page(police, f"/reports/{reference}")
    click_and_wait(police, by_id(police, "pickup-submit"))
    assert by_id(police, "report-owner").text.strip() == POLICE_NAME
    assert by_id(police, "report-status").text.strip() == "In behandeling"

    # Handed over to the GGD ...
    def hand_over_to_ggd(reason: str) -> None:
        open_page(police, f"/reports/{reference}")
        choose(by_id(police, "handover-organisation"), option_by_label(by_id(police, "handover-organisation"), "GGD – Vangnet & Advies"))
        type_into(by_id(police, "handover-reason"), reason)
        click_and_wait(police, by_id(police, "handover-submit"))
        assert by_id(police, "pending-handover").is_displayed()
        assert by_id(police, "report-owner").text.strip() == POLICE_NAME, "the sender stays owner until accepted"

    hand_over_to_ggd("Psychische problematiek, GGD is beter op zijn plek.")
    axe_check(police)
    shot(police, "1-handover-requested")

    # ... declined: first without a reason (refused in place), then with one.
    login(ggd, GGD)
    open_page(ggd, f"/reports/{reference}")
    click_and_wait(ggd, by_id(ggd, "handover-decline"))
    assert document_status(ggd) == 422
    assert by_id(ggd, "answer-reason-error").text.strip()
    axe_check(ggd)
    type_into(by_id(ggd, "answer-reason"), "Eerst politieonderzoek afronden.")
    click_and_wait(ggd, by_id(ggd, "handover-decline"))
    # Declined: the GGD is no longer asked to act, so the report is outside its scope again.
    assert document_status(ggd) == 404, "after declining, the receiver no longer sees the report"
    open_page(police, f"/reports/{reference}")
    assert not police.find_elements(By.ID, "pending-handover")
    assert "Overdracht geweigerd" in by_id(police, "history").text
    assert "Eerst politieonderzoek afronden." in by_id(police, "history").text

    # Handed over again, and accepted: owner and organisation move.
    hand_over_to_ggd("Onderzoek afgerond; nu zorg nodig.")
    open_page(ggd, f"/reports/{reference}")
    click_and_wait(ggd, by_id(ggd, "handover-accept"))
    assert by_id(ggd, "report-owner").text.strip() == GGD_NAME
    assert by_id(ggd, "report-organisation").text.strip() == "GGD – Vangnet & Advies"

    # An action, due today.
    ggd.find_element(By.ID, "add-action").click()
    type_into(by_id(ggd, "action_title"), "Huisbezoek door het outreachteam")
    choose(by_id(ggd, "action_assignee"), option_by_label(by_id(ggd, "action_assignee"), GGD_NAME))
    set_value(ggd, by_id(ggd, "action_due_on"), dt.date.today().isoformat())
    click_and_wait(ggd, by_id(ggd, "action-submit"))
    assert "Huisbezoek door het outreachteam" in by_id(ggd, "action-list").text
    shot(ggd, "2-action-added")

    # Closing the report while the action is open is refused beside the status field.
    choose(by_id(ggd, "status"), "resolved")
    click_and_wait(ggd, by_id(ggd, "status-submit"))
    assert document_status(ggd) == 422
    assert by_id(ggd, "status-error").text.strip()

    # Overdue, then escalated by the job with a moved clock.
    binary, data_dir = os.environ.get("DOORPAK_BIN"), os.environ.get("DOORPAK_DATA_DIR")
    if not (binary and data_dir):
        pytest.skip("DOORPAK_BIN and DOORPAK_DATA_DIR are not set (scripts/test sets them): cannot move the clock")
    later = (dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=9)).strftime("%Y-%m-%dT%H:%M:%SZ")
    run = subprocess.run([binary, "escalation", "run", "--data-dir", data_dir, "--at", later],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    open_page(ggd, f"/reports/{reference}")
    action = ggd.find_element(By.CSS_SELECTOR, "#action-list li")
    assert "Te laat" in action.text or "Escalatie" in action.text, action.text
    assert "Escalatie" in action.text, f"the action shows its escalation: {action.text!r}"
    assert "Afspraak geëscaleerd" in by_id(ggd, "history").text
    axe_check(ggd)
    shot(ggd, "3-escalated")

    # Done: the action with its result, then the report resolved.
    action.find_element(By.TAG_NAME, "summary").click()
    result_box = action.find_element(By.CSS_SELECTOR, "textarea[name=result]")
    type_into(result_box, "Bewoner thuis gesproken; doorverwezen naar de huisarts.")
    click_and_wait(ggd, action.find_element(By.CSS_SELECTOR, "button[name=complete]"))
    assert "Afgerond" in by_id(ggd, "action-list").text or "afgerond" in by_id(ggd, "action-list").text
    choose(by_id(ggd, "status"), "resolved")
    click_and_wait(ggd, by_id(ggd, "status-submit"))
    assert by_id(ggd, "report-status").text.strip() == "Opgelost"
    shot(ggd, "4-done")

    # Mijn werk of the police no longer lists it; the timeline holds every step.
    open_page(police, "/work")
    axe_check(police)
    assert reference not in body_text(police)
    history = by_id(ggd, "history").text
    for step in ("Overdracht aangevraagd", "Overdracht geweigerd", "Overdracht geaccepteerd", "Afspraak gemaakt", "Afspraak afgerond"):
        assert step in history, f"{step!r} in the timeline"
    for browser in (coordinator, police, ggd):
        logout(browser)
