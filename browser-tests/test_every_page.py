"""axe-core on every GET page the router knows, for every demo role and signed out.

The list of pages comes from the server itself (`doorpak routes`, the router `serve` builds), so a
new page is checked without anyone adding it here. Path parameters are filled with references the
role itself can reach: each role walks its own pages and takes, for every route pattern, the first
link on them that matches it (a case from its case list, an action from that case's page, ...);
what no link leads to gets the same parameter (by name) from a page the role did reach. A page that
needs a query string besides its path (what the form leading to it sends) gets it from QUERIES. Each route
pattern is visited once per role, with one browser per role, to stay within a few minutes.

A page answering 403 or 404 to a role is recorded (the error page is checked once per role); a 5xx
fails. Skipped routes and why are in SKIPPED; the last test checks that every other GET route was
checked, answering 200, for at least one role. A summary per role goes to .ci-tmp/logs/every-page.txt.
"""

from __future__ import annotations

import functools
import os
import re
import subprocess
import time
from dataclasses import dataclass, field
from urllib.parse import urlparse

import pytest

from conftest import (ADMIN, ANALYST, COORDINATOR, GGD, LOCATION_STAFF, LOGS, PRIVACY_OFFICER, ROOT,
                      axe_problems, current_path, document_status, login, open_page)

ROLES = {
    "administrator": ADMIN,
    "coordinator": COORDINATOR,
    "location_staff": LOCATION_STAFF,
    # One partner professional: the police officer has the same role and the same pages (both direct a demo case).
    "partner_ggd": GGD,
    "analyst": ANALYST,
    "privacy_officer": PRIVACY_OFFICER,
}

# Route pattern (regex) -> why it is not visited as a page.
SKIPPED = {
    r"/api/.*": "JSON API, not a page (its contract is tested by test_api_schemathesis.py)",
    r"/health": "plain-text health check for load balancers",
    r".*\.json": "JSON download (the art. 15 export), not a page",
    r"/lang/\{[^/]+\}": "sets the language and redirects back to the page it came from; not a page of its own",
    r"/logout/sso": "signs the user out (the provider's logout); would end the role's session",
    r"/(login|reauth)/sso(/callback)?": "redirects to the OpenID provider; no provider in the demo (test_sso.py covers it)",
    r"/(reports|cases)/\{[^/]+\}/attachments/\{attachment\}": "a file download (Content-Disposition: attachment), not a page "
                                                               "(AttachmentTests and test_attachments.py cover it)",
}

# Route pattern -> the query string a page needs besides its path (what the form leading to it sends).
QUERIES = {
    "/privacy/persons/{pseudonym}/export": "?reason=Toegankelijkheidscontrole",
}

PARAM = re.compile(r"\{([^/{}]+)\}")


def skip_reason(pattern: str) -> str | None:
    for regex, why in SKIPPED.items():
        if re.fullmatch(regex, pattern):
            return why
    return None


def server_routes() -> list[str]:
    """GET route patterns from `doorpak routes` (DOORPAK_BIN, else the debug build)."""
    binary = os.environ.get("DOORPAK_BIN") or str(ROOT / ".build" / "debug" / "doorpak")
    out = subprocess.run([binary, "routes"], check=True, capture_output=True, text=True, timeout=120).stdout
    return [line.split(" ", 1)[1] for line in out.splitlines() if line.startswith("GET ")]


ROUTES = server_routes()
PAGES = [r for r in ROUTES if skip_reason(r) is None]
# What each route pattern answered, per role: {role: {pattern: (path, status)}}.
RESULTS: dict[str, dict[str, tuple[str, int | None]]] = {}


@functools.cache
def pattern_regex(pattern: str) -> re.Pattern:
    return re.compile("".join(f"(?P<{m}>[^/?#]+)" if m else re.escape(t)
                              for t, m in _split(pattern)))


def _split(pattern: str):
    pos = 0
    for m in PARAM.finditer(pattern):
        yield pattern[pos:m.start()], None
        yield "", m.group(1)
        pos = m.end()
    yield pattern[pos:], None


def literal_segments(pattern: str) -> int:
    return sum(1 for segment in pattern.split("/") if segment and not PARAM.search(segment))


@functools.cache
def route_of(path: str) -> str | None:
    """The route pattern the router gives a path to: of the patterns matching it, the one with the
    most literal segments (`/reports/new` is not a report called "new")."""
    matching = [p for p in ROUTES if pattern_regex(p).fullmatch(path)]
    return max(matching, key=literal_segments, default=None)


@dataclass
class Walk:
    """One role's walk over the pages: where it went, what it saw, what went wrong."""
    role: str
    links: list[str] = field(default_factory=list)
    seen_links: set[str] = field(default_factory=set)
    checked_urls: set[str] = field(default_factory=set)
    error_pages_checked: set[int] = field(default_factory=set)
    peeked: set[str] = field(default_factory=set)
    values: dict[str, str] = field(default_factory=dict)
    results: dict[str, tuple[str, int | None]] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    axe_runs: int = 0

    def collect_links(self, driver) -> None:
        base = urlparse(driver.current_url)
        hrefs = driver.execute_script(
            "return [...document.querySelectorAll('a[href]')].map(a => a.href);") or []
        for href in hrefs:
            u = urlparse(href)
            if u.netloc != base.netloc or not u.path or u.path in self.seen_links:
                continue
            self.seen_links.add(u.path)
            # The query stays: a form page may need what its link carries (`?person=…`).
            self.links.append(u.path + (f"?{u.query}" if u.query else ""))

    def learn_values(self, pattern: str, path: str) -> None:
        m = pattern_regex(pattern).fullmatch(path.split("?")[0])
        if m:
            for name, value in m.groupdict().items():
                self.values.setdefault(name, value)

    def visit(self, driver, pattern: str, path: str) -> None:
        open_page(driver, path + QUERIES.get(pattern, ""))
        status = document_status(driver)
        landed = current_path(driver)  # /login?next=... is one page, whatever `next` is
        self.results[pattern] = (path, status)
        self.learn_values(pattern, path)
        if status is not None and status >= 500:
            self.problems.append(f"{self.role}: GET {path} ({pattern}) answered {status}")
            return
        if status in (403, 404):
            if status in self.error_pages_checked:
                return
            self.error_pages_checked.add(status)
        else:
            self.collect_links(driver)
        if landed in self.checked_urls:
            return
        self.checked_urls.add(landed)
        problems, _ = axe_problems(driver)
        self.axe_runs += 1
        self.problems += [f"{self.role}: GET {path} ({pattern}): {p}" for p in problems]

    def walk(self, driver) -> None:
        todo = list(PAGES)
        # Pages without parameters first, then whatever a link the role has seen leads to, until
        # nothing new is reachable; last, parameters by name from pages the role did reach.
        for pattern in [p for p in todo if not PARAM.search(p)]:
            self.visit(driver, pattern, pattern)
        todo = [p for p in todo if PARAM.search(p)]
        progress = True
        while todo and progress:
            progress = False
            for pattern in list(todo):
                path = next((link for link in self.links if route_of(link.split("?")[0]) == pattern), None)
                if path:
                    todo.remove(pattern)
                    self.visit(driver, pattern, path)
                    progress = True
        # A page only some records link to (the placement form on a case the role directs): look at a
        # few more of the records whose pages it extends, for its link, before falling back to names.
        for pattern in list(todo):
            parents = {p for p in PAGES if p != pattern and PARAM.search(p) and pattern.startswith(p + "/")}
            extra = [link for link in self.links if route_of(link.split("?")[0]) in parents
                     and link.split("?")[0] not in self.peeked][:4]
            for link in extra:
                self.peeked.add(link.split("?")[0])
                open_page(driver, link)
                if document_status(driver) == 200:
                    self.collect_links(driver)
            path = next((link for link in self.links if route_of(link.split("?")[0]) == pattern), None)
            if path:
                todo.remove(pattern)
                self.visit(driver, pattern, path)
        for pattern in todo:
            names = PARAM.findall(pattern)
            if all(n in self.values for n in names):
                self.visit(driver, pattern, PARAM.sub(lambda m: self.values[m.group(1)], pattern))
            else:
                self.results[pattern] = ("", None)  # no reference for it visible to this role

    def summary(self, seconds: float) -> str:
        lines = [f"== {self.role}: {len(self.results)} route patterns, {self.axe_runs} axe runs, {seconds:.0f}s"]
        for pattern in sorted(self.results):
            path, status = self.results[pattern]
            lines.append(f"  {status if status is not None else '---'}  {pattern}  {path or '(no reference visible)'}")
        return "\n".join(lines)


def write_summary(text: str) -> None:
    LOGS.mkdir(parents=True, exist_ok=True)
    with open(LOGS / "every-page.txt", "a", encoding="utf-8") as f:
        f.write(text + "\n")


def test_routes_come_from_the_router():
    # The router knows the pages every feature adds; a broken `doorpak routes` must not pass as "nothing to check".
    assert "/reports/{reference}" in ROUTES and "/cases/{case}" in ROUTES and "/admin/users/{id}" in ROUTES, ROUTES
    assert len(PAGES) > 50, PAGES


def test_every_page_signed_out(new_browser):
    """Signed out, every page either is a sign-in page or sends the visitor to one."""
    driver = new_browser()
    started = time.monotonic()
    walk = Walk("signed_out")
    for pattern in [p for p in PAGES if not PARAM.search(p)]:
        path = pattern
        walk.visit(driver, pattern, path)
        landed = current_path(driver)
        if not landed.startswith(("/login", "/reauth")):
            walk.problems.append(f"signed out: GET {path} ended on {landed} ({document_status(driver)}), not a sign-in page")
    RESULTS["signed_out"] = walk.results
    write_summary(walk.summary(time.monotonic() - started))
    assert not walk.problems, "\n\n".join(walk.problems)


@pytest.mark.parametrize("role", list(ROLES))
def test_every_page_for_role(new_browser, role):
    driver = new_browser()
    started = time.monotonic()
    login(driver, ROLES[role], expect_success=False)
    assert not current_path(driver).startswith("/login"), f"{role} could not sign in: {driver.current_url}"
    walk = Walk(role)
    walk.walk(driver)
    RESULTS[role] = walk.results
    summary = walk.summary(time.monotonic() - started)
    print(summary)
    write_summary(summary)
    assert not walk.problems, "\n\n".join(walk.problems)


def test_every_page_was_checked_for_some_role():
    """Each GET page answered 200 (after redirects) and was checked for at least one role."""
    if set(RESULTS) != {"signed_out", *ROLES}:
        pytest.skip(f"only {sorted(RESULTS)} ran")
    def reached(pattern: str) -> bool:
        return any(results.get(pattern, ("", None))[1] == 200 for results in RESULTS.values())
    missed = [p for p in PAGES if not reached(p)]
    assert not missed, "GET pages no role reached with a 200 (no reference visible, or an error for everyone): " + ", ".join(missed)
