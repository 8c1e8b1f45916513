"""The one import service for review files (.xlsx, .csv): the command, the upload page and the API.

All or nothing (DESIGN.md, "Behaviour on bad input"): every row is validated first and any bad
row refuses the whole file with row-numbered messages in Vietnamese; then households and reviews
are written in bulk inside one transaction, classes come from households.poverty, and the
movements of every affected household are re-derived from its whole history, so a file imported
out of order (2024 before 2023) still leaves every movement right. Re-importing the same file
writes nothing. A dry run does the same work and rolls it back, so its preview is exact.
"""

from __future__ import annotations

import csv
import datetime
import io
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import IO

from django.db import transaction
from django.db.models import Count
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from households import poverty
from households.models import (
    AdministrativeUnit,
    Household,
    PovertyStandard,
    Review,
    ReviewState,
    Sex,
    UnitLevel,
    structure_for_year,
)
from households.template import DEPRIVATION_COLUMNS, LABELS, REQUIRED_KEYS, header_key
from households.visibility import visible_communes

BATCH_SIZE = 2000
# Required columns whose cell may be blank: income when a B1 score stands in for it.
MAY_BE_BLANK = {"income_per_capita"}
MAX_ERRORS = 1000


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    message: str

    def __str__(self) -> str:
        where = f"Dòng {self.row}" if self.row else "Tệp"
        column = f", cột «{LABELS.get(self.column, self.column)}»" if self.column else ""
        return f"{where}{column}: {self.message}"


class ImportRefused(Exception):
    """The file was refused whole; `errors` says why, row by row."""

    def __init__(self, errors: list[RowError]):
        super().__init__(f"{len(errors)} lỗi")
        self.errors = errors


@dataclass
class ImportResult:
    rows: int = 0
    households_created: int = 0
    households_updated: int = 0
    reviews_created: int = 0
    reviews_updated: int = 0
    reviews_unchanged: int = 0
    movements_updated: int = 0
    classes: Counter = field(default_factory=Counter)
    movements: Counter = field(default_factory=Counter)
    years: set[int] = field(default_factory=set)
    commune_ids: set[int] = field(default_factory=set)
    dry_run: bool = False

    @property
    def changed(self) -> bool:
        return bool(
            self.households_created
            or self.households_updated
            or self.reviews_created
            or self.reviews_updated
            or self.movements_updated
        )

    def as_dict(self) -> dict:
        return {
            "rows": self.rows,
            "households_created": self.households_created,
            "households_updated": self.households_updated,
            "reviews_created": self.reviews_created,
            "reviews_updated": self.reviews_updated,
            "reviews_unchanged": self.reviews_unchanged,
            "movements_updated": self.movements_updated,
            "classes": dict(sorted(self.classes.items())),
            "movements": dict(sorted(self.movements.items())),
            "years": sorted(self.years),
            "dry_run": self.dry_run,
        }


@dataclass(slots=True)
class ParsedRow:
    row: int
    household_code: str
    commune_code: str
    village: str
    head_name: str
    head_sex: str
    ethnic_minority: bool
    members: int
    meritorious: bool
    social_protection: bool
    no_labour_capacity: bool
    year: int
    income_per_capita: Decimal | None
    b1_score: Decimal | None
    deprivation_flags: int
    deprivation_count: int
    review_date: datetime.date | None


class _Rollback(Exception):
    pass


# ---------------------------------------------------------------------------------------------
# Reading


def read_rows(source: str | Path | IO[bytes], filename: str | None = None) -> Iterator[tuple[int, list]]:
    """Yield (spreadsheet row number, cells) from an .xlsx or .csv file, streaming."""
    name = str(filename or getattr(source, "name", source)).lower()
    if name.endswith(".xlsx"):
        yield from _read_xlsx(source)
    elif name.endswith(".csv"):
        yield from _read_csv(source)
    else:
        raise ImportRefused([RowError(0, "", "Chỉ nhận tệp .xlsx hoặc .csv.")])


def _read_xlsx(source) -> Iterator[tuple[int, list]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(source, read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - any unreadable workbook is the same answer to the user
        raise ImportRefused([RowError(0, "", f"Không đọc được tệp Excel ({exc.__class__.__name__}).")]) from exc
    try:
        sheet = workbook.worksheets[0]
        for number, cells in enumerate(sheet.iter_rows(values_only=True), start=1):
            yield number, list(cells)
    finally:
        workbook.close()


def _read_csv(source) -> Iterator[tuple[int, list]]:
    raw = source.read() if hasattr(source, "read") else Path(source).read_bytes()
    if isinstance(raw, str):
        text = raw
    else:
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise ImportRefused([RowError(0, "", "Tệp CSV phải được lưu với mã hóa UTF-8.")]) from exc
    first_line = text.split("\n", 1)[0]
    delimiter = max([",", ";", "\t"], key=first_line.count)
    yield from enumerate(csv.reader(io.StringIO(text), delimiter=delimiter), start=1)


# ---------------------------------------------------------------------------------------------
# Validating one row: pure functions of the cell values


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _flag(value) -> bool:
    text = _text(value)
    if text in ("0", "1"):
        return text == "1"
    raise ValueError("phải là 0 hoặc 1")


def _integer(value) -> int:
    text = _text(value)
    if not re.fullmatch(r"\d+", text):
        raise ValueError("phải là số nguyên")
    return int(text)


def _amount(value) -> Decimal | None:
    """A non-negative number; thousands may be grouped with '.', ',' or spaces (1.500.000)."""
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        number = Decimal(str(value))
    else:
        text = _text(value).replace("\u00a0", "").replace(" ", "")
        if not text:
            return None
        if re.fullmatch(r"\d{1,3}([.,]\d{3})+", text) and len(set(re.findall(r"[.,]", text))) == 1:
            text = re.sub(r"[.,]", "", text)
        else:
            text = text.replace(",", ".")
        try:
            number = Decimal(text)
        except InvalidOperation as exc:
            raise ValueError("phải là một số") from exc
    if not number.is_finite():
        raise ValueError("phải là một số")
    if number < 0:
        raise ValueError("không được âm")
    return number


def _sex(value) -> str:
    folded = _text(value).lower()
    if folded in ("m", "nam", "male"):
        return Sex.MALE
    if folded in ("f", "nữ", "nu", "female"):
        return Sex.FEMALE
    raise ValueError("phải là Nam hoặc Nữ (M/F)")


def _date(value) -> datetime.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = _text(value)
    for pattern in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise ValueError("phải là ngày dạng dd/mm/yyyy hoặc yyyy-mm-dd")


def _commune_code(value) -> str:
    text = _text(value)
    if not re.fullmatch(r"\d{1,5}", text):
        raise ValueError("phải là mã GSO 5 chữ số")
    return text.zfill(5)


_FIELD_PARSERS = {
    "ethnic_minority": _flag,
    "meritorious": _flag,
    "social_protection": _flag,
    "no_labour_capacity": _flag,
    "members": _integer,
    "year": _integer,
    "income_per_capita": _amount,
    "b1_score": _amount,
    "head_sex": _sex,
    "review_date": _date,
    "commune_code": _commune_code,
}


def parse_row(number: int, values: dict[str, object]) -> tuple[ParsedRow | None, list[RowError]]:
    """Parse and check one row on its own (lookups against the database come later)."""
    errors: list[RowError] = []
    parsed: dict[str, object] = {}
    for key, parser in _FIELD_PARSERS.items():
        raw = values.get(key)
        if key in REQUIRED_KEYS and key not in MAY_BE_BLANK and _text(raw) == "":
            errors.append(RowError(number, key, "không được để trống"))
            continue
        try:
            parsed[key] = parser(raw)
        except ValueError as exc:
            errors.append(RowError(number, key, f"«{_text(raw)}» {exc}"))
    flags: list[bool] = []
    for key in DEPRIVATION_COLUMNS:
        raw = values.get(key)
        try:
            flags.append(_flag(raw))
        except ValueError as exc:
            errors.append(RowError(number, key, f"«{_text(raw)}» {exc}"))
    code = _text(values.get("household_code"))
    head_name = _text(values.get("head_name"))
    if not code:
        errors.append(RowError(number, "household_code", "không được để trống"))
    elif len(code) > 40:
        errors.append(RowError(number, "household_code", "dài quá 40 ký tự"))
    if not head_name:
        errors.append(RowError(number, "head_name", "không được để trống"))
    if parsed.get("members") == 0:
        errors.append(RowError(number, "members", "phải từ 1 trở lên"))
    if "income_per_capita" in parsed and parsed["income_per_capita"] is None and parsed.get("b1_score") is None:
        errors.append(RowError(number, "income_per_capita", "cần thu nhập bình quân hoặc điểm B1"))
    if errors:
        return None, errors
    return (
        ParsedRow(
            row=number,
            household_code=code,
            commune_code=parsed["commune_code"],
            village=_text(values.get("village"))[:100],
            head_name=head_name[:100],
            head_sex=parsed["head_sex"],
            ethnic_minority=parsed["ethnic_minority"],
            members=parsed["members"],
            meritorious=parsed["meritorious"],
            social_protection=parsed["social_protection"],
            no_labour_capacity=parsed["no_labour_capacity"],
            year=parsed["year"],
            income_per_capita=parsed["income_per_capita"],
            b1_score=parsed.get("b1_score"),
            deprivation_flags=poverty.flags_to_mask(flags),
            deprivation_count=poverty.count_deprivations(flags),
            review_date=parsed.get("review_date"),
        ),
        [],
    )


def parse_file(rows: Iterable[tuple[int, list]]) -> tuple[list[ParsedRow], list[RowError]]:
    """Map the header, parse every row; file-level problems come back as row-0 errors."""
    parsed: list[ParsedRow] = []
    errors: list[RowError] = []
    iterator = iter(rows)
    header: list[str | None] | None = None
    for number, cells in iterator:
        if any(_text(cell) for cell in cells):
            header = [header_key(cell) for cell in cells]
            header_row = number
            break
    if header is None:
        return [], [RowError(0, "", "Tệp không có dữ liệu.")]
    missing = [key for key in REQUIRED_KEYS if key not in header]
    if missing:
        names = ", ".join(f"«{LABELS[key]}» ({key})" for key in missing)
        return [], [RowError(header_row, "", f"Thiếu cột bắt buộc: {names}.")]
    positions = [(index, key) for index, key in enumerate(header) if key]
    for number, cells in iterator:
        if not any(_text(cell) for cell in cells):
            continue
        values = {key: cells[index] if index < len(cells) else None for index, key in positions}
        row, row_errors = parse_row(number, values)
        if row:
            parsed.append(row)
        errors.extend(row_errors)
        if len(errors) >= MAX_ERRORS:
            errors.append(RowError(0, "", f"Dừng kiểm tra sau {MAX_ERRORS} lỗi."))
            break
    if not parsed and not errors:
        errors.append(RowError(0, "", "Tệp không có dòng dữ liệu nào."))
    return parsed, errors


# ---------------------------------------------------------------------------------------------
# Checking against the database and writing


@dataclass
class _Lookups:
    communes: dict[tuple[str, int], AdministrativeUnit]
    standards: list[PovertyStandard]
    allowed_commune_ids: set[int] | None

    def standard_for(self, year: int) -> PovertyStandard | None:
        return next((s for s in self.standards if s.first_year <= year <= s.last_year), None)


def _lookups(user) -> _Lookups:
    communes = {
        (unit.code, unit.structure): unit for unit in AdministrativeUnit.objects.filter(level=UnitLevel.COMMUNE)
    }
    allowed = None if user is None else set(visible_communes(user).values_list("pk", flat=True))
    standards = list(PovertyStandard.objects.annotate(size=Count("indicators")))
    return _Lookups(communes, standards, allowed)


def import_reviews(
    source: str | Path | IO[bytes],
    *,
    filename: str | None = None,
    user=None,
    state: str = ReviewState.DRAFT,
    dry_run: bool = False,
) -> ImportResult:
    """Validate and import a review file. Raises ImportRefused with every error; writes nothing then.

    `user` (None for the command line) limits the communes a file may touch to those the user
    sees; reviews already approved may then not be changed.
    """
    rows, errors = parse_file(read_rows(source, filename))
    if errors:
        raise ImportRefused(errors)
    lookups = _lookups(user)
    resolved, errors = _resolve(rows, lookups, user)
    if errors:
        raise ImportRefused(errors)
    result = ImportResult(rows=len(rows), dry_run=dry_run)
    try:
        with transaction.atomic():
            _write(resolved, lookups, user, state, result)
            if dry_run:
                raise _Rollback
    except _Rollback:
        pass
    except ImportRefused:
        raise
    return result


@dataclass(slots=True)
class _Resolved:
    row: ParsedRow
    commune: AdministrativeUnit
    standard: PovertyStandard
    poverty_class: str


def _resolve(rows: list[ParsedRow], lookups: _Lookups, user) -> tuple[list[_Resolved], list[RowError]]:
    errors: list[RowError] = []
    resolved: list[_Resolved] = []
    first_seen: dict[tuple[str, int], int] = {}
    for row in rows:
        key = (row.household_code, row.year)
        if key in first_seen:
            errors.append(
                RowError(
                    row.row,
                    "household_code",
                    f"hộ «{row.household_code}» năm {row.year} đã có ở dòng {first_seen[key]}",
                )
            )
            continue
        first_seen[key] = row.row
        standard = lookups.standard_for(row.year)
        if standard is None:
            errors.append(RowError(row.row, "year", f"năm {row.year} không có chuẩn nghèo áp dụng"))
            continue
        commune = lookups.communes.get((row.commune_code, structure_for_year(row.year)))
        if commune is None:
            errors.append(
                RowError(row.row, "commune_code", f"mã «{row.commune_code}» không phải xã/phường của năm {row.year}")
            )
            continue
        if lookups.allowed_commune_ids is not None and commune.pk not in lookups.allowed_commune_ids:
            errors.append(RowError(row.row, "commune_code", f"{commune.name} không thuộc phạm vi của bạn"))
            continue
        if row.income_per_capita is None and standard.lines(commune.area).b1_cutoff is None:
            errors.append(
                RowError(row.row, "income_per_capita", f"chuẩn «{standard.name}» không có ngưỡng điểm B1; cần thu nhập")
            )
            continue
        indicator_count = standard.size
        if row.deprivation_flags >> indicator_count:
            errors.append(
                RowError(
                    row.row, f"d{indicator_count + 1:02d}", f"chuẩn «{standard.name}» chỉ có {indicator_count} chỉ số"
                )
            )
            continue
        poverty_class = poverty.classify_household(
            standard.lines(commune.area),
            income_per_capita=row.income_per_capita,
            deprivation_count=row.deprivation_count,
            b1_score=row.b1_score,
        )
        resolved.append(_Resolved(row, commune, standard, poverty_class.value))
    return resolved, errors


_HOUSEHOLD_FIELDS = [
    "commune_id",
    "village",
    "head_name",
    "head_sex",
    "ethnic_minority",
    "members_count",
    "meritorious",
    "social_protection",
    "no_labour_capacity",
]
_REVIEW_FIELDS = [
    "commune_id",
    "standard_id",
    "income_per_capita",
    "b1_score",
    "deprivation_flags",
    "deprivation_count",
    "poverty_class",
    "review_date",
    "state",
    "meritorious",
    "social_protection",
    "no_labour_capacity",
    "ethnic_minority",
    "head_sex",
]


def _household_values(item: _Resolved) -> dict:
    row = item.row
    return {
        "commune_id": item.commune.pk,
        "village": row.village,
        "head_name": row.head_name,
        "head_sex": row.head_sex,
        "ethnic_minority": row.ethnic_minority,
        "members_count": row.members,
        "meritorious": row.meritorious,
        "social_protection": row.social_protection,
        "no_labour_capacity": row.no_labour_capacity,
    }


def _review_values(item: _Resolved, state: str) -> dict:
    row = item.row
    return {
        "commune_id": item.commune.pk,
        "standard_id": item.standard.pk,
        "income_per_capita": row.income_per_capita,
        "b1_score": row.b1_score,
        "deprivation_flags": row.deprivation_flags,
        "deprivation_count": row.deprivation_count,
        "poverty_class": item.poverty_class,
        "review_date": row.review_date,
        "state": state,
        "meritorious": row.meritorious,
        "social_protection": row.social_protection,
        "no_labour_capacity": row.no_labour_capacity,
        "ethnic_minority": row.ethnic_minority,
        "head_sex": row.head_sex,
    }


def _same(current, wanted) -> bool:
    if isinstance(current, Decimal) or isinstance(wanted, Decimal):
        return (current is None and wanted is None) or (
            current is not None and wanted is not None and Decimal(current) == Decimal(wanted)
        )
    return current == wanted


def _chunks(items: list, size: int = BATCH_SIZE) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _write(resolved: list[_Resolved], lookups: _Lookups, user, state: str, result: ImportResult) -> None:
    codes = sorted({item.row.household_code for item in resolved})
    households: dict[str, Household] = {}
    for chunk in _chunks(codes):
        households.update((h.code, h) for h in Household.objects.filter(code__in=chunk))
    if user is not None:
        _refuse_foreign_households(households, resolved, lookups)

    existing_years = _existing_review_years(list(households.values()))
    # The household's own data follows its latest review, in the file or already stored.
    latest_item: dict[str, _Resolved] = {}
    for item in resolved:
        code = item.row.household_code
        if code not in latest_item or item.row.year > latest_item[code].row.year:
            latest_item[code] = item

    new_households, changed_households = [], []
    for code, item in latest_item.items():
        wanted = _household_values(item)
        household = households.get(code)
        if household is None:
            household = Household(code=code, **wanted)
            households[code] = household
            new_households.append(household)
        elif item.row.year >= max(existing_years.get(household.pk, {}), default=0) and not all(
            _same(getattr(household, name), value) for name, value in wanted.items()
        ):
            for name, value in wanted.items():
                setattr(household, name, value)
            changed_households.append(household)
    if new_households:
        bulk_create_with_history(new_households, Household, batch_size=BATCH_SIZE)
        # Re-read ids: SQLite and PostgreSQL both return them, but history's bulk create may not.
        for chunk in _chunks([h.code for h in new_households]):
            for pk, code in Household.objects.filter(code__in=chunk).values_list("pk", "code"):
                households[code].pk = pk
    if changed_households:
        bulk_update_with_history(changed_households, Household, _fields(_HOUSEHOLD_FIELDS), batch_size=BATCH_SIZE)
    result.households_created = len(new_households)
    result.households_updated = len(changed_households)

    reviews: dict[tuple[int, int], Review] = {}
    household_ids = [households[code].pk for code in codes]
    for chunk in _chunks(household_ids):
        reviews.update(((r.household_id, r.year), r) for r in Review.objects.filter(household_id__in=chunk))
    new_reviews, changed_reviews = [], []
    touched: set[int] = set()
    errors: list[RowError] = []
    for item in resolved:
        household = households[item.row.household_code]
        wanted = _review_values(item, state)
        review = reviews.get((household.pk, item.row.year))
        result.years.add(item.row.year)
        result.commune_ids.add(item.commune.pk)
        result.classes[item.poverty_class] += 1
        if review is None:
            review = Review(household_id=household.pk, year=item.row.year, **wanted)
            new_reviews.append(review)
            touched.add(household.pk)
        elif all(_same(getattr(review, name), value) for name, value in wanted.items()):
            result.reviews_unchanged += 1
        else:
            if user is not None and review.state == ReviewState.APPROVED and not _is_admin(user):
                errors.append(
                    RowError(
                        item.row.row, "year", f"kết quả rà soát năm {item.row.year} đã được phê duyệt, không thể sửa"
                    )
                )
                continue
            for name, value in wanted.items():
                setattr(review, name, value)
            changed_reviews.append(review)
            touched.add(household.pk)
    if errors:
        raise ImportRefused(errors)
    if new_reviews:
        bulk_create_with_history(new_reviews, Review, batch_size=BATCH_SIZE)
    if changed_reviews:
        bulk_update_with_history(changed_reviews, Review, _fields(_REVIEW_FIELDS), batch_size=BATCH_SIZE)
    result.reviews_created = len(new_reviews)
    result.reviews_updated = len(changed_reviews)
    result.movements_updated = refresh_movements(touched)
    _count_movements(resolved, households, result)


def _fields(names: list[str]) -> list[str]:
    return [name.removesuffix("_id") if name.endswith("_id") else name for name in names]


def _is_admin(user) -> bool:
    return bool(user.is_superuser or user.role == "administrator")


def _refuse_foreign_households(households: dict[str, Household], resolved: list[_Resolved], lookups: _Lookups) -> None:
    errors = []
    for item in resolved:
        household = households.get(item.row.household_code)
        if household is not None and household.commune_id not in lookups.allowed_commune_ids:
            errors.append(
                RowError(item.row.row, "household_code", f"hộ «{household.code}» thuộc đơn vị ngoài phạm vi của bạn")
            )
    if errors:
        raise ImportRefused(errors)


def _existing_review_years(households: list[Household]) -> dict[int, dict[int, None]]:
    years: dict[int, dict[int, None]] = {}
    for chunk in _chunks([h.pk for h in households]):
        for household_id, year in Review.objects.filter(household_id__in=chunk).values_list("household_id", "year"):
            years.setdefault(household_id, {})[year] = None
    return years


def refresh_movements(household_ids: Iterable[int]) -> int:
    """Re-derive the movement of every review of these households; returns how many changed."""
    changed: list[Review] = []
    for chunk in _chunks(sorted(household_ids)):
        history: dict[int, list[Review]] = {}
        for review in Review.objects.filter(household_id__in=chunk).only(
            "pk", "household_id", "year", "poverty_class", "movement"
        ):
            history.setdefault(review.household_id, []).append(review)
        for household_reviews in history.values():
            by_year = {r.year: r for r in household_reviews}
            derived = poverty.derive_movements({y: poverty.PovertyClass(r.poverty_class) for y, r in by_year.items()})
            for year, movement in derived.items():
                review = by_year[year]
                if review.movement != movement.value:
                    review.movement = movement.value
                    changed.append(review)
    for chunk in _chunks(changed):
        Review.objects.bulk_update(chunk, ["movement"])
    return len(changed)


def _count_movements(resolved: list[_Resolved], households: dict[str, Household], result: ImportResult) -> None:
    keys = {(households[item.row.household_code].pk, item.row.year) for item in resolved}
    ids = sorted({household_id for household_id, _ in keys})
    for chunk in _chunks(ids):
        for household_id, year, movement in Review.objects.filter(household_id__in=chunk).values_list(
            "household_id", "year", "movement"
        ):
            if (household_id, year) in keys:
                result.movements[movement] += 1


# ---------------------------------------------------------------------------------------------
# Total resident households per unit and year (the rate denominator)

UNIT_TOTAL_KEYS = ["unit_code", "year", "total_households"]


@dataclass
class UnitTotalsResult:
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0


def import_unit_totals(source: str | Path | IO[bytes], *, filename: str | None = None) -> UnitTotalsResult:
    """Import `unit_code, year, total_households` rows; all or nothing, row-numbered errors."""
    from households.models import TotalSource, UnitYear

    rows = read_rows(source, filename)
    errors: list[RowError] = []
    header: list[str] | None = None
    wanted: dict[tuple[int, int], tuple[int, int]] = {}
    units = {(u.code, u.structure): u for u in AdministrativeUnit.objects.all()}
    city = next((u for u in units.values() if u.level == UnitLevel.CITY), None)
    for number, cells in rows:
        texts = [_text(cell) for cell in cells]
        if not any(texts):
            continue
        if header is None:
            header = [text.lower() for text in texts]
            missing = [key for key in UNIT_TOTAL_KEYS if key not in header]
            if missing:
                raise ImportRefused([RowError(number, "", f"Thiếu cột bắt buộc: {', '.join(missing)}.")])
            continue
        values = dict(zip(header, texts, strict=False))
        try:
            year = _integer(values.get("year"))
        except ValueError as exc:
            errors.append(RowError(number, "year", f"«{values.get('year')}» {exc}"))
            continue
        try:
            total = _integer(values.get("total_households"))
        except ValueError as exc:
            errors.append(RowError(number, "total_households", f"«{values.get('total_households')}» {exc}"))
            continue
        code = values.get("unit_code", "")
        unit = city if city and code == city.code else units.get((code, structure_for_year(year)))
        if unit is None:
            errors.append(RowError(number, "unit_code", f"mã đơn vị «{code}» không tồn tại trong năm {year}"))
            continue
        key = (unit.pk, year)
        if key in wanted:
            errors.append(RowError(number, "unit_code", f"đơn vị «{code}» năm {year} bị lặp"))
            continue
        wanted[key] = (number, total)
    if header is None:
        errors.append(RowError(0, "", "Tệp không có dữ liệu."))
    if errors:
        raise ImportRefused(errors)
    result = UnitTotalsResult(rows=len(wanted))
    existing = {(u.unit_id, u.year): u for u in UnitYear.objects.filter(unit_id__in={k[0] for k in wanted})}
    new, changed = [], []
    for (unit_id, year), (_, total) in wanted.items():
        current = existing.get((unit_id, year))
        if current is None:
            new.append(UnitYear(unit_id=unit_id, year=year, total_households=total, source=TotalSource.IMPORTED))
        elif current.total_households != total:
            current.total_households, current.source = total, TotalSource.IMPORTED
            changed.append(current)
        else:
            result.unchanged += 1
    with transaction.atomic():
        UnitYear.objects.bulk_create(new, batch_size=BATCH_SIZE)
        UnitYear.objects.bulk_update(changed, ["total_households", "source"], batch_size=BATCH_SIZE)
    result.created, result.updated = len(new), len(changed)
    return result
