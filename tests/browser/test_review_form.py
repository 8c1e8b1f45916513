"""The review form's details in a real browser (issue 12): the classification stays in sight while
the officer ticks the indicators, on an office screen and on a phone; typing and ticking faster than
the server answers logs no console error; "1,500,000" is read as 1.5 million; a conflict and a
field's error look like errors."""

import time

import pytest
from playwright.sync_api import expect

from households import views
from households.models import Review, Role
from tests.factories import CommuneFactory, HouseholdFactory, ReviewFactory, UserFactory

from .pages import OFFICE, PHONE

pytestmark = pytest.mark.browser

ERROR_BOX = "rgb(254, 242, 242)"  # static/css/portal.css .message-error
ERROR_RED = "rgb(185, 28, 28)"


@pytest.fixture
def household(transactional_db):
    commune = CommuneFactory(name="Xã Phú Cường Thử")
    UserFactory(username="xa-phu-cuong", role=Role.COMMUNE_OFFICER, unit=commune)
    return HouseholdFactory(commune=commune, head_name="Đinh Thị Hoà")


@pytest.fixture
def slow_classification(monkeypatch):
    """The classification answers after 0.4 s, as on a busy server: requests overlap."""
    preview = views._preview

    def slow(*args, **kwargs):
        time.sleep(0.4)
        return preview(*args, **kwargs)

    monkeypatch.setattr(views, "_preview", slow)


def watch_console(page) -> list[str]:
    errors = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    return errors


def in_view(page, selector: str, viewport: dict, *, within_ms: int = 2000) -> bool:
    """Whether the element is wholly on screen, waiting up to `within_ms` for it: an htmx swap
    replaces the element for a moment, and a loaded machine may be mid-scroll when asked."""
    deadline = within_ms
    while True:
        box = page.locator(selector).bounding_box()
        if box is not None and box["y"] >= 0 and box["y"] + box["height"] <= viewport["height"]:
            return True
        if deadline <= 0:
            return False
        page.wait_for_timeout(100)
        deadline -= 100


@pytest.mark.parametrize("viewport", [OFFICE, PHONE], ids=["office", "phone"])
def test_the_class_stays_in_sight_while_ticking_and_typing_logs_no_console_error(
    live_server, page, login, household, slow_classification, screenshot, viewport
):
    page.set_viewport_size(viewport)
    errors = watch_console(page)
    login(page, "xa-phu-cuong")
    page.goto(f"{live_server.url}/households/{household.pk}/reviews/2023/")
    income = page.locator("#id_income_per_capita")
    # Typed as many officers type it, with pauses longer than the form's 300 ms wait: each pause
    # sends a classification while the previous one is still on its way.
    for part in ("1,", "500,", "000"):
        income.press_sequentially(part, delay=40)
        page.wait_for_timeout(350)
    expect(page.locator("#review-preview")).to_contain_text("Hộ cận nghèo")  # 1.5 million, no deprivation
    expect(page.locator("#review-preview")).to_contain_text("0 chỉ số thiếu hụt")

    boxes = page.locator("#review-form input[type=checkbox][name^='d']")
    assert boxes.count() == 12
    for number in range(12):
        boxes.nth(number).check()  # scrolls the box into view; a change sends at once
        page.wait_for_timeout(80)
        assert in_view(page, "#review-preview", viewport), f"the class is out of sight after indicator {number + 1}"
    expect(page.locator("#review-preview")).to_contain_text("12 chỉ số thiếu hụt", timeout=10_000)
    expect(page.locator("#review-preview")).to_contain_text("Hộ nghèo")
    assert in_view(page, "#review-preview", viewport)
    page.wait_for_load_state("networkidle")
    screenshot(page, f"i-review-ticked-{'phone' if viewport is PHONE else 'office'}")
    assert errors == [], f"console errors while typing: {errors}"

    page.locator("#review-form button[type=submit]").click()
    expect(page.locator("main")).to_contain_text("Hộ nghèo")
    assert Review.objects.get(household=household, year=2023).income_per_capita == 1_500_000


def test_a_conflict_and_a_field_s_error_look_like_errors(live_server, page, login, household, screenshot):
    login(page, "xa-phu-cuong")
    page.goto(f"{live_server.url}/households/{household.pk}/reviews/2023/")
    page.fill("#id_income_per_capita", "một triệu")
    page.locator("#review-form button[type=submit]").click()
    errors = page.locator("#id_income_per_capita_error")
    expect(errors).to_contain_text("Nhập một số.")
    assert errors.evaluate("e => getComputedStyle(e).color") == ERROR_RED
    assert page.locator("#id_income_per_capita").get_attribute("aria-describedby") == "id_income_per_capita_error"

    # Another officer saves the review meanwhile: this one is refused with what changed.
    page.fill("#id_income_per_capita", "1.200.000")
    ReviewFactory(household=household, year=2023, commune=household.commune)
    page.locator("#review-form button[type=submit]").click()
    conflict = page.locator("#conflict")
    expect(conflict).to_be_visible()
    style = conflict.evaluate(
        "e => { const s = getComputedStyle(e); return [s.backgroundColor, s.borderLeftColor, s.borderLeftWidth] }"
    )
    assert style == [ERROR_BOX, ERROR_RED, "4px"], style
    screenshot(page, "i-review-conflict")
