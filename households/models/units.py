"""Administrative units of both structures, their succession and resident-household totals.

Source: docs/admin-units.md (Hanoi's units before and after NQ 1656/NQ-UBTVQH15).
"""

from __future__ import annotations

import datetime

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from households import poverty


class UnitLevel(models.TextChoices):
    CITY = "city", _("Thành phố")
    DISTRICT = "district", _("Cấp huyện")
    COMMUNE = "commune", _("Cấp xã")


class UnitKind(models.TextChoices):
    CITY = "thanh_pho", _("Thành phố")
    URBAN_DISTRICT = "quan", _("Quận")
    RURAL_DISTRICT = "huyen", _("Huyện")
    TOWN = "thi_xa", _("Thị xã")
    WARD = "phuong", _("Phường")
    COMMUNE = "xa", _("Xã")
    TOWNSHIP = "thi_tran", _("Thị trấn")


class Area(models.TextChoices):
    URBAN = poverty.Area.URBAN.value, _("Thành thị")
    RURAL = poverty.Area.RURAL.value, _("Nông thôn")


class Structure(models.IntegerChoices):
    """The two administrative structures of Hanoi the portal knows."""

    LEGACY = 2008, _("Trước 1/7/2025 (30 quận, huyện, thị xã; 526 xã, phường, thị trấn)")
    REFORM_2025 = 2025, _("Từ 1/7/2025 (126 xã, phường)")


# A GSO code: 01 the city, 3 digits a district-level unit, 5 digits a commune-level unit.
UNIT_CODE_PATTERN = r"^\d{2,5}$"

LEGACY_END = datetime.date(2025, 6, 30)
REFORM_START = datetime.date(2025, 7, 1)


def year_end(year: int) -> datetime.date:
    """The day a review of `year` is recognised on (the review is carried out at the end of the year)."""
    return datetime.date(year, 12, 31)


def in_force_of(units, day: datetime.date) -> AdministrativeUnit | None:
    """Of units sharing a code, the one in force on `day`: None when none or several are."""
    found = [unit for unit in units if unit.is_in_force_on(day)]
    return found[0] if len(found) == 1 else None


def structure_for_year(year: int) -> Structure:
    """The structure a review of `year` (carried out at the end of that year) is reported in."""
    return Structure.REFORM_2025 if year_end(year) >= REFORM_START else Structure.LEGACY


class AdministrativeUnitQuerySet(models.QuerySet):
    def in_force(self, year: int) -> AdministrativeUnitQuerySet:
        """Units valid at the end of `year` (the queryset form of AdministrativeUnit.is_in_force_in)."""
        day = year_end(year)
        return self.filter(Q(valid_from__lte=day) | Q(valid_from__isnull=True)).filter(
            Q(valid_to__gte=day) | Q(valid_to__isnull=True)
        )

    def communes(self) -> AdministrativeUnitQuerySet:
        return self.filter(level=UnitLevel.COMMUNE)

    def with_code(self, code: str, *, structure: int | None = None) -> AdministrativeUnitQuerySet:
        """The units a GSO code names: two when the 2025 reform reused it, one of them if `structure`
        is given. The city (01) is one unit serving both structures."""
        units = self.filter(code=code)
        if structure is not None:
            units = units.filter(Q(structure=structure) | Q(level=UnitLevel.CITY))
        return units

    def districts(self) -> AdministrativeUnitQuerySet:
        return self.filter(level=UnitLevel.DISTRICT)


class AdministrativeUnit(models.Model):
    """A city, district-level or commune-level unit with its GSO code and validity dates.

    Codes are reused across the 2025 restructuring (docs/admin-units.md), so a unit is identified by
    its code together with the date it is read for: (code, valid_from) is unique, never code.
    """

    code = models.CharField(_("mã đơn vị (GSO)"), max_length=5, db_index=True)
    name = models.CharField(_("tên"), max_length=100)
    level = models.CharField(_("cấp"), max_length=10, choices=UnitLevel.choices)
    kind = models.CharField(_("loại"), max_length=10, choices=UnitKind.choices)
    area = models.CharField(_("khu vực"), max_length=5, choices=Area.choices, blank=True)
    parent = models.ForeignKey(
        "self", models.PROTECT, null=True, blank=True, related_name="children", verbose_name=_("thuộc")
    )
    structure = models.IntegerField(_("cơ cấu hành chính"), choices=Structure.choices)
    valid_from = models.DateField(_("hiệu lực từ"), null=True, blank=True)
    valid_to = models.DateField(_("hiệu lực đến"), null=True, blank=True)
    latitude = models.FloatField(_("vĩ độ"), null=True, blank=True)
    longitude = models.FloatField(_("kinh độ"), null=True, blank=True)
    successors = models.ManyToManyField(
        "self",
        through="Succession",
        symmetrical=False,
        related_name="predecessors",
        blank=True,
        verbose_name=_("đơn vị kế thừa"),
    )

    objects = AdministrativeUnitQuerySet.as_manager()

    class Meta:
        verbose_name = _("đơn vị hành chính")
        verbose_name_plural = _("đơn vị hành chính")
        ordering = ["structure", "code"]
        constraints = [
            models.UniqueConstraint(fields=["code", "structure"], name="unique_unit_code_per_structure"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    @property
    def is_city(self) -> bool:
        return self.level == UnitLevel.CITY

    def is_in_force_on(self, day: datetime.date) -> bool:
        """The one rule of validity: open-ended dates are unbounded."""
        return (self.valid_from is None or self.valid_from <= day) and (self.valid_to is None or day <= self.valid_to)

    def is_in_force_in(self, year: int) -> bool:
        """In force at the end of `year`, when that year's review is recognised."""
        return self.is_in_force_on(year_end(year))

    def district(self) -> AdministrativeUnit | None:
        if self.level == UnitLevel.DISTRICT:
            return self
        if self.level == UnitLevel.COMMUNE and self.parent and self.parent.level == UnitLevel.DISTRICT:
            return self.parent
        return None


class Succession(models.Model):
    """Old → new link of the 2025 restructuring; many-to-many since some communes were split.

    `is_primary` marks the successor that the package names as the default for a split commune,
    used when history is re-aggregated onto today's units.
    """

    predecessor = models.ForeignKey(AdministrativeUnit, models.CASCADE, related_name="successions_out")
    successor = models.ForeignKey(AdministrativeUnit, models.CASCADE, related_name="successions_in")
    is_primary = models.BooleanField(_("kế thừa chính"), default=True)

    class Meta:
        verbose_name = _("kế thừa đơn vị")
        verbose_name_plural = _("kế thừa đơn vị")
        constraints = [
            models.UniqueConstraint(fields=["predecessor", "successor"], name="unique_succession"),
        ]

    def __str__(self) -> str:
        return f"{self.predecessor} → {self.successor}"


class TotalSource(models.TextChoices):
    ENTERED = "entered", _("Nhập tay")
    IMPORTED = "imported", _("Nhập từ tệp")
    CARRIED_FORWARD = "carried_forward", _("Lấy theo năm trước")
    ESTIMATED = "estimated", _("Ước tính (dữ liệu mẫu)")


class UnitYear(models.Model):
    """Total resident households of a unit in a year: the denominator of the poverty rate."""

    unit = models.ForeignKey(AdministrativeUnit, models.CASCADE, related_name="years")
    year = models.PositiveSmallIntegerField(_("năm"))
    total_households = models.PositiveIntegerField(_("tổng số hộ dân cư"))
    source = models.CharField(_("nguồn"), max_length=16, choices=TotalSource.choices, default=TotalSource.ENTERED)

    class Meta:
        verbose_name = _("tổng số hộ theo năm")
        verbose_name_plural = _("tổng số hộ theo năm")
        constraints = [
            models.UniqueConstraint(fields=["unit", "year"], name="unique_unit_year"),
        ]

    def __str__(self) -> str:
        return f"{self.unit} / {self.year}: {self.total_households}"
