"""Progress against the targets of Plan 51-KH/TU: pure rules, no database.

Sources:
- Plan 51-KH/TU of the Hanoi Party Committee Standing Board (10 Nov 2021), implementing Directive
  05-CT/TW: poor households −25 % to −30 % a year, near-poor −10 % a year, no poor household of a
  person with meritorious service, as few re-poor and newly poor households as possible
  (docs/plan.md); Programme 08-CTr/TU and QĐ 1362/QĐ-UBND: basically no poor
  household by the end of 2025.
- The annual reduction rate = (previous − current) ÷ previous × 100, undefined when the previous
  count is 0 (docs/progress-method.md).
- The judgement follows docs/progress-method.md, "Judging a target", which adapts the ratio
  method of Open SDG (Statistics Canada): compare what happened with what the target needed,
  ratio ≥ 1 achieved, 0.6 ≤ ratio < 1 needs acceleration, 0 ≤ ratio < 0.6 limited progress,
  below 0 worsening. A count to reach by a deadline (zero poor households by end 2025) compares
  paces in households a year, not growth rates, which break near zero (`assess_count_by_deadline`).

Every judgement returns an `Assessment` that carries its inputs, the method's name and the
formula, so a dashboard can show why a unit is red. Rates are `Decimal` percentages kept at full
precision; statuses are decided on that full precision, and `round_rate` is for display only.
Time is always a parameter (`year`, `deadline_year`): nothing here reads the clock.

Messages (labels, targets, formulas, notes) are Vietnamese, marked with `_` so that makemessages
collects them, and translated by the portal when it shows them (reports.templatetags.progress_text):
the rules stay free of Django. A message with values is a `Text`, which keeps its template.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, localcontext
from enum import StrEnum

from povertyplan.numbers import half_up

HUNDRED = Decimal(100)
ONE = Decimal(1)

#: Ratio bands of the Open SDG method (docs/progress-method.md).
ACCELERATION_THRESHOLD = Decimal("0.6")
ACHIEVED_THRESHOLD = ONE

#: Below this previous count, rates swing wildly: judge by the absolute change instead.
SMALL_NUMBER_LIMIT = 10

#: "No poor household" means getting below half a household (docs/progress-method.md, count by a deadline).
HALF = Decimal("0.5")

#: The years a projection is shown for: the end of the 2025 programme and of the plan.
PROJECTION_YEARS = (2025, 2030)


def _(message: str) -> str:
    """Marks a message for translation; it is translated where it is shown, not here."""
    return message


class Text(str):
    """A message with values, e.g. "Còn 12 hộ.": the Vietnamese text itself, plus its template and
    values so that it can be shown in another language."""

    template: str
    values: dict[str, object]

    def __new__(cls, template: str, **values: object) -> Text:
        text = super().__new__(cls, template.format(**values))
        text.template, text.values = template, values
        return text


class ProgressStatus(StrEnum):
    """Where a unit stands against one target in one year."""

    EXCEEDED = "exceeded"
    ACHIEVED = "achieved"
    ON_TRACK = "on_track"
    NEEDS_ACCELERATION = "needs_acceleration"
    LIMITED_PROGRESS = "limited_progress"
    WORSENING = "worsening"
    MAINTAINED_AT_ZERO = "maintained_at_zero"
    OFF_TRACK = "off_track"
    MISSED = "missed"
    NO_DATA = "no_data"

    @property
    def label(self) -> str:
        """The Vietnamese label; the portal shows it translated (English from locale/en)."""
        return STATUS_LABELS[self]


STATUS_LABELS: Mapping[ProgressStatus, str] = {
    ProgressStatus.EXCEEDED: _("Vượt chỉ tiêu"),
    ProgressStatus.ACHIEVED: _("Đạt"),
    ProgressStatus.ON_TRACK: _("Đúng tiến độ"),
    ProgressStatus.NEEDS_ACCELERATION: _("Cần đẩy nhanh"),
    ProgressStatus.LIMITED_PROGRESS: _("Tiến bộ hạn chế"),
    ProgressStatus.WORSENING: _("Xấu đi"),
    ProgressStatus.MAINTAINED_AT_ZERO: _("Duy trì bằng 0"),
    ProgressStatus.OFF_TRACK: _("Không đạt"),
    ProgressStatus.MISSED: _("Không đạt (quá hạn)"),
    ProgressStatus.NO_DATA: _("Chưa có số liệu"),
}


class Method(StrEnum):
    """How a status was reached; shown beside it."""

    RATIO = "open_sdg_ratio"
    ABSOLUTE_CHANGE = "absolute_change"
    ZERO = "must_be_zero"
    YEAR_ON_YEAR = "year_on_year"
    PACE = "pace"

    @property
    def label(self) -> str:
        return METHOD_LABELS[self]


METHOD_LABELS: Mapping[Method, str] = {
    Method.RATIO: _("Phương pháp tỷ số (Open SDG)"),
    Method.ABSOLUTE_CHANGE: _("So sánh số tuyệt đối (số nhỏ)"),
    Method.ZERO: _("Phải bằng 0"),
    Method.YEAR_ON_YEAR: _("So sánh với năm trước"),
    Method.PACE: _("So sánh tốc độ giảm (hộ/năm)"),
}


Number = int | Decimal


@dataclass(frozen=True)
class Assessment:
    """One judgement with everything needed to explain it.

    `actual` is the measured value the target is about (a reduction rate in percent, or a
    count); `ratio` is actual ÷ needed where the ratio method applied; `inputs` names every
    value the judgement used; `formula` says in Vietnamese how they were combined.
    """

    status: ProgressStatus
    method: Method
    target: str
    formula: str
    actual: Decimal | None = None
    ratio: Decimal | None = None
    inputs: dict[str, Decimal | int | None] = field(default_factory=dict)
    small_numbers: bool = False
    note: str = ""
    source: str = ""  # the legal source of the target judged, where the caller names it


# --- rates -------------------------------------------------------------------------------------


def _decimal(value: Number) -> Decimal:
    if isinstance(value, Decimal):
        return value
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"expected int or Decimal, got {type(value).__name__}")
    return Decimal(value)


def _check_count(name: str, value: Number | None) -> None:
    if value is not None and value < 0:
        raise ValueError(f"{name} cannot be negative: {value}")


def round_rate(value: Decimal | None, places: int = 2) -> Decimal | None:
    """Round a rate for display, half up as official tables do (40.915 → 40.92)."""
    return half_up(value, places)


def reduction_rate(previous: Number | None, current: Number | None) -> Decimal | None:
    """(previous − current) ÷ previous × 100, in percent, at full precision.

    None when either count is missing or the previous count is 0 (undefined, docs/progress-method.md).
    Negative when the count grew; never above 100 since counts are not negative.
    """
    _check_count("previous", previous)
    _check_count("current", current)
    if previous is None or current is None or previous == 0:
        return None
    with localcontext() as context:
        context.prec = 28
        return (_decimal(previous) - _decimal(current)) / _decimal(previous) * HUNDRED


def average_annual_rate(
    baseline: Number | None, baseline_year: int, current: Number | None, year: int
) -> Decimal | None:
    """Compound average annual reduction since the baseline, in percent.

    1 − (current ÷ baseline)^(1 ÷ (year − baseline_year)). None when a count is missing, the
    baseline is 0, or no year has passed since the baseline. Negative when the count grew.
    """
    _check_count("baseline", baseline)
    _check_count("current", current)
    if baseline is None or current is None or baseline == 0 or year <= baseline_year:
        return None
    with localcontext() as context:
        context.prec = 28
        remaining = _decimal(current) / _decimal(baseline)
        if remaining == 0:
            return HUNDRED
        return (ONE - remaining ** (ONE / Decimal(year - baseline_year))) * HUNDRED


def required_annual_rate(current: Number, years_left: int, target_count: int = 0) -> Decimal | None:
    """The annual reduction still needed to get from `current` to the target by the deadline.

    1 − ((target + 0.5) ÷ current)^(1 ÷ years_left), in percent: "no poor household" means
    getting below half a household. 0 when the count is already there; None when no year is left.
    """
    _check_count("current", current)
    if years_left <= 0:
        return None
    threshold = Decimal(target_count) + HALF
    if _decimal(current) <= threshold:
        return Decimal(0)
    with localcontext() as context:
        context.prec = 28
        return (ONE - (threshold / _decimal(current)) ** (ONE / Decimal(years_left))) * HUNDRED


def project(current: Number | None, year: int, rate_percent: Decimal | None, to_year: int) -> Decimal | None:
    """The count expected at the end of `to_year` if `rate_percent` a year continues from `year`.

    current × (1 − rate ÷ 100)^(to_year − year), unrounded: a projection of 0.4 households says
    "below half a household", which rounding to an integer would hide. None when an input is
    missing; a negative rate (growth) projects growth.
    """
    if to_year < year:
        raise ValueError(f"cannot project back from {year} to {to_year}")
    _check_count("current", current)
    if current is None or rate_percent is None:
        return None
    if to_year == year:
        return _decimal(current)
    with localcontext() as context:
        context.prec = 28
        factor = max(ONE - rate_percent / HUNDRED, Decimal(0))
        return _decimal(current) * factor ** (to_year - year)


def project_to_years(
    baseline: Number | None,
    baseline_year: int,
    current: Number | None,
    year: int,
    to_years: Iterable[int] = PROJECTION_YEARS,
) -> dict[int, Decimal | None]:
    """Projections at the end of each of `to_years` at the average annual rate since the baseline.

    A year already past (before `year`) gets None: its real value exists.
    """
    rate = average_annual_rate(baseline, baseline_year, current, year)
    return {to_year: project(current, year, rate, to_year) if to_year >= year else None for to_year in to_years}


# --- judgements --------------------------------------------------------------------------------


def _status_for_ratio(ratio: Decimal) -> ProgressStatus:
    if ratio >= ACHIEVED_THRESHOLD:
        return ProgressStatus.ACHIEVED
    if ratio >= ACCELERATION_THRESHOLD:
        return ProgressStatus.NEEDS_ACCELERATION
    if ratio >= 0:
        return ProgressStatus.LIMITED_PROGRESS
    return ProgressStatus.WORSENING


def _absolute_change_status(previous: Number, current: Number) -> ProgressStatus:
    if current < previous:
        return ProgressStatus.ACHIEVED
    if current == previous:
        return ProgressStatus.NEEDS_ACCELERATION if current > 0 else ProgressStatus.ACHIEVED
    return ProgressStatus.WORSENING


def band_text(lower: Decimal, upper: Decimal | None) -> str:
    if upper is None or upper == lower:
        return Text(_("Giảm ít nhất {lower} %/năm"), lower=f"{lower.normalize():f}")
    return Text(_("Giảm {lower}–{upper} %/năm"), lower=f"{lower.normalize():f}", upper=f"{upper.normalize():f}")


BAND_FORMULA = _(
    "Tỷ lệ giảm = (số năm trước − số năm nay) ÷ số năm trước × 100; tỷ số = tỷ lệ giảm ÷ cận dưới. "
    "Tỷ số ≥ 1 và tỷ lệ giảm ≥ cận trên: vượt chỉ tiêu; tỷ số ≥ 1: đạt; 0,6 ≤ tỷ số < 1: cần đẩy nhanh; "
    "0 ≤ tỷ số < 0,6: tiến bộ hạn chế; tỷ lệ giảm < 0: xấu đi."
)
SMALL_NUMBERS_FORMULA = _(
    "Số năm trước dưới 10: so sánh số tuyệt đối. Giảm: đạt; không đổi (trên 0): cần đẩy nhanh; tăng: xấu đi."
)
SMALL_NUMBERS_NOTE = _("Số năm trước nhỏ (dưới 10) nên tỷ lệ biến động mạnh; đánh giá theo thay đổi tuyệt đối.")


def assess_reduction(
    previous: Number | None,
    current: Number | None,
    lower: Decimal | int,
    upper: Decimal | int | None = None,
) -> Assessment:
    """Judge an annual reduction target such as poor households −25 % to −30 % a year.

    ratio = actual reduction ÷ lower bound; see BAND_FORMULA. A previous count of 0 leaves the
    rate undefined: staying at 0 is "maintained at zero", rising from 0 is "worsening". Below
    SMALL_NUMBER_LIMIT the absolute change decides, and the assessment says so.
    """
    lower = _decimal(lower)
    upper = None if upper is None else _decimal(upper)
    if lower <= 0:
        raise ValueError("the lower bound of a reduction band must be positive")
    if upper is not None and upper < lower:
        raise ValueError("the upper bound of a reduction band cannot be below its lower bound")
    target = band_text(lower, upper)
    actual = reduction_rate(previous, current)
    inputs: dict[str, Decimal | int | None] = {
        "previous": previous,
        "current": current,
        "lower_bound": lower,
        "upper_bound": upper,
        "reduction_rate": actual,
    }
    if previous is None or current is None:
        return Assessment(
            ProgressStatus.NO_DATA,
            Method.RATIO,
            target,
            BAND_FORMULA,
            inputs=inputs,
            note=_("Thiếu số liệu năm trước hoặc năm nay."),
        )
    if previous == 0:
        status = ProgressStatus.MAINTAINED_AT_ZERO if current == 0 else ProgressStatus.WORSENING
        note = _("Năm trước bằng 0 nên tỷ lệ giảm không xác định; so sánh số tuyệt đối.")
        return Assessment(status, Method.ABSOLUTE_CHANGE, target, SMALL_NUMBERS_FORMULA, inputs=inputs, note=note)
    if previous < SMALL_NUMBER_LIMIT:
        return Assessment(
            _absolute_change_status(previous, current),
            Method.ABSOLUTE_CHANGE,
            target,
            SMALL_NUMBERS_FORMULA,
            actual=actual,
            inputs=inputs,
            small_numbers=True,
            note=SMALL_NUMBERS_NOTE,
        )
    assert actual is not None  # previous > 0 and both counts known
    ratio = actual / lower
    inputs["ratio"] = ratio
    status = _status_for_ratio(ratio)
    if status == ProgressStatus.ACHIEVED and upper is not None and actual >= upper:
        status = ProgressStatus.EXCEEDED
    return Assessment(status, Method.RATIO, target, BAND_FORMULA, actual=actual, ratio=ratio, inputs=inputs)


DEADLINE_FORMULA = _(
    "Tốc độ đạt được = (số năm gốc − số năm nay) ÷ số năm đã qua (hộ/năm); "
    "tốc độ cần đạt = (số năm nay − mục tiêu) ÷ số năm còn lại đến hạn (hộ/năm); "
    "tỷ số = tốc độ đạt được ÷ tốc độ cần đạt. Tỷ số ≥ 1: đúng tiến độ; 0,6 ≤ tỷ số < 1: cần đẩy nhanh; "
    "0 ≤ tỷ số < 0,6: tiến bộ hạn chế; dưới 0: xấu đi. Đã về mục tiêu: đạt; quá hạn mà chưa đạt: không đạt. "
    "Dự báo: giữ tốc độ đạt được (hộ/năm)."
)


def achieved_pace(baseline: Number | None, baseline_year: int, current: Number | None, year: int) -> Decimal | None:
    """Households removed per year on average since the baseline: (baseline − current) ÷ years elapsed.

    Negative when the count grew. None when a count is missing or no year has passed.
    """
    _check_count("baseline", baseline)
    _check_count("current", current)
    if baseline is None or current is None or year <= baseline_year:
        return None
    return (_decimal(baseline) - _decimal(current)) / Decimal(year - baseline_year)


def needed_pace(current: Number, years_left: int, target_count: int = 0) -> Decimal | None:
    """Households to remove per year to reach the target by the deadline: (current − target) ÷ years left.

    0 when the count is already at or below the target; None when no year is left.
    """
    _check_count("current", current)
    if years_left <= 0:
        return None
    return max(_decimal(current) - Decimal(target_count), Decimal(0)) / Decimal(years_left)


def project_at_pace(current: Number | None, year: int, pace: Decimal | None, to_year: int) -> Decimal | None:
    """The count at the end of `to_year` if `pace` households a year keep leaving: never below 0."""
    if to_year < year:
        raise ValueError(f"cannot project back from {year} to {to_year}")
    _check_count("current", current)
    if current is None or pace is None:
        return None
    return max(_decimal(current) - pace * (to_year - year), Decimal(0))


def assess_count_by_deadline(
    baseline: Number | None,
    baseline_year: int,
    current: Number | None,
    year: int,
    deadline_year: int,
    target_count: int = 0,
    *,
    source: str = "",
) -> Assessment:
    """Judge a count to reach by the end of a deadline year, e.g. no poor household by end 2025
    (Programme 08-CTr/TU; QĐ 1362/QĐ-UBND), by the pace achieved against the pace needed.

    Near zero the ratio of compound growth rates breaks: 690 poor households at end 2023, two
    years from the deadline, "needed" a 97 % cut a year to get below half a household, so 56 % a
    year since the baseline read as limited progress a year before the city reached zero. In
    households a year the picture is the true one: 1,461 a year removed since end 2021 against
    345 a year still needed. Same ratio bands as docs/progress-method.md; a ratio ≥ 1 is "on track" rather
    than "achieved" (the count is not there yet). Achieved as soon as the count is at or below
    the target; at or after the deadline review and not there, missed.
    """
    _check_count("baseline", baseline)
    _check_count("current", current)
    target = (
        Text(_("Không còn hộ nào vào cuối năm {year}"), year=deadline_year)
        if target_count == 0
        else Text(_("Còn không quá {count} hộ vào cuối năm {year}"), count=target_count, year=deadline_year)
    )
    years_left = deadline_year - year
    inputs: dict[str, Decimal | int | None] = {
        "baseline": baseline,
        "baseline_year": baseline_year,
        "current": current,
        "year": year,
        "deadline_year": deadline_year,
        "target_count": target_count,
    }

    def result(status: ProgressStatus, **fields) -> Assessment:
        return Assessment(status, Method.PACE, target, DEADLINE_FORMULA, inputs=inputs, source=source, **fields)

    if current is None:
        return result(ProgressStatus.NO_DATA, note=_("Thiếu số liệu năm nay."))
    actual = _decimal(current)
    if current <= target_count:
        return result(ProgressStatus.ACHIEVED, actual=actual)
    if years_left <= 0:
        note = Text(_("Đã đến hạn cuối năm {year}, còn {count} hộ."), year=deadline_year, count=current)
        return result(ProgressStatus.MISSED, actual=actual, note=note)
    achieved = achieved_pace(baseline, baseline_year, current, year)
    needed = needed_pace(current, years_left, target_count)
    inputs.update(
        {
            "years_elapsed": year - baseline_year if year > baseline_year else None,
            "years_left": years_left,
            "achieved_pace": achieved,
            "needed_pace": needed,
        }
    )
    if achieved is None or not needed:
        return result(ProgressStatus.NO_DATA, actual=actual, note=_("Chưa tính được tốc độ giảm từ năm gốc."))
    ratio = achieved / needed
    inputs["ratio"] = ratio
    status = _status_for_ratio(ratio)
    if status == ProgressStatus.ACHIEVED:
        status = ProgressStatus.ON_TRACK
    return result(status, actual=actual, ratio=ratio)


ZERO_FORMULA = _("Số hộ phải bằng 0: bằng 0 là đạt, khác 0 là không đạt.")


def assess_must_be_zero(count: Number | None) -> Assessment:
    """Judge a must-be-zero target (no poor household of a person with meritorious service)."""
    _check_count("count", count)
    target = _("Không còn hộ nào")
    inputs: dict[str, Decimal | int | None] = {"current": count}
    if count is None:
        return Assessment(
            ProgressStatus.NO_DATA, Method.ZERO, target, ZERO_FORMULA, inputs=inputs, note=_("Thiếu số liệu năm nay.")
        )
    if count == 0:
        return Assessment(ProgressStatus.ACHIEVED, Method.ZERO, target, ZERO_FORMULA, actual=Decimal(0), inputs=inputs)
    return Assessment(
        ProgressStatus.OFF_TRACK,
        Method.ZERO,
        target,
        ZERO_FORMULA,
        actual=_decimal(count),
        inputs=inputs,
        note=Text(_("Còn {count} hộ."), count=count),
    )


FEWER_FORMULA = _(
    "So với năm trước: ít hơn hoặc cùng bằng 0 là đạt; bằng nhau (trên 0): cần đẩy nhanh; nhiều hơn: xấu đi."
)


def assess_fewer_than_last_year(previous: Number | None, current: Number | None) -> Assessment:
    """Judge an "as few as possible" target (re-poor, newly poor households) against last year."""
    _check_count("previous", previous)
    _check_count("current", current)
    target = _("Ít hơn năm trước")
    inputs: dict[str, Decimal | int | None] = {"previous": previous, "current": current}
    if previous is None or current is None:
        return Assessment(
            ProgressStatus.NO_DATA,
            Method.YEAR_ON_YEAR,
            target,
            FEWER_FORMULA,
            inputs=inputs,
            note=_("Thiếu số liệu năm trước hoặc năm nay."),
        )
    return Assessment(
        _absolute_change_status(previous, current),
        Method.YEAR_ON_YEAR,
        target,
        FEWER_FORMULA,
        actual=_decimal(current),
        inputs=inputs,
    )
