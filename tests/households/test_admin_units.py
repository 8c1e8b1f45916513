"""Hanoi's units before and after 1 Jul 2025 (docs/admin-units.md), loaded from vietnamadminunits."""

from collections import Counter

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count, Q

from households.admin_units import (
    AdminUnitsRefused,
    SourceSuccession,
    load_admin_units,
    read_source,
    succession_problems,
)
from households.models import (
    LEGACY_END,
    REFORM_START,
    AdministrativeUnit,
    Area,
    Structure,
    Succession,
    UnitKind,
    UnitLevel,
)


def kinds(units) -> Counter:
    return Counter(units.values_list("kind", flat=True))


def unit(code: str, structure: Structure) -> AdministrativeUnit:
    return AdministrativeUnit.objects.get(code=code, structure=structure)


# Without a database: what the package gives and the succession check.


def test_package_gives_hanoi_both_structures_and_a_successor_for_every_old_commune():
    source = read_source("01")

    assert source.city.name == "Thành phố Hà Nội"
    assert len(source.districts) == 30
    assert len(source.legacy_communes) == 526
    assert len(source.communes) == 126
    assert {s.predecessor_key for s in source.successions} == {u.key for u in source.legacy_communes}
    assert {s.successor_key for s in source.successions} == {u.key for u in source.communes}


def test_succession_check_names_an_old_commune_without_successor_or_with_two_primaries():
    source = read_source("01")
    first, second = source.legacy_communes[:2]
    successions = [s for s in source.successions if s.predecessor_key != first.key]
    successions.append(SourceSuccession(second.key, source.communes[-1].key, is_primary=True))

    problems = succession_problems(source.legacy_communes, source.communes, successions)

    assert problems == [
        f"{first.name} ({first.code}) không có đơn vị kế thừa.",
        f"{second.name} ({second.code}) có 2 đơn vị kế thừa chính (phải có đúng 1).",
    ]


def test_a_province_other_than_hanoi_is_refused():
    with pytest.raises(AdminUnitsRefused, match="Hà Nội"):
        read_source("79")


# Loaded into the database.


@pytest.mark.django_db
def test_command_refuses_another_province_and_writes_nothing():
    with pytest.raises(CommandError):
        call_command("load_admin_units", "--province", "79", verbosity=0)
    assert not AdministrativeUnit.objects.exists()


@pytest.mark.django_db
def test_hanoi_is_one_city_in_force_in_every_year(admin_units):
    city = AdministrativeUnit.objects.get(level=UnitLevel.CITY)

    assert (city.code, city.name, city.kind) == ("01", "Thành phố Hà Nội", UnitKind.CITY)
    assert city.valid_from is None and city.valid_to is None
    assert city in AdministrativeUnit.objects.in_force(2021)
    assert city in AdministrativeUnit.objects.in_force(2030)


@pytest.mark.django_db
def test_until_june_2025_hanoi_has_12_quan_17_huyen_and_1_thi_xa_under_the_city(admin_units):
    districts = AdministrativeUnit.objects.districts()

    assert kinds(districts) == {UnitKind.URBAN_DISTRICT: 12, UnitKind.RURAL_DISTRICT: 17, UnitKind.TOWN: 1}
    assert set(districts.values_list("structure", "parent__code", "valid_from__year", "valid_to")) == {
        (Structure.LEGACY, "01", 2021, LEGACY_END)
    }
    assert districts.get(kind=UnitKind.TOWN).name == "Thị xã Sơn Tây"
    assert districts.get(code="001").name == "Quận Ba Đình"


@pytest.mark.django_db
def test_until_june_2025_hanoi_has_160_phuong_21_thi_tran_and_345_xa_each_under_its_district(admin_units):
    communes = AdministrativeUnit.objects.communes().filter(structure=Structure.LEGACY)

    assert kinds(communes) == {UnitKind.WARD: 160, UnitKind.TOWNSHIP: 21, UnitKind.COMMUNE: 345}
    assert set(communes.values_list("parent__level", flat=True)) == {UnitLevel.DISTRICT}
    assert communes.get(code="00001").name == "Phường Phúc Xá"
    assert communes.get(code="00001").parent.name == "Quận Ba Đình"
    assert not communes.filter(Q(latitude__isnull=True) | Q(longitude__isnull=True)).exists()


@pytest.mark.django_db
def test_from_july_2025_hanoi_has_51_phuong_and_75_xa_directly_under_the_city(admin_units):
    communes = AdministrativeUnit.objects.filter(structure=Structure.REFORM_2025)

    assert kinds(communes) == {UnitKind.WARD: 51, UnitKind.COMMUNE: 75}
    assert set(communes.values_list("level", "parent__code", "valid_from", "valid_to")) == {
        (UnitLevel.COMMUNE, "01", REFORM_START, None)
    }
    assert not communes.filter(Q(latitude__isnull=True) | Q(longitude__isnull=True)).exists()


@pytest.mark.django_db
def test_quan_thi_xa_phuong_and_thi_tran_are_urban_huyen_and_xa_are_rural(admin_units):
    areas = set(AdministrativeUnit.objects.exclude(level=UnitLevel.CITY).values_list("kind", "area"))

    assert areas == {
        (UnitKind.URBAN_DISTRICT, Area.URBAN),
        (UnitKind.TOWN, Area.URBAN),
        (UnitKind.WARD, Area.URBAN),
        (UnitKind.TOWNSHIP, Area.URBAN),
        (UnitKind.RURAL_DISTRICT, Area.RURAL),
        (UnitKind.COMMUNE, Area.RURAL),
    }


@pytest.mark.django_db
def test_a_code_names_a_different_unit_in_each_structure(admin_units):
    assert unit("00004", Structure.LEGACY).name == "Phường Trúc Bạch"
    assert unit("00004", Structure.REFORM_2025).name == "Phường Ba Đình"
    assert unit("09619", Structure.LEGACY).name == "Thị trấn Tây Đằng"
    assert unit("09619", Structure.LEGACY).kind == UnitKind.TOWNSHIP
    assert unit("09619", Structure.REFORM_2025).name == "Xã Quảng Oai"
    assert unit("09619", Structure.REFORM_2025).kind == UnitKind.COMMUNE


@pytest.mark.django_db
def test_units_in_force_in_2024_are_the_legacy_ones_and_in_2025_the_new_ones(admin_units):
    def counts(year: int) -> Counter:
        return Counter(AdministrativeUnit.objects.in_force(year).values_list("structure", "level"))

    assert counts(2024) == {
        (Structure.LEGACY, UnitLevel.CITY): 1,
        (Structure.LEGACY, UnitLevel.DISTRICT): 30,
        (Structure.LEGACY, UnitLevel.COMMUNE): 526,
    }
    assert counts(2021) == counts(2024)
    assert counts(2025) == {(Structure.LEGACY, UnitLevel.CITY): 1, (Structure.REFORM_2025, UnitLevel.COMMUNE): 126}


@pytest.mark.django_db
def test_every_legacy_commune_has_exactly_one_primary_successor_in_the_new_structure(admin_units):
    communes = AdministrativeUnit.objects.communes().filter(structure=Structure.LEGACY)
    counted = communes.annotate(
        successors_count=Count("successions_out"),
        primaries=Count("successions_out", filter=Q(successions_out__is_primary=True)),
    )

    assert counted.filter(successors_count=0).count() == 0
    assert set(counted.values_list("primaries", flat=True)) == {1}
    assert set(Succession.objects.values_list("successor__structure", flat=True)) == {Structure.REFORM_2025}
    assert not AdministrativeUnit.objects.filter(structure=Structure.REFORM_2025, predecessors=None).exists()


@pytest.mark.django_db
def test_a_split_commune_has_several_successors_and_one_of_them_is_primary(admin_units):
    tay_dang = unit("09619", Structure.LEGACY)

    successors = dict(tay_dang.successions_out.values_list("successor__name", "is_primary"))

    # The package names Minh Châu the default, though Quảng Oai took the code.
    assert successors == {"Xã Minh Châu": True, "Xã Quảng Oai": False}


@pytest.mark.django_db
def test_a_commune_merged_whole_has_one_primary_successor(admin_units):
    truc_bach = unit("00004", Structure.LEGACY)

    assert list(truc_bach.successions_out.values_list("successor__name", "is_primary")) == [("Phường Ba Đình", True)]
    predecessors = set(unit("00004", Structure.REFORM_2025).predecessors.values_list("name", flat=True))
    assert {"Phường Trúc Bạch", "Phường Quán Thánh"} <= predecessors


@pytest.mark.django_db
def test_a_second_run_changes_nothing(admin_units, django_assert_max_num_queries):
    units_before = dict(AdministrativeUnit.objects.values_list("pk", "name"))
    successions_before = set(Succession.objects.values_list("pk", "predecessor_id", "successor_id", "is_primary"))

    with django_assert_max_num_queries(12):
        summary = load_admin_units(province_code="01")

    assert summary.changes == 0
    assert (summary.districts, summary.legacy_communes, summary.communes) == (30, 526, 126)
    assert dict(AdministrativeUnit.objects.values_list("pk", "name")) == units_before
    assert set(Succession.objects.values_list("pk", "predecessor_id", "successor_id", "is_primary")) == (
        successions_before
    )


@pytest.mark.django_db
def test_a_second_run_restores_what_differs_from_the_package_and_keeps_primary_keys(admin_units):
    truc_bach = unit("00004", Structure.LEGACY)
    AdministrativeUnit.objects.filter(pk=truc_bach.pk).update(name="Phường Sai Tên", area=Area.RURAL)
    Succession.objects.filter(predecessor__code="09619").update(is_primary=False)
    Succession.objects.create(predecessor=truc_bach, successor=unit("09619", Structure.REFORM_2025), is_primary=False)

    summary = load_admin_units(province_code="01")

    assert (summary.units_created, summary.units_updated) == (0, 1)
    assert (summary.successions_created, summary.successions_updated, summary.successions_deleted) == (0, 1, 1)
    assert unit("00004", Structure.LEGACY).pk == truc_bach.pk
    assert unit("00004", Structure.LEGACY).name == "Phường Trúc Bạch"
    assert unit("00004", Structure.LEGACY).area == Area.URBAN
    assert Succession.objects.get(predecessor__code="09619", is_primary=True).successor.name == "Xã Minh Châu"
    assert Succession.objects.count() == summary.successions


@pytest.mark.django_db
def test_command_prints_a_one_line_summary(capsys):
    call_command("load_admin_units", "--province", "01")

    output = capsys.readouterr().out.strip()
    assert output.count("\n") == 0
    assert "30 đơn vị cấp huyện, 526 xã cũ, 126 xã mới" in output
