"""Downloads in the import template's layout: the empty template, the template pre-filled with a
unit's households for the next review, and the filtered household list (.xlsx or .csv), so that
an export re-imports unchanged.

The pre-filled template of year Y carries each household's review of Y where there is one, else
its latest earlier review re-homed to its commune in Y (households.units) with year Y, and says in
`source_year` which year the values are from: sent back unchanged, a row copied from an earlier
year is a household not yet reviewed in Y, and the importer skips it (nothing changes).

Cell values that a spreadsheet would run as a formula (starting with =, +, -, @, tab or CR) are
prefixed with an apostrophe-like quote so that an export never carries live formulas (OWASP
"CSV injection").
"""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Iterable, Iterator
from typing import IO

from django.db.models import OuterRef, Subquery
from openpyxl import Workbook
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from households import poverty
from households.models import AdministrativeUnit, Household, Review, Sex, UnitLevel
from households.template import COLUMNS, REVIEW_TYPE_WORDS
from households.units import CommuneMap
from households.visibility import visible_communes
from povertyplan.cells import safe_cell


def write_template(stream: IO[bytes], rows: Iterable[list] = (), *, year: int | None = None) -> None:
    """Write the review template (Vietnamese headers), optionally pre-filled, and a sheet of instructions."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Rà soát")
    _help_the_officer(sheet)
    sheet.append([column.label for column in COLUMNS])
    for row in rows:
        sheet.append([safe_cell(value) for value in row])
    guide = workbook.create_sheet("Hướng dẫn")
    guide.append(["Cột", "Khóa tiếng Anh (cũng được chấp nhận)", "Bắt buộc"])
    for column in COLUMNS:
        guide.append([column.label, column.key, "có" if column.required else "không"])
    guide.append([])
    guide.append(["Cờ (0/1): 1 là có, 0 là không. Giới tính: Nam/Nữ. Thu nhập: đồng/người/tháng."])
    guide.append(["Mã xã/phường: mã GSO 5 chữ số của đơn vị có hiệu lực trong năm rà soát (xem trang «Mã đơn vị»)."])
    guide.append(
        [
            "Ngày rà soát (dd/mm/yyyy, có thể để trống): rà soát định kỳ năm Y ghi ngày từ 01/01/Y đến 31/03/Y+1, "
            "rà soát thường xuyên năm Y ghi ngày trong năm Y."
        ]
    )
    guide.append(["Mã hộ mới: bắt đầu bằng HN-<mã xã/phường>- (ví dụ HN-09625-00017); hộ đã có giữ nguyên mã của hộ."])
    for line in SOURCE_YEAR_GUIDE:
        guide.append([line])
    units = workbook.create_sheet("Mã đơn vị")
    units.append(["Mã", "Tên", "Thuộc", "Hiệu lực từ", "Hiệu lực đến"])
    communes = AdministrativeUnit.objects.filter(level=UnitLevel.COMMUNE).select_related("parent")
    if year is not None:
        communes = communes.in_force(year)
    for unit in communes.order_by("structure", "code"):
        units.append([unit.code, unit.name, unit.parent.name if unit.parent else "", unit.valid_from, unit.valid_to])
    workbook.save(stream)


TEMPLATE_ROWS = 20_000  # how far down the drop-down lists reach


def _help_the_officer(sheet) -> None:
    """The header stays in view, columns are wide enough for the Vietnamese headers, and the
    0/1, sex and review-type columns offer their values in a drop-down list (Excel's data validation)."""
    sheet.freeze_panes = "A2"
    choices = {"head_sex": '"Nam,Nữ"', "review_type": '"định kỳ,thường xuyên"'}
    lists = {}
    for index, column in enumerate(COLUMNS, start=1):
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = min(max(len(column.label) + 2, 10), 40)
        allowed = choices.get(column.key, '"0,1"' if column.label.endswith("(0/1)") else None)
        if allowed:
            lists.setdefault(allowed, []).append(f"{letter}2:{letter}{TEMPLATE_ROWS}")
    for allowed, ranges in lists.items():
        validation = DataValidation(
            type="list",
            formula1=allowed,
            allow_blank=True,
            showErrorMessage=True,
            errorTitle="Giá trị không hợp lệ",
            error=f"Chọn một giá trị trong danh sách: {allowed.strip(chr(34))}.",
        )
        for cells in ranges:
            validation.add(cells)
        sheet.data_validations.append(validation)  # a write-only sheet has no add_data_validation


SOURCE_YEAR_GUIDE = [
    "Số liệu của năm: năm của số liệu đã điền sẵn. Mẫu điền sẵn năm Y chép kết quả rà soát năm Y nếu đã có, "
    "nếu chưa thì chép kết quả gần nhất của năm trước (mã xã/phường đã đổi sang đơn vị có hiệu lực năm Y).",
    "Dòng chép từ năm trước mà chưa sửa gì được coi là hộ chưa rà soát năm Y: khi nhập, dòng đó được bỏ qua, "
    "không ghi gì. Sửa bất kỳ giá trị nào (hoặc xoá ô «Số liệu của năm») thì dòng đó là kết quả rà soát năm Y.",
    "Dòng không có thu nhập, điểm B1 và chỉ số thiếu hụt nào (hộ chưa có số liệu) cũng được bỏ qua.",
]

# The template's words whatever the interface language (the importer also accepts M/F).
SEX_WORDS = {Sex.MALE: "Nam", Sex.FEMALE: "Nữ"}


def review_row(review: Review, household: Household | None = None, *, year: int | None = None, commune=None) -> list:
    """One template row (COLUMNS order) for a review; `year` carries it forward to a new year (in
    `commune`, its commune that year), and `source_year` says where the values come from."""
    household = household or review.household
    flags = [int(flag) for flag in poverty.mask_to_flags(review.deprivation_flags, 12)]
    values = {
        "household_code": household.code,
        "commune_code": (commune or review.commune).code,
        "village": household.village,
        "head_name": household.head_name,
        "head_sex": SEX_WORDS[review.head_sex or household.head_sex],
        "ethnic_minority": int(review.ethnic_minority),
        "members": household.members_count,
        "meritorious": int(review.meritorious),
        "social_protection": int(review.social_protection),
        "no_labour_capacity": int(review.no_labour_capacity),
        "year": year or review.year,
        "income_per_capita": None if review.income_per_capita is None else int(review.income_per_capita),
        "b1_score": review.b1_score,
        **{f"d{number:02d}": flag for number, flag in enumerate(flags, start=1)},
        "review_date": None if year and year != review.year else review.review_date,
        "review_type": None if year and year != review.year else REVIEW_TYPE_WORDS.get(review.review_type),
        "source_year": review.year,
    }
    return [values[column.key] for column in COLUMNS]


def _household_row(household: Household, commune_code: str, year: int) -> list:
    """A template row for a household without any review: identity only, the officer fills the rest."""
    values = {
        "household_code": household.code,
        "commune_code": commune_code,
        "village": household.village,
        "head_name": household.head_name,
        "head_sex": SEX_WORDS[household.head_sex],
        "ethnic_minority": int(household.ethnic_minority),
        "members": household.members_count,
        "meritorious": int(household.meritorious),
        "social_protection": int(household.social_protection),
        "no_labour_capacity": int(household.no_labour_capacity),
        "year": year,
    }
    return [values.get(column.key) for column in COLUMNS]


def export_rows(households, year: int | None = None) -> Iterator[list]:
    """The reviews of these households (a visible, filtered queryset): the year's, else the latest.

    Households without a review of that year have nothing to re-import and are left out.
    """
    reviews = Review.objects.filter(household__in=households.order_by().values("pk"))
    if year:
        reviews = reviews.filter(year=year)
    else:
        latest = Review.objects.filter(household=OuterRef("household")).order_by("-year").values("year")[:1]
        reviews = reviews.filter(year=Subquery(latest))
    reviews = reviews.select_related("household", "commune").order_by("commune__code", "household__code")
    for review in reviews.iterator(chunk_size=2000):
        yield review_row(review)


def next_review_year(today: datetime.date) -> int:
    """The review carried out at the end of this year (1 September – 14 December, docs/review-cycle.md)."""
    return today.year


def prefilled_rows(user, year: int) -> Iterator[list]:
    """Every household whose commune in `year` is one of the user's, with its review of `year`, else
    carried forward to `year` from its latest earlier review (re-homed by households.units).

    Households the user only reads (history that moved on to another commune) are left out: their
    rows would be refused. Two queries per 2,000 households.
    """
    communes = CommuneMap()
    writable = set(visible_communes(user).values_list("pk", flat=True))
    households = Household.objects.visible_to(user).order_by("commune__code", "code")
    latest = Review.objects.filter(household=OuterRef("pk"), year__lte=year).order_by("-year").values("pk")[:1]
    households = households.annotate(latest_review=Subquery(latest))
    for chunk in _chunked(households.iterator(chunk_size=2000), 2000):
        reviews = Review.objects.in_bulk([h.latest_review for h in chunk if h.latest_review])
        for household in chunk:
            review = reviews.get(household.latest_review)
            if review is not None and review.year == year:
                commune = communes.units.get(review.commune_id)  # the year's own review stays where it is
            else:
                reviewed_id = review.commune_id if review is not None else None
                commune = communes.for_year(household.commune_id, year, reviewed_id=reviewed_id)
            if commune is None or commune.pk not in writable:
                continue
            if review is None:
                yield _household_row(household, commune.code, year)
            else:
                yield review_row(review, household, year=year, commune=commune)


def _chunked(items: Iterable, size: int) -> Iterator[list]:
    chunk: list = []
    for item in items:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def write_csv(stream: IO[bytes], rows: Iterable[list]) -> None:
    """The template as CSV (UTF-8 with BOM so Excel shows Vietnamese), formulas neutralised."""
    text = io.TextIOWrapper(stream, encoding="utf-8-sig", newline="", write_through=True)
    writer = csv.writer(text)
    writer.writerow([column.label for column in COLUMNS])
    for row in rows:
        writer.writerow([_csv_value(value) for value in row])
    text.detach()


def _csv_value(value):
    if value is None:
        return ""
    if isinstance(value, datetime.date):
        return value.strftime("%d/%m/%Y")
    return safe_cell(value)


def write_export(stream: IO[bytes], rows: Iterable[list], fmt: str, *, year: int | None = None) -> None:
    if fmt == "csv":
        write_csv(stream, rows)
    else:
        write_template(stream, rows, year=year)
