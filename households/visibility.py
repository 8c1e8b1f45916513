"""The one visibility rule: which households a user may see.

Every page, export, download and API endpoint that returns households, members or reviews starts
from `Household.objects.visible_to(user)` (or the same method on members and reviews), which
lands here. An officer sees the households of their unit: a commune officer their commune, a
district officer every commune whose parent is their district. City leaders and administrators
see the city; anybody else sees nothing.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from households.models import Role, UnitLevel

CITY_ROLES = {Role.CITY_LEADER, Role.ADMINISTRATOR}
WRITER_ROLES = {Role.COMMUNE_OFFICER, Role.DISTRICT_OFFICER, Role.ADMINISTRATOR}


def visible_households(queryset: QuerySet, user) -> QuerySet:
    if user is None or not user.is_authenticated or not user.is_active:
        return queryset.none()
    if user.is_superuser or user.role in CITY_ROLES:
        return queryset
    unit = user.unit
    if unit is None or not user.role:
        return queryset.none()
    if unit.level == UnitLevel.CITY:
        return queryset if user.role in CITY_ROLES else queryset.none()
    if user.role == Role.DISTRICT_OFFICER and unit.level == UnitLevel.DISTRICT:
        return queryset.filter(Q(commune__parent=unit) | Q(commune=unit))
    if unit.level == UnitLevel.COMMUNE:
        return queryset.filter(commune=unit)
    return queryset.none()


def can_write(user) -> bool:
    """City leaders read and never write personal data."""
    return bool(user and user.is_authenticated and (user.is_superuser or user.role in WRITER_ROLES))
