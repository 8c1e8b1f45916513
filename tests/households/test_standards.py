"""Poverty standards as data (docs/poverty-rules.md): which one a review uses, the Decree 351/2025 row the
migrations install, the admin's refusal of two standards that would apply to one review, and
movements that never compare reviews made under different standards."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from households.importer import import_reviews, refresh_movements
from households.models import Dimension, Movement, PovertyStandard, Review, Role, StandardIndicator
from households.standards_data import STANDARDS, indicator_fields, standard_fields
from tests.builders import csv_file, review_row
from tests.factories import HouseholdFactory, ReviewFactory, UserFactory

pytestmark = pytest.mark.django_db

LEGACY_RURAL = "09625"  # Xã Phú Cường, Ba Vì (to 30 Jun 2025)
REFORM_RURAL = "09619"  # Xã Quảng Oai (from 1 Jul 2025; the code was Thị trấn Tây Đằng's)
REGULAR = "thường xuyên"


def standard(code: str) -> PovertyStandard:
    return PovertyStandard.objects.get(code=code)


def hanoi_2027(**overrides) -> PovertyStandard:
    """A city standard as an administrator would enter it: higher than the national one."""
    national = standard("national-2026-2030")
    fields = {
        "code": "hanoi-2027-2030",
        "name": "Chuẩn nghèo Hà Nội giai đoạn 2027–2030",
        "legal_basis": "Nghị quyết HĐND thành phố (giả định cho kiểm thử)",
        "scope": "city",
        "priority": 1,
        "first_year": 2027,
        "last_year": 2030,
        "regular_from": datetime.date(2027, 1, 1),
        "regular_to": datetime.date(2030, 12, 31),
        "poverty_line_rural": Decimal(2_500_000),
        "poverty_line_urban": Decimal(3_200_000),
        "average_ceiling_rural": Decimal(3_750_000),
        "average_ceiling_urban": Decimal(4_800_000),
        "b1_cutoff_rural": None,
        "b1_cutoff_urban": None,
        **overrides,
    }
    assert national.priority == 0
    return PovertyStandard(**fields)


# --- the data the migrations install ----------------------------------------------------------


def test_the_migrated_standards_are_exactly_the_shipped_data():
    """A fresh install (0002 … 0008) and standards_data.py agree, field by field."""
    assert set(PovertyStandard.objects.values_list("code", flat=True)) == {data["code"] for data in STANDARDS}
    for data in STANDARDS:
        row_ = standard(data["code"])
        for name, value in standard_fields(data).items():
            stored = getattr(row_, name)
            if isinstance(stored, Decimal) and value is not None:
                value = Decimal(value)
            assert stored == value, (data["code"], name)
        indicators = list(row_.indicators.order_by("number"))
        assert len(indicators) == len(data["indicators"])
        for indicator, shipped in zip(indicators, data["indicators"], strict=True):
            for name, value in indicator_fields(shipped).items():
                assert getattr(indicator, name) == value, (data["code"], indicator.number, name)


def test_decree_351_is_the_2027_2030_standard_with_its_verified_lines_and_reference():
    decree = standard("national-2026-2030")
    assert decree.name == "Chuẩn nghèo đa chiều quốc gia giai đoạn 2027–2030"
    assert decree.legal_basis == "Nghị định 351/2025/NĐ-CP ngày 30/12/2025"
    assert (decree.poverty_line_rural, decree.poverty_line_urban) == (2_200_000, 2_800_000)
    assert decree.deprivation_threshold == 3 and decree.extreme_line_rural is None
    assert (decree.first_year, decree.last_year) == (2026, 2030)
    assert decree.regular_from == datetime.date(2027, 1, 1)
    assert decree.needs_verification and "CẦN KIỂM CHỨNG" in decree.notes and "mức sống trung bình" in decree.notes


def test_decree_351_drops_information_devices_adds_digital_services_and_waste_in_six_dimensions():
    indicators = list(standard("national-2026-2030").indicators.order_by("number"))
    names = [indicator.name for indicator in indicators]
    assert "Phương tiện phục vụ tiếp cận thông tin" not in names
    assert "Sử dụng dịch vụ số" in names
    waste = next(i for i in indicators if i.name == "Thu gom, xử lý rác thải sinh hoạt")
    water = next(i for i in indicators if i.name == "Nguồn nước sinh hoạt")
    assert waste.dimension == water.dimension == Dimension.WATER_SANITATION_ENVIRONMENT
    assert Dimension(waste.dimension).label == "Nước sinh hoạt, vệ sinh và môi trường"
    assert len({indicator.dimension for indicator in indicators}) == 6
    # The first ten keep Decree 07's names, so d01…d10 mean the same under both standards.
    decree_07 = list(standard("national-2022-2025").indicators.order_by("number").values_list("name", flat=True))
    assert names[:10] == decree_07[:10]


def test_what_is_not_verified_is_marked_on_each_indicator_with_what_to_check():
    indicators = StandardIndicator.objects.filter(standard__code="national-2026-2030")
    new = indicators.get(name="Sử dụng dịch vụ số"), indicators.get(name="Thu gom, xử lý rác thải sinh hoạt")
    assert all(i.needs_verification and "351/2025" in i.verification_note for i in new)
    assert not indicators.filter(needs_verification=False).exists()
    assert not StandardIndicator.objects.filter(standard__code="hanoi-2016-2020", needs_verification=True).exists()


def test_no_standard_files_an_indicator_under_a_seventh_environment_dimension():
    assert not StandardIndicator.objects.filter(dimension="environment").exists()


# --- which standard a review uses ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("year", "review_type", "day", "code"),
    [
        (2021, "periodic", None, "national-2022-2025"),
        (2025, "periodic", None, "national-2022-2025"),
        (2026, "periodic", None, "national-2026-2030"),
        (2026, "regular", datetime.date(2026, 6, 15), "national-2022-2025"),
        (2026, "regular", None, "national-2022-2025"),
        (2027, "regular", datetime.date(2027, 1, 1), "national-2026-2030"),
        (2018, "periodic", None, "hanoi-2016-2020"),
    ],
)
def test_the_review_year_and_kind_decide_the_standard(year, review_type, day, code):
    assert PovertyStandard.objects.for_review(year, review_type, day).code == code


def test_a_review_no_standard_covers_has_none():
    assert PovertyStandard.objects.for_review(2031) is None
    assert PovertyStandard.objects.for_review(2031, "regular", datetime.date(2031, 2, 1)) is None


def test_a_hanoi_standard_for_2027_2030_is_accepted_and_then_wins_over_the_national_one():
    city = hanoi_2027()
    city.full_clean()
    city.save()
    assert PovertyStandard.objects.for_review(2027).code == "hanoi-2027-2030"
    assert PovertyStandard.objects.for_review(2028, "regular", datetime.date(2028, 5, 1)).code == "hanoi-2027-2030"
    assert PovertyStandard.objects.for_review(2026).code == "national-2026-2030"  # the national baseline stays


def test_a_second_national_standard_over_the_same_years_is_refused_naming_the_other():
    twin = hanoi_2027(code="national-twin", scope="national", priority=0)
    with pytest.raises(ValidationError) as refused:
        twin.full_clean()
    message = " ".join(refused.value.messages)
    assert "Chuẩn nghèo đa chiều quốc gia giai đoạn 2027–2030" in message
    assert "2027–2030" in message and "thứ tự ưu tiên 0" in message


def test_a_standard_whose_regular_dates_overlap_another_of_the_same_priority_is_refused():
    late = hanoi_2027(
        code="late",
        priority=0,
        first_year=2031,
        last_year=2035,
        regular_from=datetime.date(2030, 7, 1),
        regular_to=datetime.date(2035, 12, 31),
    )
    with pytest.raises(ValidationError) as refused:
        late.full_clean()
    assert "rà soát thường xuyên 01/07/2030–31/12/2035" in refused.value.messages[0]
    assert "Chuẩn nghèo đa chiều quốc gia giai đoạn 2027–2030" in refused.value.messages[0]


def test_regular_dates_come_in_pairs_and_in_order():
    with pytest.raises(ValidationError):
        hanoi_2027(regular_to=None).full_clean()
    with pytest.raises(ValidationError):
        hanoi_2027(regular_from=datetime.date(2031, 1, 1)).full_clean()


def test_a_standard_may_be_saved_again_without_overlapping_itself():
    decree = standard("national-2026-2030")
    decree.full_clean()


def test_the_admin_refuses_an_ambiguous_standard_and_shows_scope_priority_and_dates(client):
    admin = UserFactory(username="root", role=Role.ADMINISTRATOR, is_staff=True, is_superuser=True)
    client.force_login(admin)
    listing = client.get(reverse("admin:households_povertystandard_changelist")).content.decode()
    for heading in ("phạm vi", "thứ tự ưu tiên", "rà soát thường xuyên từ ngày", "cần kiểm chứng"):
        assert heading in listing.lower()
    change = client.get(reverse("admin:households_povertystandard_change", args=[standard("national-2026-2030").pk]))
    assert "điều cần kiểm chứng" in change.content.decode().lower()
    form = {
        "code": "national-twin",
        "name": "Chuẩn trùng",
        "legal_basis": "x",
        "scope": "national",
        "priority": "0",
        "first_year": "2028",
        "last_year": "2029",
        "regular_from": "",
        "regular_to": "",
        "deprivation_threshold": "3",
        "poverty_line_rural": "2200000",
        "poverty_line_urban": "2800000",
        "average_ceiling_rural": "3300000",
        "average_ceiling_urban": "4200000",
        "indicators-TOTAL_FORMS": "0",
        "indicators-INITIAL_FORMS": "0",
    }
    page = client.post(reverse("admin:households_povertystandard_add"), form)
    assert page.status_code == 200  # the form again, with the error
    assert "trùng với chuẩn «Chuẩn nghèo đa chiều quốc gia giai đoạn 2027–2030»" in page.content.decode()
    assert not PovertyStandard.objects.filter(code="national-twin").exists()


# --- the importer: the review's kind decides, still one query for the standards -----------------


def test_imported_2026_reviews_use_decree_351_when_periodic_and_decree_07_when_regular(admin_units):
    import_reviews(
        csv_file(
            [
                review_row(
                    "P26", commune=REFORM_RURAL, year=2026, income=2_000_000, deprivations=3, review_date="01/12/2026"
                ),
                review_row(
                    "R26",
                    commune=REFORM_RURAL,
                    year=2026,
                    income=2_000_000,
                    deprivations=3,
                    review_date="15/06/2026",
                    review_type=REGULAR,
                ),
            ]
        ),
        filename="reviews.csv",
    )
    periodic, regular = Review.objects.get(household__code="P26"), Review.objects.get(household__code="R26")
    assert (periodic.standard.code, periodic.review_type, periodic.poverty_class) == (
        "national-2026-2030",
        "periodic",
        "poor",  # 2.0M is under Decree 351's 2.2M rural line
    )
    assert (regular.standard.code, regular.review_type, regular.poverty_class) == (
        "national-2022-2025",
        "regular",
        "average",  # and above Decree 07's 1.5M
    )


def test_a_file_without_the_review_type_column_is_read_as_periodic_reviews(admin_units):
    keys = [key for key in csv_file.__defaults__[0] if key != "review_type"]
    import_reviews(csv_file([review_row("P26", commune=REFORM_RURAL, year=2026)], keys=keys), filename="r.csv")
    assert Review.objects.get().review_type == "periodic"


def test_an_unknown_review_type_is_refused_with_its_row(admin_units):
    from households.importer import ImportRefused

    with pytest.raises(ImportRefused) as refused:
        import_reviews(csv_file([review_row("X", review_type="hằng tháng")]), filename="r.csv")
    assert [str(e) for e in refused.value.errors] == [
        "Dòng 2, cột «Loại rà soát (định kỳ/thường xuyên)»: «hằng tháng» phải là «định kỳ» hoặc «thường xuyên» (periodic/regular)"
    ]


def test_an_import_reads_the_standards_once_whatever_its_rows(admin_units):
    rows = [
        review_row(f"H{year}{kind}{i}", year=year, review_type=kind, review_date=f"0{1 + i}/06/{year}")
        for year in (2021, 2022, 2023)
        for kind in ("periodic", "regular")
        for i in range(3)
    ] + [
        review_row(f"N{i}", commune=REFORM_RURAL, year=2026, review_type=kind, review_date=f"1{i}/10/2026")
        for i, kind in enumerate(["periodic", "regular", "định kỳ", REGULAR])
    ]
    with CaptureQueriesContext(connection) as queries:
        import_reviews(csv_file(rows), filename="r.csv")
    lookups = [q["sql"] for q in queries if 'FROM "households_povertystandard"' in q["sql"]]
    assert len(lookups) == 1
    assert Review.objects.count() == len(rows)


# --- movements across standards, through the import and the review service ------------------


def imported_movements(rows) -> dict[int, str]:
    import_reviews(csv_file(rows), filename="r.csv")
    return dict(Review.objects.values_list("year", "movement"))


def test_poor_under_decree_07_in_2025_then_near_poor_under_decree_351_in_2026_is_reclassified(admin_units):
    movements = imported_movements(
        [
            review_row(
                "H", commune=REFORM_RURAL, year=2025, income=1_400_000, deprivations=3, review_date="01/12/2025"
            ),
            review_row(
                "H", commune=REFORM_RURAL, year=2026, income=2_000_000, deprivations=2, review_date="01/12/2026"
            ),
        ]
    )
    assert movements == {2025: Movement.NEWLY_POOR, 2026: Movement.RECLASSIFIED}


def test_poor_under_both_standards_stayed(admin_units):
    movements = imported_movements(
        [
            review_row("H", commune=REFORM_RURAL, year=2025, income=1_400_000, deprivations=3),
            review_row("H", commune=REFORM_RURAL, year=2026, income=2_100_000, deprivations=4),
        ]
    )
    assert movements[2026] == Movement.STAYED


def test_a_household_first_reviewed_at_end_2026_is_a_baseline_household(admin_units):
    assert imported_movements([review_row("H", commune=REFORM_RURAL, year=2026, income=2_000_000)]) == {
        2026: Movement.BASELINE
    }


def test_2021_is_decree_07s_baseline_and_2022_after_it_moves_as_usual(admin_units):
    movements = imported_movements(
        [
            review_row("H", year=2021, income=1_000_000, deprivations=2),  # near-poor at the baseline
            review_row("H", year=2022, income=1_000_000, deprivations=3),  # poor: newly poor, never poor before
        ]
    )
    assert movements == {2021: Movement.BASELINE, 2022: Movement.NEWLY_POOR}


def test_importing_2026_before_2025_gives_the_same_movements(admin_units):
    import_reviews(
        csv_file([review_row("H", commune=REFORM_RURAL, year=2026, income=2_000_000, deprivations=2)]), filename="a.csv"
    )
    assert Review.objects.get().movement == Movement.BASELINE
    import_reviews(
        csv_file([review_row("H", commune=REFORM_RURAL, year=2025, income=1_400_000, deprivations=3)]), filename="b.csv"
    )
    assert dict(Review.objects.values_list("year", "movement")) == {
        2025: Movement.NEWLY_POOR,
        2026: Movement.RECLASSIFIED,
    }


def test_refresh_movements_reads_each_reviews_standard_without_a_query_per_household():
    households = [HouseholdFactory() for _ in range(5)]
    for household in households:
        ReviewFactory(household=household, commune=household.commune, year=2025, poverty_class="poor")
        ReviewFactory(
            household=household,
            commune=household.commune,
            year=2026,
            poverty_class="near_poor",
            standard=standard("national-2026-2030"),
        )
    with CaptureQueriesContext(connection) as queries:
        refresh_movements([h.pk for h in households])
    assert len(queries) <= 2  # one read (reviews with their standards), one write
    assert set(Review.objects.filter(year=2026).values_list("movement", flat=True)) == {Movement.RECLASSIFIED}
