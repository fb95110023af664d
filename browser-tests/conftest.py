"""Shared fixtures and helpers for Doorpak's browser tests.

Run through `scripts/test` (which starts `doorpak serve --demo` and sets
DOORPAK_URL), or by hand against a running server:

    DOORPAK_URL=http://127.0.0.1:8080 .venv/bin/pytest browser-tests -q

Environment:
    DOORPAK_URL        base URL of the running server (required)
    CHROMIUM_BINARY    default /usr/bin/chromium (Debian's `chromium`)
    CHROMEDRIVER       default /usr/bin/chromedriver (Debian's `chromium-driver`)
    DOORPAK_ARTIFACTS  default <repo>/.ci-tmp; screenshots go to its screenshots/
    DOORPAK_WAIT       seconds to wait for a page after a click (default 15)
    DOORPAK_AXE_SCRIPT an axe.min.js to use instead of the one found in .venv

axe_check() runs axe-core through axe_selenium_python.Axe; by default with
the axe-core 4.x build shipped by axe-playwright-python (see
requirements-axe-core.txt), as the one bundled with axe-selenium-python 2.1.6
is axe-core 3.1.1 from 2018.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import time
from pathlib import Path
from urllib.parse import urljoin, urlparse

import pytest
import axe_selenium_python.axe
from axe_selenium_python import Axe
from selenium import webdriver
from selenium.common.exceptions import NoSuchElementException, TimeoutException, WebDriverException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support.ui import Select, WebDriverWait

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = Path(os.environ.get("DOORPAK_ARTIFACTS", str(ROOT / ".ci-tmp")))
SCREENSHOTS = ARTIFACTS / "screenshots"
LOGS = ARTIFACTS / "logs"

BASE_URL = os.environ.get("DOORPAK_URL", "").rstrip("/")
CHROMIUM = os.environ.get("CHROMIUM_BINARY", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver")
WAIT = float(os.environ.get("DOORPAK_WAIT", "15"))

DEMO_PASSWORD = "doorpak-demo-2026"
ADMIN = "beheerder@doorpak.example"
COORDINATOR = "coordinator@doorpak.example"
LOCATION_STAFF = "locatie@doorpak.example"
GGD = "ggd@doorpak.example"
POLICE = "politie@doorpak.example"
ANALYST = "analist@doorpak.example"
PRIVACY_OFFICER = "privacy@doorpak.example"

AXE_BLOCKING_IMPACTS = ("serious", "critical")
# Rules whose failures axe-core 4.x reports as "needs review" (reviewOnFail) although a failing
# node is a real defect: a duplicate id that an ARIA attribute or label points at.
AXE_REVIEW_IS_FAILURE = ("duplicate-id-aria",)


def _axe_script() -> str:
    """The axe-core build to inject: DOORPAK_AXE_SCRIPT, else the current one
    shipped by axe-playwright-python (installed --no-deps, only this file is
    used), else the old one bundled with axe-selenium-python."""
    if os.environ.get("DOORPAK_AXE_SCRIPT"):
        return os.environ["DOORPAK_AXE_SCRIPT"]
    spec = importlib.util.find_spec("axe_playwright_python")  # does not import playwright
    if spec and spec.submodule_search_locations:
        candidate = Path(list(spec.submodule_search_locations)[0]) / "axe.min.js"
        if candidate.is_file():
            return str(candidate)
    return axe_selenium_python.axe._DEFAULT_SCRIPT


AXE_SCRIPT = _axe_script()


def axe_core_version(script: str = AXE_SCRIPT) -> str:
    with open(script, encoding="utf-8") as f:
        text = f.read()
    m = re.search(r"axe v(\d+\.\d+\.\d+)", text[:400]) or re.search(r'version="(\d+\.\d+\.\d+)"', text)
    return m.group(1) if m else "unknown"


def pytest_report_header(config):
    return [f"doorpak: {BASE_URL or '(DOORPAK_URL not set)'}; chromium {CHROMIUM}; chromedriver {CHROMEDRIVER}",
            f"axe-core {axe_core_version()} from {AXE_SCRIPT}"]


# --------------------------------------------------------------- browser --

def make_driver() -> WebDriver:
    """A headless Chromium driven by Debian's chromedriver (no downloads)."""
    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    for arg in (
        "--headless=new",
        "--no-sandbox",
        "--disable-dev-shm-usage",
        "--window-size=1280,900",
        "--lang=nl-NL",
        "--no-first-run",
        "--disable-extensions",
    ):
        opts.add_argument(arg)
    # A Dutch user's browser; the app's default language is Dutch anyway.
    opts.add_experimental_option("prefs", {"intl.accept_languages": "nl-NL,nl"})
    # Lets document_status() read the HTTP status of page loads.
    opts.set_capability("goog:loggingPrefs", {"performance": "ALL"})
    LOGS.mkdir(parents=True, exist_ok=True)
    service = Service(executable_path=CHROMEDRIVER, log_output=str(LOGS / "chromedriver.log"))
    driver = webdriver.Chrome(options=opts, service=service)
    driver.set_window_size(1280, 900)
    driver.set_page_load_timeout(60)
    driver.set_script_timeout(60)
    return driver


def _safe_name(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", name).strip("_")[:120] or "test"


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, "rep_" + report.when, report)
    return report


@pytest.fixture(scope="session")
def base_url() -> str:
    if not BASE_URL:
        pytest.fail("DOORPAK_URL is not set: start `doorpak serve --demo` and point DOORPAK_URL at it "
                    "(scripts/test --only browser does both)", pytrace=False)
    return BASE_URL


@pytest.fixture
def new_browser(request, base_url):
    """Factory for fresh browsers (own cookies), e.g. for a second user.

    Every browser it made gets a screenshot in .ci-tmp/screenshots/ at the
    end of the test (and its HTML too when the test failed), then quits.
    """
    drivers: list[WebDriver] = []

    def factory() -> WebDriver:
        d = make_driver()
        d.base_url = base_url  # type: ignore[attr-defined]
        drivers.append(d)
        return d

    yield factory

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    failed = any(getattr(request.node, "rep_" + w, None) is not None
                 and getattr(request.node, "rep_" + w).failed for w in ("setup", "call"))
    stem = _safe_name(request.node.name)
    for i, d in enumerate(drivers):
        suffix = "" if i == 0 else f"-{i + 1}"
        try:
            d.save_screenshot(str(SCREENSHOTS / f"{stem}{suffix}.png"))
            if failed:
                (SCREENSHOTS / f"{stem}{suffix}.html").write_text(
                    f"<!-- {d.current_url} -->\n{d.page_source}", encoding="utf-8")
        except Exception as exc:  # a crashed browser must not hide the real failure
            print(f"could not save screenshot for {stem}{suffix}: {exc}")
        finally:
            try:
                d.quit()
            except Exception:
                pass


@pytest.fixture
def driver(new_browser) -> WebDriver:
    return new_browser()


# --------------------------------------------------------------- helpers --

def url(driver: WebDriver, path: str) -> str:
    """Absolute URL of a path on the server under test."""
    base = getattr(driver, "base_url", None) or BASE_URL
    return urljoin(base + "/", path.lstrip("/"))


def current_path(driver: WebDriver) -> str:
    return urlparse(driver.current_url).path


def _drain_performance_log(driver: WebDriver) -> list[dict]:
    try:
        return [json.loads(e["message"])["message"] for e in driver.get_log("performance")]
    except Exception:
        return []


def _record_document_status(driver: WebDriver, timeout: float = 3.0) -> None:
    """After a page load: find the HTTP status of the top-level document in
    Chrome's performance log (its events can lag the load a little)."""
    deadline = time.monotonic() + timeout
    here = driver.current_url.split("#", 1)[0]
    while True:
        status = None
        for m in _drain_performance_log(driver):
            if m.get("method") == "Network.responseReceived" and m["params"].get("type") == "Document":
                response = m["params"]["response"]
                if response.get("url", "").split("#", 1)[0] == here:
                    status = response.get("status")
        if status is not None:
            driver._doorpak_last_status = status  # type: ignore[attr-defined]
            return
        if time.monotonic() > deadline:
            driver._doorpak_last_status = None  # type: ignore[attr-defined]
            return
        time.sleep(0.1)


def document_status(driver: WebDriver) -> int | None:
    """HTTP status of the page last loaded by open_page() or click_and_wait()
    (e.g. 422 for a form shown again with errors); None if Chrome did not say."""
    return getattr(driver, "_doorpak_last_status", None)


def open_page(driver: WebDriver, path: str) -> None:
    _drain_performance_log(driver)
    driver.get(url(driver, path))
    _record_document_status(driver)


def visit(driver: WebDriver, path: str) -> None:
    """Open a page, check it loaded (200) and run axe on it."""
    open_page(driver, path)
    assert document_status(driver) in (200, None), f"{path} answered {document_status(driver)}"
    axe_check(driver)


def click_and_wait(driver: WebDriver, element: WebElement) -> None:
    """Click something that loads a new page (submit button, link) and wait
    until the new document has loaded.

    The old page is marked with a JS variable; the wait ends when a document
    without the mark is complete. (Waiting for the old <html> to go stale is
    flaky: mid-navigation chromedriver can answer with other errors.)
    """
    _drain_performance_log(driver)
    driver.execute_script(
        "window.__doorpakOldPage = true; arguments[0].scrollIntoView({block: 'center'});", element)
    element.click()

    def new_page_loaded(d: WebDriver) -> bool:
        try:
            return bool(d.execute_script(
                "return window.__doorpakOldPage === undefined && document.readyState === 'complete';"))
        except WebDriverException:  # the page is being swapped
            return False

    try:
        WebDriverWait(driver, WAIT, poll_frequency=0.1).until(new_page_loaded)
    except TimeoutException:
        raise AssertionError(f"no new page {WAIT:.0f}s after clicking {describe(element)} on {driver.current_url}") from None
    _record_document_status(driver)


def describe(element: WebElement) -> str:
    try:
        return element.get_attribute("outerHTML")[:160]
    except Exception:
        return "<element>"


def by_id(driver: WebDriver, element_id: str) -> WebElement:
    try:
        return driver.find_element(By.ID, element_id)
    except NoSuchElementException:
        raise AssertionError(f"no element with id={element_id!r} on {driver.current_url}\n"
                             f"page h1: {h1_text(driver)!r}") from None


def exists(driver: WebDriver, css: str) -> bool:
    return len(driver.find_elements(By.CSS_SELECTOR, css)) > 0


def h1_text(driver: WebDriver) -> str:
    els = driver.find_elements(By.TAG_NAME, "h1")
    return els[0].text.strip() if els else ""


def html_lang(driver: WebDriver) -> str:
    return driver.find_element(By.TAG_NAME, "html").get_attribute("lang") or ""


def body_text(driver: WebDriver) -> str:
    return driver.find_element(By.TAG_NAME, "body").text


def set_value(driver: WebDriver, element: WebElement, value: str) -> None:
    """Set an input's value the way a user would end up with it, firing
    input/change events (date/time inputs ignore locale-dependent typing)."""
    driver.execute_script(
        "arguments[0].value = arguments[1];"
        "arguments[0].dispatchEvent(new Event('input', {bubbles: true}));"
        "arguments[0].dispatchEvent(new Event('change', {bubbles: true}));",
        element, value)


def type_into(element: WebElement, text: str) -> None:
    element.clear()
    element.send_keys(text)


def choose(select_element: WebElement, value: str, label: str | None = None) -> None:
    """Select an option by value, falling back to its visible label."""
    sel = Select(select_element)
    try:
        sel.select_by_value(value)
    except NoSuchElementException:
        if label is None:
            options = [(o.get_attribute("value"), o.text) for o in sel.options]
            raise AssertionError(f"select #{select_element.get_attribute('id')} has no option "
                                 f"{value!r}; options: {options}") from None
        sel.select_by_visible_text(label)


def selected_value(select_element: WebElement) -> str:
    return Select(select_element).first_selected_option.get_attribute("value") or ""


def select_label(select_element: WebElement, text: str, exact: bool = False) -> None:
    """Select the option whose visible label contains `text` (is `text`, if `exact`)."""
    select = Select(select_element)
    for option in select.options:
        label = option.text.strip()
        if label == text or (not exact and text in label):
            select.select_by_value(option.get_attribute("value"))
            return
    raise AssertionError(f"no option {'labelled' if exact else 'containing'} {text!r} in "
                         f"#{select_element.get_attribute('id')}: {[o.text for o in select.options]}")


# The page each role lands on after signing in (issue 12): who picks up work starts in Mijn werk.
LANDING = {ADMIN: "/reports", COORDINATOR: "/work", LOCATION_STAFF: "/work", GGD: "/work", POLICE: "/work",
           ANALYST: "/locations"}


def login(driver: WebDriver, email: str, password: str = DEMO_PASSWORD,
          expect_success: bool = True, stay: bool = False) -> None:
    """Log in through the login form; by default assert we land on the role's first page
    (`LANDING`; `/work` for anyone not listed there), then open the worklist (/reports), where
    most walks start, unless `stay`."""
    open_page(driver, "/login")
    type_into(by_id(driver, "email"), email)
    type_into(by_id(driver, "password"), password)
    click_and_wait(driver, by_id(driver, "login-submit"))
    if expect_success:
        landing = LANDING.get(email, "/work")
        assert current_path(driver) == landing, (
            f"login as {email} ended on {driver.current_url} (status {document_status(driver)}), "
            f"not {landing}; h1={h1_text(driver)!r}; errors={error_texts(driver)!r}")
        if not stay and landing == "/work":
            open_page(driver, "/reports")


def logout(driver: WebDriver) -> None:
    click_and_wait(driver, by_id(driver, "logout"))


def error_texts(driver: WebDriver) -> list[str]:
    els = driver.find_elements(
        By.CSS_SELECTOR, "#error-summary, #login-error, [id$='-error'], [role='alert']")
    return [e.text.strip() for e in els if e.text.strip()]


# ------------------------------------------------------------ worklist --

def report_rows(driver: WebDriver) -> list[WebElement]:
    return driver.find_elements(By.CSS_SELECTOR, "#report-table tbody tr")


def row_reference(row: WebElement) -> str:
    links = row.find_elements(By.CSS_SELECTOR, "a.report-ref")
    assert links, f"worklist row without a.report-ref: {describe(row)}"
    return links[0].text.strip()


def row_status(row: WebElement) -> str | None:
    """Status code of a worklist row: its data-status, or the `status-<code>`
    class of the status tag in it."""
    code = row.get_attribute("data-status")
    if code:
        return code
    for el in row.find_elements(By.CSS_SELECTOR, "[class*='status-']"):
        for cls in (el.get_attribute("class") or "").split():
            if cls.startswith("status-"):
                return cls[len("status-"):]
    return None


def row_cells(row: WebElement) -> list[str]:
    return [c.text.strip() for c in row.find_elements(By.CSS_SELECTOR, "td, th")]


def option_labels(select_element: WebElement) -> dict[str, str]:
    """value -> visible label of a select's options."""
    return {o.get_attribute("value"): o.text.strip() for o in Select(select_element).options}


def visible_references(driver: WebDriver) -> list[str]:
    return [a.text.strip() for a in driver.find_elements(By.CSS_SELECTOR, "#report-table a.report-ref")]


# ------------------------------------------------------------- Mijn werk --

def work_row(driver: WebDriver, reference: str, section: str = "queue") -> WebElement | None:
    """The row of `reference` in one list of the Mijn werk view shown (`queue`, `reports`, `handovers`,
    `actions`), following that list's pages; None when it is on none of them."""
    for _ in range(40):
        for row in driver.find_elements(By.CSS_SELECTOR, f"#work-{section} tbody tr"):
            if reference in row.text:
                return row
        more = driver.find_elements(By.CSS_SELECTOR, f"section[aria-labelledby='work-{section}-heading'] a[href*='section={section}']")
        if not more:
            return None
        click_and_wait(driver, more[0])
    return None


def queue_row(driver: WebDriver, reference: str) -> WebElement | None:
    """The queue row of `reference` in the Mijn werk view shown, following the queue's pages."""
    return work_row(driver, reference, "queue")


# ------------------------------------------------------------------ axe --

def _format_violation(v: dict) -> str:
    lines = [f"[{v.get('impact')}] {v.get('id')}: {v.get('help')}",
             f"    {v.get('helpUrl')}"]
    for node in v.get("nodes", [])[:10]:
        target = ", ".join(str(t) for t in node.get("target", []))
        html = re.sub(r"\s+", " ", node.get("html", ""))[:200]
        lines.append(f"    - {target}")
        lines.append(f"        {html}")
        for line in (node.get("failureSummary") or "").splitlines():
            if line.strip():
                lines.append(f"        {line.strip()}")
    if len(v.get("nodes", [])) > 10:
        lines.append(f"    ... and {len(v['nodes']) - 10} more elements")
    return "\n".join(lines)


def unloaded_stylesheets(driver: WebDriver) -> list[str]:
    """hrefs of <link rel=stylesheet> that did not load (HTTP error, wrong
    MIME type under nosniff, blocked by CSP) or loaded empty."""
    return driver.execute_script("""
        const entries = performance.getEntriesByType('resource');
        return [...document.querySelectorAll('link[rel~="stylesheet"]')].filter(link => {
            const entry = entries.filter(e => e.name === link.href).pop();
            if (entry && entry.responseStatus >= 400) return true;
            if (!link.sheet) return true;
            try { return link.sheet.cssRules.length === 0; }
            catch (e) { return !(entry && entry.responseStatus === 200); }  // failed loads are unreadable
        }).map(link => link.href);""")


# Swift values or template syntax that leaked into the page text.
TEMPLATE_LEAK = re.compile(r"\bnil\b|Optional\(|\{\{|\}\}")


def template_leaks(driver: WebDriver) -> list[str]:
    """Lines of visible text showing e.g. `nil` or `Optional(...)`."""
    return [line.strip() for line in body_text(driver).splitlines() if TEMPLATE_LEAK.search(line)]


def axe_problems(driver: WebDriver, context: str | None = None) -> tuple[list[str], list[dict]]:
    """What axe_check() fails on, without failing: (problems, minor/moderate violations).

    Problems are a stylesheet that did not load, template leaks in the text and serious or
    critical axe-core violations, each as a readable message naming the page.
    """
    where = f"{driver.current_url} (html lang={html_lang(driver)!r}, h1={h1_text(driver)!r})"
    problems: list[str] = []
    missing = unloaded_stylesheets(driver)
    if missing:
        problems.append(f"stylesheet(s) {missing} did not load on {driver.current_url}")
    leaks = template_leaks(driver)
    if leaks:
        problems.append(f"template leaks on {driver.current_url}: {leaks[:10]}")
    axe = Axe(driver, script_url=AXE_SCRIPT)
    axe.inject()
    results = axe.run(context=context)
    violations = results.get("violations", [])
    violations += [v for v in results.get("incomplete", []) if v.get("id") in AXE_REVIEW_IS_FAILURE]
    blocking = [v for v in violations if v.get("impact") in AXE_BLOCKING_IMPACTS]
    others = [v for v in violations if v.get("impact") not in AXE_BLOCKING_IMPACTS]
    if others:
        print(f"axe: {len(others)} minor/moderate violation(s) on {where}:\n"
              + "\n".join(_format_violation(v) for v in others))
    if blocking:
        problems.append(f"axe-core found {len(blocking)} serious/critical accessibility violation(s) on {where}:\n"
                        + "\n".join(_format_violation(v) for v in blocking))
    return problems, others


def axe_check(driver: WebDriver, context: str | None = None) -> list[dict]:
    """Run axe-core on the current page; fail on serious or critical violations.

    Before that, two cheap checks of the page as a person sees it: every
    stylesheet loaded (colour contrast is only meaningful on the styled page)
    and no `nil`/`Optional(`/`{{` leaked into the text. Minor and moderate
    axe violations are printed (shown by pytest for failing tests) and returned.
    """
    problems, others = axe_problems(driver, context)
    if problems:
        pytest.fail("\n".join(problems), pytrace=False)
    return others
