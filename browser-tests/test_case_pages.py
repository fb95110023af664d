"""The case list and the hand-over of a case's direction to someone outside the case, in a real
(headless) browser with axe on every page.

Against `doorpak serve --demo`: the coordinator's case list holds the district's cases with their
part in each; the GGZ practitioner asked (in the demo) to take over the direction of a case finds it
through the notification, sees the case's facts and the hand-over's reason, accepts, and then reads
the whole case as its director.
"""

from __future__ import annotations

from selenium.webdriver.common.by import By

from conftest import COORDINATOR, axe_check, body_text, by_id, click_and_wait, current_path, exists, login, open_page

GGZ = "hanna.deboer@doorpak.example"


def test_case_list_and_taking_over_the_direction(new_browser):
    coordinator = new_browser()
    login(coordinator, COORDINATOR)
    open_page(coordinator, "/cases")
    rows = coordinator.find_elements(By.CSS_SELECTOR, "#my-cases tbody tr")
    assert len(rows) >= 4, "the district's demo cases are listed"
    assert "stadsdeel (alleen kerngegevens)" in by_id(coordinator, "my-cases").text
    axe_check(coordinator)

    practitioner = new_browser()
    login(practitioner, GGZ)
    open_page(practitioner, "/notifications")
    links = [a for a in practitioner.find_elements(By.CSS_SELECTOR, "main a[href^='/cases/CS-']")]
    assert links, "the request to take over the direction is among the notifications"
    click_and_wait(practitioner, links[0])
    reference = current_path(practitioner).split("/")[2]
    assert exists(practitioner, "#accept-form") and exists(practitioner, "#handover-reason")
    assert not exists(practitioner, "#timeline"), "before accepting, only the case's facts"
    axe_check(practitioner)
    click_and_wait(practitioner, by_id(practitioner, "accept-submit"))
    assert current_path(practitioner) == f"/cases/{reference}"
    assert "Hanna de Boer" in by_id(practitioner, "case-director").text
    assert not exists(practitioner, "#accept-form")
    axe_check(practitioner)
    open_page(practitioner, "/cases")
    assert reference in body_text(practitioner) and "regiehouder" in by_id(practitioner, "my-cases").text
