"""Portal users and their roles: who may see and change what (docs/architecture.md)."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from households.models.units import AdministrativeUnit, Structure, UnitLevel, structure_for_year


class Role(models.TextChoices):
    COMMUNE_OFFICER = "commune_officer", _("Cán bộ cấp xã")
    DISTRICT_OFFICER = "district_officer", _("Cán bộ cấp huyện")
    CITY_OFFICER = "city_officer", _("Cán bộ cấp thành phố (Sở)")
    CITY_LEADER = "city_leader", _("Lãnh đạo thành phố")
    ADMINISTRATOR = "administrator", _("Quản trị viên")


# Roles that write households, members and reviews (forms, uploads, API, import).
WRITER_ROLES = frozenset({Role.COMMUNE_OFFICER, Role.DISTRICT_OFFICER, Role.ADMINISTRATOR})
# Roles that read every household of the city.
CITY_WIDE_ROLES = frozenset({Role.CITY_LEADER, Role.CITY_OFFICER, Role.ADMINISTRATOR})


class User(AbstractUser):
    """A portal user, bound to one administrative unit that bounds what they may see.

    Who may do what is decided here and nowhere else (docs/review-cycle.md, "Who may do what"): the properties
    below are read by visibility, the services, the workflow, the importer, views and the API.
    From 1 Jul 2025 (NQ 1656/NQ-UBTVQH15) there is no district level: the city's department
    (`city_officer`) approves the communes' reviews of the 2025 structure; district officers keep
    approving their communes' reviews of the years before.
    """

    role = models.CharField(_("vai trò"), max_length=20, choices=Role.choices, blank=True)
    unit = models.ForeignKey(AdministrativeUnit, models.PROTECT, null=True, blank=True, verbose_name=_("đơn vị"))

    @property
    def reads_aggregates_only(self) -> bool:
        """City leaders read figures, not households' names (lists become counts per unit)."""
        return self.role == Role.CITY_LEADER and not self.is_superuser

    def get_full_name(self) -> str:
        """The name in Vietnamese order: họ, tên đệm (last_name), then tên (first_name)."""
        return f"{self.last_name} {self.first_name}".strip()

    class Meta:
        verbose_name = _("người dùng")
        verbose_name_plural = _("người dùng")

    def clean(self) -> None:
        super().clean()
        if self.role:
            from households.accounts import check_role_fits_unit

            if self.unit is None:
                raise ValidationError({"unit": _("Vai trò này cần một đơn vị hành chính.")})
            check_role_fits_unit(self.role, self.unit)

    @property
    def is_administrator(self) -> bool:
        return bool(self.is_active and (self.is_superuser or self.role == Role.ADMINISTRATOR))

    @property
    def can_write(self) -> bool:
        """Writes households, members and reviews (city leaders and the city officer never do)."""
        return bool(self.is_active and (self.is_superuser or self.role in WRITER_ROLES))

    @property
    def is_city_wide(self) -> bool:
        """Reads every household of the city."""
        return bool(self.is_active and (self.is_superuser or self.role in CITY_WIDE_ROLES))

    @property
    def structure(self) -> int | None:
        """The administrative structure of the user's unit (None for the city and for no unit)."""
        if self.unit is None or self.unit.level == UnitLevel.CITY:
            return None
        return self.unit.structure

    def writes_year(self, year: int) -> bool:
        """May write reviews of `year`: an officer of the structure before 1 Jul 2025 (a district,
        or a commune since merged) only the years of that structure, up to 2024."""
        if self.is_administrator:
            return True
        if not self.can_write:
            return False
        return not (self.structure == Structure.LEGACY and structure_for_year(year) != Structure.LEGACY)

    def can_submit(self, commune: AdministrativeUnit) -> bool:
        """Sends a commune-year for approval: its commune officer, its district's officer, an administrator."""
        if self.is_administrator:
            return True
        if not self.is_active or self.unit_id is None:
            return False
        if self.role == Role.COMMUNE_OFFICER:
            return self.unit_id == commune.pk
        if self.role == Role.DISTRICT_OFFICER:
            return self.unit_id == commune.pk or (
                self.unit.level == UnitLevel.DISTRICT and commune.parent_id == self.unit_id
            )
        return False

    def can_decide(self, commune: AdministrativeUnit) -> bool:
        """Approves or returns a commune's review: for a commune of the 2025 structure the city
        officer, for one of the structure before the district officer of its district; an
        administrator always."""
        if self.is_administrator:
            return True
        if not self.is_active:
            return False
        if commune.structure == Structure.REFORM_2025:
            return self.role == Role.CITY_OFFICER
        return (
            self.role == Role.DISTRICT_OFFICER
            and self.unit is not None
            and self.unit.level == UnitLevel.DISTRICT
            and commune.parent_id == self.unit_id
        )
