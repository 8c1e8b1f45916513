"""The classification and movement rules of DOMAIN.md §2–§3, without a database."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from households.poverty import (
    Lines,
    MissingIncome,
    Movement,
    PovertyClass,
    classify_household,
    derive_movement,
    derive_movements,
    flags_to_mask,
    mask_to_flags,
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


# Movements (DOMAIN.md §3)
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
