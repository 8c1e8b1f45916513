"""This year's review in a real browser, on Hanoi's real units (issue 10): the officer of a commune
of the 2025 structure sends its own pre-filled 2026 template back unchanged and nothing is
written, edits one household and imports it, submits; the city officer, who writes no household,
approves. Screenshots go to test-artifacts/."""

import csv
import io

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from households import accounts
from households.importer import import_reviews
from households.importing.rows import header_key
from households.models import Review, ReviewState, Role
from tests.builders import csv_file, review_row

from .pages import OFFICE, PASSWORD

pytestmark = pytest.mark.browser

CO_DO, PHU_CUONG = "09634", "09625"  # Xã Cổ Đô (from 1 Jul 2025) took over Xã Phú Cường (Ba Vì)


@pytest.fixture
def cycle(transactional_db):
    call_command("load_admin_units", "--province", "01", verbosity=0)
    rows = [review_row(f"PC-{n}", PHU_CUONG, 2024, head_name=f"Nguyễn Văn {n}") for n in range(3)]
    import_reviews(csv_file(rows), filename="2024.csv", state=ReviewState.APPROVED)
    co_do = accounts.resolve_unit(CO_DO, structure=2025)
    accounts.create_user(username="xa-co-do", role=Role.COMMUNE_OFFICER, unit=co_do, password=PASSWORD)
    accounts.create_user(
        username="so-nnmt", role=Role.CITY_OFFICER, unit=accounts.resolve_unit("01"), password=PASSWORD
    )
    return co_do


def upload(page, live_server, content: bytes, name: str) -> None:
    page.goto(f"{live_server.url}/imports/")
    page.set_input_files("input[type=file]", files=[{"name": name, "mimeType": "text/csv", "buffer": content}])
    page.locator("main form button[type=submit]").click()
    expect(page.locator("#import-summary")).to_contain_text("Xem trước", timeout=15_000)


def test_the_2026_cycle_of_a_2025_commune_and_the_city_officer(
    live_server, browser, login, cycle, screenshot, monkeypatch
):
    from reports import tasks as report_tasks

    recomputes = []
    monkeypatch.setattr(report_tasks.recompute_all, "apply_async", lambda args, **options: recomputes.append(args[0]))
    co_do = cycle
    officer = browser.new_page(locale="vi-VN", viewport=OFFICE)
    login(officer, "xa-co-do")
    prefilled = officer.request.get(f"{live_server.url}/imports/template/?prefill=1&year=2026&format=csv").body()
    table = list(csv.reader(io.StringIO(prefilled.decode("utf-8-sig"))))
    keys = [header_key(label) for label in table[0]]  # the template shows Vietnamese labels
    assert len(table) == 4 and {row[keys.index("commune_code")] for row in table[1:]} == {CO_DO}

    upload(officer, live_server, prefilled, "co-do-2026.csv")
    expect(officer.locator("main")).to_contain_text("3 hộ chưa rà soát năm 2026")
    expect(officer.locator("#households-created")).to_have_text("0")
    expect(officer.locator("#nothing-to-change")).to_be_visible()
    expect(officer.locator("#confirm-import")).to_have_count(0)
    screenshot(officer, "d-prefilled-2026-sent-back-unchanged")
    assert not Review.objects.filter(year=2026).exists()

    # One household visited: its income is entered, so its row becomes the 2026 review.
    table[1][keys.index("income_per_capita")] = "2500000"  # above Decree 351's rural line: no longer poor
    out = io.StringIO()
    csv.writer(out).writerows(table)
    upload(officer, live_server, out.getvalue().encode(), "co-do-2026-sua.csv")
    officer.locator("#confirm-import").click()
    expect(officer.locator("#import-summary")).to_contain_text("Đã nhập", timeout=15_000)
    review = Review.objects.get(year=2026)
    assert review.commune == co_do and review.standard.first_year == 2026 and review.movement == "reclassified"

    officer.goto(f"{live_server.url}/workflow/?year=2026")
    officer.locator(f"#commune-{co_do.pk} button", has_text="Gửi phê duyệt").click()
    expect(officer.locator(f"#commune-{co_do.pk}")).to_contain_text("Đã gửi, chờ phê duyệt")

    city = browser.new_page(locale="vi-VN", viewport=OFFICE)
    login(city, "so-nnmt")
    city.goto(f"{live_server.url}/households/{review.household_id}/")
    expect(city.locator("main")).to_contain_text("PC-")
    city.goto(f"{live_server.url}/workflow/{co_do.pk}/2026/")
    expect(city.locator("#wf-state")).to_have_text("Đã gửi, chờ phê duyệt")
    city.locator("#wf-approve").click()
    expect(city.locator("#wf-state")).to_have_text("Đã phê duyệt")
    screenshot(city, "e-city-officer-approved-2026")
    assert Review.objects.get(year=2026).state == ReviewState.APPROVED and len(recomputes) == 1
