"""Resident-household totals (UnitYear, the poverty rate's denominator) in and out of a
spreadsheet, through django-import-export in the admin (*Tổng số hộ theo năm*: Nhập / Xuất).

A row names its unit by GSO code, read in the structure of the row's year (codes were reused when
the 2025 reform made new units: households.models.structure_for_year), so "00004" of 2024 and
"00004" of 2026 are different units. The preview shows each row as new, changed or unchanged;
a row with a wrong code, year or total is refused with its row number and nothing is written.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from import_export import fields, resources
from import_export.widgets import ForeignKeyWidget

from households.importing.unit_totals import unit_of_year, units_by_code
from households.models import AdministrativeUnit, TotalSource, UnitYear


def _year(row) -> int:
    try:
        year = int(str(row.get("year", "")).strip())
    except ValueError:
        raise ValueError(_("Năm «%(year)s» không phải là một năm.") % {"year": row.get("year")}) from None
    if not 2000 <= year <= 2100:
        raise ValueError(_("Năm %(year)s nằm ngoài 2000–2100.") % {"year": year})
    return year


class UnitOfYearWidget(ForeignKeyWidget):
    """A unit by its GSO code for the row's year (households.importing.unit_totals.unit_of_year,
    the rule of the import_unit_totals command too)."""

    def __init__(self):
        super().__init__(AdministrativeUnit, field="code")
        self._units = None

    def clean(self, value, row=None, **kwargs):
        if self._units is None:
            self._units = units_by_code()  # once per file
        code = str(value or "").strip()
        year = _year(row)
        unit = unit_of_year(self._units, code, year)
        if unit is None:
            raise ValueError(
                _("Không có đơn vị mã «%(code)s» trong cơ cấu đơn vị hành chính của năm %(year)s.")
                % {"code": code, "year": year}
            )
        return unit


class UnitYearResource(resources.ModelResource):
    unit = fields.Field(attribute="unit", column_name="unit", widget=UnitOfYearWidget())
    unit_name = fields.Field(attribute="unit__name", column_name="unit_name", readonly=True)

    class Meta:
        model = UnitYear
        fields = ["unit", "unit_name", "year", "total_households", "source"]
        export_order = fields
        import_id_fields = ["unit", "year"]
        clean_model_instances = True  # the model's own checks (a positive total, a known source)
        skip_unchanged = True
        report_skipped = True
        use_transactions = True

    def before_import_row(self, row, **kwargs):
        """A total read from a file says so, unless the file names its source."""
        if not str(row.get("source") or "").strip():
            row["source"] = TotalSource.IMPORTED
