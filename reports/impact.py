"""The coming standard's impact as leaders and other systems read it: /progress/impact/ and the
API's standards/impact/, both from the rows the last full recompute stored (reports.models.
ImpactValue, computed by households.impact), never re-classifying the city in a request.

What a user sees follows the one visibility rule (households.visibility.commune_scope): the city
and district totals to city-wide users, a commune's row to whoever sees the commune. Counts only,
never a household.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.shortcuts import render
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.exceptions import ValidationError

from households.models import PovertyStandard, UnitLevel
from households.visibility import commune_scope, is_city_wide
from povertyplan.api_pagination import NumberedPages
from reports import charts, dashboard
from reports.models import ImpactValue

SORTS = {"unit": "unit__name", "at_or_below_new_line": "-at_or_below_new_line", "poor_high": "-poor_high"}


def impact_values(user, *, unit: str | None = None, level: str | None = None, parent: str | None = None):
    """The current run's impact rows this user may read; every filter given must hold."""
    rows = ImpactValue.objects.filter(run__is_current=True).select_related("unit", "run")
    scope = Q(unit__level=UnitLevel.COMMUNE) & commune_scope(user, "unit")
    if is_city_wide(user):
        scope |= ~Q(unit__level=UnitLevel.COMMUNE)
    rows = rows.filter(scope)
    if unit:
        rows = rows.filter(unit__code=unit)
    if level:
        rows = rows.filter(unit__level=level)
    if parent:
        rows = rows.filter(unit__parent__code=parent)
    return rows


class ImpactSerializer(serializers.Serializer):
    unit = serializers.CharField(source="unit.code", help_text="Mã GSO / GSO code")
    unit_name = serializers.CharField(source="unit.name", help_text="Tên đơn vị / unit name")
    level = serializers.CharField(source="unit.level", help_text="city, district, commune")
    year = serializers.IntegerField(help_text="Năm rà soát làm gốc / the reviews' year")
    standard = serializers.CharField(help_text="Chuẩn nghèo kỳ rà soát tới / the coming standard's code")
    reviewed = serializers.IntegerField()
    income_unknown = serializers.IntegerField(help_text="Chỉ có điểm B1 / B1 score only, not placed")
    at_or_below_new_line = serializers.IntegerField(help_text="Thu nhập không quá chuẩn mới / at or below the new line")
    poor_now = serializers.IntegerField()
    near_poor_now = serializers.IntegerField()
    poor_low = serializers.IntegerField(help_text="Giả định không thiếu hụt ở chỉ số mới / not deprived in new ones")
    poor_high = serializers.IntegerField(help_text="Giả định thiếu hụt ở chỉ số mới / deprived in the new ones")
    near_poor_low = serializers.IntegerField()
    near_poor_high = serializers.IntegerField()
    flows_low = serializers.DictField(
        child=serializers.IntegerField(), help_text="«lớp hiện nay→lớp mới» / class flows"
    )
    flows_high = serializers.DictField(child=serializers.IntegerField())
    computed_at = serializers.DateTimeField(source="run.finished_at")


class ImpactQuerySerializer(serializers.Serializer):
    unit = serializers.RegexField(r"^\d{2,5}$", required=False, help_text="Mã GSO / GSO code")
    level = serializers.ChoiceField(choices=["city", "district", "commune"], required=False)
    parent = serializers.RegexField(r"^\d{2,5}$", required=False, help_text="Mã GSO đơn vị cấp trên / parent's code")


class ImpactViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Tác động của chuẩn nghèo kỳ tới / the coming standard's impact, per unit."""

    serializer_class = ImpactSerializer
    pagination_class = NumberedPages

    def get_queryset(self):
        query = ImpactQuerySerializer(data=self.request.query_params)
        if not query.is_valid():
            raise ValidationError(query.errors)
        return impact_values(self.request.user, **query.validated_data).order_by("unit__level", "unit__code")

    @extend_schema(
        summary="Tác động của chuẩn nghèo kỳ tới / impact of the coming standard",
        description=(
            "Kết quả rà soát năm gần nhất phân loại lại theo chuẩn nghèo của kỳ rà soát định kỳ tới (Nghị định "
            "351/2025/NĐ-CP sau năm 2025), tính cùng lượt tính toán đầy đủ gần nhất. Chỉ số mà phiếu cũ không hỏi "
            "cho một khoảng: *_low ít nhất, *_high nhiều nhất; poor_low + near_poor_high = poor_high + "
            "near_poor_low = at_or_below_new_line.\n\nThe last reviewed year re-classified under the standard of "
            "the next periodic review, computed with the last full recompute; indicators the old review did not "
            "ask make a range (*_low the least, *_high the most households)."
        ),
        parameters=[
            OpenApiParameter("unit", str, description="Mã GSO / GSO code"),
            OpenApiParameter("level", str, enum=["city", "district", "commune"]),
            OpenApiParameter(
                "parent", str, pattern=r"^\d{2,5}$", description="Mã GSO đơn vị cấp trên / GSO code of the parent"
            ),
        ],
    )
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)


def share(poor_high: int, reviewed: int) -> Decimal | None:
    """The share of a commune's reviewed households the new standard may make poor (upper bound)."""
    return Decimal(poor_high) / reviewed if reviewed else None


def tertile_cuts(shares: list[Decimal]) -> tuple[Decimal, Decimal] | None:
    """The two shares that split the communes in thirds: the map's colours follow the data, so a
    leader sees which communes the new line hits hardest whatever the city's level (pure)."""
    ordered = sorted(shares)
    if not ordered:
        return None
    return ordered[len(ordered) // 3], ordered[2 * len(ordered) // 3]


def share_band(value: Decimal | None, cuts: tuple[Decimal, Decimal] | None) -> str:
    """ "low", "mid" or "high" third; "none" for a commune without reviews (pure)."""
    if value is None or cuts is None:
        return "none"
    return "low" if value < cuts[0] else "mid" if value < cuts[1] else "high"


@dataclass(frozen=True)
class MapRow:
    """An impact row as the map draws it."""

    unit: object
    poor_high: int
    band: str
    row: ImpactValue


def impact_map(rows) -> tuple[list, tuple[Decimal, Decimal] | None]:
    """The map's points (size: the most households the new standard may make poor; colour: the
    third their share falls in) and the cuts between the thirds, for the legend."""
    communes = [row for row in rows if row.unit.level == UnitLevel.COMMUNE]
    cuts = tertile_cuts([value for row in communes if (value := share(row.poor_high, row.reviewed)) is not None])
    items = [
        MapRow(row.unit, row.poor_high, share_band(share(row.poor_high, row.reviewed), cuts), row) for row in communes
    ]
    return charts.map_points(items, size=lambda item: item.poor_high), cuts


@login_required
def impact_page(request):
    """The leaders' page: the city's figures, then every unit the user sees, sortable."""
    sort = request.GET.get("sort", "at_or_below_new_line")
    rows = impact_values(request.user).order_by(SORTS.get(sort, SORTS["at_or_below_new_line"]), "unit__code")
    city = next((row for row in rows if row.unit.level == UnitLevel.CITY), None)
    standard = PovertyStandard.objects.filter(code=city.standard).first() if city else None
    points, cuts = impact_map(rows)
    return render(
        request,
        "reports/impact.html",
        {
            "city": city,
            "standard": standard,
            "units": [row for row in rows if row.unit.level != UnitLevel.CITY],
            "sort": sort,
            "map_points": points,
            "map_cuts": [round(cut * 100, 1) for cut in cuts] if cuts else None,
            "runs": dashboard.run_info(),
        },
    )
