"""The one visibility rule: which communes, and so which households, a user may see.

Every page, export, download and API endpoint that returns households, members or reviews starts
from `Household.objects.visible_to(user)` (or the same method on members and reviews), which
lands here, and every write checks the commune against the same rule. An officer sees the
households of their unit: a commune officer their commune, a district officer every commune
whose parent is their district. The officer of a commune of today's structure (from 1 Jul 2025,
NQ 1656/NQ-UBTVQH15) also sees the communes it took over: those of the old structure whose
primary successor it is (DOMAIN.md §6), since their households are now reviewed there. City
leaders and administrators see the city; anybody else (anonymous, inactive, no role or no unit)
sees nothing.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from households.models import AdministrativeUnit, Role, Structure, UnitLevel

CITY_ROLES = {Role.CITY_LEADER, Role.ADMINISTRATOR}
WRITER_ROLES = {Role.COMMUNE_OFFICER, Role.DISTRICT_OFFICER, Role.ADMINISTRATOR}
NOTHING = Q(pk__in=[])


def commune_scope(user, field: str = "commune") -> Q:
    """A filter on `field` (a commune foreign key, or "" for units themselves) for this user."""
    prefix = f"{field}__" if field else ""
    if user is None or not user.is_authenticated or not user.is_active:
        return NOTHING
    if user.is_superuser or user.role in CITY_ROLES:
        return Q()
    unit = user.unit
    if unit is None:
        return NOTHING
    if user.role == Role.DISTRICT_OFFICER and unit.level == UnitLevel.DISTRICT:
        return Q(**{f"{prefix}parent": unit}) | Q(**{f"{prefix}pk": unit.pk})
    if user.role in (Role.COMMUNE_OFFICER, Role.DISTRICT_OFFICER) and unit.level == UnitLevel.COMMUNE:
        own = Q(**{f"{prefix}pk": unit.pk})
        if unit.structure != Structure.REFORM_2025:
            return own
        taken_over = {f"{prefix}successions_out__successor": unit, f"{prefix}successions_out__is_primary": True}
        return own | Q(**taken_over)
    return NOTHING


def visible_households(queryset: QuerySet, user) -> QuerySet:
    return queryset.filter(commune_scope(user, "commune"))


def visible_communes(user) -> QuerySet:
    return AdministrativeUnit.objects.filter(level=UnitLevel.COMMUNE).filter(commune_scope(user, ""))


def can_write(user) -> bool:
    """City leaders read and never write personal data."""
    return bool(user and user.is_authenticated and (user.is_superuser or user.role in WRITER_ROLES))
