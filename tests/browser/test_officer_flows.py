"""The officers' flows in a real browser (issue 3): enter a household and its review and see it
classified; upload a file with two bad rows and see both messages and nothing written; preview and
confirm a large file through the background job's progress bar; submit, and a district officer
approves. One screenshot per flow goes to test-artifacts/."""

import pytest
from playwright.sync_api import expect

from households import tasks, uploads
from households.models import Household, ImportJob, Review, ReviewState, Role
from tests.builders import review_row, xlsx_bytes
from tests.factories import CommuneFactory, ReviewFactory, UserFactory

from .pages import OFFICE, PHONE

pytestmark = pytest.mark.browser


@pytest.fixture
def unit(transactional_db):
    commune = CommuneFactory(name="Xã Phú Cường Thử")
    district = commune.parent
    return {
        "commune": commune,
        "district": district,
        "commune_officer": UserFactory(username="xa-phu-cuong", role=Role.COMMUNE_OFFICER, unit=commune),
        "district_officer": UserFactory(username="huyen-ba-vi", role=Role.DISTRICT_OFFICER, unit=district),
    }


def choose_file(page, content: bytes, name: str):
    mime = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    page.set_input_files("input[type=file]", files=[{"name": name, "mimeType": mime, "buffer": content}])


def test_an_officer_adds_a_household_and_its_review_and_sees_it_classified(live_server, page, login, unit, screenshot):
    login(page, "xa-phu-cuong")
    page.goto(f"{live_server.url}/households/new/")
    # The code is left blank: the portal gives the commune's next one (households.codes).
    code = f"HN-{unit['commune'].code}-00001"
    page.select_option("#id_commune", value=str(unit["commune"].pk))
    page.fill("#id_head_name", "Đinh Thị Hoà")
    page.select_option("#id_head_sex", value="F")
    page.fill("#id_members_count", "3")
    page.locator("main form button[type=submit]").click()
    expect(page.locator("main")).to_contain_text(f"Đã thêm hộ {code}")

    page.fill("#id_year", "2023")
    page.locator("#id_year").press("Enter")
    page.wait_for_url("**/households/*/reviews/2023/")
    expect(page.locator("main h1")).to_have_text("Rà soát năm 2023")  # a year, not the number 2.023
    page.fill("#id_income_per_capita", "1.400.000")
    for column in ("d01", "d02", "d03"):
        page.check(f"#id_{column}")
    # The class appears as the officer types (HTMX), from the importer's rules.
    expect(page.locator("#review-preview")).to_contain_text("Hộ nghèo")
    page.locator("#review-form button[type=submit]").click()
    expect(page.locator("main")).to_contain_text("Hộ nghèo")
    screenshot(page, "a-household-review-classified")
    review = Review.objects.get(household__code=code, year=2023)
    assert review.poverty_class == "poor" and review.state == ReviewState.DRAFT


def test_an_upload_with_two_bad_rows_shows_both_messages_and_changes_nothing(
    live_server, page, login, unit, screenshot
):
    commune = unit["commune"]
    ReviewFactory(household__code="BV-KEEP", household__commune=commune)
    before = list(Review.objects.values())
    login(page, "xa-phu-cuong")
    page.goto(f"{live_server.url}/imports/")
    expect(page.locator("h1")).to_have_text("Nhập tệp rà soát")
    rows = [
        review_row("BV-KEEP", commune, income_per_capita=9_000_000),
        review_row(f"HN-{commune.code}-00002", commune, income_per_capita="một triệu"),
        review_row(f"HN-{commune.code}-00003", commune, d04=7),
    ]
    choose_file(page, xlsx_bytes(rows), "ra-soat-xa.xlsx")
    page.locator("main form button[type=submit]").click()
    errors = page.locator("#import-errors")
    expect(errors).to_contain_text("Tệp bị từ chối: 2 lỗi. Không có dữ liệu nào được ghi.")
    expect(errors).to_contain_text("Dòng 3, cột «Thu nhập bình quân (đồng/người/tháng)»: «một triệu» phải là một số")
    expect(errors).to_contain_text("Dòng 4, cột «D04 Bảo hiểm y tế (0/1)»: «7» phải là 0 hoặc 1")
    expect(page.locator("#confirm-import")).to_have_count(0)
    screenshot(page, "b-upload-two-bad-rows")
    assert (
        list(Review.objects.values()) == before
        and not Household.objects.filter(code=f"HN-{commune.code}-00002").exists()
    )


def test_a_large_upload_shows_progress_then_the_preview_and_imports_on_confirm(
    live_server, page, login, unit, settings, monkeypatch, screenshot
):
    settings.IMPORT_BACKGROUND_ROWS = 3
    queued = []
    monkeypatch.setattr(tasks.run_import_job, "delay", lambda job_id: queued.append(job_id))
    commune = unit["commune"]
    login(page, "xa-phu-cuong")
    page.set_viewport_size(PHONE)  # officers review in villages
    page.goto(f"{live_server.url}/imports/")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], "no sideways scrolling"
    choose_file(page, xlsx_bytes([review_row(f"HN-{commune.code}-{i:05d}", commune) for i in range(8)]), "ca-xa.xlsx")
    page.locator("main form button[type=submit]").click()
    expect(page.locator("#job-progress progress")).to_be_visible()
    expect(page.locator("#job-progress")).to_contain_text("0/8")
    job = ImportJob.objects.get()
    assert queued == [job.pk]
    uploads.run_job(job.pk)  # the worker; the page polls and shows the preview on its own
    expect(page.locator("#import-summary")).to_contain_text("Xem trước", timeout=10_000)
    expect(page.locator("#households-created")).to_have_text("8")
    assert not Household.objects.exists()
    page.locator("#confirm-import").click()
    expect(page.locator("#job-progress")).to_be_visible()
    uploads.run_job(job.pk)
    expect(page.locator("#import-summary")).to_contain_text("Đã nhập", timeout=10_000)
    screenshot(page, "b2-upload-progress-phone")
    assert Review.objects.filter(household__commune=commune).count() == 8


def test_a_commune_submits_and_the_district_officer_approves(
    live_server, browser, login, unit, monkeypatch, screenshot
):
    from reports import tasks as report_tasks

    recomputes = []
    monkeypatch.setattr(report_tasks.recompute_all, "apply_async", lambda args, **options: recomputes.append(args[0]))
    commune = unit["commune"]
    for code in ("BV-1", "BV-2"):
        ReviewFactory(household__code=code, household__commune=commune)

    commune_page = browser.new_page(locale="vi-VN", viewport=OFFICE)
    login(commune_page, "xa-phu-cuong")
    commune_page.goto(f"{live_server.url}/workflow/?year=2023")
    row = commune_page.locator(f"#commune-{commune.pk}")
    expect(row).to_contain_text("Nháp")
    expect(row.get_by_role("button", name="Phê duyệt", exact=True)).to_have_count(0)  # not the commune's to approve
    row.locator("button", has_text="Gửi phê duyệt").click()
    expect(commune_page.locator(f"#commune-{commune.pk}")).to_contain_text("Đã gửi, chờ phê duyệt")

    district_page = browser.new_page(locale="vi-VN", viewport=OFFICE)
    login(district_page, "huyen-ba-vi")
    district_page.goto(f"{live_server.url}/workflow/{commune.pk}/2023/")
    expect(district_page.locator("#wf-state")).to_have_text("Đã gửi, chờ phê duyệt")
    district_page.fill("#approve-comment", "Đúng quy trình, đủ hộ")
    district_page.locator("#wf-approve").click()
    expect(district_page.locator("#wf-state")).to_have_text("Đã phê duyệt")
    expect(district_page.locator("#approval-classes")).to_contain_text("Hộ nghèo")  # what is approved
    expect(district_page.locator("#wf-transitions")).to_contain_text("Đúng quy trình, đủ hộ")
    screenshot(district_page, "c-workflow-approved")
    assert set(Review.objects.values_list("state", flat=True)) == {ReviewState.APPROVED}
    assert len(recomputes) == 1

    # Approved: the commune officer's review form is read-only now.
    review = Review.objects.get(household__code="BV-1")
    commune_page.goto(f"{live_server.url}/households/{review.household_id}/reviews/2023/")
    expect(commune_page.locator("main")).to_contain_text("chỉ được xem")
    expect(commune_page.locator("#review-form button[type=submit]")).to_have_count(0)


def test_on_a_phone_the_menu_folds_behind_one_button(live_server, page, login, unit, screenshot):
    page.set_viewport_size(PHONE)
    login(page, "xa-phu-cuong")
    page.goto(f"{live_server.url}/households/")
    links = page.locator(".site-nav .nav-links")
    expect(links).to_be_hidden()
    page.locator(".nav-toggle-button").click()
    expect(links).to_be_visible()
    expect(links.get_by_role("link", name="Hộ gia đình")).to_be_visible()
    screenshot(page, "f-phone-menu-open")


def test_on_a_phone_the_household_list_reads_as_cards_without_sideways_scrolling(
    live_server, page, login, unit, screenshot
):
    commune = unit["commune"]
    for number in range(3):
        ReviewFactory(
            household__code=f"HN-{commune.code}-{number:05d}",
            household__commune=commune,
            household__head_name="Nguyễn Thị Phương Thảo",
            household__village="Thôn Đồng Bảng, xóm Giữa",
        )
    page.set_viewport_size(PHONE)
    login(page, "xa-phu-cuong")
    page.goto(f"{live_server.url}/households/")
    cards = page.locator("#household-table tbody tr")
    expect(cards).to_have_count(3)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], "the page scrolls sideways"
    wrap = page.evaluate(
        "(e => [e.scrollWidth, e.clientWidth])(document.querySelector('#household-table').parentElement)"
    )
    assert wrap[0] <= wrap[1], f"the list scrolls sideways inside its box: {wrap}"
    # A card: the code heads it, each other value under its column's name; one card is one row's width.
    first = cards.first
    box = first.bounding_box()
    assert box["width"] <= PHONE["width"] and box["height"] > 120, box
    assert first.locator("td").first.evaluate("td => getComputedStyle(td, '::before').content") in ("none", "normal")
    labels = first.locator("td[data-label]").evaluate_all(
        "cells => cells.slice(1).filter(c => c.offsetParent).map(c => getComputedStyle(c, '::before').content)"
    )
    assert '"Chủ hộ"' in labels and '"Thôn, tổ"' in labels, labels
    expect(first).to_contain_text("Nguyễn Thị Phương Thảo")
    screenshot(page, "h-phone-household-cards")

    # The office screen keeps the table, its header row shown.
    page.set_viewport_size(OFFICE)
    expect(page.locator("#household-table thead th").first).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= OFFICE["width"]
