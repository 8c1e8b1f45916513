"""Plan 51-KH/TU as installed by the data migration, and which target applies where."""

import datetime
import importlib
from decimal import Decimal

import pytest
from django.apps import apps

from households.models import AdministrativeUnit, Structure, UnitKind, UnitLevel
from reports.models import IndicatorValue
from targets.models import Indicator, ObjectiveGroup, Plan, Target, TargetKind, TaskGroup
from targets.plan_data import install_plan
from targets.queries import all_plans, default_plan, plan_by_code, targets_for, targets_for_units

pytestmark = pytest.mark.django_db


def make_unit(code, name, level, kind, parent=None):
    return AdministrativeUnit.objects.create(
        code=code, name=name, level=level, kind=kind, parent=parent, structure=Structure.LEGACY
    )


@pytest.fixture
def units():
    city = make_unit("01", "Thành phố Hà Nội", UnitLevel.CITY, UnitKind.CITY)
    ba_vi = make_unit("271", "Huyện Ba Vì", UnitLevel.DISTRICT, UnitKind.RURAL_DISTRICT, city)
    tay_dang = make_unit("09619", "Thị trấn Tây Đằng", UnitLevel.COMMUNE, UnitKind.TOWNSHIP, ba_vi)
    phu_son = make_unit("09622", "Xã Phú Sơn", UnitLevel.COMMUNE, UnitKind.COMMUNE, ba_vi)
    ba_dinh = make_unit("001", "Quận Ba Đình", UnitLevel.DISTRICT, UnitKind.URBAN_DISTRICT, city)
    return {"city": city, "ba_vi": ba_vi, "tay_dang": tay_dang, "phu_son": phu_son, "ba_dinh": ba_dinh}


def add_band(code, unit, first_year, last_year, lower, upper=None):
    return Target.objects.create(
        indicator=indicator(code),
        kind=TargetKind.REDUCTION_BAND,
        unit=unit,
        first_year=first_year,
        last_year=last_year,
        lower_bound=Decimal(lower),
        upper_bound=None if upper is None else Decimal(upper),
    )


def plan_51():
    return Plan.objects.get(code="51-KH/TU")


def indicator(code):
    return Indicator.objects.get(plan__code="51-KH/TU", code=code)


def draft_plan():
    return Plan.objects.get(code="KH-2026-2030-DU-KIEN")


def install_again():
    install_plan(Plan, ObjectiveGroup, TaskGroup, Indicator, Target)
    for name in ("0004_plan_51_closing_and_city_plan_targets", "0005_draft_plan_2026_2030_to_verify"):
        importlib.import_module(f"targets.migrations.{name}").install(apps, None)


# --- the data migration -------------------------------------------------------------------------


def test_migration_installs_plan_51_implementing_directive_05():
    plan = plan_51()
    assert plan.issued_on == datetime.date(2021, 11, 10)
    assert plan.issued_by == "Ban Thường vụ Thành ủy Hà Nội"
    assert "05-CT/TW" in plan.implements
    assert plan.title.startswith("Kế hoạch thực hiện Chỉ thị số 05-CT/TW")
    assert (plan.first_year, plan.last_year, plan.baseline_year) == (2021, 2030, 2021)
    assert plan.needs_verification is False


def test_plan_51_has_3_objective_groups_and_5_task_groups_in_vietnamese():
    plan = plan_51()
    assert list(plan.objective_groups.values_list("number", flat=True)) == [1, 2, 3]
    assert list(plan.task_groups.values_list("number", flat=True)) == [1, 2, 3, 4, 5]
    assert "người có khả năng lao động" in plan.objective_groups.get(number=1).text
    assert "người đứng đầu" in plan.task_groups.get(number=2).text


def test_every_indicator_code_of_every_plan_names_a_snapshot_field():
    snapshot_fields = {field.name for field in IndicatorValue._meta.get_fields()}
    codes = set(plan_51().indicators.values_list("code", flat=True))
    assert codes == {"poor", "near_poor", "meritorious_poor", "re_poor", "newly_poor", "meritorious_near_poor"}
    assert set(Indicator.objects.values_list("code", flat=True)) <= snapshot_fields


def test_plan_51_targets_are_city_wide_and_valid():
    targets = Target.objects.filter(indicator__plan=plan_51())
    assert targets.count() == 8
    for target in targets:
        assert target.unit is None
        assert target.source
        target.full_clean()


# --- Plan 51 closes with the end-2025 figures; the city plan's targets; the draft 2026–2030 plan -----


def test_plan_51_runs_to_2030_but_closes_with_the_end_2025_figures():
    plan = plan_51()
    assert plan.closing_year == 2025 and plan.judged_last_year == 2025
    assert plan.covers(2021) and plan.covers(2025) and not plan.covers(2026)


def test_the_city_plan_qd_1362_forbids_re_poor_households_from_2022_to_2025():
    target = Target.objects.get(indicator=indicator("re_poor"), kind=TargetKind.MUST_BE_ZERO)
    assert (target.first_year, target.last_year, target.absolute_count) == (2022, 2025, 0)
    assert "1362/QĐ-UBND" in target.source and "không để hộ tái nghèo" in target.source
    # worded from a summary, not the decision's text
    assert target.needs_verification is True


def test_the_city_plan_wants_basically_no_meritorious_near_poor_household_by_end_2025():
    target = Target.objects.get(indicator=indicator("meritorious_near_poor"))
    assert target.kind == TargetKind.COUNT_BY_DEADLINE
    assert (target.absolute_count, target.deadline_year, target.first_year) == (0, 2025, 2022)
    assert "1362/QĐ-UBND" in target.source and target.needs_verification is True
    assert indicator("meritorious_near_poor").name == "Hộ cận nghèo thuộc gia đình người có công với cách mạng"


def test_the_2026_2030_plan_is_shipped_as_a_draft_to_verify_from_the_end_2026_baseline():
    plan = draft_plan()
    assert plan.title == "Kế hoạch giảm nghèo bền vững 2026–2030 (dự kiến, cần kiểm chứng)"
    assert plan.needs_verification is True and plan.issued_on is None
    assert (plan.first_year, plan.last_year, plan.baseline_year) == (2026, 2030, 2026)
    assert "351/2025/NĐ-CP" in plan.note
    plan.full_clean()


def test_the_draft_carries_plan_51s_yearly_targets_over_every_one_to_verify():
    targets = Target.objects.filter(indicator__plan=draft_plan()).select_related("indicator")
    assert {(t.indicator.code, t.kind) for t in targets} == {
        ("poor", TargetKind.REDUCTION_BAND),
        ("near_poor", TargetKind.REDUCTION_BAND),
        ("meritorious_poor", TargetKind.MUST_BE_ZERO),
        ("re_poor", TargetKind.FEWER_THAN_LAST_YEAR),
        ("newly_poor", TargetKind.FEWER_THAN_LAST_YEAR),
    }
    for target in targets:
        assert target.needs_verification and "cần kiểm chứng" in target.source
        assert (target.first_year, target.last_year) == (2027, 2030)  # the first reduction after the 2026 baseline
        target.full_clean()


@pytest.mark.parametrize(
    ("year", "code"),
    [
        (2021, "51-KH/TU"),
        (2025, "51-KH/TU"),
        (2026, "KH-2026-2030-DU-KIEN"),
        (2030, "KH-2026-2030-DU-KIEN"),
        (2031, "KH-2026-2030-DU-KIEN"),  # no plan covers it: the latest
        (None, "KH-2026-2030-DU-KIEN"),
    ],
)
def test_a_year_is_judged_by_default_against_the_plan_whose_years_contain_it(year, code):
    assert default_plan(all_plans(), year).code == code


def test_of_two_plans_covering_a_year_the_one_with_the_later_baseline_wins():
    Plan.objects.filter(code="51-KH/TU").update(closing_year=None)  # Plan 51 covers 2021–2030 again
    assert default_plan(all_plans(), 2027).code == "KH-2026-2030-DU-KIEN"
    assert default_plan(all_plans(), 2024).code == "51-KH/TU"


def test_a_plan_is_found_by_its_code_and_none_without_plans():
    assert plan_by_code(all_plans(), "51-KH/TU") == plan_51()
    assert plan_by_code(all_plans(), "51-KH") is None
    assert default_plan([], 2024) is None


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"first_year": 2031}, "Năm bắt đầu"),
        ({"baseline_year": 2031}, "Năm gốc"),
        ({"closing_year": 2020}, "Năm tổng kết"),
        ({"closing_year": 2031}, "Năm tổng kết"),
    ],
)
def test_a_plans_years_must_hold_together(fields, message):
    from django.core.exceptions import ValidationError

    plan = plan_51()
    for name, value in fields.items():
        setattr(plan, name, value)
    with pytest.raises(ValidationError, match=message):
        plan.full_clean()


def test_poor_households_must_fall_25_to_30_percent_a_year_and_reach_zero_by_end_2025():
    band = Target.objects.get(indicator=indicator("poor"), kind=TargetKind.REDUCTION_BAND)
    assert (band.lower_bound, band.upper_bound) == (Decimal(25), Decimal(30))
    assert (band.first_year, band.last_year) == (2022, 2030)
    deadline = Target.objects.get(indicator=indicator("poor"), kind=TargetKind.COUNT_BY_DEADLINE)
    assert (deadline.absolute_count, deadline.deadline_year) == (0, 2025)
    assert (deadline.first_year, deadline.last_year) == (2022, 2025)
    assert "08-CTr/TU" in deadline.source


def test_near_poor_must_fall_10_percent_a_year():
    band = Target.objects.get(indicator=indicator("near_poor"))
    assert band.kind == TargetKind.REDUCTION_BAND
    assert (band.lower_bound, band.upper_bound) == (Decimal(10), Decimal(10))


@pytest.mark.parametrize(
    ("code", "kind"),
    [
        ("meritorious_poor", TargetKind.MUST_BE_ZERO),
        ("re_poor", TargetKind.FEWER_THAN_LAST_YEAR),
        ("newly_poor", TargetKind.FEWER_THAN_LAST_YEAR),
    ],
)
def test_count_targets_run_for_the_whole_plan(code, kind):
    target = Target.objects.get(indicator=indicator(code), kind=kind)
    assert target.kind == kind
    assert (target.first_year, target.last_year) == (2022, 2030)


def test_installing_the_plan_again_changes_nothing():
    before = {model: model.objects.count() for model in (Plan, ObjectiveGroup, TaskGroup, Indicator, Target)}
    install_again()
    importlib.import_module("targets.migrations.0002_plan_51").install_plan_51(apps, None)
    after = {model: model.objects.count() for model in (Plan, ObjectiveGroup, TaskGroup, Indicator, Target)}
    assert after == before


def test_installing_the_plan_again_restores_edited_plan_texts_but_keeps_added_targets(units):
    ObjectiveGroup.objects.filter(plan=plan_51(), number=2).update(text="sửa")
    add_band("poor", units["ba_vi"], 2023, 2023, 40)
    install_again()
    assert ObjectiveGroup.objects.get(plan=plan_51(), number=2).text != "sửa"
    assert Target.objects.filter(unit=units["ba_vi"]).count() == 1


# --- which target applies -----------------------------------------------------------------------


def band_for(targets, code="poor"):
    return next(t for t in targets if t.indicator.code == code and t.kind == TargetKind.REDUCTION_BAND)


def test_without_unit_targets_every_unit_gets_the_city_wide_defaults(units):
    targets = targets_for(units["phu_son"], 2023)
    assert len(targets) == 8
    assert all(target.unit is None for target in targets)
    assert targets == targets_for(None, 2023)


def test_the_deadline_target_applies_only_until_2025(units):
    kinds_2025 = {(t.indicator.code, t.kind) for t in targets_for(units["phu_son"], 2025)}
    kinds_2026 = {(t.indicator.code, t.kind) for t in targets_for(units["phu_son"], 2026)}
    assert ("poor", TargetKind.COUNT_BY_DEADLINE) in kinds_2025
    assert ("poor", TargetKind.COUNT_BY_DEADLINE) not in kinds_2026
    assert len(kinds_2026) == 5  # Plan 51's yearly targets; the draft's start in 2027


def test_no_target_applies_before_the_first_target_year(units):
    assert targets_for(units["phu_son"], 2021) == []


def test_a_district_target_for_a_year_applies_to_its_communes(units):
    district = add_band("poor", units["ba_vi"], 2023, 2023, 40, 45)
    assert band_for(targets_for(units["tay_dang"], 2023)) == district
    assert band_for(targets_for(units["ba_vi"], 2023)) == district
    assert band_for(targets_for(units["ba_dinh"], 2023)).unit is None  # another district
    assert band_for(targets_for(units["tay_dang"], 2024)).unit is None  # another year


def test_a_district_band_does_not_hide_the_city_deadline(units):
    add_band("poor", units["ba_vi"], 2023, 2023, 40)
    kinds = [(t.indicator.code, t.kind) for t in targets_for(units["tay_dang"], 2023)]
    assert ("poor", TargetKind.COUNT_BY_DEADLINE) in kinds
    assert len(kinds) == 8


def test_the_communes_own_target_beats_its_districts(units):
    add_band("poor", units["ba_vi"], 2022, 2030, 40)
    commune = add_band("poor", units["tay_dang"], 2022, 2030, 50)
    assert band_for(targets_for(units["tay_dang"], 2023)) == commune
    assert band_for(targets_for(units["phu_son"], 2023)).lower_bound == Decimal(40)


def test_a_target_on_the_city_unit_overrides_the_plan_default(units):
    city = add_band("near_poor", units["city"], 2023, 2023, 12)
    assert band_for(targets_for(units["phu_son"], 2023), "near_poor") == city


def test_a_city_wide_target_for_one_year_overrides_the_plan_wide_default(units):
    yearly = add_band("near_poor", None, 2024, 2024, 15)
    assert band_for(targets_for(units["phu_son"], 2024), "near_poor") == yearly
    assert band_for(targets_for(None, 2024), "near_poor") == yearly
    assert band_for(targets_for(units["phu_son"], 2025), "near_poor").lower_bound == Decimal(10)


def test_targets_can_be_limited_to_one_plan(units):
    other = Plan.objects.create(
        code="X",
        title="Khác",
        issued_by="UBND",
        issued_on=datetime.date(2022, 1, 1),
        first_year=2022,
        last_year=2025,
        baseline_year=2021,
    )
    poor = Indicator.objects.create(plan=other, code="poor", name="Hộ nghèo", name_en="Poor")
    Target.objects.create(indicator=poor, kind=TargetKind.MUST_BE_ZERO, first_year=2022, last_year=2025)
    assert len(targets_for(units["phu_son"], 2023)) == 9
    assert len(targets_for(units["phu_son"], 2023, plan=plan_51())) == 8


def test_in_2027_plan_51_and_the_draft_both_set_targets_and_the_plan_chosen_decides(units):
    assert len(targets_for(units["phu_son"], 2027)) == 10
    draft = targets_for(units["phu_son"], 2027, plan=draft_plan())
    assert len(draft) == 5 and all(t.needs_verification for t in draft)


def test_many_units_are_resolved_with_a_fixed_number_of_queries(units, django_assert_max_num_queries):
    add_band("poor", units["ba_vi"], 2023, 2023, 40)
    communes = list(AdministrativeUnit.objects.filter(level=UnitLevel.COMMUNE))
    with django_assert_max_num_queries(3):
        resolved = targets_for_units(communes, 2023)
    assert {band_for(targets).lower_bound for targets in resolved.values()} == {Decimal(40)}


# --- admin --------------------------------------------------------------------------------------


def change_form(response) -> dict:
    """The admin change form's fields as the browser would post them back unchanged."""
    form = response.context["adminform"].form
    data = {}
    for name in form.fields:
        value = form[name].value()
        if value is True:
            data[name] = "on"
        elif value not in (None, False):
            data[name] = value
    return data


def test_a_target_edited_in_the_admin_is_the_one_progress_is_judged_against(admin_client, units):
    target = add_band("poor", units["ba_vi"], 2023, 2023, 40)
    url = f"/admin/targets/target/{target.pk}/change/"
    data = change_form(admin_client.get(url))

    response = admin_client.post(url, {**data, "lower_bound": "35", "upper_bound": "45"})

    assert response.status_code == 302, response.content.decode()[:2000]
    band = band_for(targets_for(units["phu_son"], 2023))
    assert (band.lower_bound, band.upper_bound) == (Decimal(35), Decimal(45))
    # An upper bound below the lower one is refused with the model's message, and nothing changes.
    refused = admin_client.post(url, {**data, "lower_bound": "35", "upper_bound": "30"})
    assert refused.status_code == 200 and "Cận trên phải lớn hơn hoặc bằng cận dưới." in refused.content.decode()
    target.refresh_from_db()
    assert (target.lower_bound, target.upper_bound) == (Decimal(35), Decimal(45))


def test_target_admin_lists_with_filters(admin_client, units):
    add_band("poor", units["ba_vi"], 2023, 2023, 40)
    response = admin_client.get("/admin/targets/target/", {"kind": TargetKind.REDUCTION_BAND})
    assert response.status_code == 200
    assert "Toàn thành phố" in response.content.decode()
    assert "Huyện Ba Vì" in admin_client.get("/admin/targets/target/").content.decode()
    assert admin_client.get(f"/admin/targets/plan/{plan_51().pk}/change/").status_code == 200
    assert admin_client.get(f"/admin/targets/indicator/{indicator('poor').pk}/change/").status_code == 200


def test_an_administrator_enters_a_plan_not_yet_issued_as_to_be_verified(admin_client):
    response = admin_client.post(
        "/admin/targets/plan/add/",
        {
            "code": "KH-THU",
            "title": "Kế hoạch thử (dự kiến)",
            "issued_by": "Chưa ban hành",
            "issued_on": "",
            "implements": "",
            "first_year": 2026,
            "last_year": 2030,
            "baseline_year": 2026,
            "closing_year": "",
            "needs_verification": "on",
            "note": "",
            "objective_groups-TOTAL_FORMS": 0,
            "objective_groups-INITIAL_FORMS": 0,
            "task_groups-TOTAL_FORMS": 0,
            "task_groups-INITIAL_FORMS": 0,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    plan = Plan.objects.get(code="KH-THU")
    assert plan.needs_verification and plan.issued_on is None
    assert admin_client.get(f"/admin/targets/plan/{draft_plan().pk}/change/").status_code == 200
    assert "cần kiểm chứng" in admin_client.get("/admin/targets/target/").content.decode()
