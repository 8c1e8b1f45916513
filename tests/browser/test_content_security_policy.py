"""The pages under the Content-Security-Policy in a real browser (issue 13): an officer, a city
leader and an administrator walk the portal's main pages and the browser reports no violation
(Chromium logs each one to the console as "…violates the following Content Security Policy
directive…" and fires `securitypolicyviolation`), while HTMX, the charts and the auto-submitting
pickers (static/js/portal.js, instead of onchange=) still work."""

import pytest
from playwright.sync_api import expect

from households import accounts
from households.models import AdministrativeUnit, Household, Role
from targets.models import Plan
from tests.factories import UserFactory

pytestmark = pytest.mark.browser

CO_DO = "09634"  # the 2025 successor of Phú Cường (09625), one of seed_reviews' communes
LISTEN = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) =>
  window.__cspViolations.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`));
"""


@pytest.fixture
def city(city):
    """The browser tests' city (tests/browser/conftest.py), with a commune officer and an administrator."""
    UserFactory(username="xa-co-do", role=Role.COMMUNE_OFFICER, unit=accounts.resolve_unit(CO_DO, structure=2025))
    UserFactory(username="quan-tri", role=Role.ADMINISTRATOR, unit=city, is_staff=True, is_superuser=True)
    return city


class Violations:
    """What the browser refused, from the console and from the page's own listener."""

    def __init__(self, page):
        self.page = page
        self.console: list[str] = []
        self.errors: list[str] = []
        page.add_init_script(LISTEN)  # through the DevTools protocol: not subject to the policy
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.errors.append(str(error)))

    def _console(self, message):
        if "Content Security Policy" in message.text:
            self.console.append(message.text)

    def visit(self, url: str) -> None:
        self.page.goto(url)
        self.page.wait_for_load_state("networkidle")
        self.check(url)

    def check(self, where: str) -> None:
        seen = self.page.evaluate("() => window.__cspViolations || []")
        assert seen == [], f"{where}: {seen}"
        assert self.console == [], f"{where}: {self.console}"
        assert self.errors == [], f"{where}: {self.errors}"


def test_an_officer_s_pages_break_no_rule_of_the_policy_and_htmx_still_classifies(live_server, page, login, city):
    violations = Violations(page)
    login(page, "xa-co-do")
    home = Household.objects.filter(commune__code="09625").first()
    base = live_server.url
    for path in ("/households/", f"/households/{home.pk}/", "/households/at-risk/", "/imports/", "/imports/mine/"):
        violations.visit(base + path)

    # The review form's class appears as the officer types: an HTMX request, its swap and settle.
    violations.visit(f"{base}/households/{home.pk}/reviews/2026/")
    page.fill("#id_income_per_capita", "1.000.000")
    expect(page.locator("#review-preview")).to_contain_text("Kết quả phân loại")
    violations.check("the review form after HTMX")

    # A year picker submits its form on change (static/js/portal.js, no inline handler).
    violations.visit(f"{base}/workflow/")
    year = page.locator("select[name=year]")
    other = year.locator("option:not([selected])").first.get_attribute("value")
    year.select_option(other)
    page.wait_for_url(f"**/workflow/?year={other}*")
    violations.check("the workflow page after the year picker")


def test_a_leader_s_pages_break_no_rule_of_the_policy_and_the_charts_are_drawn(live_server, page, login, city):
    violations = Violations(page)
    login(page, "lanh-dao")
    base = live_server.url
    violations.visit(f"{base}/progress/?year=2024")
    drawn = page.evaluate(
        "() => [...document.querySelectorAll('canvas')].map(c => Boolean(window.Chart && Chart.getChart(c)))"
    )
    assert drawn and all(drawn), drawn
    heights = page.evaluate("() => [...document.querySelectorAll('.chart-box')].map(b => b.clientHeight)")
    assert heights[:4] == [220] * 4 and heights[4] == 380, heights  # from portal.css, not style=""

    page.locator("select[name=year]").select_option("2023")
    page.wait_for_url("**/progress/?*year=2023*")
    violations.check("the dashboard after the year picker")

    district = AdministrativeUnit.objects.get(code="271")  # Ba Vì
    plan = Plan.objects.get(code="51-KH/TU")
    for path in (
        f"/progress/unit/{district.pk}/?year=2024",
        "/progress/completeness/",
        "/progress/summary/?year=2024",
        "/progress/impact/",
        f"/progress/plans/{plan.pk}/closing/",
        "/households/at-risk/",
    ):
        violations.visit(base + path)


def test_the_admin_and_the_api_docs_break_no_rule_of_the_policy(live_server, page, login, city):
    violations = Violations(page)
    login(page, "quan-tri")
    violations.visit(f"{live_server.url}/admin/")
    violations.visit(f"{live_server.url}/admin/households/household/")
    violations.visit(f"{live_server.url}/api/v1/docs/")
    expect(page.locator(".swagger-ui .info")).to_be_visible()  # the start-up script ran
    violations.check("the API docs")
