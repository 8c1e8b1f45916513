"""Progress rules of Plan 51-KH/TU (targets/progress.py): no database.

Figures from docs/published-figures.md (Hanoi, QĐ 678/QĐ-UBND and QĐ 337/QĐ-UBND).
"""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reports.templatetags.progress_text import in_english
from targets.progress import (
    Assessment,
    Method,
    ProgressStatus,
    achieved_pace,
    assess_count_by_deadline,
    assess_fewer_than_last_year,
    assess_must_be_zero,
    assess_reduction,
    average_annual_rate,
    needed_pace,
    project,
    project_at_pace,
    project_to_years,
    reduction_rate,
    required_annual_rate,
    round_rate,
)

# Better statuses rank higher; used to state monotonicity.
RANK = {
    ProgressStatus.WORSENING: 0,
    ProgressStatus.LIMITED_PROGRESS: 1,
    ProgressStatus.NEEDS_ACCELERATION: 2,
    ProgressStatus.ACHIEVED: 3,
    ProgressStatus.EXCEEDED: 4,
}


# --- reduction rate ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("previous", "current", "expected"),
    [
        (3612, 2134, Decimal("40.92")),  # poor, 2022
        (2134, 690, Decimal("67.67")),  # poor, 2023
        (690, 0, Decimal("100.00")),  # poor, 2024
        (30176, 22263, Decimal("26.22")),  # near-poor, 2022
    ],
)
def test_reduction_rate_reproduces_hanois_published_figures(previous, current, expected):
    assert round_rate(reduction_rate(previous, current)) == expected


def test_reduction_rate_keeps_full_precision_and_the_status_is_decided_on_it():
    rate = reduction_rate(3612, 2134)  # 40.9191583…
    assert Decimal("40.9191") < rate < Decimal("40.9192")  # not rounded to 40.92, nor cut to 40.91
    # 29.997 % shows as 30,00 % but has not reached the upper bound of 30 %: achieved, not exceeded.
    almost = reduction_rate(100_000, 70_003)
    assert round_rate(almost) == Decimal("30.00")
    assert assess_reduction(100_000, 70_003, 25, 30).status == ProgressStatus.ACHIEVED
    assert assess_reduction(100_000, 70_000, 25, 30).status == ProgressStatus.EXCEEDED


def test_reduction_rate_is_negative_when_the_count_grows():
    assert reduction_rate(100, 120) == Decimal(-20)


@pytest.mark.parametrize(("previous", "current"), [(0, 0), (0, 5), (None, 5), (5, None)])
def test_reduction_rate_is_undefined_without_a_previous_count(previous, current):
    assert reduction_rate(previous, current) is None


def test_reduction_rate_refuses_negative_counts():
    with pytest.raises(ValueError):
        reduction_rate(-1, 0)


def test_round_rate_rounds_half_up():
    assert round_rate(Decimal("40.915")) == Decimal("40.92")
    assert round_rate(Decimal("0.0945"), places=3) == Decimal("0.095")
    assert round_rate(None) is None


@given(previous=st.integers(min_value=1, max_value=10**8), current=st.integers(min_value=0, max_value=10**9))
def test_reduction_rate_never_exceeds_100_percent(previous, current):
    rate = reduction_rate(previous, current)
    assert rate is not None
    assert rate <= 100
    assert (rate < 0) == (current > previous)


# --- annual reduction band ----------------------------------------------------------------------


def test_poor_2022_reduction_of_40_92_percent_exceeds_the_25_to_30_band():
    assessment = assess_reduction(3612, 2134, Decimal(25), Decimal(30))
    assert assessment.status == ProgressStatus.EXCEEDED
    assert round_rate(assessment.actual) == Decimal("40.92")
    assert round_rate(assessment.ratio) == Decimal("1.64")
    assert assessment.method == Method.RATIO
    assert assessment.method.label == "Phương pháp tỷ số (Open SDG)"
    assert assessment.small_numbers is False
    assert assessment.inputs["previous"] == 3612
    assert assessment.inputs["current"] == 2134
    assert assessment.inputs["lower_bound"] == 25
    assert assessment.target == "Giảm 25–30 %/năm"


@pytest.mark.parametrize(("previous", "current"), [(2134, 690), (690, 0)])
def test_poor_2023_and_2024_reductions_exceed_the_band(previous, current):
    assert assess_reduction(previous, current, 25, 30).status == ProgressStatus.EXCEEDED


def test_near_poor_2022_reduction_of_26_22_percent_exceeds_the_10_percent_target():
    assessment = assess_reduction(30176, 22263, Decimal(10), Decimal(10))
    assert assessment.status == ProgressStatus.EXCEEDED
    assert assessment.target == "Giảm ít nhất 10 %/năm"


def test_near_poor_reduction_of_exactly_10_percent_meets_a_band_whose_bounds_are_equal():
    assert assess_reduction(1000, 900, 10, 10).status == ProgressStatus.EXCEEDED


@pytest.mark.parametrize(
    ("current", "expected"),
    [
        (70, ProgressStatus.EXCEEDED),  # 30 %: at the upper bound
        (72, ProgressStatus.ACHIEVED),  # 28 %
        (75, ProgressStatus.ACHIEVED),  # 25 %: ratio exactly 1
        (76, ProgressStatus.NEEDS_ACCELERATION),  # 24 %: ratio 0.96
        (85, ProgressStatus.NEEDS_ACCELERATION),  # 15 %: ratio exactly 0.6
        (86, ProgressStatus.LIMITED_PROGRESS),  # 14 %: ratio 0.56
        (100, ProgressStatus.LIMITED_PROGRESS),  # 0 %: ratio 0
        (101, ProgressStatus.WORSENING),  # −1 %
    ],
)
def test_ratio_bands_and_their_boundaries(current, expected):
    assert assess_reduction(100, current, 25, 30).status == expected


def test_ratio_is_actual_over_the_lower_bound():
    assessment = assess_reduction(100, 85, 25, 30)
    assert assessment.ratio == Decimal("0.6")
    assert assessment.inputs["ratio"] == Decimal("0.6")


def test_without_an_upper_bound_a_high_reduction_is_achieved_not_exceeded():
    assert assess_reduction(100, 50, 25).status == ProgressStatus.ACHIEVED


def test_staying_at_zero_is_maintained_at_zero_not_a_division_error():
    assessment = assess_reduction(0, 0, 25, 30)
    assert assessment.status == ProgressStatus.MAINTAINED_AT_ZERO
    assert assessment.actual is None
    assert assessment.ratio is None
    assert assessment.note


def test_rising_from_zero_is_worsening():
    assert assess_reduction(0, 3, 25, 30).status == ProgressStatus.WORSENING


@pytest.mark.parametrize(("previous", "current"), [(None, 5), (5, None), (None, None)])
def test_missing_counts_give_no_data(previous, current):
    assert assess_reduction(previous, current, 25, 30).status == ProgressStatus.NO_DATA


@pytest.mark.parametrize(
    ("previous", "current", "expected"),
    [
        (9, 8, ProgressStatus.ACHIEVED),  # −11 %: limited progress by the ratio, achieved by count
        (5, 0, ProgressStatus.ACHIEVED),  # −100 %: achieved, not exceeded
        (3, 3, ProgressStatus.NEEDS_ACCELERATION),
        (2, 4, ProgressStatus.WORSENING),
    ],
)
def test_below_10_previous_households_the_absolute_change_decides(previous, current, expected):
    assessment = assess_reduction(previous, current, 25, 30)
    assert assessment.status == expected
    assert assessment.small_numbers is True
    assert assessment.method == Method.ABSOLUTE_CHANGE
    assert "số nhỏ" in assessment.method.label
    assert assessment.note
    assert assessment.ratio is None


def test_ten_previous_households_are_judged_by_the_ratio():
    assessment = assess_reduction(10, 9, 25, 30)
    assert assessment.small_numbers is False
    assert assessment.status == ProgressStatus.LIMITED_PROGRESS


@pytest.mark.parametrize(("lower", "upper"), [(0, 10), (-5, 10), (30, 25)])
def test_a_band_must_have_a_positive_lower_bound_not_above_the_upper(lower, upper):
    with pytest.raises(ValueError):
        assess_reduction(100, 80, lower, upper)


@given(
    previous=st.integers(min_value=10, max_value=10**6),
    first=st.integers(min_value=0, max_value=2 * 10**6),
    second=st.integers(min_value=0, max_value=2 * 10**6),
)
def test_a_lower_count_never_gives_a_worse_band_status(previous, first, second):
    lower, higher = sorted((first, second))
    better = assess_reduction(previous, lower, 25, 30).status
    worse = assess_reduction(previous, higher, 25, 30).status
    assert RANK[better] >= RANK[worse]


@given(previous=st.integers(min_value=0, max_value=10**6), current=st.integers(min_value=0, max_value=10**6))
def test_every_band_assessment_carries_its_inputs_and_formula(previous, current):
    assessment = assess_reduction(previous, current, 25, 30)
    assert isinstance(assessment, Assessment)
    assert assessment.inputs["previous"] == previous
    assert assessment.inputs["current"] == current
    assert assessment.formula
    assert assessment.status.label


# --- count at a deadline ------------------------------------------------------------------------


def test_required_rate_to_clear_2134_households_in_three_years():
    # 1 − (0.5 / 2134)^(1/3)
    assert round_rate(required_annual_rate(2134, 3)) == Decimal("93.84")


def test_required_rate_with_one_year_left_is_to_get_below_half_a_household():
    assert required_annual_rate(100, 1) == Decimal("99.5")


def test_required_rate_is_zero_when_already_at_zero_and_undefined_past_the_deadline():
    assert required_annual_rate(0, 2) == 0
    assert required_annual_rate(5, 0) is None


def test_average_annual_rate_is_compound_since_the_baseline():
    # 3,612 (end 2021) → 690 (end 2023): 1 − (690/3612)^(1/2)
    assert round_rate(average_annual_rate(3612, 2021, 690, 2023)) == Decimal("56.29")
    assert round_rate(average_annual_rate(3612, 2021, 2134, 2022)) == Decimal("40.92")
    assert average_annual_rate(3612, 2021, 0, 2024) == 100


@pytest.mark.parametrize(
    ("baseline", "baseline_year", "current", "year"),
    [(0, 2021, 0, 2023), (None, 2021, 5, 2023), (10, 2021, None, 2023), (10, 2021, 5, 2021)],
)
def test_average_annual_rate_is_undefined_without_a_baseline_or_elapsed_year(baseline, baseline_year, current, year):
    assert average_annual_rate(baseline, baseline_year, current, year) is None


def test_hanoi_2023_with_690_poor_was_on_track_for_zero_by_2025_a_year_before_it_got_there():
    """docs/published-figures.md: 3,612 (end 2021) → 2,134 (end 2022) → 690 (end 2023) → 0 (end 2024).

    The ratio of compound rates (56 % a year against 97 % needed to get below half a household)
    called this "limited progress"; in households a year, 1,461 removed a year against 345 still
    needed, it was on track, as the city's zero at end 2024 showed."""
    assessment = assess_count_by_deadline(3612, 2021, 690, 2023, 2025, source="Chương trình 08-CTr/TU")
    assert assessment.status == ProgressStatus.ON_TRACK
    assert assessment.method == Method.PACE
    assert assessment.method.label == "So sánh tốc độ giảm (hộ/năm)"
    assert assessment.inputs["achieved_pace"] == Decimal(1461)
    assert assessment.inputs["needed_pace"] == Decimal(345)
    assert assessment.inputs["years_elapsed"] == 2 and assessment.inputs["years_left"] == 2
    assert round_rate(assessment.ratio) == Decimal("4.23")
    assert assessment.source == "Chương trình 08-CTr/TU"
    assert "hộ/năm" in assessment.formula


def test_the_old_ratio_of_rates_would_have_called_hanoi_2023_limited_progress():
    """Why the rule changed: the same figures by compound rates give a ratio below 0.6."""
    ratio = average_annual_rate(3612, 2021, 690, 2023) / required_annual_rate(690, 2)
    assert ratio < Decimal("0.6")


def test_hanoi_2022_was_on_track_for_zero_poor_by_2025():
    # 1,478 removed in a year against 2,134 ÷ 3 = 711.33 a year still needed: ratio 2.08
    assessment = assess_count_by_deadline(3612, 2021, 2134, 2022, 2025)
    assert assessment.status == ProgressStatus.ON_TRACK
    assert round_rate(assessment.inputs["needed_pace"]) == Decimal("711.33")
    assert round_rate(assessment.ratio) == Decimal("2.08")
    assert assessment.inputs["years_left"] == 3
    assert assessment.target == "Không còn hộ nào vào cuối năm 2025"


@pytest.mark.parametrize(
    ("current", "expected"),
    [
        (400, ProgressStatus.ON_TRACK),  # 300 a year removed, 200 a year needed: ratio 1.5
        (500, ProgressStatus.ON_TRACK),  # 250 against 250: ratio exactly 1
        (550, ProgressStatus.NEEDS_ACCELERATION),  # 225 against 275: 0.82
        (625, ProgressStatus.NEEDS_ACCELERATION),  # 187.5 against 312.5: exactly 0.6
        (700, ProgressStatus.LIMITED_PROGRESS),  # 150 against 350: 0.43
        (1000, ProgressStatus.LIMITED_PROGRESS),  # nothing removed: 0
        (1001, ProgressStatus.WORSENING),  # grew
    ],
)
def test_pace_ratio_bands_and_their_boundaries(current, expected):
    # 1,000 at end 2021, judged at end 2023 for zero by end 2025 (2 years elapsed, 2 left)
    assert assess_count_by_deadline(1000, 2021, current, 2023, 2025).status == expected


def test_a_target_above_zero_needs_only_the_households_above_it():
    assessment = assess_count_by_deadline(1000, 2021, 300, 2023, 2025, target_count=100)
    assert assessment.inputs["needed_pace"] == Decimal(100)
    assert assessment.target == "Còn không quá 100 hộ vào cuối năm 2025"
    assert assess_count_by_deadline(1000, 2021, 100, 2023, 2025, target_count=100).status == ProgressStatus.ACHIEVED


def test_rising_from_a_zero_baseline_is_worsening_not_a_division_error():
    assert assess_count_by_deadline(0, 2021, 4, 2022, 2025).status == ProgressStatus.WORSENING


DEADLINE_RANK = {
    ProgressStatus.WORSENING: 0,
    ProgressStatus.LIMITED_PROGRESS: 1,
    ProgressStatus.NEEDS_ACCELERATION: 2,
    ProgressStatus.ON_TRACK: 3,
    ProgressStatus.ACHIEVED: 4,
}


@given(
    baseline=st.integers(min_value=0, max_value=10**6),
    first=st.integers(min_value=0, max_value=2 * 10**6),
    second=st.integers(min_value=0, max_value=2 * 10**6),
    elapsed=st.integers(min_value=1, max_value=8),
    left=st.integers(min_value=1, max_value=8),
)
def test_a_lower_count_never_gives_a_worse_deadline_status(baseline, first, second, elapsed, left):
    lower, higher = sorted((first, second))
    better = assess_count_by_deadline(baseline, 2021, lower, 2021 + elapsed, 2021 + elapsed + left).status
    worse = assess_count_by_deadline(baseline, 2021, higher, 2021 + elapsed, 2021 + elapsed + left).status
    assert DEADLINE_RANK[better] >= DEADLINE_RANK[worse]


def test_paces_are_households_a_year():
    assert achieved_pace(3612, 2021, 690, 2023) == Decimal(1461)
    assert achieved_pace(100, 2021, 120, 2022) == Decimal(-20)
    assert achieved_pace(100, 2021, 50, 2021) is None
    assert achieved_pace(None, 2021, 50, 2023) is None
    assert needed_pace(690, 2) == Decimal(345)
    assert needed_pace(0, 2) == 0
    assert needed_pace(5, 0) is None


def test_projection_at_a_pace_stops_at_zero():
    assert project_at_pace(690, 2023, Decimal(1461), 2025) == 0
    assert project_at_pace(2134, 2022, Decimal(500), 2024) == Decimal(1134)
    assert project_at_pace(None, 2022, Decimal(5), 2024) is None
    with pytest.raises(ValueError):
        project_at_pace(10, 2025, Decimal(1), 2024)


def test_zero_poor_households_achieves_the_deadline_target():
    assert assess_count_by_deadline(3612, 2021, 0, 2024, 2025).status == ProgressStatus.ACHIEVED


def test_households_left_at_the_deadline_miss_it():
    assessment = assess_count_by_deadline(3612, 2021, 5, 2025, 2025)
    assert assessment.status == ProgressStatus.MISSED
    assert "5" in assessment.note
    assert assess_count_by_deadline(3612, 2021, 5, 2026, 2025).status == ProgressStatus.MISSED


def test_a_pace_at_or_above_the_pace_needed_is_on_track():
    # 990 removed in a year against 10 still needed in the one year left
    assessment = assess_count_by_deadline(1000, 2021, 10, 2022, 2023)
    assert assessment.status == ProgressStatus.ON_TRACK
    assert assessment.ratio >= 1


def test_a_count_that_grew_since_the_baseline_is_worsening():
    assert assess_count_by_deadline(100, 2021, 120, 2022, 2025).status == ProgressStatus.WORSENING


def test_deadline_target_in_the_baseline_year_has_no_pace_to_judge():
    assert assess_count_by_deadline(3612, 2021, 3612, 2021, 2025).status == ProgressStatus.NO_DATA


def test_deadline_target_without_a_count_has_no_data():
    assert assess_count_by_deadline(3612, 2021, None, 2022, 2025).status == ProgressStatus.NO_DATA


# --- projection ---------------------------------------------------------------------------------


def test_projection_continues_the_rate_for_the_years_left():
    assert project(1000, 2022, Decimal(50), 2025) == Decimal(125)
    assert project(1000, 2022, Decimal(-10), 2024) == Decimal("1210.00")
    assert project(7, 2025, Decimal(100), 2025) == 7
    assert project(7, 2024, Decimal(100), 2025) == 0
    assert project(7, 2024, None, 2025) is None


def test_projection_refuses_to_run_backwards():
    with pytest.raises(ValueError):
        project(10, 2025, Decimal(10), 2024)


def test_hanois_2023_pace_projects_about_132_poor_households_at_end_2025_and_2_at_end_2030():
    projections = project_to_years(3612, 2021, 690, 2023)
    assert round_rate(projections[2025], 0) == 132
    assert round_rate(projections[2030], 0) == 2


def test_projection_to_a_year_already_past_is_none():
    assert project_to_years(3612, 2021, 0, 2026) == {2025: None, 2030: Decimal(0)}


@given(
    current=st.integers(min_value=0, max_value=10**6),
    rate=st.decimals(min_value=0, max_value=100, places=2),
    years=st.integers(min_value=0, max_value=10),
)
def test_a_non_negative_rate_never_projects_growth(current, rate, years):
    projected = project(current, 2025, rate, 2025 + years)
    assert 0 <= projected <= current


# --- must be zero, fewer than last year ---------------------------------------------------------


def test_no_meritorious_poor_household_is_achieved():
    assert assess_must_be_zero(0).status == ProgressStatus.ACHIEVED


def test_any_meritorious_poor_household_is_off_track_with_the_count():
    assessment = assess_must_be_zero(3)
    assert assessment.status == ProgressStatus.OFF_TRACK
    assert assessment.actual == 3
    assert "3" in assessment.note


def test_must_be_zero_without_a_count_has_no_data():
    assert assess_must_be_zero(None).status == ProgressStatus.NO_DATA


@pytest.mark.parametrize(
    ("previous", "current", "expected"),
    [
        (12, 7, ProgressStatus.ACHIEVED),
        (0, 0, ProgressStatus.ACHIEVED),
        (4, 4, ProgressStatus.NEEDS_ACCELERATION),
        (4, 5, ProgressStatus.WORSENING),
        (0, 1, ProgressStatus.WORSENING),
        (None, 1, ProgressStatus.NO_DATA),
        (1, None, ProgressStatus.NO_DATA),
    ],
)
def test_fewer_re_poor_or_newly_poor_than_last_year(previous, current, expected):
    assert assess_fewer_than_last_year(previous, current).status == expected


# --- labels -------------------------------------------------------------------------------------


def test_every_status_and_method_has_a_vietnamese_label():
    assert ProgressStatus.EXCEEDED.label == "Vượt chỉ tiêu"
    assert ProgressStatus.NEEDS_ACCELERATION.label == "Cần đẩy nhanh"
    assert ProgressStatus.MISSED.label == "Không đạt (quá hạn)"
    for status in ProgressStatus:
        assert status.label
    for method in Method:
        assert method.label


def test_every_status_and_method_label_has_its_english_translation():
    """The API gives each label in Vietnamese with English beside it (docs/api.md, `*_en`): a label
    missing from locale/en would answer Vietnamese twice."""
    labels = [status.label for status in ProgressStatus] + [method.label for method in Method]
    english = {label: in_english(label) for label in labels}
    assert [label for label, translated in english.items() if translated == label] == []
    assert english["Vượt chỉ tiêu"] == "Exceeded"


def test_a_message_with_values_is_its_vietnamese_text_and_keeps_its_template():
    from targets.progress import Text, assess_count_by_deadline

    text = Text("Còn {count} hộ.", count=12)
    assert text == "Còn 12 hộ." and text.template == "Còn {count} hộ." and text.values == {"count": 12}
    assessment = assess_count_by_deadline(baseline=3612, baseline_year=2021, current=690, year=2023, deadline_year=2025)
    assert assessment.target == "Không còn hộ nào vào cuối năm 2025"
    assert assessment.target.template == "Không còn hộ nào vào cuối năm {year}"
