"""The classification and movement rules of docs/poverty-rules.md and docs/review-cycle.md, without a database."""

import datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from households import poverty
from households.poverty import (
    AmbiguousStandard,
    Lines,
    MissingIncome,
    Movement,
    Period,
    PovertyClass,
    ReviewedYear,
    ReviewType,
    applies_to,
    classify_household,
    derive_movement,
    derive_movements,
    flags_to_mask,
    mask_to_flags,
    overlap,
    select_standard,
)

# Decree 07/2021/NĐ-CP (2022–2025)
RURAL_2022 = Lines(Decimal(1_500_000), Decimal(2_250_000), 3, b1_cutoff=Decimal(140))
URBAN_2022 = Lines(Decimal(2_000_000), Decimal(3_000_000), 3, b1_cutoff=Decimal(175))
# QĐ 12/2016/QĐ-UBND (Hanoi 2016–2020), with its extreme line
RURAL_HANOI_2016 = Lines(Decimal(1_500_000), Decimal(2_300_000), 3, extreme_line=Decimal(1_100_000))
URBAN_HANOI_2016 = Lines(Decimal(1_950_000), Decimal(3_000_000), 3, extreme_line=Decimal(1_400_000))

ORDER = [PovertyClass.POOR, PovertyClass.NEAR_POOR, PovertyClass.AVERAGE, PovertyClass.ABOVE_AVERAGE]


def classify(lines, income, deprivations, b1=None):
    return classify_household(
        lines,
        income_per_capita=None if income is None else Decimal(income),
        deprivation_count=deprivations,
        b1_score=b1,
    )


def test_income_exactly_on_the_rural_line_with_three_deprivations_is_poor():
    assert classify(RURAL_2022, 1_500_000, 3) is PovertyClass.POOR


def test_income_exactly_on_the_line_with_two_deprivations_is_near_poor():
    assert classify(RURAL_2022, 1_500_000, 2) is PovertyClass.NEAR_POOR


def test_one_dong_above_the_line_is_not_poor_whatever_its_deprivations():
    assert classify(RURAL_2022, 1_500_001, 12) is PovertyClass.AVERAGE


def test_rule_is_and_not_or_many_deprivations_alone_do_not_make_a_household_poor():
    assert classify(URBAN_2022, 2_500_000, 12) is PovertyClass.AVERAGE


def test_low_income_alone_with_no_deprivation_is_near_poor_not_poor():
    assert classify(RURAL_2022, 0, 0) is PovertyClass.NEAR_POOR


def test_urban_line_is_higher_than_rural():
    assert classify(RURAL_2022, 1_800_000, 4) is PovertyClass.AVERAGE
    assert classify(URBAN_2022, 1_800_000, 4) is PovertyClass.POOR
    assert classify(URBAN_2022, 2_000_000, 3) is PovertyClass.POOR
    assert classify(URBAN_2022, 2_000_001, 3) is PovertyClass.AVERAGE


def test_average_living_ceiling_is_inclusive():
    assert classify(RURAL_2022, 2_250_000, 0) is PovertyClass.AVERAGE
    assert classify(RURAL_2022, 2_250_001, 0) is PovertyClass.ABOVE_AVERAGE
    assert classify(URBAN_2022, 3_000_000, 0) is PovertyClass.AVERAGE
    assert classify(URBAN_2022, 3_000_001, 0) is PovertyClass.ABOVE_AVERAGE


def test_below_the_extreme_line_of_the_older_standard_is_poor_without_deprivations():
    assert classify(RURAL_HANOI_2016, 1_100_000, 0) is PovertyClass.POOR
    assert classify(URBAN_HANOI_2016, 1_400_000, 0) is PovertyClass.POOR


def test_between_extreme_and_poverty_line_of_the_older_standard_deprivations_decide():
    assert classify(RURAL_HANOI_2016, 1_100_001, 2) is PovertyClass.NEAR_POOR
    assert classify(RURAL_HANOI_2016, 1_100_001, 3) is PovertyClass.POOR
    assert classify(URBAN_HANOI_2016, 1_950_000, 3) is PovertyClass.POOR
    assert classify(URBAN_HANOI_2016, 1_950_001, 3) is PovertyClass.AVERAGE


def test_b1_score_stands_in_for_income_when_income_is_missing():
    assert classify(RURAL_2022, None, 3, b1=Decimal(140)) is PovertyClass.POOR
    assert classify(RURAL_2022, None, 2, b1=Decimal(140)) is PovertyClass.NEAR_POOR
    assert classify(RURAL_2022, None, 5, b1=Decimal("140.5")) is PovertyClass.AVERAGE
    assert classify(URBAN_2022, None, 3, b1=Decimal(175)) is PovertyClass.POOR


def test_income_wins_over_b1_when_both_are_given():
    assert classify(RURAL_2022, 3_000_000, 5, b1=Decimal(100)) is PovertyClass.ABOVE_AVERAGE


def test_neither_income_nor_b1_is_an_error():
    with pytest.raises(MissingIncome):
        classify(RURAL_2022, None, 3)
    with pytest.raises(MissingIncome):
        classify(RURAL_HANOI_2016, None, 3, b1=Decimal(100))


def test_negative_deprivation_count_is_rejected():
    with pytest.raises(ValueError):
        classify(RURAL_2022, 1_000_000, -1)


incomes = st.integers(min_value=0, max_value=5_000_000)
deprivations = st.integers(min_value=0, max_value=12)
all_lines = st.sampled_from([RURAL_2022, URBAN_2022, RURAL_HANOI_2016, URBAN_HANOI_2016])


@given(all_lines, incomes, st.integers(min_value=0, max_value=2_000_000), deprivations)
def test_raising_income_never_worsens_the_class(lines, income, raise_by, count):
    before = classify(lines, income, count)
    after = classify(lines, income + raise_by, count)
    assert ORDER.index(after) >= ORDER.index(before)


@given(all_lines, incomes, deprivations, st.integers(min_value=0, max_value=12))
def test_adding_a_deprivation_never_improves_the_class(lines, income, count, extra):
    before = classify(lines, income, count)
    after = classify(lines, income, count + extra)
    assert ORDER.index(after) <= ORDER.index(before)


@given(st.lists(st.booleans(), min_size=12, max_size=12))
def test_flags_round_trip_through_the_mask(flags):
    assert mask_to_flags(flags_to_mask(flags), 12) == flags


# Movements (docs/review-cycle.md)
P, N, A, H = PovertyClass.POOR, PovertyClass.NEAR_POOR, PovertyClass.AVERAGE, PovertyClass.ABOVE_AVERAGE


@pytest.mark.parametrize(
    ("current", "previous", "earlier", "expected"),
    [
        (A, P, [], Movement.ESCAPED_POVERTY),
        (N, P, [], Movement.ESCAPED_POVERTY),
        (H, P, [], Movement.ESCAPED_POVERTY),
        (A, N, [], Movement.ESCAPED_NEAR_POVERTY),
        (P, None, [], Movement.NEWLY_POOR),
        (P, A, [], Movement.NEWLY_POOR),
        (P, N, [], Movement.NEWLY_POOR),
        (P, A, [P], Movement.RE_POOR),
        (P, N, [P, A], Movement.RE_POOR),
        (N, None, [], Movement.NEWLY_NEAR_POOR),
        (N, A, [], Movement.NEWLY_NEAR_POOR),
        (N, A, [N], Movement.RE_NEAR_POOR),
        (P, P, [], Movement.STAYED),
        (N, N, [], Movement.STAYED),
        (A, A, [], Movement.STAYED),
        (A, None, [], Movement.STAYED),
    ],
)
def test_movement_against_the_start_of_the_year(current, previous, earlier, expected):
    assert derive_movement(current, previous, earlier) is expected


def test_movements_of_a_history_do_not_depend_on_the_order_years_arrive_in():
    history = {2021: P, 2022: A, 2023: P, 2024: N}
    shuffled = {2024: N, 2021: P, 2023: P, 2022: A}
    expected = {
        2021: Movement.NEWLY_POOR,
        2022: Movement.ESCAPED_POVERTY,
        2023: Movement.RE_POOR,
        2024: Movement.ESCAPED_POVERTY,
    }
    assert derive_movements(history) == expected
    assert derive_movements(shuffled) == expected


def test_a_gap_in_the_history_compares_with_the_latest_earlier_review():
    assert derive_movements({2021: P, 2023: A}) == {2021: Movement.NEWLY_POOR, 2023: Movement.ESCAPED_POVERTY}


# Which standard a review uses (docs/poverty-rules.md): data, one rule
DECREE_07 = Period("national-2022-2025", 2021, 2025, datetime.date(2022, 1, 1), datetime.date(2026, 12, 31), priority=0)
DECREE_351 = Period(
    "national-2026-2030", 2026, 2030, datetime.date(2027, 1, 1), datetime.date(2030, 12, 31), priority=0
)
HANOI_2016 = Period("hanoi-2016-2020", 2016, 2020, datetime.date(2016, 1, 1), datetime.date(2021, 12, 31), priority=1)
SHIPPED = [HANOI_2016, DECREE_07, DECREE_351]


def chosen(candidates, year, review_type=ReviewType.PERIODIC, review_date=None):
    standard = select_standard(candidates, year=year, review_type=review_type, review_date=review_date)
    return None if standard is None else standard.name


def test_the_end_2021_periodic_review_is_the_first_under_decree_07():
    assert chosen(SHIPPED, 2021) == "national-2022-2025"
    assert chosen(SHIPPED, 2025) == "national-2022-2025"


def test_the_end_2026_periodic_review_is_classified_under_decree_351():
    assert chosen(SHIPPED, 2026) == "national-2026-2030"
    assert chosen(SHIPPED, 2030) == "national-2026-2030"


def test_a_regular_review_during_2026_stays_under_decree_07():
    assert chosen(SHIPPED, 2026, ReviewType.REGULAR, datetime.date(2026, 6, 15)) == "national-2022-2025"
    assert chosen(SHIPPED, 2026, ReviewType.REGULAR, datetime.date(2026, 12, 31)) == "national-2022-2025"


def test_a_regular_review_without_a_date_is_taken_at_the_end_of_its_year():
    assert chosen(SHIPPED, 2026, ReviewType.REGULAR) == "national-2022-2025"
    assert chosen(SHIPPED, 2027, ReviewType.REGULAR) == "national-2026-2030"


def test_decree_351_governs_regular_reviews_from_1_january_2027():
    assert chosen(SHIPPED, 2027, ReviewType.REGULAR, datetime.date(2027, 1, 1)) == "national-2026-2030"


def test_a_review_no_standard_covers_gets_none():
    assert chosen(SHIPPED, 2031) is None
    assert chosen(SHIPPED, 2015) is None
    assert chosen(SHIPPED, 2031, ReviewType.REGULAR) is None
    assert chosen([Period("no-regular", 2016, 2020)], 2018, ReviewType.REGULAR) is None


def test_a_city_standard_of_higher_priority_wins_over_the_national_one():
    hanoi = Period("hanoi-2027-2030", 2027, 2030, datetime.date(2027, 1, 1), datetime.date(2030, 12, 31), priority=1)
    candidates = [*SHIPPED, hanoi]
    assert chosen(candidates, 2027) == "hanoi-2027-2030"
    assert chosen(candidates, 2026) == "national-2026-2030"  # the city's starts a year later
    assert chosen(candidates, 2028, ReviewType.REGULAR, datetime.date(2028, 3, 1)) == "hanoi-2027-2030"


def test_two_standards_of_the_same_priority_for_one_review_are_refused_not_picked():
    twin = Period("twin", 2025, 2027, priority=0)
    with pytest.raises(AmbiguousStandard):
        select_standard([DECREE_07, twin], year=2025)
    # One of higher priority settles it.
    assert chosen([DECREE_07, twin, Period("city", 2025, 2025, priority=1)], 2025) == "city"


def test_overlap_is_where_two_standards_of_one_priority_would_both_apply():
    assert overlap(DECREE_07, DECREE_351) is None  # 2021–2025 / 2026–2030; 2022–2026 / 2027–2030
    assert overlap(DECREE_07, Period("x", 2025, 2026)) == "periodic"
    regular_twin = Period("y", 2031, 2032, datetime.date(2026, 12, 31), datetime.date(2027, 6, 30))
    assert overlap(DECREE_07, regular_twin) == "regular"
    assert overlap(DECREE_07, Period("z", 2025, 2026, priority=1)) is None  # a higher priority may overlap


periods = st.builds(
    lambda first, length, priority, start, days: Period(
        f"s{first}-{length}-{priority}-{start}-{days}",
        first,
        first + length,
        datetime.date(first, 1, 1) + datetime.timedelta(days=start),
        datetime.date(first, 1, 1) + datetime.timedelta(days=start + days),
        priority,
    ),
    st.integers(2015, 2035),
    st.integers(0, 5),
    st.integers(0, 2),
    st.integers(0, 400),
    st.integers(0, 2000),
)


@given(st.lists(periods, max_size=6), st.integers(2014, 2042), st.sampled_from(list(ReviewType)), st.dates())
def test_the_chosen_standard_applies_and_none_applying_ranks_above_it(candidates, year, review_type, day):
    """Where no pair overlaps (what PovertyStandard.clean guarantees), exactly the rule's pick comes back."""
    if any(overlap(a, b) for i, a in enumerate(candidates) for b in candidates[i + 1 :]):
        return
    standard = select_standard(candidates, year=year, review_type=review_type, review_date=day)
    applying = [s for s in candidates if applies_to(s, year=year, review_type=review_type, review_date=day)]
    if not applying:
        assert standard is None
    else:
        assert standard in applying
        assert all(s.priority < standard.priority or s is standard for s in applying)


# Movements across standards: the first year under a standard is a baseline
D07, D351 = "national-2022-2025", "national-2026-2030"


def under(poverty_class, standard, first_year=False):
    return ReviewedYear(poverty_class, standard, first_year)


def test_poor_in_2025_under_decree_07_then_near_poor_in_2026_under_decree_351_is_reclassified():
    history = {2025: under(P, D07), 2026: under(N, D351, first_year=True)}
    assert derive_movements(history)[2026] is Movement.RECLASSIFIED


def test_poor_under_both_standards_stayed():
    history = {2025: under(P, D07), 2026: under(P, D351, first_year=True)}
    assert derive_movements(history)[2026] is Movement.STAYED


def test_a_household_first_reviewed_at_end_2026_is_the_new_periods_baseline_not_newly_poor():
    assert derive_movements({2026: under(P, D351, first_year=True)}) == {2026: Movement.BASELINE}
    assert derive_movements({2026: under(N, D351, first_year=True)}) == {2026: Movement.BASELINE}


def test_the_end_2021_review_is_decree_07s_baseline_and_2022_moves_as_usual():
    history = {2021: under(P, D07, first_year=True), 2022: under(A, D07), 2023: under(P, D07)}
    assert derive_movements(history) == {
        2021: Movement.BASELINE,
        2022: Movement.ESCAPED_POVERTY,
        2023: Movement.RE_POOR,
    }


def test_a_household_first_reviewed_after_the_baseline_year_is_newly_poor():
    assert derive_movements({2022: under(P, D07)}) == {2022: Movement.NEWLY_POOR}
    assert derive_movements({2027: under(N, D351)}) == {2027: Movement.NEWLY_NEAR_POOR}


def test_re_poor_looks_at_the_history_under_the_earlier_standard():
    history = {2024: under(P, D07), 2025: under(A, D07), 2026: under(A, D351, True), 2027: under(P, D351)}
    assert derive_movements(history) == {
        2024: Movement.NEWLY_POOR,
        2025: Movement.ESCAPED_POVERTY,
        2026: Movement.STAYED,
        2027: Movement.RE_POOR,
    }


def test_a_regular_review_of_2026_under_decree_07_then_the_2027_review_is_not_compared():
    history = {2026: under(N, D07), 2027: under(A, D351)}
    assert derive_movements(history)[2027] is Movement.RECLASSIFIED


classes = st.sampled_from(list(PovertyClass))
standard_names = st.sampled_from(["a", "b", "c"])


@st.composite
def histories(draw):
    years = draw(st.lists(st.integers(2016, 2035), unique=True, max_size=8))
    return {year: ReviewedYear(draw(classes), draw(standard_names), draw(st.booleans())) for year in years}


@given(histories())
def test_no_movement_ever_compares_two_reviews_under_different_standards(history):
    movements = derive_movements(history)
    years = sorted(history)
    for before, year in zip(years, years[1:], strict=False):
        if history[before].standard != history[year].standard:
            expected = (
                Movement.STAYED
                if history[before].poverty_class is history[year].poverty_class
                else Movement.RECLASSIFIED
            )
            assert movements[year] is expected


@given(histories())
def test_baseline_is_only_ever_a_first_review_and_reclassified_only_a_change_of_standard(history):
    movements = derive_movements(history)
    years = sorted(history)
    for index, year in enumerate(years):
        if movements[year] is Movement.BASELINE:
            assert index == 0 and history[year].standard_first_year
        if movements[year] is Movement.RECLASSIFIED:
            assert index > 0 and history[years[index - 1]].standard != history[year].standard


@given(st.dictionaries(st.integers(2016, 2035), classes, max_size=8), standard_names)
def test_under_one_standard_with_no_baseline_year_the_movements_are_those_of_the_plain_classes(plain, standard):
    wrapped = {year: ReviewedYear(c, standard) for year, c in plain.items()}
    assert derive_movements(wrapped) == derive_movements(plain)


@given(histories())
def test_movements_with_standards_do_not_depend_on_the_order_years_arrive_in(history):
    assert derive_movements(dict(reversed(list(history.items())))) == derive_movements(history)


# --- the coming standard's impact as a range (Decree 351/2025's lines) ------------------------------

RURAL_2027 = poverty.Lines(poverty_line=Decimal(2_200_000), average_ceiling=Decimal(3_300_000), deprivation_threshold=3)


@pytest.mark.parametrize(
    ("income", "known", "expected"),
    [
        (2_200_000, 3, ("poor", "poor")),  # on the line, deprived enough whatever the new indicators say
        (2_200_000, 1, ("near_poor", "poor")),  # two unknown indicators could make it poor
        (2_200_000, 0, ("near_poor", "near_poor")),
        (1_600_000, 2, ("near_poor", "poor")),  # was above Decree 07's 1.5M: now under the line
        (2_200_001, 5, ("average", "average")),  # above the line: never poor, whatever its deprivations
    ],
)
def test_a_review_under_the_old_standard_is_a_range_under_the_new_lines(income, known, expected):
    result = poverty.reclassify_range(
        RURAL_2027, income_per_capita=Decimal(income), known_deprivations=known, unknown_indicators=2
    )
    assert (result.low.value, result.high.value) == expected


RANK = {"poor": 0, "near_poor": 1, "average": 2, "above_average": 3}


@given(
    income=st.integers(min_value=0, max_value=6_000_000),
    known=st.integers(min_value=0, max_value=12),
    unknown=st.integers(min_value=0, max_value=4),
    raise_by=st.integers(min_value=0, max_value=2_000_000),
)
def test_the_low_bound_is_never_poorer_and_raising_the_line_never_lifts_a_household(income, known, unknown, raise_by):
    result = poverty.reclassify_range(
        RURAL_2027, income_per_capita=Decimal(income), known_deprivations=known, unknown_indicators=unknown
    )
    assert RANK[result.high.value] <= RANK[result.low.value]  # "high" counts more households as poor
    higher = poverty.Lines(
        poverty_line=RURAL_2027.poverty_line + raise_by,
        average_ceiling=RURAL_2027.average_ceiling + raise_by,
        deprivation_threshold=3,
    )
    raised = poverty.reclassify_range(
        higher, income_per_capita=Decimal(income), known_deprivations=known, unknown_indicators=unknown
    )
    assert RANK[raised.low.value] <= RANK[result.low.value] and RANK[raised.high.value] <= RANK[result.high.value]


# --- households at risk of falling back --------------------------------------------------------

RISK_LINES = poverty.Lines(poverty_line=Decimal(1_500_000), average_ceiling=Decimal(2_250_000), deprivation_threshold=3)


def risk(poverty_class, income, deprivations=0, movements=(), margin="0.20"):
    return [
        reason.value
        for reason in poverty.risk_reasons(
            RISK_LINES,
            poverty_class=poverty.PovertyClass(poverty_class),
            income_per_capita=None if income is None else Decimal(income),
            deprivation_count=deprivations,
            recent_movements=[poverty.Movement(m) for m in movements],
            margin=Decimal(margin),
        )
    ]


def test_a_household_just_above_the_line_is_at_risk_and_one_further_up_is_not():
    assert risk("average", 1_800_000) == ["income_near_line"]  # 1.5M × 1.2 = 1.8M, inclusive
    assert risk("average", 1_800_001) == []
    assert risk("average", 1_800_001, margin="0.30") == ["income_near_line"]


def test_deprivations_and_a_recent_escape_are_reasons_too_and_a_poor_household_is_not_listed():
    assert risk("average", 2_000_000, deprivations=3) == ["many_deprivations"]
    assert risk("near_poor", 1_200_000, movements=["stayed", "escaped_poverty"]) == ["escaped_recently"]
    assert risk("poor", 1_000_000, deprivations=5, movements=["escaped_poverty"]) == []
    assert risk("above_average", None) == []  # a B1 score only: no income to compare


# --- is a review acceptable (one check for the form, the service and the importer) --------------


def test_a_review_without_income_or_b1_or_with_a_flag_beyond_the_set_is_refused_with_codes():
    lines = poverty.Lines(poverty_line=Decimal(1_500_000), average_ceiling=Decimal(2_250_000), deprivation_threshold=3)
    with_b1 = poverty.Lines(
        poverty_line=Decimal(1_500_000),
        average_ceiling=Decimal(2_250_000),
        deprivation_threshold=3,
        b1_cutoff=Decimal(140),
    )

    def problems(lines, income=None, b1=None, flags=0, indicators=12):
        return [
            p.value
            for p in poverty.review_problems(
                lines, income_per_capita=income, b1_score=b1, flags=flags, indicators=indicators
            )
        ]

    assert problems(lines) == ["no_income"]
    assert problems(lines, b1=Decimal(120)) == ["no_b1_cutoff"]
    assert problems(with_b1, b1=Decimal(120)) == []
    assert problems(lines, income=Decimal(1), flags=1 << 12) == ["too_many_indicators"]
    assert problems(lines, income=Decimal(1), flags=(1 << 12) - 1) == []


@given(all_lines, st.integers(min_value=0, max_value=6_000_000), deprivations)
def test_an_income_classifies_as_the_representative_of_its_band(lines, income, count):
    """households.impact groups a city's reviews by income band (poverty.income_steps); that is
    exact only if every income of a band classifies as the band's representative."""
    steps = poverty.income_steps(lines)
    band = next((k for k, step in enumerate(steps) if income <= step), len(steps))
    assert classify(lines, poverty.band_income(steps, band), count) is classify(lines, income, count)


def test_a_review_s_date_falls_in_its_year_s_cycle():
    from households.poverty import ReviewProblem, review_date_problem, review_window

    assert review_window(2024, ReviewType.PERIODIC) == (datetime.date(2024, 1, 1), datetime.date(2025, 3, 31))
    assert review_window(2024, ReviewType.REGULAR) == (datetime.date(2024, 1, 1), datetime.date(2024, 12, 31))
    assert review_date_problem(2024, ReviewType.PERIODIC, None) is None  # no date: nothing to check
    assert review_date_problem(2024, ReviewType.PERIODIC, datetime.date(2024, 12, 14)) is None
    assert review_date_problem(2024, ReviewType.PERIODIC, datetime.date(2025, 2, 1)) is None
    assert review_date_problem(2024, ReviewType.REGULAR, datetime.date(2025, 2, 1)) == ReviewProblem.DATE_OUTSIDE_CYCLE
    assert (
        review_date_problem(2024, ReviewType.PERIODIC, datetime.date(2023, 11, 15)) == ReviewProblem.DATE_OUTSIDE_CYCLE
    )
