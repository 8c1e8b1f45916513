"""Resident-household totals through django-import-export (households.resources): the unit by
code in its year's structure, a preview that writes nothing, bad rows refused with their row."""

import pytest
import tablib
from django.urls import reverse

from households.models import Structure, TotalSource, UnitYear
from households.resources import UnitYearResource
from tests.factories import CommuneFactory, UserFactory

pytestmark = pytest.mark.django_db


def dataset(*rows):
    return tablib.Dataset(*rows, headers=["unit", "year", "total_households", "source"])


@pytest.fixture
def communes():
    old = CommuneFactory(code="00004", structure=Structure.LEGACY)
    new = CommuneFactory(code="00004", structure=Structure.REFORM_2025, valid_from="2025-07-01", valid_to=None)
    return old, new


def test_a_code_is_read_in_the_structure_of_its_year_and_a_dry_run_writes_nothing(communes):
    old, new = communes
    rows = dataset(["00004", 2024, 1200, ""], ["00004", 2026, 5400, ""])
    result = UnitYearResource().import_data(rows, dry_run=True)
    assert not result.has_errors() and not result.has_validation_errors()
    assert result.totals["new"] == 2 and not UnitYear.objects.exists()

    UnitYearResource().import_data(rows, dry_run=False)
    assert {(u.unit, u.year, u.total_households, u.source) for u in UnitYear.objects.all()} == {
        (old, 2024, 1200, TotalSource.IMPORTED),
        (new, 2026, 5400, TotalSource.IMPORTED),
    }
    # The same file again changes nothing; a changed total updates its row.
    again = UnitYearResource().import_data(dataset(["00004", 2024, 1200, ""], ["00004", 2026, 5500, ""]))
    assert (again.totals["skip"], again.totals["update"]) == (1, 1)
    assert UnitYear.objects.get(unit=new, year=2026).total_households == 5500


def test_a_bad_row_is_refused_with_its_row_and_nothing_is_written(communes):
    rows = dataset(
        ["00004", 2024, 1200, ""], ["99998", 2024, 10, ""], ["00004", "năm ngoái", 10, ""], ["00004", 2023, -5, ""]
    )
    result = UnitYearResource().import_data(rows, dry_run=False, raise_errors=False)
    assert result.has_errors() and result.has_validation_errors()
    messages = {row.number: " ".join(str(e) for e in row.error_dict.values()) for row in result.invalid_rows}
    messages |= {number: " ".join(str(e.error) for e in errors) for number, errors in result.row_errors()}
    assert "Không có đơn vị mã «99998»" in messages[2]
    assert "không phải là một năm" in messages[3]
    assert 4 in messages  # a negative total: the model's own check
    assert not UnitYear.objects.exists()


def test_the_admin_offers_import_and_export_of_the_totals(client, communes):
    admin = UserFactory(username="admin", role="administrator", is_staff=True, is_superuser=True)
    client.force_login(admin)
    assert client.get(reverse("admin:households_unityear_import")).status_code == 200
    UnitYear.objects.create(unit=communes[1], year=2026, total_households=5400)
    response = client.post(reverse("admin:households_unityear_export"), {"format": "0", "resource": "0"})
    assert response.status_code == 200
