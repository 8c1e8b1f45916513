"""The coming standard's impact, before its first review (issue 16): the end-2025 reviews
(Decree 07/2021) re-classified under Decree 351/2025's lines, checked against a direct count."""

import io
import json

import pytest
from django.core.management import CommandError, call_command

from households import accounts
from households.importer import import_reviews
from households.models import Review
from tests.builders import csv_file, review_row

pytestmark = pytest.mark.django_db

RURAL, URBAN = "09634", "00004"  # Xã Cổ Đô, Phường Ba Đình (2025 structure)
LINES = {RURAL: 2_200_000, URBAN: 2_800_000}  # Decree 351/2025


def preview(*args) -> list[dict]:
    out = io.StringIO()
    call_command("preview_standard", *args, stdout=out)
    return json.loads(out.getvalue())


@pytest.fixture
def reviews_2025(admin_units):
    rows = []
    cases = [  # (income, deprivations among d01–d10, d11, d12)
        (1_400_000, 3, 0, 0),  # poor under both
        (1_400_000, 1, 1, 1),  # poor now through d11/d12, indicators Decree 351 does not ask
        (2_000_000, 2, 0, 0),  # above Decree 07's line, under the new one: near-poor or poor
        (2_200_000, 0, 0, 0),  # on the new rural line
        (2_200_001, 5, 0, 0),  # above it whatever its deprivations
        (2_700_000, 3, 0, 0),  # rural: above; urban: under 2.8M
    ]
    number = 0
    for commune in (RURAL, URBAN):
        for income, deprived, d11, d12 in cases:
            number += 1
            flags = {f"d{i:02d}": 1 if i <= deprived else 0 for i in range(1, 11)} | {"d11": d11, "d12": d12}
            rows.append(review_row(f"P{number}", commune, year=2025, income=income, review_date="", **flags))
    rows.append(review_row("B1-ONLY", RURAL, year=2025, income="", b1_score="120", review_date=""))
    import_reviews(csv_file(rows), filename="2025.csv")


def test_at_or_below_the_new_line_is_a_direct_count_and_the_bounds_hold_together(reviews_2025):
    result = {item["unit"]: item for item in preview("--year", "2025")}
    for code, line in LINES.items():
        direct = Review.objects.filter(
            year=2025, commune=accounts.resolve_unit(code, structure=2025), income_per_capita__lte=line
        ).count()
        item = result[code]
        assert item["at_or_below_new_line"] == direct
        assert item["poor_low"] <= item["poor_high"] and item["near_poor_low"] <= item["near_poor_high"]
        assert item["poor_low"] + item["near_poor_high"] == direct == item["poor_high"] + item["near_poor_low"]
    rural, urban, city = result[RURAL], result[URBAN], result["01"]
    assert rural["at_or_below_new_line"] == 4 and urban["at_or_below_new_line"] == 6
    assert (rural["poor_low"], rural["poor_high"]) == (1, 3)  # 1 deprived in 3 carried; 2 with 2 unknown
    assert rural["income_unknown"] == 1 and rural["reviewed"] == 7
    assert city["at_or_below_new_line"] == 10 and city["poor_high"] == rural["poor_high"] + urban["poor_high"]
    assert city["standard"] == "national-2026-2030" and city["level"] == "city"


def test_the_indicators_the_old_review_did_not_ask_make_the_range_not_its_old_flags(reviews_2025):
    (rural,) = preview("--year", "2025", "--unit", RURAL)
    # P2 is poor today through d11 and d12 of Decree 07 (telecom use, information devices), which
    # Decree 351 does not ask: near-poor at the low bound, poor at the high one. P1 stays poor.
    assert rural["flows_low"]["poor→near_poor"] == 1 and rural["flows_low"]["poor→poor"] == 1
    assert rural["flows_high"]["poor→poor"] == 2


def test_csv_has_fixed_columns_and_a_bad_unit_or_year_is_refused(reviews_2025):
    out = io.StringIO()
    call_command("preview_standard", "--year", "2025", "--format", "csv", stdout=out)
    header = out.getvalue().splitlines()[0].split(",")
    assert header[:3] == ["unit", "unit_name", "level"] and "at_or_below_new_line" in header
    with pytest.raises(CommandError):
        preview("--year", "2025", "--unit", "99999")
    with pytest.raises(CommandError, match="2031"):
        preview("--year", "2030")  # no standard governs a review of 2031


# --- stored with the recompute, read by the page and the API ------------------------------------


@pytest.fixture
def computed(reviews_2025):
    from reports.recompute import recompute_progress

    recompute_progress()


def test_the_recompute_stores_the_preview_the_page_and_the_api_read(computed, client):
    from households.models import Role
    from tests.factories import UserFactory

    leader = UserFactory(username="lanh-dao-tac-dong", role=Role.CITY_LEADER, unit=accounts.resolve_unit("01"))
    client.force_login(leader)
    page = client.get("/progress/impact/")
    assert page.status_code == 200 and page.context["city"].at_or_below_new_line == 10
    assert "Tác động của chuẩn nghèo kỳ tới" in page.content.decode()
    from rest_framework.test import APIClient

    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {accounts.issue_api_token(leader)}")
    rows = {row["unit"]: row for row in api.get("/api/v1/standards/impact/").json()["results"]}
    assert rows == {
        item["unit"]: {**item, "computed_at": rows[item["unit"]]["computed_at"]} for item in preview("--year", "2025")
    }


def test_an_officer_reads_only_its_own_communes_impact(computed, client):
    from households.models import Role
    from tests.factories import UserFactory

    officer = UserFactory(
        username="xa-co-do-td", role=Role.COMMUNE_OFFICER, unit=accounts.resolve_unit(RURAL, structure=2025)
    )
    client.force_login(officer)
    page = client.get("/progress/impact/")
    assert page.context["city"] is None and [row.unit.code for row in page.context["units"]] == [RURAL]


def test_by_default_the_preview_starts_from_the_last_year_before_the_standard_changes(reviews_2025):
    from households import impact

    assert impact.default_year() == 2025
    rows = [review_row("P2026", RURAL, year=2026, income=1_000_000, review_date="")]
    import_reviews(csv_file(rows), filename="2026.csv")  # the end-2026 review under way: Decree 351
    assert impact.default_year() == 2025 and {item["year"] for item in preview()} == {2025}


def test_the_page_maps_each_commune_by_its_share_of_newly_poor(computed, client):
    from households.models import Role
    from tests.factories import UserFactory

    leader = UserFactory(username="lanh-dao-ban-do", role=Role.CITY_LEADER, unit=accounts.resolve_unit("01"))
    client.force_login(leader)
    page = client.get("/progress/impact/")
    points = page.context["map_points"]
    communes = [row for row in page.context["units"] if row.unit.level == "commune" and row.unit.latitude is not None]
    assert points and len(points) == len(communes)
    biggest = max(points, key=lambda p: p.r)
    assert biggest.row.poor_high == max(row.poor_high for row in communes)
    assert 'id="impact-map"' in page.content.decode() and "hộ nghèo theo chuẩn mới" in page.content.decode()


def test_the_maps_colours_split_the_communes_in_thirds_of_their_share():
    from decimal import Decimal

    from reports.impact import share, share_band, tertile_cuts

    shares = [share(poor, 100) for poor in (1, 2, 3, 10, 20, 30, 40, 50, 60)]
    cuts = tertile_cuts(shares)
    assert cuts == (Decimal("0.10"), Decimal("0.40"))
    assert [share_band(value, cuts) for value in shares] == ["low"] * 3 + ["mid"] * 3 + ["high"] * 3
    assert share(5, 0) is None and share_band(None, cuts) == "none" and tertile_cuts([]) is None


def test_the_api_filters_by_level_and_parent_together(computed):
    from rest_framework.test import APIClient

    from households.models import Role
    from tests.factories import UserFactory

    leader = UserFactory(username="lanh-dao-loc", role=Role.CITY_LEADER, unit=accounts.resolve_unit("01"))
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {accounts.issue_api_token(leader)}")

    def units(**params) -> set[str]:
        response = api.get("/api/v1/standards/impact/", params)
        assert response.status_code == 200, response.content
        return {row["unit"] for row in response.json()["results"]}

    assert units(level="commune", parent="01") == {RURAL, URBAN}  # the 2025 communes hang from the city
    assert units(level="district", parent="01") == units(level="district")
    assert units(level="commune", parent="271") == set()
    assert api.get("/api/v1/standards/impact/", {"parent": "x"}).status_code == 400
