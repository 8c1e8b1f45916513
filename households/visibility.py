"""The one visibility rule: which communes, and so which households, a user may see.

Every page, export, download and API endpoint that returns households, members or reviews starts
from `Household.objects.visible_to(user)` (or the same method on members and reviews), which
lands here, and every write checks the commune against the same rule. An officer sees the
households of their unit: a commune officer their commune, a district officer every commune
whose parent is their district. The officer of a commune of today's structure (from 1 Jul 2025,
NQ 1656/NQ-UBTVQH15) also sees the communes it took over: those of the old structure whose
primary successor it is (docs/admin-units.md; the rule of households.units), since their households are
now reviewed there. An officer also keeps reading the households whose reviews were recorded in
their own communes, after those households moved on (a district officer keeps its district's
history once its communes' households are reviewed by the 2025 communes). City leaders, the city
officer and administrators see the city; anybody else (anonymous, inactive, no role or no unit)
sees nothing. Upload jobs are their uploader's (`ImportJob.objects.visible_to`). Who may do what
is decided by the User's properties (households.models.User).
"""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from households.models import AdministrativeUnit, Review, Role, Structure, Succession, UnitLevel

NOTHING = Q(pk__in=[])


def _signed_in(user) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


def _own_communes(user, prefix: str) -> Q | None:
    """The communes the user's unit holds itself (None: nothing)."""
    unit = user.unit
    if unit is None:
        return None
    if user.role == Role.DISTRICT_OFFICER and unit.level == UnitLevel.DISTRICT:
        return Q(**{f"{prefix}parent": unit}) | Q(**{f"{prefix}pk": unit.pk})
    if user.role in (Role.COMMUNE_OFFICER, Role.DISTRICT_OFFICER) and unit.level == UnitLevel.COMMUNE:
        return Q(**{f"{prefix}pk": unit.pk})
    return None


def commune_scope(user, field: str = "commune") -> Q:
    """A filter on `field` (a commune foreign key, or "" for units themselves) for this user."""
    prefix = f"{field}__" if field else ""
    if not _signed_in(user):
        return NOTHING
    if user.is_city_wide:
        return Q()
    own = _own_communes(user, prefix)
    if own is None:
        return NOTHING
    unit = user.unit
    if unit.level == UnitLevel.COMMUNE and unit.structure == Structure.REFORM_2025:
        taken_over = {f"{prefix}successions_out__successor": unit, f"{prefix}successions_out__is_primary": True}
        return own | Q(**taken_over)
    return own


def visible_households(queryset: QuerySet, user) -> QuerySet:
    """Households of the user's communes, and those whose reviews were recorded in the user's own
    communes (history that moved on with the household)."""
    scope = commune_scope(user, "commune")
    if not _signed_in(user) or user.is_city_wide:
        return queryset.filter(scope)
    own = _own_communes(user, "commune__")
    if own is None:
        return queryset.none()
    recorded = Review.objects.filter(own).values("household_id")
    return queryset.filter(scope | Q(pk__in=recorded))


def visible_import_jobs(queryset: QuerySet, user) -> QuerySet:
    """An upload is its uploader's (it may hold households of several communes, checked row by row
    when imported): the uploader sees their jobs, an administrator every job, nobody else any."""
    if not _signed_in(user):
        return queryset.none()
    return queryset if user.is_administrator else queryset.filter(user=user)


def visible_communes(user) -> QuerySet:
    return AdministrativeUnit.objects.filter(level=UnitLevel.COMMUNE).filter(commune_scope(user, ""))


def can_write(user) -> bool:
    """Writes households, members and reviews (city leaders and the city officer read only)."""
    return _signed_in(user) and user.can_write


def is_administrator(user) -> bool:
    return _signed_in(user) and user.is_administrator


def is_city_wide(user) -> bool:
    return _signed_in(user) and user.is_city_wide


def year_refusal(user, year: int, commune: AdministrativeUnit | None = None) -> str | None:
    """Why this user may not write reviews of `year` (None when they may), naming the commune of
    the 2025 structure that reviews in their place; `commune` is where the review would go."""
    if not _signed_in(user):
        return _("Bạn cần đăng nhập.")
    if user.writes_year(year):
        return None
    if not user.can_write:
        return _("Tài khoản của bạn chỉ được xem, không được sửa dữ liệu hộ.")
    unit = user.unit
    successor = commune
    if successor is None and unit is not None and unit.level == UnitLevel.COMMUNE:
        succession = Succession.objects.filter(predecessor=unit).select_related("successor").order_by("-is_primary")
        successor = next((s.successor for s in succession), None)
    if unit is not None and unit.level == UnitLevel.COMMUNE:
        return _(
            "Năm %(year)s thuộc cơ cấu hành chính từ 1/7/2025: %(old)s nay thuộc %(new)s; rà soát năm này do "
            "cán bộ của %(new)s nhập. Tài khoản của bạn (đơn vị trước 1/7/2025) chỉ được xem."
        ) % {"year": year, "old": unit.name, "new": str(successor) if successor else _("một xã/phường mới")}
    where = _(" (hộ này: %(new)s)") % {"new": str(successor)} if successor is not None else ""
    return _(
        "Năm %(year)s thuộc cơ cấu hành chính từ 1/7/2025, không còn cấp huyện: rà soát do xã/phường mới "
        "nhập%(where)s. Tài khoản của bạn (đơn vị trước 1/7/2025) chỉ được xem."
    ) % {"year": year, "where": where}
