"""seed_demo: synthetic households whose city figures are Hanoi's published series (docs/published-figures.md),
and a synthetic current cycle on the 126 units of 2025: the 2025 review approved by the city
officer, the end-2026 review under Decree 351/2025 half-way through."""

import datetime
import re
from collections import Counter, defaultdict
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from django.db.models import Count, F, Max, Min, Q, Sum

from demo import (
    DEFAULT_HOUSEHOLDS,
    HISTORY_YEARS,
    MIN_HOUSEHOLDS,
    STILL_POOR_2022,
    YEARS,
    DatabaseNotEmpty,
    DemoRefused,
    plan_for,
    seed_demo,
)
from demo.service import progress_of
from households import poverty
from households.importing.movements import refresh_movements
from households.management.commands.seed_demo import summary_lines
from households.models import (
    AdministrativeUnit,
    Household,
    Member,
    Movement,
    PovertyClass,
    PovertyStandard,
    Review,
    ReviewState,
    ReviewTransition,
    ReviewType,
    Role,
    Structure,
    Succession,
    TotalSource,
    UnitKind,
    UnitLevel,
    UnitYear,
    User,
)
from households.workflow import YearState
from targets.progress import reduction_rate, round_rate

PUBLISHED_POOR = {2021: 3612, 2022: 2134, 2023: 690, 2024: 0}
PUBLISHED_NEAR_POOR = {2021: 30176, 2022: 22263}  # end 2023 and city-wide end 2024 are not published
SAME_STANDARD_YEARS = (2022, 2023, 2024, 2025)  # compared with the year before under Decree 07/2021
# End 2022 (press, Feb 2023): 16 districts without a poor household, 11 urban and 5 rural.
NO_POOR_RURAL_2022 = {"Huyện Đông Anh", "Huyện Gia Lâm", "Huyện Hoài Đức", "Huyện Đan Phượng", "Huyện Thanh Trì"}


def city_counts(poverty_class: str) -> dict[int, int]:
    rows = Review.objects.approved().filter(poverty_class=poverty_class).values("year").annotate(n=Count("id"))
    counts = dict.fromkeys(YEARS, 0)
    counts.update({row["year"]: row["n"] for row in rows})
    return counts


def movements(year: int) -> Counter:
    return Counter(Review.objects.approved().filter(year=year).values_list("movement", flat=True))


def rounded_percent(numerator: int, denominator: int, places: int) -> Decimal:
    return (Decimal(numerator) * 100 / denominator).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def assert_no_poor_2022_in_11_quan_and_5_huyen() -> None:
    """End 2022: 16 of the 30 districts without a poor household, 11 quận and Đông Anh, Gia Lâm,
    Hoài Đức, Đan Phượng and Thanh Trì (docs/published-figures.md)."""
    districts = AdministrativeUnit.objects.filter(level=UnitLevel.DISTRICT, structure=Structure.LEGACY)
    with_poor = set(
        Review.objects.filter(year=2022, poverty_class=PovertyClass.POOR).values_list("commune__parent", flat=True)
    )
    without = districts.exclude(pk__in=with_poor)
    assert districts.count() == 30 and without.count() == 16
    assert without.filter(kind=UnitKind.URBAN_DISTRICT).count() == 11
    assert set(without.exclude(kind=UnitKind.URBAN_DISTRICT).values_list("name", flat=True)) == NO_POOR_RURAL_2022
    assert set(districts.filter(pk__in=with_poor).values_list("code", flat=True)) == set(STILL_POOR_2022)


# The plan, without a database.


def published_part(series: dict[int, int], published: dict[int, int]) -> dict[int, int]:
    return {year: series[year] for year in published}


def test_default_plan_is_the_published_series_with_1582_escaped_in_2022():
    plan = plan_for(DEFAULT_HOUSEHOLDS)
    assert published_part(plan.poor_end, PUBLISHED_POOR) == PUBLISHED_POOR
    assert published_part(plan.near_poor_end, PUBLISHED_NEAR_POOR) == PUBLISHED_NEAR_POOR
    assert plan.escaped(2022) == 1582
    assert plan.poor_in(2022) == 104
    assert plan.listed_households() <= DEFAULT_HOUSEHOLDS


@pytest.mark.parametrize("households", [MIN_HOUSEHOLDS, 2000, 12_345, DEFAULT_HOUSEHOLDS, 55_000])
def test_every_scale_keeps_end_equal_start_minus_escaped_plus_fallen(households):
    plan = plan_for(households)
    for year in YEARS[1:]:
        assert plan.poor_end[year] == plan.poor_end[year - 1] - plan.escaped(year) + plan.poor_in(year)
        stayed = (plan.poor_stayed(year), plan.near_poor_stayed(year), plan.near_poor_left(year))
        assert min(plan.escaped(year), *stayed) >= 0
    assert plan.poor_end[2024] == plan.poor_end[2025] == 0
    assert plan.listed_households() <= households


def test_smaller_registry_scales_the_series_proportionally():
    plan = plan_for(2000)  # 1/20 of the default
    assert published_part(plan.poor_end, PUBLISHED_POOR) == {2021: 181, 2022: 107, 2023: 35, 2024: 0}
    assert plan.near_poor_end[2021] == 1509
    assert plan.resident[2021] == 109_600


def test_larger_registry_keeps_the_published_size():
    assert published_part(plan_for(55_000).poor_end, PUBLISHED_POOR) == PUBLISHED_POOR


def test_registry_too_small_for_the_series_is_refused():
    with pytest.raises(DemoRefused):
        plan_for(MIN_HOUSEHOLDS - 1)


# The default scale.


@pytest.fixture(scope="class")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("load_admin_units", "--province", "01", verbosity=0)
        summary = seed_demo()
        yield summary
        transaction.set_rollback(True)


@pytest.fixture
def city(demo, db):
    return demo


class TestDefaultScale:
    """The published series and the current cycle, seeded once for the class and rolled back after it (25–50 s)."""

    def test_registry_holds_the_default_number_of_households(self, city):
        assert Household.objects.count() == DEFAULT_HOUSEHOLDS == city.households
        assert Review.objects.count() == city.reviews

    def test_city_counts_of_poor_and_near_poor_are_the_published_series(self, city):
        assert published_part(city_counts(PovertyClass.POOR), PUBLISHED_POOR) == PUBLISHED_POOR
        near_poor = city_counts(PovertyClass.NEAR_POOR)
        assert published_part(near_poor, PUBLISHED_NEAR_POOR) == PUBLISHED_NEAR_POOR
        assert 22_263 > near_poor[2023] > near_poor[2024] > near_poor[2025]  # chosen: believable, falling
        assert published_part(city.poor, PUBLISHED_POOR) == PUBLISHED_POOR

    def test_reduction_rates_are_the_citys_real_ones(self, city):
        poor, near_poor = city_counts(PovertyClass.POOR), city_counts(PovertyClass.NEAR_POOR)
        rates = {year: round_rate(reduction_rate(poor[year - 1], poor[year])) for year in HISTORY_YEARS[1:]}
        assert rates == {2022: Decimal("40.92"), 2023: Decimal("67.67"), 2024: Decimal("100.00")}
        assert round_rate(reduction_rate(near_poor[2021], near_poor[2022])) == Decimal("26.22")

    def test_the_end_2021_review_is_decree_07s_baseline_so_no_household_is_newly_poor_in_2021(self, city):
        assert set(movements(2021)) == {Movement.BASELINE}
        assert Review.objects.filter(year=2021, poverty_class=PovertyClass.POOR).count() == 3612

    def test_2022_has_1582_escaped_and_104_newly_poor(self, city):
        assert movements(2022)[Movement.ESCAPED_POVERTY] == 1582
        assert movements(2022)[Movement.NEWLY_POOR] + movements(2022)[Movement.RE_POOR] == 104

    def test_poor_at_end_equals_start_minus_escaped_plus_newly_and_re_poor_every_year(self, city):
        poor = city_counts(PovertyClass.POOR)
        for year in SAME_STANDARD_YEARS:
            moved = movements(year)
            assert poor[year] == (
                poor[year - 1] - moved[Movement.ESCAPED_POVERTY] + moved[Movement.NEWLY_POOR] + moved[Movement.RE_POOR]
            )
        assert movements(2023)[Movement.RE_POOR] > 0
        assert movements(2024)[Movement.NEWLY_POOR] == movements(2024)[Movement.RE_POOR] == 0

    def test_near_poor_at_end_equals_start_plus_its_movements_every_year(self, city):
        near_poor = city_counts(PovertyClass.NEAR_POOR)
        for year in SAME_STANDARD_YEARS:
            came_down = Review.objects.filter(
                year=year, poverty_class=PovertyClass.NEAR_POOR, movement=Movement.ESCAPED_POVERTY
            ).count()
            went_poor = Review.objects.filter(
                year=year, poverty_class=PovertyClass.POOR, household__reviews__year=year - 1,
                household__reviews__poverty_class=PovertyClass.NEAR_POOR,
            ).count()  # fmt: skip
            moved = movements(year)
            assert near_poor[year] == (
                near_poor[year - 1]
                - moved[Movement.ESCAPED_NEAR_POVERTY]
                - went_poor
                + moved[Movement.NEWLY_NEAR_POOR]
                + moved[Movement.RE_NEAR_POOR]
                + came_down
            )

    def test_everyone_poor_or_near_poor_at_the_end_of_a_year_is_reviewed_the_next(self, city):
        listed = Q(poverty_class__in=[PovertyClass.POOR, PovertyClass.NEAR_POOR])
        for year in YEARS[1:]:
            before = Review.objects.filter(listed, year=year - 1)
            if year == 2026:  # only where the end-2026 review has started
                before = before.filter(commune__in=Review.objects.filter(year=2026).values("commune"))
            reviewed = set(Review.objects.filter(year=year).values_list("household_id", flat=True))
            assert set(before.values_list("household_id", flat=True)) <= reviewed

    def test_the_16_districts_without_poor_at_end_2022_are_11_quan_and_the_5_named_huyen(self, city):
        assert_no_poor_2022_in_11_quan_and_5_huyen()

    # The current cycle (synthetic): today's structure, the city officer, the end-2026 review.

    def test_demo_users_include_the_city_officer_and_an_officer_of_a_2025_commune(self, city):
        city_officer = User.objects.get(username="so.nnmt")
        assert (city_officer.role, city_officer.unit.code, city_officer.unit.level) == (
            Role.CITY_OFFICER, "01", UnitLevel.CITY,
        )  # fmt: skip
        officer = User.objects.select_related("unit").get(username="xa.codo")
        assert officer.role == Role.COMMUNE_OFFICER
        assert (officer.unit.code, officer.unit.structure) == ("09634", Structure.REFORM_2025)
        # Xã Cổ Đô of 2025 is the primary successor of the older demo officer's Xã Phú Cường.
        phu_cuong = User.objects.get(username="xa.phucuong").unit
        assert Succession.objects.filter(predecessor=phu_cuong, successor=officer.unit, is_primary=True).exists()
        assert Household.objects.filter(commune=officer.unit).count() > 200

    def test_2025_is_reviewed_by_all_126_units_and_each_is_approved_by_the_city_officer(self, city):
        units = AdministrativeUnit.objects.filter(level=UnitLevel.COMMUNE, structure=Structure.REFORM_2025)
        reviews = Review.objects.filter(year=2025)
        assert units.count() == 126
        assert set(reviews.values_list("commune", flat=True).distinct()) == set(units.values_list("pk", flat=True))
        assert not reviews.exclude(state=ReviewState.APPROVED).exists()
        city_officer = User.objects.get(username="so.nnmt")
        per_unit = Counter(reviews.values_list("commune", flat=True))
        for unit in units:
            moves = list(ReviewTransition.objects.filter(commune=unit, year=2025).order_by("at"))
            assert [(m.from_state, m.to_state) for m in moves] == [
                (ReviewState.DRAFT, ReviewState.SUBMITTED),
                (ReviewState.SUBMITTED, ReviewState.APPROVED),
            ]
            assert moves[1].user == city_officer and moves[0].user != city_officer
            assert all(m.reviews == per_unit[unit.pk] for m in moves)
            assert datetime.date(2025, 12, 14) < moves[0].at.date() < moves[1].at.date() <= datetime.date(2026, 3, 31)
        assert ReviewTransition.objects.get(commune__code="09634", year=2025, to_state=ReviewState.SUBMITTED).user == (
            User.objects.get(username="xa.codo")
        )

    def test_households_live_in_their_2025_unit_where_their_reviews_from_2025_are(self, city):
        assert not Household.objects.exclude(commune__structure=Structure.REFORM_2025).exists()
        assert not Review.objects.filter(year__gte=2025).exclude(commune=F("household__commune")).exists()
        assert not Review.objects.filter(year__gte=2025).exclude(commune__structure=Structure.REFORM_2025).exists()
        primary = dict(Succession.objects.filter(is_primary=True).values_list("predecessor", "successor"))
        first_commune = dict(
            Review.objects.filter(year=2021).values_list("household", "commune")
        )  # households reviewed from 2021
        homes = dict(Household.objects.filter(pk__in=list(first_commune)).values_list("pk", "commune"))
        elsewhere = [pk for pk, home in homes.items() if home != primary[first_commune[pk]]]
        assert 0 < len(elsewhere) < 0.05 * len(homes)  # most in the primary successor, a few not
        # Those few: households of split communes, placed by village, in a successor of their commune.
        moved = Household.objects.filter(pk__in=elsewhere)
        assert not moved.exclude(commune__in=Succession.objects.filter(is_primary=False).values("successor")).exists()
        by_village = defaultdict(set)
        for pk, village, home in Household.objects.values_list("pk", "village", "commune"):
            if pk in first_commune:
                by_village[(first_commune[pk], village)].add(home)
        assert all(len(homes) == 1 for homes in by_village.values())
        assert Household.objects.filter(commune__code="00340", commune__structure=Structure.REFORM_2025).exists()

    def test_end_2026_review_is_half_way_under_decree_351(self, city):
        progress = progress_of(2026)
        assert progress == {
            YearState.APPROVED: 45, YearState.SUBMITTED: 30, YearState.DRAFT: 33,
            YearState.RETURNED: 0, YearState.NOT_STARTED: 18,
        }  # fmt: skip
        decree_351 = PovertyStandard.objects.get(first_year=2026)
        assert (decree_351.poverty_line_rural, decree_351.poverty_line_urban) == (2_200_000, 2_800_000)
        reviews = Review.objects.filter(year=2026)
        assert not reviews.exclude(standard=decree_351).exists()
        assert reviews.filter(poverty_class=PovertyClass.POOR, income_per_capita__gt=1_500_000).exists()
        assert progress_of(2025)[YearState.APPROVED] == 126
        # The demo's officer of today's structure has drafts to finish and submit.
        assert set(reviews.filter(commune__code="09634").values_list("state", flat=True)) == {ReviewState.DRAFT}
        city_officer = User.objects.get(username="so.nnmt")
        decided = ReviewTransition.objects.filter(year=2026, to_state=ReviewState.APPROVED)
        assert decided.count() == 45 and not decided.exclude(user=city_officer).exists()
        assert ReviewTransition.objects.filter(year=2026, to_state=ReviewState.SUBMITTED).count() == 45 + 30
        assert reviews.aggregate(last=Max("review_date"))["last"] <= datetime.date(2026, 11, 20)

    def test_command_output_says_which_figures_are_published_chosen_or_synthetic(self, city):
        text = "\n".join(summary_lines(city))
        lines = {line.strip().split(":")[0]: line for line in text.splitlines()}
        assert "3.612 hộ nghèo (số công bố), 30.176 hộ cận nghèo (số công bố)" in lines["Cuối năm 2021"]
        assert "15.200 hộ cận nghèo (số tự chọn" in lines["Cuối năm 2023"]
        assert "9.570 hộ cận nghèo (số tự chọn" in lines["Cuối năm 2024"]
        assert "riêng khu vực nông thôn" in lines["Cuối năm 2024"]
        assert all("GIẢ LẬP" in line for line in text.splitlines() if "126 xã, phường từ 1/7/2025" in line)
        assert "126 xã, phường từ 1/7/2025" in text
        assert "45 xã, phường đã được Sở phê duyệt" in text and "18 chưa bắt đầu" in text

    def test_dan_phuong_gia_lam_and_hoai_duc_have_no_poor_household_at_the_2021_baseline(self, city):
        with_poor = set(
            Review.objects.filter(year=2021, poverty_class=PovertyClass.POOR).values_list(
                "commune__parent__name", flat=True
            )
        )
        assert not with_poor & {"Huyện Đan Phượng", "Huyện Gia Lâm", "Huyện Hoài Đức"}
        assert {"Huyện Đông Anh", "Huyện Thanh Trì", "Quận Hà Đông"} <= with_poor  # they had some then

    def test_2128_of_the_2134_poor_of_2022_live_in_rural_communes_and_6_in_ha_dong(self, city):
        poor_2022 = Review.objects.filter(year=2022, poverty_class=PovertyClass.POOR)
        assert poor_2022.filter(commune__kind=UnitKind.COMMUNE).count() == 2128
        urban = poor_2022.exclude(commune__kind=UnitKind.COMMUNE)
        assert urban.count() == 6 and set(urban.values_list("commune__parent__name", flat=True)) == {"Quận Hà Đông"}

    def test_poor_of_2023_all_live_in_rural_communes(self, city):
        kinds = set(
            Review.objects.filter(year=2023, poverty_class=PovertyClass.POOR).values_list("commune__kind", flat=True)
        )
        assert kinds == {UnitKind.COMMUNE}

    def test_poverty_is_higher_in_rural_huyen(self, city):
        def rate(kinds):
            poor = Review.objects.filter(
                year=2021, poverty_class=PovertyClass.POOR, commune__parent__kind__in=kinds
            ).count()
            total = UnitYear.objects.filter(
                year=2021, unit__level=UnitLevel.COMMUNE, unit__parent__kind__in=kinds
            ).aggregate(n=Sum("total_households"))["n"]
            return poor / total

        assert rate([UnitKind.RURAL_DISTRICT]) > 5 * rate([UnitKind.URBAN_DISTRICT])

    def test_no_meritorious_household_is_poor_from_2022(self, city):
        poor_meritorious = Review.objects.filter(poverty_class=PovertyClass.POOR, meritorious=True)
        assert poor_meritorious.filter(year=2021).exists()
        assert not poor_meritorious.filter(year__gte=2022).exists()
        assert Review.objects.filter(poverty_class=PovertyClass.NEAR_POOR, meritorious=True, year=2024).exists()

    def test_resident_totals_sum_to_the_city_total_of_about_2_2_million(self, city):
        city_unit = AdministrativeUnit.objects.get(level=UnitLevel.CITY, code="01")
        for year in YEARS:
            structure, number = (Structure.LEGACY, 526) if year in HISTORY_YEARS else (Structure.REFORM_2025, 126)
            communes = UnitYear.objects.filter(unit__level=UnitLevel.COMMUNE, unit__structure=structure)
            total = communes.filter(year=year).aggregate(n=Sum("total_households"))["n"]
            assert communes.filter(year=year).count() == number
            assert UnitYear.objects.filter(year=year).count() == number + 1  # and the city
            assert UnitYear.objects.get(unit=city_unit, year=year).total_households == total
            assert 2_150_000 <= total <= 2_450_000
        assert not UnitYear.objects.exclude(source=TotalSource.ESTIMATED).exists()
        # The published rates (docs/published-figures.md) come out of these totals.
        total = {uy.year: uy.total_households for uy in UnitYear.objects.filter(unit=city_unit)}
        assert rounded_percent(3612, total[2021], 2) == Decimal("0.16")
        assert rounded_percent(30176, total[2021], 2) == Decimal("1.38")
        assert rounded_percent(2134, total[2022], 3) == Decimal("0.095")
        assert rounded_percent(22263, total[2022], 2) == Decimal("0.99")
        assert rounded_percent(690, total[2023], 2) == Decimal("0.03")

    def test_each_commune_has_more_residents_than_listed_households(self, city):
        totals = {(uy.unit_id, uy.year): uy.total_households for uy in UnitYear.objects.all()}
        listed = (
            Review.objects.filter(poverty_class__in=[PovertyClass.POOR, PovertyClass.NEAR_POOR])
            .values("commune_id", "year")
            .annotate(n=Count("id"))
        )
        for row in listed:
            assert row["n"] < totals[(row["commune_id"], row["year"])] / 2

    def test_stored_class_is_what_the_rules_make_of_each_review_under_its_standard(self, city):
        standards = {s.pk: s for s in PovertyStandard.objects.all()}
        lines = {(pk, area): s.lines(area) for pk, s in standards.items() for area in ("urban", "rural")}
        for review in Review.objects.select_related("commune").iterator(chunk_size=5000):
            expected = poverty.classify_household(
                lines[(review.standard_id, review.commune.area)],
                income_per_capita=review.income_per_capita,
                deprivation_count=review.deprivation_count,
            )
            assert review.poverty_class == expected, review
            assert bin(review.deprivation_flags).count("1") == review.deprivation_count
            assert review.deprivation_flags < 1 << 12

    def test_stored_movements_are_what_the_one_rule_makes_of_each_household(self, city):
        # households.importing.movements re-derives with households.poverty; nothing to change.
        with transaction.atomic():
            changed = refresh_movements(Household.objects.values_list("pk", flat=True))
            transaction.set_rollback(True)
        assert changed == 0
        assert movements(2022)[Movement.ESCAPED_POVERTY] == 1582  # and they are not all "stayed"

    def test_history_reviews_are_approved_periodic_reviews_of_decree_07_in_the_legacy_commune(self, city):
        decree_07 = PovertyStandard.objects.get(code="national-2022-2025")
        assert set(Review.objects.values_list("year", flat=True).distinct()) == set(YEARS)
        history = Review.objects.filter(year__in=HISTORY_YEARS)
        assert not history.exclude(
            standard=decree_07, state=ReviewState.APPROVED, review_type=ReviewType.PERIODIC
        ).exists()
        assert not history.exclude(commune__structure=Structure.LEGACY).exists()
        assert not Review.objects.filter(year=2025).exclude(standard=decree_07).exists()
        assert not Review.objects.exclude(review_type=ReviewType.PERIODIC).exists()
        dates = Review.objects.values("year").annotate(first=Min("review_date"), last=Max("review_date"))
        for row in dates:
            assert datetime.date(row["year"], 9, 1) <= row["first"] <= row["last"] <= datetime.date(row["year"], 12, 14)

    def test_causes_and_needs_are_recorded_for_poor_and_near_poor_only(self, city):
        listed = Review.objects.filter(poverty_class__in=[PovertyClass.POOR, PovertyClass.NEAR_POOR])
        assert not listed.filter(causes=[]).exists()
        assert not listed.filter(needs=[]).exists()
        assert not Review.objects.exclude(pk__in=listed).exclude(causes=[]).exists()

    def test_households_have_codes_members_and_flags_copied_onto_their_reviews(self, city):
        code = re.compile(r"^HN-\d{5}-\d{5}$")
        for household in Household.objects.select_related("commune").order_by("?")[:200]:
            first_commune = household.reviews.order_by("year").first().commune
            assert code.match(household.code) and household.code[3:8] == first_commune.code
            prefix = "Thôn " if first_commune.kind == UnitKind.COMMUNE else "Tổ dân phố "
            assert household.village.startswith(prefix)
            assert len(household.head_name.split()) >= 3
            members = list(household.members.all())
            assert len(members) == household.members_count and 1 <= household.members_count <= 7
            assert members[0].relation == "Chủ hộ" and members[0].full_name == household.head_name
            assert not any(member.id_number for member in members)
            for review in household.reviews.all():
                assert (review.meritorious, review.social_protection, review.no_labour_capacity) == (
                    household.meritorious,
                    household.social_protection,
                    household.no_labour_capacity,
                )
                assert (review.ethnic_minority, review.head_sex) == (household.ethnic_minority, household.head_sex)
        ethnic_share = Household.objects.filter(ethnic_minority=True).count() / Household.objects.count()
        assert 0.01 < ethnic_share < 0.08
        ba_vi = Household.objects.filter(reviews__commune__parent__code="271").distinct()  # reviewed in old Ba Vì
        assert ba_vi.filter(ethnic_minority=True).count() / ba_vi.count() > 3 * ethnic_share


# Small registries, determinism and the command.


def snapshot() -> dict[str, list]:
    """Every demo row without its id or save time, keyed on codes."""

    def fields(model, skip=()):
        return [f.attname for f in model._meta.concrete_fields if f.name not in {"id", "updated_at", *skip}]

    return {
        "households": list(Household.objects.order_by("code").values_list("commune__code", *fields(Household))),
        "members": list(
            Member.objects.order_by("household__code", "id").values_list(
                "household__code", *fields(Member, ["household"])
            )
        ),
        "reviews": list(
            Review.objects.order_by("household__code", "year").values_list(
                "household__code", "commune__code", *fields(Review, ["household", "commune"])
            )
        ),
        "totals": list(
            UnitYear.objects.order_by("unit__structure", "unit__code", "year").values_list(
                "unit__code", "year", "total_households"
            )
        ),
        "transitions": list(
            ReviewTransition.objects.order_by("year", "commune__code", "pk").values_list(
                "commune__code", "year", "from_state", "to_state", "reviews", "user__username", "at"
            )
        ),
    }


def seeded(households: int, seed: int) -> dict[str, list]:
    with transaction.atomic():
        seed_demo(households=households, seed=seed)
        rows = snapshot()
        transaction.set_rollback(True)
    return rows


@pytest.mark.django_db
def test_same_seed_gives_identical_rows_and_another_seed_different_ones(admin_units):
    first = seeded(1000, 7)
    assert first == seeded(1000, 7)
    other = seeded(1000, 8)
    assert other["households"] != first["households"]
    assert other["reviews"] != first["reviews"]


@pytest.mark.django_db
def test_small_registry_holds_the_scaled_series_with_the_same_shape(admin_units):
    summary = seed_demo(households=2000)
    plan = plan_for(2000)
    assert Household.objects.count() == summary.households == 2000
    complete = [year for year in YEARS if year != 2026]  # 2026 is half-way
    assert published_part(city_counts(PovertyClass.POOR), complete) == published_part(plan.poor_end, complete)
    assert published_part(city_counts(PovertyClass.NEAR_POOR), complete) == published_part(plan.near_poor_end, complete)
    assert_no_poor_2022_in_11_quan_and_5_huyen()
    progress = progress_of(2026)
    assert all(progress[state] for state in (YearState.APPROVED, YearState.SUBMITTED, YearState.DRAFT))
    assert progress[YearState.NOT_STARTED] >= 18
    assert set(
        Review.objects.filter(year=2023, poverty_class=PovertyClass.POOR).values_list("commune__kind", flat=True)
    ) == {UnitKind.COMMUNE}
    city_total = UnitYear.objects.get(unit__level=UnitLevel.CITY, year=2021).total_households
    assert city_total == plan.resident[2021]


@pytest.mark.django_db
def test_command_seeds_an_empty_database_and_refuses_a_second_time(admin_units, capsys):
    call_command("seed_demo", "--households", "600", "--seed", "3")
    assert "600 hộ" in capsys.readouterr().out
    with pytest.raises(CommandError, match="cơ sở dữ liệu trống"):
        call_command("seed_demo", "--households", "600")
    assert Household.objects.count() == 600


@pytest.mark.django_db
def test_command_if_empty_leaves_a_database_with_reviews_alone(admin_units, capsys):
    seed_demo(households=600)
    before = Review.objects.count()
    call_command("seed_demo", "--if-empty")
    assert "Bỏ qua" in capsys.readouterr().out
    assert Review.objects.count() == before
    with pytest.raises(DatabaseNotEmpty):
        seed_demo(households=600)


@pytest.mark.django_db
def test_command_without_units_says_to_load_them():
    with pytest.raises(CommandError, match="load_admin_units"):
        call_command("seed_demo", "--households", "600")
    assert not Household.objects.exists()


@pytest.mark.django_db
def test_command_refuses_a_registry_too_small(admin_units):
    with pytest.raises(CommandError, match=str(MIN_HOUSEHOLDS)):
        call_command("seed_demo", "--households", "10")
