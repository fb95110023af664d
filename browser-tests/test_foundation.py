"""End-to-end flows of Doorpak's foundation, in a real (headless) browser.

Each test logs in as one of the demo users of `doorpak serve --demo`, works
through one flow the way a person would, and runs axe-core on every page it
looks at (serious/critical violations fail the test).
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections import Counter
from urllib.parse import parse_qs, quote, urlparse

import pytest
from selenium.webdriver.common.by import By

from conftest import (
    COORDINATOR,
    GGD,
    LOCATION_STAFF,
    POLICE,
    axe_check,
    body_text,
    by_id,
    choose,
    click_and_wait,
    current_path,
    document_status,
    error_texts,
    exists,
    h1_text,
    html_lang,
    login,
    logout,
    open_page,
    option_labels,
    report_rows,
    row_cells,
    row_reference,
    row_status,
    selected_value,
    set_value,
    type_into,
    visible_references,
)

pytestmark = pytest.mark.flow

REFERENCE = re.compile(r"DP-\d{4}-\d{6}")
STATUS_NL = {"new": "Nieuw", "in_progress": "In behandeling", "resolved": "Opgelost", "closed": "Gesloten"}
STATUS_EN = {"new": "New", "in_progress": "In progress", "resolved": "Resolved", "closed": "Closed"}


def status_key(text: str, labels: dict[str, str]) -> str:
    """The status code whose label is `text` (exact, case-insensitive)."""
    for key, label in labels.items():
        if text.strip().lower() == label.lower():
            return key
    raise AssertionError(f"#report-status shows {text!r}, none of {list(labels.values())}")


def query_of(driver) -> dict[str, list[str]]:
    return parse_qs(urlparse(driver.current_url).query)


def open_first_report(driver, query: str = "") -> str:
    """From the worklist (optionally filtered), open the first report; return its reference."""
    open_page(driver, "/reports" + query)
    rows = report_rows(driver)
    assert rows, f"worklist {driver.current_url} shows no reports for {COORDINATOR}"
    link = rows[0].find_element(By.CSS_SELECTOR, "a.report-ref")
    reference = link.text.strip()
    click_and_wait(driver, link)
    assert current_path(driver) == f"/reports/{reference}", driver.current_url
    assert reference in h1_text(driver), f"h1 {h1_text(driver)!r} lacks {reference}"
    return reference


def history_entries(driver) -> list[str]:
    return [li.text.strip() for li in driver.find_elements(By.CSS_SELECTOR, "#history li")]


# ------------------------------------------------------------------ login --

def test_login_wrong_password_then_success_and_logout(driver):
    open_page(driver, "/login")
    assert html_lang(driver) == "nl", "default language must be Dutch"
    for field in ("email", "password", "login-submit"):
        by_id(driver, field)
    axe_check(driver)

    type_into(by_id(driver, "email"), COORDINATOR)
    type_into(by_id(driver, "password"), "definitely-not-the-password")
    click_and_wait(driver, by_id(driver, "login-submit"))
    assert current_path(driver) != "/reports", "a wrong password must not log in"
    assert exists(driver, "#login-submit"), "the login form is shown again after a wrong password"
    assert error_texts(driver), ("a wrong password shows an error message "
                                 "(#error-summary, #login-error or [role=alert])")
    axe_check(driver)

    login(driver, COORDINATOR)
    assert exists(driver, "#filter-form"), "the worklist has a filter form"
    by_id(driver, "logout")
    by_id(driver, "lang-en")  # the switch to the other language
    axe_check(driver)

    logout(driver)
    open_page(driver, "/reports")
    assert exists(driver, "#login-submit"), (
        f"after logout /reports must ask to log in again, got {driver.current_url} h1={h1_text(driver)!r}")


# ---------------------------------------------------------- new report --

def test_submit_report_with_validation_error_then_success(driver):
    login(driver, LOCATION_STAFF)
    open_page(driver, "/reports/new")
    form = by_id(driver, "report-form")
    axe_check(driver)

    kind = "incident"
    by_id(driver, f"kind-{kind}").click()

    category = by_id(driver, "category")
    options = [o for o in category.find_elements(By.TAG_NAME, "option") if o.get_attribute("value")]
    assert options, "the category select offers categories"
    for_kind = [o for o in options if o.get_attribute("data-kind") in (kind, None)]
    chosen_category = (for_kind or options)[0].get_attribute("value")
    choose(category, chosen_category)

    location = by_id(driver, "location")
    if not selected_value(location):
        loc_options = [o for o in location.find_elements(By.TAG_NAME, "option") if o.get_attribute("value")]
        assert loc_options, f"{LOCATION_STAFF} can choose at least one location"
        choose(location, loc_options[0].get_attribute("value"))
    chosen_location = selected_value(location)

    occurred = (dt.date.today() - dt.timedelta(days=1)).isoformat()
    set_value(driver, by_id(driver, "occurred_date"), occurred)
    set_value(driver, by_id(driver, "occurred_time"), "14:30")
    choose(by_id(driver, "urgency"), "high")
    type_into(by_id(driver, "description"), "")

    # Test the server's validation, not the browser's `required` check.
    driver.execute_script("arguments[0].noValidate = true;", form)
    click_and_wait(driver, by_id(driver, "report-submit"))

    assert document_status(driver) == 422, f"invalid report answers 422, got {document_status(driver)}"
    summary = by_id(driver, "error-summary")
    assert summary.is_displayed() and summary.text.strip(), "error summary is shown"
    error = by_id(driver, "description-error")
    assert error.is_displayed() and error.text.strip(), "description error is shown"
    beside = driver.execute_script(
        "const e = document.getElementById('description-error'),"
        "      f = document.getElementById('description');"
        "return e.parentElement.contains(f) || e.parentElement.parentElement.contains(f);")
    assert beside, "#description-error sits next to the description field"
    other_errors = [e.get_attribute("id") for e in driver.find_elements(By.CSS_SELECTOR, "[id$='-error']")
                    if e.get_attribute("id") != "description-error" and e.text.strip()]
    assert not other_errors, f"only the description was wrong, yet errors on {other_errors}: {summary.text!r}"

    # everything typed is still there
    assert by_id(driver, f"kind-{kind}").is_selected(), "kind kept"
    assert selected_value(by_id(driver, "category")) == chosen_category, "category kept"
    assert selected_value(by_id(driver, "location")) == chosen_location, "location kept"
    assert by_id(driver, "occurred_date").get_attribute("value") == occurred, "date kept"
    assert by_id(driver, "occurred_time").get_attribute("value").startswith("14:30"), "time kept"
    assert selected_value(by_id(driver, "urgency")) == "high", "urgency kept"
    axe_check(driver)

    description = f"Browsertest {uuid.uuid4().hex[:8]}: deur van de fietsenstalling stond open."
    type_into(by_id(driver, "description"), description)
    driver.execute_script("arguments[0].noValidate = true;", by_id(driver, "report-form"))
    click_and_wait(driver, by_id(driver, "report-submit"))

    path = current_path(driver)
    assert re.fullmatch(r"/reports/DP-\d{4}-\d{6}", path), (
        f"a valid report redirects to its detail page, got {driver.current_url} "
        f"(status {document_status(driver)}, errors {error_texts(driver)})")
    reference = path.rsplit("/", 1)[1]
    assert reference in h1_text(driver), f"h1 {h1_text(driver)!r} shows the reference {reference}"
    assert by_id(driver, "report-status").text.strip() == STATUS_NL["new"]
    assert description in body_text(driver), "the detail page shows the description"
    axe_check(driver)


# ------------------------------------------------------------ worklist --

def test_filter_worklist_by_status(driver):
    login(driver, COORDINATOR)
    by_id(driver, "filter-form")
    choose(by_id(driver, "status"), "new", STATUS_NL["new"])
    click_and_wait(driver, by_id(driver, "filter-submit"))

    assert query_of(driver).get("status") == ["new"], f"filter is in the URL: {driver.current_url}"
    assert selected_value(by_id(driver, "status")) == "new", "the filter form keeps the chosen status"
    rows = report_rows(driver)
    assert rows, "the demo data has new reports in the coordinator's district"
    for row in rows:
        ref = row_reference(row)
        assert row_status(row) == "new", f"{ref} has status {row_status(row)!r}: {row_cells(row)}"
        assert STATUS_NL["new"] in row_cells(row), f"row {ref} shows its status label: {row_cells(row)}"
    assert exists(driver, "#result-count") or exists(driver, "#status-counts")
    axe_check(driver)


def assert_rows_of_kind(driver, kind: str) -> None:
    labels = option_labels(by_id(driver, "kind"))
    label, others = labels[kind], {v for k, v in labels.items() if k and k != kind}
    rows = report_rows(driver)
    assert rows, f"the demo data has reports of kind {kind} in the coordinator's district"
    for row in rows:
        cells = row_cells(row)
        if row.get_attribute("data-kind"):
            assert row.get_attribute("data-kind") == kind, f"{row_reference(row)}: {row.get_attribute('data-kind')!r}"
        assert label in cells and not others & set(cells), f"{row_reference(row)} is not a {label!r}: {cells}"


def test_filter_worklist_by_kind(driver):
    login(driver, COORDINATOR)
    choose(by_id(driver, "kind"), "signal")
    click_and_wait(driver, by_id(driver, "filter-submit"))
    assert query_of(driver).get("kind") == ["signal"], driver.current_url
    assert selected_value(by_id(driver, "kind")) == "signal", "the filter form keeps the chosen kind"
    assert_rows_of_kind(driver, "signal")
    axe_check(driver)

    open_page(driver, "/reports?kind=incident")
    assert selected_value(by_id(driver, "kind")) == "incident"
    assert_rows_of_kind(driver, "incident")


# -------------------------------------------------------------- detail --

def test_open_report_detail(driver):
    login(driver, COORDINATOR)
    reference = open_first_report(driver)
    assert REFERENCE.fullmatch(reference), f"reference {reference!r} looks like DP-YYYY-NNNNNN"
    status_key(by_id(driver, "report-status").text, STATUS_NL)
    for element_id in ("status-form", "status", "status-reason", "status-submit",
                       "note-form", "note-body", "note-submit", "notes", "history"):
        by_id(driver, element_id)
    axe_check(driver)


def test_change_status_new_to_in_progress(driver):
    login(driver, COORDINATOR)
    reference = open_first_report(driver, "?status=new")
    assert by_id(driver, "report-status").text.strip() == STATUS_NL["new"]
    before = history_entries(driver)

    choose(by_id(driver, "status"), "in_progress", STATUS_NL["in_progress"])
    click_and_wait(driver, by_id(driver, "status-submit"))

    assert current_path(driver) == f"/reports/{reference}", f"back on the detail page, got {driver.current_url}"
    assert by_id(driver, "report-status").text.strip() == STATUS_NL["in_progress"], error_texts(driver)
    after = history_entries(driver)
    assert len(after) > len(before), f"a new history entry: before {before}, after {after}"
    new_entries = list((Counter(after) - Counter(before)).elements())
    assert any(STATUS_NL["in_progress"] in e for e in new_entries), (
        f"the newest history entries {new_entries} mention {STATUS_NL['in_progress']!r}")
    axe_check(driver)


def test_add_note(driver):
    login(driver, COORDINATOR)
    reference = open_first_report(driver)
    note = f"Notitie van de browsertest {uuid.uuid4().hex[:8]}: buurtbewoner teruggebeld."
    type_into(by_id(driver, "note-body"), note)
    click_and_wait(driver, by_id(driver, "note-submit"))

    assert current_path(driver) == f"/reports/{reference}", f"back on the detail page, got {driver.current_url}"
    assert note in by_id(driver, "notes").text, f"the note is listed: {by_id(driver, 'notes').text!r}"
    axe_check(driver)


# ------------------------------------------------------------ language --

def test_switch_language_to_english_and_back(driver):
    login(driver, COORDINATOR)
    reference = open_first_report(driver)
    detail_path = current_path(driver)
    assert html_lang(driver) == "nl"
    key = status_key(by_id(driver, "report-status").text, STATUS_NL)
    logout_nl = by_id(driver, "logout").text.strip()

    click_and_wait(driver, by_id(driver, "lang-en"))
    assert html_lang(driver) == "en", "html[lang] is 'en' after switching"
    assert current_path(driver) == detail_path, f"switching language stays on the page, got {driver.current_url}"
    assert by_id(driver, "report-status").text.strip() == STATUS_EN[key], "status label in English"
    assert by_id(driver, "logout").text.strip() != logout_nl, "header texts are translated"
    assert reference in h1_text(driver)
    axe_check(driver)

    open_page(driver, "/reports")
    assert html_lang(driver) == "en", "the language choice is remembered (cookie)"
    axe_check(driver)

    open_page(driver, detail_path)
    click_and_wait(driver, by_id(driver, "lang-nl"))
    assert html_lang(driver) == "nl"
    assert current_path(driver) == detail_path
    assert by_id(driver, "report-status").text.strip() == STATUS_NL[key], "status label back in Dutch"
    assert by_id(driver, "logout").text.strip() == logout_nl


# -------------------------------------------------------------- scope --

def test_partner_cannot_see_other_partners_reports(new_browser):
    ggd = new_browser()
    login(ggd, GGD)
    references = visible_references(ggd)
    assert references, "the GGD partner sees reports in the demo data"
    axe_check(ggd)

    police = new_browser()
    login(police, POLICE)

    isolated = []
    for reference in references[:10]:
        open_page(ggd, f"/reports/{reference}")
        assert reference in h1_text(ggd), f"GGD opens its own report {reference}: h1={h1_text(ggd)!r}"
        open_page(ggd, f"/reports?q={quote(reference)}")
        assert reference in visible_references(ggd), f"searching q={reference} finds it for GGD"

        open_page(police, f"/reports/{reference}")
        police_can_open = reference in h1_text(police) and "404" not in h1_text(police)
        status = document_status(police)
        open_page(police, f"/reports?q={quote(reference)}")
        assert exists(police, "#filter-form"), f"the police worklist loads: h1={h1_text(police)!r}"
        police_finds = reference in visible_references(police)
        assert police_can_open == police_finds, (
            f"{reference}: police can open detail={police_can_open} but finds it in the worklist={police_finds}")
        if not police_can_open:
            open_page(police, f"/reports/{reference}")
            assert "404" in h1_text(police), f"out-of-scope {reference} shows a 404 page, h1={h1_text(police)!r}"
            assert status == 404, f"out-of-scope {reference} answers HTTP 404, got {status}"
            assert reference not in h1_text(police)
            isolated.append(reference)
            if len(isolated) == 1:
                axe_check(police)
        if len(isolated) >= 2:
            break

    assert isolated, (f"none of GGD's first reports {references[:10]} is hidden from the police: "
                      "the demo data must hold GGD-only reports")
