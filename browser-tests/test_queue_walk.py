"""Nothing falls between chairs (issue 12): site staff register a critical report about a confused
resident threatening with a knife; it routes to the GGD, lands in the GGD's intake queue in Mijn werk
(which is where the GGD professional lands after signing in) with the reason it is there, and in their
notifications; they pick it up from the queue and it becomes theirs. Axe on every page visited."""

from __future__ import annotations

import uuid

from selenium.webdriver.common.by import By

from conftest import (COORDINATOR, GGD, LOCATION_STAFF, SCREENSHOTS, axe_check, body_text, by_id, choose, click_and_wait,
                      current_path, exists, login, open_page, queue_row, selected_value, type_into)

GGD_NAME = "Nadia Verbeek"


def shot(driver, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    driver.save_screenshot(str(SCREENSHOTS / f"queue-{name}.png"))


def option_by_label(select, label: str) -> str:
    for option in select.find_elements(By.TAG_NAME, "option"):
        if option.text.strip() == label:
            return option.get_attribute("value")
    raise AssertionError(f"no option {label!r} in #{select.get_attribute('id')}")


def test_the_knife_report_reaches_the_ggd_queue_and_is_picked_up(new_browser):
    staff, ggd, coordinator = new_browser(), new_browser(), new_browser()

    # Site staff land in Mijn werk, then register the report.
    login(staff, LOCATION_STAFF, stay=True)
    assert current_path(staff) == "/work"
    axe_check(staff)
    open_page(staff, "/reports/new")
    by_id(staff, "kind-incident").click()
    choose(by_id(staff, "category"), option_by_label(by_id(staff, "category"), "Verward of psychiatrisch gedrag"))
    location = by_id(staff, "location")
    if not selected_value(location):
        first = [o for o in location.find_elements(By.TAG_NAME, "option") if o.get_attribute("value")][0]
        choose(location, first.get_attribute("value"))
    choose(by_id(staff, "urgency"), "critical")
    marker = f"Queuetest {uuid.uuid4().hex[:8]}"
    type_into(by_id(staff, "description"), f"{marker}: bewoner verward in de gang, dreigt met een mes.")
    click_and_wait(staff, by_id(staff, "report-submit"))
    reference = current_path(staff).rsplit("/", 1)[1]
    assert reference.startswith("DP-"), current_path(staff)
    assert "GGD" in by_id(staff, "report-organisation").text, "confused behaviour routes to the GGD"

    # The GGD professional lands in Mijn werk and finds it in the queue, with why it is there.
    login(ggd, GGD, stay=True)
    assert current_path(ggd) == "/work", "a partner professional starts in Mijn werk"
    axe_check(ggd)
    row = queue_row(ggd, reference)
    assert row is not None, f"{reference} is not in the GGD's queue"
    assert "Wachtrij van uw organisatie" in row.text or "Wachtrij van uw team" in row.text, row.text
    shot(ggd, "ggd-mijn-werk")
    axe_check(ggd)

    # Told at once: a notice names the reference, never the content.
    open_page(ggd, "/notifications")
    notices = body_text(ggd)
    assert reference in notices
    assert marker not in notices, "a notice never carries the description"
    axe_check(ggd)

    # Picked up from the queue: the report is theirs and leaves the queue.
    open_page(ggd, "/work")
    row = queue_row(ggd, reference)
    click_and_wait(ggd, row.find_element(By.CSS_SELECTOR, "button[type=submit]"))
    assert current_path(ggd) == f"/reports/{reference}"
    assert by_id(ggd, "report-owner").text.strip() == GGD_NAME
    open_page(ggd, "/work")
    assert queue_row(ggd, reference) is None, "picked up: no longer in the queue"
    open_page(ggd, "/work")
    mine = [r for r in ggd.find_elements(By.CSS_SELECTOR, "#work-reports tbody tr") if reference in r.text]
    assert mine and "U bent eigenaar" in mine[0].text

    # The coordinator lands in Mijn werk too; the worklist filters what waits.
    login(coordinator, COORDINATOR, stay=True)
    assert current_path(coordinator) == "/work"
    axe_check(coordinator)
    open_page(coordinator, "/work/district")
    assert exists(coordinator, "#work-queue") or "Niets." in body_text(coordinator)
    shot(coordinator, "coordinator-district")
    axe_check(coordinator)
    open_page(coordinator, "/reports?needs=unowned")
    assert by_id(coordinator, "needs").get_attribute("value") == "unowned"
    axe_check(coordinator)
