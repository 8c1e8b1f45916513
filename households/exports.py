"""Downloads in the import template's layout: the empty template, the template pre-filled with a
unit's households for the next review, and the filtered household list (.xlsx or .csv), so that
an export re-imports unchanged.

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

from households import poverty
from households.models import AdministrativeUnit, Household, Review, Sex, Succession, UnitLevel
from households.template import COLUMNS, REVIEW_TYPE_WORDS
from households.visibility import visible_communes

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value):
    """A cell value safe to open in a spreadsheet: text that looks like a formula is quoted."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def write_template(stream: IO[bytes], rows: Iterable[list] = (), *, year: int | None = None) -> None:
    """Write the review template (Vietnamese headers), optionally pre-filled, and a sheet of instructions."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Rà soát")
    sheet.append([column.label for column in COLUMNS])
    for row in rows:
        sheet.append([neutralise(value) for value in row])
    guide = workbook.create_sheet("Hướng dẫn")
    guide.append(["Cột", "Khóa tiếng Anh (cũng được chấp nhận)", "Bắt buộc"])
    for column in COLUMNS:
        guide.append([column.label, column.key, "có" if column.required else "không"])
    guide.append([])
    guide.append(["Cờ (0/1): 1 là có, 0 là không. Giới tính: Nam/Nữ. Thu nhập: đồng/người/tháng."])
    guide.append(["Mã xã/phường: mã GSO 5 chữ số của đơn vị có hiệu lực trong năm rà soát (xem trang «Mã đơn vị»)."])
    units = workbook.create_sheet("Mã đơn vị")
    units.append(["Mã", "Tên", "Thuộc", "Hiệu lực từ", "Hiệu lực đến"])
    communes = AdministrativeUnit.objects.filter(level=UnitLevel.COMMUNE).select_related("parent")
    if year is not None:
        communes = communes.in_force(year)
    for unit in communes.order_by("structure", "code"):
        units.append([unit.code, unit.name, unit.parent.name if unit.parent else "", unit.valid_from, unit.valid_to])
    workbook.save(stream)


# The template's words whatever the interface language (the importer also accepts M/F).
SEX_WORDS = {Sex.MALE: "Nam", Sex.FEMALE: "Nữ"}


def review_row(review: Review, household: Household | None = None, *, year: int | None = None) -> list:
    """One template row (COLUMNS order) for a review; `year` carries it forward to a new year."""
    household = household or review.household
    flags = [int(flag) for flag in poverty.mask_to_flags(review.deprivation_flags, 12)]
    values = {
        "household_code": household.code,
        "commune_code": review.commune.code,
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
        "review_date": None if year else review.review_date,
        "review_type": None if year else REVIEW_TYPE_WORDS.get(review.review_type),
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
    """The review carried out at the end of this year (1 September – 14 December, DOMAIN.md §3)."""
    return today.year


def prefilled_rows(user, year: int) -> Iterator[list]:
    """Every household the user sees, carried forward to `year` from its latest earlier review."""
    households = Household.objects.visible_to(user).select_related("commune").order_by("commune__code", "code")
    in_force = _communes_in_force(visible_communes(user), year)
    latest = Review.objects.filter(household=OuterRef("pk"), year__lt=year).order_by("-year").values("pk")[:1]
    households = households.annotate(latest_review=Subquery(latest))
    for chunk in _chunked(households.iterator(chunk_size=2000), 2000):
        reviews = Review.objects.in_bulk([h.latest_review for h in chunk if h.latest_review])
        for household in chunk:
            commune = in_force.get(household.commune_id)
            code = commune.code if commune else household.commune.code
            review = reviews.get(household.latest_review)
            if review is None:
                yield _household_row(household, code, year)
            else:
                review.commune = commune or household.commune
                yield review_row(review, household, year=year)


def _chunked(items: Iterable, size: int) -> Iterator[list]:
    chunk: list = []
    for item in items:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _communes_in_force(communes, year: int) -> dict[int, AdministrativeUnit]:
    """Each commune id → the commune in force in `year`: itself, else its primary successor."""
    day = datetime.date(year, 12, 31)

    def valid(unit: AdministrativeUnit) -> bool:
        return (unit.valid_from is None or unit.valid_from <= day) and (unit.valid_to is None or day <= unit.valid_to)

    mapping = {unit.pk: unit for unit in communes if valid(unit)}
    successions = Succession.objects.filter(predecessor__in=communes).select_related("successor", "predecessor")
    for succession in successions.order_by("-is_primary"):
        old, new = succession.predecessor, succession.successor
        if old.pk not in mapping and valid(new):
            mapping[old.pk] = new
        if new.pk not in mapping and valid(old):
            mapping[new.pk] = old
    return mapping


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
    return neutralise(value)


def write_export(stream: IO[bytes], rows: Iterable[list], fmt: str, *, year: int | None = None) -> None:
    if fmt == "csv":
        write_csv(stream, rows)
    else:
        write_template(stream, rows, year=year)
