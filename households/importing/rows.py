"""Checking one row of the review template on its own: pure functions of the cell values.

The checks and messages are those of the import contract (docs/import.md). The common cell forms
(plain "0"/"1", digits, dd/mm/yyyy) take a short path, since a district's file runs to tens of
thousands of rows; anything else goes through the full check and gets the same answer as before.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from django.utils.translation import gettext as _

from households.importing.errors import MAX_ERRORS, ImportRefused, RowError
from households.messages import review_problem_message
from households.models import Sex
from households.poverty import ReviewProblem
from households.template import DEPRIVATION_COLUMNS, LABELS, REQUIRED_KEYS, REVIEW_TYPE_WORDS, fold, header_key
from povertyplan.cells import unquote_cell

# Required columns whose cell may be blank: income when a B1 score stands in for it.
MAY_BE_BLANK = {"income_per_capita"}


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
    review_type: str = "periodic"
    # The year the values were copied from (the pre-filled template's `source_year`), if given.
    source_year: int | None = None
    # No income, B1 score nor deprivation flag at all: a household not reviewed in this file.
    unreviewed: bool = False


def _text(value) -> str:
    if value is None:
        return ""
    if type(value) is str:
        return unquote_cell(value.strip())
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


_FLAGS = {"0": False, "1": True}


def _flag(value) -> bool:
    if type(value) is str and value in _FLAGS:
        return _FLAGS[value]
    text = _text(value)
    if text in _FLAGS:
        return _FLAGS[text]
    raise ValueError(_("phải là 0 hoặc 1"))


def _problem(raw, exc: ValueError) -> str:
    """A cell's problem in the officer's words: an empty cell says it is empty (not «» …)."""
    text = _text(raw)
    return _("ô trống: %(problem)s") % {"problem": exc} if text == "" else f"«{text}» {exc}"


def _integer(value) -> int:
    text = _text(value)
    # str.isdecimal() is exactly the regex \d+ on a non-empty string (Unicode decimal digits).
    if not text.isdecimal():
        raise ValueError(_("phải là số nguyên"))
    return int(text)


_GROUPED = re.compile(r"\d{1,3}([.,]\d{3})+")


def read_amount(value) -> Decimal | None:
    """A non-negative number; thousands may be grouped with '.', ',' or spaces (1.500.000,
    1,500,000 and 1 500 000 are all 1.5 million), else a decimal point or comma (12,5). The one
    reading of an amount: the importer's cells and the review form's fields (households.forms)."""
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        number = Decimal(str(value))
    else:
        text = _text(value)
        if text.isdecimal():
            return Decimal(text)
        text = text.replace("\u00a0", "").replace(" ", "")
        if not text:
            return None
        if _GROUPED.fullmatch(text) and len(set(re.findall(r"[.,]", text))) == 1:
            text = re.sub(r"[.,]", "", text)
        else:
            text = text.replace(",", ".")
        try:
            number = Decimal(text)
        except InvalidOperation as exc:
            raise ValueError(_("phải là một số")) from exc
    if not number.is_finite():
        raise ValueError(_("phải là một số"))
    if number < 0:
        raise ValueError(_("không được âm"))
    return number


_SEXES = {"m": Sex.MALE, "nam": Sex.MALE, "male": Sex.MALE, "f": Sex.FEMALE, "nữ": Sex.FEMALE}
_SEXES.update({"nu": Sex.FEMALE, "female": Sex.FEMALE})


def _sex(value) -> str:
    sex = _SEXES.get(_text(value).lower())
    if sex is None:
        raise ValueError(_("phải là Nam hoặc Nữ (M/F)"))
    return sex


def _date(value) -> datetime.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    return _date_text(_text(value))


@lru_cache(maxsize=4096)  # a file's review dates repeat: a few hundred distinct days at most
def _date_text(text: str) -> datetime.date:
    for pattern in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise ValueError(_("phải là ngày dạng dd/mm/yyyy hoặc yyyy-mm-dd"))


_REVIEW_TYPES = {fold(key): key for key in REVIEW_TYPE_WORDS} | {
    fold(word): key for key, word in REVIEW_TYPE_WORDS.items()
}
_REVIEW_TYPES.update({fold(f"rà soát {word}"): key for key, word in REVIEW_TYPE_WORDS.items()})


def _review_type(value) -> str:
    text = _text(value)
    if not text:
        return "periodic"
    review_type = _REVIEW_TYPES.get(fold(text))
    if review_type is None:
        raise ValueError(_("phải là «định kỳ» hoặc «thường xuyên» (periodic/regular)"))
    return review_type


def _commune_code(value) -> str:
    text = _text(value)
    if not (text.isdecimal() and len(text) <= 5):
        raise ValueError(_("phải là mã GSO 5 chữ số"))
    return text.zfill(5)


_FIELD_PARSERS = {
    "ethnic_minority": _flag,
    "meritorious": _flag,
    "social_protection": _flag,
    "no_labour_capacity": _flag,
    "members": _integer,
    "year": _integer,
    "income_per_capita": read_amount,
    "b1_score": read_amount,
    "head_sex": _sex,
    "review_date": _date,
    "review_type": _review_type,
    "commune_code": _commune_code,
}
_MUST_NOT_BE_BLANK = {key for key in _FIELD_PARSERS if key in REQUIRED_KEYS and key not in MAY_BE_BLANK}


_REVIEW_VALUE_KEYS = ("income_per_capita", "b1_score", *DEPRIVATION_COLUMNS)


def _optional_year(value) -> int | None:
    return None if _text(value) == "" else _integer(value)


def parse_row(number: int, values: dict[str, object]) -> tuple[ParsedRow | None, list[RowError]]:
    """Parse and check one row on its own (lookups against the database come later).

    A row whose income, B1 score and deprivation cells are all blank (the pre-filled template's row
    for a household without any review) is a household not reviewed: it comes back with
    `unreviewed` set and is not written.
    """
    errors: list[RowError] = []
    parsed: dict[str, object] = {}
    unreviewed = all(_text(values.get(key)) == "" for key in _REVIEW_VALUE_KEYS)
    if unreviewed:
        values = {**values, "income_per_capita": "0", **{key: "0" for key in DEPRIVATION_COLUMNS}}
    try:
        source_year = _optional_year(values.get("source_year"))
    except ValueError as exc:
        errors.append(RowError(number, "source_year", f"«{_text(values.get('source_year'))}» {exc}"))
        source_year = None
    for key, parser in _FIELD_PARSERS.items():
        raw = values.get(key)
        if key in _MUST_NOT_BE_BLANK and _text(raw) == "":
            errors.append(RowError(number, key, _("không được để trống")))
            continue
        try:
            parsed[key] = parser(raw)
        except ValueError as exc:
            errors.append(RowError(number, key, _problem(raw, exc)))
    mask = 0
    count = 0
    for bit, key in enumerate(DEPRIVATION_COLUMNS):
        raw = values.get(key)
        try:
            if _flag(raw):
                mask |= 1 << bit
                count += 1
        except ValueError as exc:
            errors.append(RowError(number, key, _problem(raw, exc)))
    code = _text(values.get("household_code"))
    head_name = _text(values.get("head_name"))
    if not code:
        errors.append(RowError(number, "household_code", _("không được để trống")))
    elif len(code) > 40:
        errors.append(RowError(number, "household_code", _("dài quá %(limit)s ký tự") % {"limit": 40}))
    if not head_name:
        errors.append(RowError(number, "head_name", _("không được để trống")))
    if parsed.get("members") == 0:
        errors.append(RowError(number, "members", _("phải từ 1 trở lên")))
    if "income_per_capita" in parsed and parsed["income_per_capita"] is None and parsed.get("b1_score") is None:
        message = review_problem_message(ReviewProblem.NO_INCOME, standard="", indicators=0)
        errors.append(RowError(number, "income_per_capita", message))
    if source_year is not None and parsed.get("year") is not None and source_year > parsed["year"]:
        message = _("%(source)s không được sau năm rà soát %(year)s") % {"source": source_year, "year": parsed["year"]}
        errors.append(RowError(number, "source_year", message))
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
            # The same mask and count as poverty.flags_to_mask / count_deprivations, in one pass.
            deprivation_flags=mask,
            deprivation_count=count,
            review_date=parsed.get("review_date"),
            review_type=parsed.get("review_type", "periodic"),
            source_year=source_year,
            unreviewed=unreviewed,
        ),
        [],
    )


def _blank(cells) -> bool:
    return not any(_text(cell) for cell in cells)


def iter_parsed(rows: Iterable[tuple[int, list]]) -> Iterator[tuple[ParsedRow | None, list[RowError]]]:
    """Map the header, then yield (row, errors) for each data row, streaming.

    File-level problems (no data, missing columns) raise ImportRefused at once.
    """
    iterator = iter(rows)
    header: list[str | None] | None = None
    for number, cells in iterator:
        if not _blank(cells):
            header = [header_key(cell) for cell in cells]
            header_row = number
            break
    if header is None:
        raise ImportRefused([RowError(0, "", _("Tệp không có dữ liệu."))])
    missing = [key for key in REQUIRED_KEYS if key not in header]
    if missing:
        names = ", ".join(f"«{LABELS[key]}» ({key})" for key in missing)
        raise ImportRefused([RowError(header_row, "", _("Thiếu cột bắt buộc: %(columns)s.") % {"columns": names})])
    positions = [(index, key) for index, key in enumerate(header) if key]
    width = max(index for index, _ in positions) + 1
    for number, cells in iterator:
        if _blank(cells):
            continue
        if len(cells) < width:
            cells = list(cells) + [None] * (width - len(cells))
        values = {key: cells[index] for index, key in positions}
        yield parse_row(number, values)


def stopped_message() -> str:
    return _("Dừng kiểm tra sau %(count)s lỗi.") % {"count": MAX_ERRORS}


def no_rows_message() -> str:
    return _("Tệp không có dòng dữ liệu nào.")


def parse_file(rows: Iterable[tuple[int, list]]) -> tuple[list[ParsedRow], list[RowError]]:
    """Every row of a file parsed, in memory (for small files and callers that want a list)."""
    parsed: list[ParsedRow] = []
    errors: list[RowError] = []
    try:
        for row, row_errors in iter_parsed(rows):
            if row:
                parsed.append(row)
            errors.extend(row_errors)
            if len(errors) >= MAX_ERRORS:
                errors.append(RowError(0, "", stopped_message()))
                break
    except ImportRefused as refused:
        return [], refused.errors
    if not parsed and not errors:
        errors.append(RowError(0, "", no_rows_message()))
    return parsed, errors
