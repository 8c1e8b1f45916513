"""A city leader's dashboard in a real browser (issue 4): the cards with their "why" panels, the
five charts drawn by the vendored Chart.js, the map's dots, a click through to a district, the
English switch, and not one request leaving the portal (government intranets are offline)."""

import pytest
from playwright.sync_api import expect

from .pages import OFFICE, PHONE

pytestmark = pytest.mark.browser


def test_a_leader_reads_the_city_dashboard_offline_and_clicks_through_to_a_district(
    live_server, page, login, city, screenshot
):
    outside, errors = [], []
    page.on("request", lambda request: None if request.url.startswith(live_server.url) else outside.append(request.url))
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on(
        "response",
        lambda response: errors.append(f"{response.status} {response.url}") if response.status >= 400 else None,
    )

    login(page, "lanh-dao")
    page.goto(f"{live_server.url}/progress/?year=2024")
    main = page.locator("main")
    expect(main).to_contain_text("Tiến độ thực hiện Kế hoạch 51-KH/TU")
    expect(main).to_contain_text("2024")

    # Every chart is drawn by Chart.js, from the vendored file.
    canvases = page.locator("canvas")
    expect(canvases.first).to_be_visible()
    drawn = page.evaluate(
        "() => [...document.querySelectorAll('canvas')].map(c => Boolean(window.Chart && Chart.getChart(c)))"
    )
    assert drawn and all(drawn), drawn

    # A card's "why" opens on its method and formula.
    why = page.locator("details.why").first
    why.locator("summary").click()
    expect(why).to_contain_text("Công thức")

    # The map draws one dot per district with figures.
    assert page.locator("svg.status-map circle").count() >= 2
    screenshot(page, "the-city-dashboard")

    # Click through to Ba Vì, one of the districts in the table.
    page.locator("main table a", has_text="Ba Vì").first.click()
    page.wait_for_url("**/progress/unit/**")
    expect(page.locator("main h1")).to_contain_text("Ba Vì")

    # English on request, same figures.
    page.locator("button[name=language][value=en]").click()
    page.wait_for_load_state()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("main h1")).to_contain_text("Plan 51-KH/TU")

    assert outside == [], f"requests left the portal: {outside}"
    assert errors == [], f"browser errors: {errors}"


def test_the_dashboard_fits_a_phone(live_server, page, login, city):
    page.set_viewport_size(PHONE)
    login(page, "lanh-dao")
    page.goto(f"{live_server.url}/progress/?year=2024")
    expect(page.locator("main h1")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], "no sideways scrolling"


def test_the_units_table_fits_an_office_screen(live_server, page, login, city, screenshot):
    login(page, "lanh-dao")
    for path in ("/progress/?year=2024", f"/progress/unit/{city.children.get(code='271').pk}/?year=2024"):
        page.goto(f"{live_server.url}{path}")
        table = page.locator("table.units-table")
        expect(table).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= OFFICE["width"]
        wrap = table.evaluate("t => [t.parentElement.scrollWidth, t.parentElement.clientWidth]")
        assert wrap[0] <= wrap[1], f"{path}: the units table scrolls sideways ({wrap})"
    screenshot(page, "h-units-table-1366")
