"""Closing a plan: was each target met over the plan's years? Pure rules, no database.

Plan 51-KH/TU closes with the end-2025 figures (the end of the 2022–2025 standard, Decree
07/2021/NĐ-CP, and of the city plan QĐ 1362/QĐ-UBND). Each year is judged exactly as the
dashboards judge it (targets/progress.py, docs/progress-method.md "Judging a target"); the
closing verdict combines those judgements:

- a target set for every year (a reduction band such as poor households −25 % to −30 % a year,
  must be zero, fewer than last year) is met when it was met in every year it applied: achieved,
  exceeded or maintained at zero. A year without data leaves the verdict open unless another
  year already failed.
- a count to reach by a deadline (no poor household by end 2025) is met when the judgement of the
  deadline year is achieved; the first year the count got there is named.

Messages are Vietnamese, translated where they are shown (reports.templatetags.progress_text).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from targets.progress import ProgressStatus, Text, _

#: The yearly statuses that count as the target met in that year.
MET_STATUSES = frozenset({ProgressStatus.EXCEEDED, ProgressStatus.ACHIEVED, ProgressStatus.MAINTAINED_AT_ZERO})


class ClosingStatus(StrEnum):
    MET = "met"
    NOT_MET = "not_met"
    INCOMPLETE = "incomplete"

    @property
    def label(self) -> str:
        return CLOSING_LABELS[self]


CLOSING_LABELS: Mapping[ClosingStatus, str] = {
    ClosingStatus.MET: _("Đạt chỉ tiêu"),
    ClosingStatus.NOT_MET: _("Không đạt chỉ tiêu"),
    ClosingStatus.INCOMPLETE: _("Chưa đủ số liệu"),
}


class ClosingMethod(StrEnum):
    EVERY_YEAR = "every_year"
    AT_DEADLINE = "at_deadline"

    @property
    def label(self) -> str:
        return CLOSING_METHOD_LABELS[self]

    @property
    def rule(self) -> str:
        return CLOSING_RULES[self]


CLOSING_METHOD_LABELS: Mapping[ClosingMethod, str] = {
    ClosingMethod.EVERY_YEAR: _("Xét từng năm áp dụng"),
    ClosingMethod.AT_DEADLINE: _("Xét tại thời hạn"),
}
CLOSING_RULES: Mapping[ClosingMethod, str] = {
    ClosingMethod.EVERY_YEAR: _(
        "Chỉ tiêu hằng năm: đạt khi năm nào áp dụng cũng đạt, vượt hoặc duy trì bằng 0 theo cách đánh giá của "
        "bảng điều khiển; một năm không đạt là không đạt; năm thiếu số liệu thì chưa kết luận được."
    ),
    ClosingMethod.AT_DEADLINE: _(
        "Chỉ tiêu có thời hạn: đạt khi số liệu cuối năm hạn bằng hoặc thấp hơn mục tiêu; còn cao hơn là không đạt."
    ),
}


@dataclass(frozen=True)
class Verdict:
    """A target's verdict over a period, with the years behind it."""

    status: ClosingStatus
    method: ClosingMethod
    years_met: tuple[int, ...] = ()
    years_not_met: tuple[int, ...] = ()
    years_missing: tuple[int, ...] = ()
    reached_in: int | None = None
    note: str = ""


def close_every_year(judged: Sequence[tuple[int, ProgressStatus | None]]) -> Verdict:
    """A yearly target over its years: (year, status), None or NO_DATA for a year without data."""
    met = tuple(year for year, status in judged if status in MET_STATUSES)
    missing = tuple(year for year, status in judged if status in (None, ProgressStatus.NO_DATA))
    failed = tuple(year for year, status in judged if year not in met and year not in missing)
    method = ClosingMethod.EVERY_YEAR
    if failed:
        years = ", ".join(map(str, failed))
        note = Text(_("Không đạt trong các năm: {years}."), years=years)
        return Verdict(ClosingStatus.NOT_MET, method, met, failed, missing, note=note)
    if missing or not judged:
        note = (
            Text(_("Thiếu số liệu các năm: {years}."), years=", ".join(map(str, missing)))
            if missing
            else _("Không có năm nào để đánh giá.")
        )
        return Verdict(ClosingStatus.INCOMPLETE, method, met, failed, missing, note=note)
    return Verdict(ClosingStatus.MET, method, met, note=_("Đạt trong mọi năm áp dụng."))


def close_at_deadline(judged: Sequence[tuple[int, ProgressStatus | None]], deadline_year: int) -> Verdict:
    """A count by a deadline: the deadline year's judgement decides; names the first year it was reached."""
    by_year = dict(judged)
    reached = next((year for year, status in sorted(judged) if status == ProgressStatus.ACHIEVED), None)
    method = ClosingMethod.AT_DEADLINE
    at_deadline = by_year.get(deadline_year)
    if at_deadline == ProgressStatus.ACHIEVED:
        note = Text(_("Đạt từ cuối năm {year}."), year=reached) if reached is not None else ""
        return Verdict(ClosingStatus.MET, method, years_met=(deadline_year,), reached_in=reached, note=note)
    if at_deadline in (None, ProgressStatus.NO_DATA):
        note = Text(_("Chưa có số liệu cuối năm {year} (thời hạn)."), year=deadline_year)
        return Verdict(ClosingStatus.INCOMPLETE, method, years_missing=(deadline_year,), reached_in=reached, note=note)
    note = Text(_("Cuối năm {year} (thời hạn) chưa đạt mục tiêu."), year=deadline_year)
    return Verdict(ClosingStatus.NOT_MET, method, years_not_met=(deadline_year,), reached_in=reached, note=note)
