"""Browser walks per role (issue 12, "Proof"): each step is done as the user would (following links
and the navigation, filling forms, pressing buttons), each walk ends with the next person seeing it
in their Mijn werk (or, where the app tells them by a notice, in Berichten), axe runs on every page a
walk visits (once per page and state: a form filled in a second time is not checked again), and the
key pages are saved as screenshots role-walk-*.png.

1. Repeat concern: site staff and the police each register a signal about the same resident and link
   them to it (the second link finds the same person); the district coordinator finds "consider a
   case" in Mijn werk, is refused a dismissal without a reason (in place, the typed text kept), opens
   a case in one click and proposes the GGD nurse as case director; she finds the proposal in her
   Mijn werk and declines it, with a reason; the coordinator is told and stays the director.
2. Team queue: the administrator makes the GGD nurse a member of the GGD's "Wijkteam Noord", gives it
   its lead (the GGD's manager) and routes one kind of signal at one site to that team; an urgent
   signal registered there waits in the team's queue; the lead sees it in the team view of Mijn werk
   (not in their own queue: they are not in the team), the nurse picks it up from hers, and it leaves
   the queue and shows as work of someone in the lead's team.
3. Case attachments: the case director attaches a PNG to a case and adds a member, who is told,
   sees the attachment and downloads it; someone outside the case gets 404 on its address.
4. A case director leaves: a new GGD colleague accepts the direction of a case from Mijn werk, the
   administrator deactivates the account, the case shows on the coordinator's Mijn werk among the
   cases without an active director, and leaves it when the coordinator takes over (with a reason).

The two defects these walks found (a case opened from a concern gave an English reason with an
internal id; the routing rules list did not name a rule's team) are checked within walks 1 and 2.

Against the shared `doorpak serve --demo` of the browser stage. Every walk makes its own records
(random names) and does not depend on another walk or on the order of the tests; walk 2 leaves the
nurse in the team and the team's routing rule in place (a second run reuses the rule).
"""

from __future__ import annotations

import base64
import re
import tempfile
import uuid
from pathlib import Path
from urllib.parse import urlparse

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.ui import Select, WebDriverWait

from conftest import (
    ADMIN,
    COORDINATOR,
    GGD,
    LOCATION_STAFF,
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
    queue_row,
    select_label,
    set_value,
    type_into,
    work_row,
)

GGD_NURSE = "Nadia Verbeek"          # ggd@: partner professional of the GGD
GGD_MANAGER = "Michiel van Leeuwen"  # the GGD's manager in the demo (first by name), team lead of the nurse
COORDINATOR_NAME = "Sanne Verhoeven"  # coordinator@: districts Noord and Oost


def shot(driver: WebDriver, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    driver.save_screenshot(str(SCREENSHOTS / f"role-walk-{name}.png"))


def click_link(driver: WebDriver, text: str, within: str = "main", check: bool = True) -> None:
    """Follow the link whose text contains `text` (inside `within`), then axe the new page (if `check`)."""
    links = [a for a in driver.find_elements(By.CSS_SELECTOR, f"{within} a") if text in a.text]
    assert links, f"no link {text!r} in {within} on {driver.current_url}"
    click_and_wait(driver, links[0])
    assert document_status(driver) in (200, None), f"{driver.current_url} answered {document_status(driver)}"
    if check:
        axe_check(driver)


def nav_to(driver: WebDriver, href: str, check: bool = True) -> None:
    """Follow the main navigation's link to `href` (as a user would), then axe the page (if `check`)."""
    links = driver.find_elements(By.CSS_SELECTOR, f"nav.main-nav a[href='{href}']")
    assert links, f"no {href} in the main navigation on {driver.current_url}"
    click_and_wait(driver, links[0])
    assert current_path(driver) == href
    if check:
        axe_check(driver)


def register_signal(driver: WebDriver, location: str, category: str, text: str, check_form: bool = True,
                    check: bool = True, urgency: str | None = None) -> str:
    """Register a signal through the navigation's "new report"; returns its reference. axe runs on the
    report page (if `check`), and on the form unless `check_form` is false (a walk that filled it in already)."""
    nav_to(driver, "/reports/new", check=check_form)
    by_id(driver, "kind-signal").click()
    select_label(by_id(driver, "category"), category, exact=True)
    select_label(by_id(driver, "location"), location, exact=True)
    if urgency:
        choose(by_id(driver, "urgency"), urgency)
    type_into(by_id(driver, "description"), text)
    click_and_wait(driver, by_id(driver, "report-submit"))
    reference = current_path(driver).rsplit("/", 1)[1]
    assert reference.startswith("DP-"), f"registering ends on the report, not {driver.current_url}: {error_texts(driver)}"
    if check:
        axe_check(driver)
    return reference


def link_person(driver: WebDriver, name: str, birth_date: str, check_form: bool = True, check: bool = True) -> tuple[str, bool]:
    """From the report page just shown: link a person (as causing concern); (pseudonym, matched an existing one)."""
    click_and_wait(driver, by_id(driver, "link-person"))
    if check_form:
        axe_check(driver)
    choose(by_id(driver, "role"), "causing_concern")
    type_into(by_id(driver, "name"), name)
    set_value(driver, by_id(driver, "birth_date"), birth_date)
    click_and_wait(driver, by_id(driver, "person-submit"))
    assert current_path(driver).startswith("/persons/P-"), f"linking ends on the person, not {driver.current_url}: {error_texts(driver)}"
    if check:
        axe_check(driver)
    return current_path(driver).split("/")[2], exists(driver, "#person-matched")


# ------------------------------------------------------------------------ 1. repeat concern --

def test_repeat_concern_becomes_a_case_whose_direction_the_ggd_declines(new_browser):
    staff, police, coordinator, ggd = new_browser(), new_browser(), new_browser(), new_browser()
    tag = uuid.uuid4().hex[:6]
    name, born = f"Fictief Herhaald {tag}", "2000-03-14"

    # Site staff register a signal at their site and link the resident to it.
    login(staff, LOCATION_STAFF, stay=True)
    axe_check(staff)
    first = register_signal(staff, "Startblok Noorderhaven", "Eenzaamheid en terugtrekking",
                            f"Walk {tag}: bewoner trekt zich terug, zegt dat hij niet meer kan.")
    pseudonym, matched = link_person(staff, name, born)
    assert not matched, "a new resident is a new person"

    # The police register a second signal about the same resident: the same person, not a second record.
    login(police, POLICE, stay=True)
    axe_check(police)
    # (The forms were checked with axe on the staff's way already.)
    second = register_signal(police, "Startblok Noorderhaven", "Gevoel van onveiligheid",
                             f"Walk {tag}: buren voelen zich onveilig bij dezelfde bewoner.", check_form=False)
    again, matched = link_person(police, name, born, check_form=False)
    assert (again, matched) == (pseudonym, True), f"linked to {again} (matched={matched}), not to {pseudonym}"

    # Two organisations worry about one person: the district coordinator has "consider a case".
    login(coordinator, COORDINATOR, stay=True)
    assert current_path(coordinator) == "/work"
    axe_check(coordinator)
    items = [li for li in coordinator.find_elements(By.CSS_SELECTOR, "#work-concerns li") if pseudonym in li.text]
    assert len(items) == 1, f"one 'consider a case' item for {pseudonym}: {by_id(coordinator, 'work-concerns').text if exists(coordinator, '#work-concerns') else 'none'}"
    assert "2 meldingen, 2 organisaties" in items[0].text, items[0].text
    assert name not in body_text(coordinator), "Mijn werk names the person by pseudonym only"
    shot(coordinator, "concern-in-mijn-werk")
    click_and_wait(coordinator, items[0].find_element(By.TAG_NAME, "a"))
    assert current_path(coordinator).startswith("/concerns/")
    concern = current_path(coordinator)
    axe_check(coordinator)
    reports = by_id(coordinator, "concern-reports").text
    assert first in reports and second in reports, reports
    organisations = by_id(coordinator, "concern-organisations").text
    assert "Politie" in organisations and len(organisations.splitlines()) == 2, organisations
    assert f"Walk {tag}" not in body_text(coordinator), "the item shows facts, not the reports' content"

    # The organisations involved are told too: the police officer (his organisation's manager in the demo)
    # finds a notice naming the pseudonym, never the name or the content.
    nav_to(police, "/notifications")
    notices = [e for e in police.find_elements(By.CSS_SELECTOR, "main tr") if pseudonym in e.text]
    assert notices and "Zorgen over dezelfde persoon" in notices[0].text, f"no repeat-concern notice about {pseudonym} for the police"
    assert name not in body_text(police) and f"Walk {tag}" not in body_text(police)

    # Dismissing needs a reason: refused in place, the item still open.
    click_and_wait(coordinator, by_id(coordinator, "concern-dismiss").find_element(By.CSS_SELECTOR, "button[type=submit]"))
    assert document_status(coordinator) == 422
    assert current_path(coordinator) == concern + "/dismiss" or current_path(coordinator) == concern
    assert by_id(coordinator, "reason-error").is_displayed()
    assert by_id(coordinator, "reason").get_attribute("aria-invalid") == "true"
    assert exists(coordinator, "#error-summary a[href='#reason']")
    assert exists(coordinator, "#concern-open-case"), "still open: both decisions still offered"
    axe_check(coordinator)
    shot(coordinator, "concern-dismiss-refused")
    # Text the server refuses (longer than the 2000 characters allowed, e.g. pasted past the field's
    # limit) comes back in the field, so nothing typed is lost.
    typed = f"Walk {tag}: al bekend bij het wijkteam. " + "x" * 2000
    set_value(coordinator, by_id(coordinator, "reason"), typed)
    click_and_wait(coordinator, by_id(coordinator, "concern-dismiss").find_element(By.CSS_SELECTOR, "button[type=submit]"))
    assert document_status(coordinator) == 422
    assert by_id(coordinator, "reason-error").is_displayed()
    assert by_id(coordinator, "reason").get_attribute("value") == typed, "the typed reason is kept"

    # One click opens the case, with the linked reports; the coordinator directs it.
    click_and_wait(coordinator, by_id(coordinator, "concern-open-case").find_element(By.CSS_SELECTOR, "button[type=submit]"))
    assert current_path(coordinator).startswith("/cases/CS-"), f"opening ends on the case, not {coordinator.current_url}"
    case_path = current_path(coordinator)
    case_ref = case_path.rsplit("/", 1)[1]
    axe_check(coordinator)
    assert pseudonym in by_id(coordinator, "case-persons").text
    linked = by_id(coordinator, "linked-report-list").text
    assert first in linked and second in linked, linked
    assert COORDINATOR_NAME in by_id(coordinator, "case-director").text
    # Its reason says why in words, without the item's internal id (a defect these walks found).
    reason = coordinator.find_element(By.XPATH, "//h2[@id='reason-heading']/following-sibling::*[1]").text
    assert "2 meldingen van 2 organisaties" in reason and not re.search(r"[0-9a-f]{8}-[0-9a-f]{4}-", reason), reason

    # The coordinator proposes the GGD nurse as case director.
    select_label(by_id(coordinator, "director"), GGD_NURSE)
    type_into(by_id(coordinator, "director_reason"), "Zorg staat voorop; de GGD kent de bewoner")
    click_and_wait(coordinator, by_id(coordinator, "director-submit"))
    assert current_path(coordinator) == case_path
    director = by_id(coordinator, "case-director").text
    assert COORDINATOR_NAME in director and GGD_NURSE in director, f"proposed beside the director: {director!r}"
    axe_check(coordinator)

    # The item is decided: it has left Mijn werk, and names the case.
    nav_to(coordinator, "/work", check=False)  # (checked above)
    assert pseudonym not in (by_id(coordinator, "work-concerns").text if exists(coordinator, "#work-concerns") else "")
    open_page(coordinator, concern)
    assert case_ref in by_id(coordinator, "concern-facts").text
    assert not exists(coordinator, "#concern-open-case") and not exists(coordinator, "#concern-dismiss")
    axe_check(coordinator)
    # The nurse finds the proposal in her Mijn werk and opens the case from there.
    login(ggd, GGD, stay=True)
    assert current_path(ggd) == "/work"
    axe_check(ggd)
    rows = [r for r in ggd.find_elements(By.CSS_SELECTOR, "#work-proposals tbody tr") if case_ref in r.text]
    assert rows, f"{case_ref} is not among the proposals in the nurse's Mijn werk"
    assert "Aan u gevraagd" in rows[0].text, rows[0].text
    shot(ggd, "proposal-in-mijn-werk")
    click_and_wait(ggd, rows[0].find_element(By.CSS_SELECTOR, f"a[href='{case_path}']"))
    assert current_path(ggd) == case_path
    axe_check(ggd)
    assert exists(ggd, "#accept-form") and exists(ggd, "#decline-form")

    # Declining needs a reason (in place), then declines with one.
    click_and_wait(ggd, by_id(ggd, "decline-submit"))
    assert document_status(ggd) == 422
    assert by_id(ggd, "decline_reason-error").is_displayed()
    assert by_id(ggd, "decline_reason").get_attribute("aria-invalid") == "true"
    axe_check(ggd)
    decline = f"Walk {tag}: geen capaciteit deze maand; GGZ is beter op zijn plek"
    type_into(by_id(ggd, "decline_reason"), decline)
    click_and_wait(ggd, by_id(ggd, "decline-submit"))
    assert current_path(ggd) == "/cases" and document_status(ggd) == 200, "declined: back to her cases, the case not hers"
    assert case_ref not in body_text(ggd)
    axe_check(ggd)
    nav_to(ggd, "/work", check=False)  # (checked above)
    assert case_ref not in (by_id(ggd, "work-proposals").text if exists(ggd, "#work-proposals") else ""), \
        "declined: no longer waiting in her Mijn werk"
    open_page(ggd, case_path)
    assert document_status(ggd) == 404, "without a part in the case she no longer reaches it"

    # The coordinator is told, stays the director, and reads the reason on the case.
    nav_to(coordinator, "/notifications")
    notices = [li for li in coordinator.find_elements(By.CSS_SELECTOR, "main li, main tr") if case_ref in li.text]
    assert notices, f"no notice about {case_ref} in the coordinator's notifications"
    assert decline not in body_text(coordinator), "a notice carries the reference, not the reason"
    shot(coordinator, "declined-notice")
    click_and_wait(coordinator, notices[0].find_element(By.CSS_SELECTOR, f"a[href*='{case_ref}']"))
    assert current_path(coordinator) == case_path
    axe_check(coordinator)
    director = by_id(coordinator, "case-director").text
    assert COORDINATOR_NAME in director and GGD_NURSE not in director, director
    assert decline in body_text(coordinator), "the decline's reason is in the case's history"
    shot(coordinator, "declined-case")


# ---------------------------------------------------------------------------- 2. team queue --

TEAM = "Wijkteam Noord"                  # the demo's team within the GGD
TEAM_SITE = "Jonge Buren Zijlweg"        # a site in Noord that no other browser test reports at
TEAM_CATEGORY = "Eenzaamheid en terugtrekking"
TEAM_SITE_STAFF = "femke.willems@doorpak.example"
TEAM_LEAD = "michiel.vanleeuwen@doorpak.example"


def admin_edit(driver: WebDriver, section: str, row_text: str, check_lists: bool = True) -> None:
    """From the administration: open `section` (e.g. "/admin/teams") and the row linked as `row_text`;
    axe on the row's form, and on the pages leading there if `check_lists`."""
    nav_to(driver, "/admin", check=check_lists)
    click_and_wait(driver, driver.find_element(By.CSS_SELECTOR, f"main a[href='{section}']"))
    if check_lists:
        axe_check(driver)
    links = [a for a in driver.find_elements(By.CSS_SELECTOR, "main table a") if a.text.strip() == row_text]
    assert links, f"no {row_text!r} in {section}"
    click_and_wait(driver, links[0])
    axe_check(driver)


def ensure_team_rule(admin: WebDriver, check: bool = True, check_admin: bool = True) -> None:
    """As the administrator: route TEAM_CATEGORY at TEAM_SITE to the GGD's TEAM, through the routing
    rules' "new" form (a second run against the same server finds the rule the first one made)."""
    nav_to(admin, "/admin", check=check and check_admin)
    click_and_wait(admin, admin.find_element(By.CSS_SELECTOR, "main a[href='/admin/routing-rules']"))
    if check:
        axe_check(admin)
    if team_rule_rows(admin):
        return
    click_and_wait(admin, admin.find_element(By.CSS_SELECTOR, "main a[href='/admin/routing-rules/new']"))
    if check:
        axe_check(admin)
    select_label(by_id(admin, "category"), TEAM_CATEGORY, exact=True)
    select_label(by_id(admin, "location"), TEAM_SITE)
    select_label(by_id(admin, "organisation"), "GGD")
    select_label(by_id(admin, "team"), TEAM)
    type_into(by_id(admin, "acknowledge_days"), "2")
    type_into(by_id(admin, "resolve_days"), "5")
    click_and_wait(admin, by_id(admin, "admin-submit"))
    assert current_path(admin) == "/admin/routing-rules", error_texts(admin)
    if check:
        axe_check(admin)
    assert team_rule_rows(admin), "the new rule is listed"
    # The list says which team the rule sends to (a defect these walks found).
    assert any(TEAM in r.text for r in team_rule_rows(admin)), [r.text for r in team_rule_rows(admin)]


def team_rule_rows(admin: WebDriver):
    """The rows of the routing rules' list for TEAM_CATEGORY at TEAM_SITE to the GGD."""
    return [r for r in admin.find_elements(By.CSS_SELECTOR, "main table tbody tr")
            if TEAM_CATEGORY in r.text and TEAM_SITE in r.text and "GGD" in r.text]


def test_a_signal_routed_to_a_team_waits_in_its_queue_until_a_member_picks_it_up(new_browser):
    admin, staff, lead, nurse = new_browser(), new_browser(), new_browser(), new_browser()
    tag = uuid.uuid4().hex[:6]

    # The administrator gives the team its lead, puts the nurse in it and routes one kind of signal at one site to it.
    login(admin, ADMIN, stay=True)
    admin_edit(admin, "/admin/users", GGD_NURSE)
    user_page = current_path(admin)
    select_label(by_id(admin, "team"), TEAM)
    click_and_wait(admin, by_id(admin, "admin-submit"))
    assert current_path(admin) == user_page and document_status(admin) == 200, error_texts(admin)
    assert TEAM in Select(by_id(admin, "team")).first_selected_option.text
    admin_edit(admin, "/admin/teams", TEAM, check_lists=False)
    select_label(by_id(admin, "lead"), GGD_MANAGER, exact=True)
    click_and_wait(admin, by_id(admin, "admin-submit"))
    assert current_path(admin) == "/admin/teams", error_texts(admin)
    row = [r for r in admin.find_elements(By.CSS_SELECTOR, "main table tbody tr") if TEAM in r.text][0]
    assert int(row.find_elements(By.TAG_NAME, "td")[2].text) >= 1, f"the team has the nurse: {row.text}"
    axe_check(admin)
    shot(admin, "teams")
    ensure_team_rule(admin, check_admin=False)

    # Site staff register a signal there, urgent: it goes to the GGD's team, owned by no one.
    login(staff, TEAM_SITE_STAFF, stay=True)
    axe_check(staff)
    reference = register_signal(staff, TEAM_SITE, TEAM_CATEGORY, f"Walk {tag}: bewoner komt al weken de kamer niet uit.",
                                urgency="high")
    assert "GGD" in by_id(staff, "report-organisation").text

    # The team lead (not in the team) has the team view: the signal waits in the team's queue there, not in their own.
    login(lead, TEAM_LEAD, stay=True)
    assert current_path(lead) == "/work"
    axe_check(lead)
    assert queue_row(lead, reference) is None, "a team's report is only in the queue of its members"
    nav_to(lead, "/work", check=False)
    click_link(lead, "Mijn team")
    assert current_path(lead) == "/work/team"
    row = queue_row(lead, reference)
    assert row is not None and "Wachtrij van uw team" in row.text, f"{reference} waits in the team view's queue: {row and row.text}"
    shot(lead, "team-view")

    # A team member finds it in her queue (and was told at once), and picks it up.
    login(nurse, GGD, stay=True)
    assert current_path(nurse) == "/work"
    axe_check(nurse)
    row = queue_row(nurse, reference)
    assert row is not None, f"{reference} is not in the team member's queue"
    assert "Wachtrij van uw team" in row.text, row.text
    shot(nurse, "team-queue")
    click_and_wait(nurse, row.find_element(By.CSS_SELECTOR, "button[type=submit]"))
    assert current_path(nurse) == f"/reports/{reference}"
    assert by_id(nurse, "report-owner").text.strip() == GGD_NURSE
    axe_check(nurse)
    nav_to(nurse, "/work", check=False)  # (checked above)
    mine = work_row(nurse, reference, "reports")
    assert mine is not None and "U bent eigenaar" in mine.text, "picked up: hers"
    nav_to(nurse, "/work", check=False)
    assert queue_row(nurse, reference) is None, "picked up: out of the queue"

    # The lead sees it leave the team's queue and become work of someone in the team.
    nav_to(lead, "/work", check=False)
    click_link(lead, "Mijn team")
    assert queue_row(lead, reference) is None, "picked up: out of the team's queue"
    click_link(lead, "Mijn team", check=False)
    row = work_row(lead, reference, "reports")
    assert row is not None and GGD_NURSE in row.text and "Van iemand in uw team" in row.text, \
        f"{reference} among the team's reports: {row and row.text}"


# ---------------------------------------------------------------------- 3. case attachments --

# The smallest valid PNG: one transparent pixel.
PNG = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==")
WPI_CONSULTANT = "roel.timmermans@doorpak.example"
WPI_NAME = "Roel Timmermans"



def download(driver: WebDriver, link, folder: Path) -> Path:
    """Click a download link as the user would; the file Chromium saved in `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    driver.execute_cdp_cmd("Page.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(folder)})
    name = link.text.strip()
    link.click()
    target = folder / name
    WebDriverWait(driver, 15, poll_frequency=0.1).until(lambda _: target.is_file() and not list(folder.glob("*.crdownload")),
                                                        f"{name} was not downloaded into {folder}: {list(folder.iterdir())}")
    return target


def test_case_director_attaches_a_file_a_member_downloads_it_an_outsider_gets_404(new_browser):
    director, member, outsider = new_browser(), new_browser(), new_browser()
    tag = uuid.uuid4().hex[:6]

    # The GGD nurse links a resident to a report of hers and opens a case, directing it.
    login(director, GGD, stay=True)
    nav_to(director, "/reports")
    click_and_wait(director, director.find_element(By.CSS_SELECTOR, "#report-table a.report-ref"))
    axe_check(director)
    pseudonym, _ = link_person(director, f"Fictief Bijlage {tag}", "1998-06-21")
    click_and_wait(director, by_id(director, "open-case"))
    axe_check(director)
    type_into(by_id(director, "reason"), f"Walk {tag}: zorgplan delen met werk en inkomen")
    click_and_wait(director, by_id(director, "case-submit"))
    assert current_path(director).startswith("/cases/CS-"), f"opening ends on the case, not {director.current_url}: {error_texts(director)}"
    case_path = current_path(director)
    case_ref = case_path.rsplit("/", 1)[1]
    assert exists(director, "#attachments-empty")
    axe_check(director)

    # She adds the WPI consultant as a member (legal task) and attaches the care plan (a PNG).
    select_label(by_id(director, "member"), WPI_NAME)
    type_into(by_id(director, "member_role"), "Consulent werk en inkomen")
    choose(by_id(director, "legal_basis"), "legal_task")
    click_and_wait(director, by_id(director, "member-submit"))
    assert WPI_NAME in by_id(director, "members").text, error_texts(director)
    folder = Path(tempfile.mkdtemp(prefix="doorpak-walk-"))
    name = f"zorgplan-{tag}.png"
    (folder / name).write_bytes(PNG)
    by_id(director, "attachment-file").send_keys(str(folder / name))
    click_and_wait(director, by_id(director, "attachment-submit"))
    assert current_path(director) == case_path, f"{director.current_url}: {error_texts(director)}"
    rows = [r for r in director.find_elements(By.CSS_SELECTOR, "#attachments-table tbody tr") if name in r.text]
    assert rows and "PNG" in rows[0].text and GGD_NURSE in rows[0].text, [r.text for r in rows]
    href = rows[0].find_element(By.CSS_SELECTOR, "a").get_attribute("href")
    assert urlparse(href).path.startswith(f"{case_path}/attachments/"), href
    axe_check(director)
    shot(director, "case-attachment")

    # The member is told, follows the notice to the case, sees the attachment and downloads it.
    login(member, WPI_CONSULTANT, stay=True)
    axe_check(member)
    nav_to(member, "/notifications")
    notices = [e for e in member.find_elements(By.CSS_SELECTOR, "main li, main tr") if case_ref in e.text]
    assert notices, f"no notice of being added to {case_ref}"
    click_and_wait(member, notices[0].find_element(By.CSS_SELECTOR, f"a[href*='{case_ref}']"))
    assert current_path(member) == case_path
    axe_check(member)
    rows = [r for r in member.find_elements(By.CSS_SELECTOR, "#attachments-table tbody tr") if name in r.text]
    assert rows, "the member sees the case's attachment"
    link = rows[0].find_element(By.CSS_SELECTOR, "a")
    assert link.get_attribute("href") == href
    saved = download(member, link, folder / "member")
    assert saved.read_bytes() == PNG, "the member downloads the file as attached"
    shot(member, "case-attachment-member")

    # Someone outside the case: neither the case nor its attachment exists for them.
    login(outsider, POLICE, stay=True)
    open_page(outsider, urlparse(href).path)
    assert document_status(outsider) == 404, f"the police, outside the case, got {document_status(outsider)} for its attachment"
    assert name not in body_text(outsider)
    axe_check(outsider)
    open_page(outsider, case_path)
    assert document_status(outsider) == 404


# ----------------------------------------------------------- 4. a case without its director --

NEW_PASSWORD = "Regie-wandeling-2026!"


def test_a_case_whose_director_leaves_is_on_the_coordinators_mijn_werk_until_claimed(new_browser):
    admin, coordinator, colleague = new_browser(), new_browser(), new_browser()
    tag = uuid.uuid4().hex[:6]
    email, colleague_name = f"regie-{tag}@doorpak.example", f"Fictief Regiehouder {tag}"

    # The administrator gives a new GGD colleague an account.
    login(admin, ADMIN, stay=True)
    nav_to(admin, "/admin", check=False)
    click_and_wait(admin, admin.find_element(By.CSS_SELECTOR, "main a[href='/admin/users']"))
    click_and_wait(admin, admin.find_element(By.CSS_SELECTOR, "main a[href='/admin/users/new']"))
    axe_check(admin)
    type_into(by_id(admin, "email"), email)
    type_into(by_id(admin, "name"), colleague_name)
    type_into(by_id(admin, "password"), NEW_PASSWORD)
    choose(by_id(admin, "role"), "partner")
    select_label(by_id(admin, "organisation"), "GGD")
    click_and_wait(admin, by_id(admin, "admin-submit"))
    assert current_path(admin).startswith("/admin/users/") and document_status(admin) == 200, error_texts(admin)
    user_page = current_path(admin)

    # The coordinator links a resident to a report in their district, opens a case and asks the colleague to direct it.
    login(coordinator, COORDINATOR, stay=True)
    nav_to(coordinator, "/reports")
    click_and_wait(coordinator, coordinator.find_element(By.CSS_SELECTOR, "#report-table a.report-ref"))
    report = current_path(coordinator).rsplit("/", 1)[1]
    axe_check(coordinator)
    pseudonym, _ = link_person(coordinator, f"Fictief Zonder Regie {tag}", "1997-12-01", check_form=False)
    click_and_wait(coordinator, by_id(coordinator, "open-case"))
    axe_check(coordinator)
    type_into(by_id(coordinator, "reason"), f"Walk {tag}: meerdere partners betrokken, één regiehouder nodig")
    type_into(by_id(coordinator, "reports"), report)
    click_and_wait(coordinator, by_id(coordinator, "case-submit"))
    assert current_path(coordinator).startswith("/cases/CS-"), f"{coordinator.current_url}: {error_texts(coordinator)}"
    case_path = current_path(coordinator)
    case_ref = case_path.rsplit("/", 1)[1]
    select_label(by_id(coordinator, "director"), colleague_name, exact=True)
    type_into(by_id(coordinator, "director_reason"), "De GGD kent de bewoner")
    click_and_wait(coordinator, by_id(coordinator, "director-submit"))
    assert colleague_name in by_id(coordinator, "case-director").text
    axe_check(coordinator)

    # The colleague accepts from Mijn werk: the case director.
    login(colleague, email, NEW_PASSWORD, stay=True)
    assert current_path(colleague) == "/work"
    rows = [r for r in colleague.find_elements(By.CSS_SELECTOR, "#work-proposals tbody tr") if case_ref in r.text]
    assert rows, f"{case_ref} is not among the proposals in the colleague's Mijn werk"
    axe_check(colleague)
    click_and_wait(colleague, rows[0].find_element(By.CSS_SELECTOR, f"a[href='{case_path}']"))
    click_and_wait(colleague, by_id(colleague, "accept-submit"))
    assert current_path(colleague) == case_path
    assert by_id(colleague, "case-director").text.strip() == colleague_name
    assert exists(colleague, "#phase-form"), "the director moves the phases"
    axe_check(colleague)

    # The colleague leaves the GGD: the administrator deactivates the account.
    open_page(admin, user_page)
    click_and_wait(admin, by_id(admin, "deactivate"))
    assert current_path(admin) == user_page and document_status(admin) == 200
    axe_check(admin)

    # The case is without an active director: on the coordinator's Mijn werk, who claims it with a reason.
    nav_to(coordinator, "/work")
    items = [li for li in coordinator.find_elements(By.CSS_SELECTOR, "#work-directorless li") if case_ref in li.text]
    assert items, f"{case_ref} is not among the cases without an active director in the coordinator's Mijn werk"
    shot(coordinator, "directorless-in-mijn-werk")
    click_and_wait(coordinator, items[0].find_element(By.TAG_NAME, "a"))
    assert current_path(coordinator) == case_path
    axe_check(coordinator)
    click_and_wait(coordinator, by_id(coordinator, "claim-submit"))
    assert document_status(coordinator) == 422 and by_id(coordinator, "claim_reason-error").is_displayed(), \
        "taking over the direction needs a reason"
    axe_check(coordinator)
    type_into(by_id(coordinator, "claim_reason"), "Regiehouder uit dienst; ik neem de regie tijdelijk over")
    click_and_wait(coordinator, by_id(coordinator, "claim-submit"))
    assert current_path(coordinator) == case_path
    assert by_id(coordinator, "case-director").text.strip() == COORDINATOR_NAME
    axe_check(coordinator)
    nav_to(coordinator, "/work", check=False)
    assert case_ref not in (by_id(coordinator, "work-directorless").text if exists(coordinator, "#work-directorless") else "")
