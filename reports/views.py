"""Progress dashboards, review completeness and the official summary table.

Thin adapters: access through households.visibility.commune_scope (the one visibility rule),
figures from reports.dashboard (which reads only the snapshot), exports from reports.exports.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Max, Min
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.http import urlencode

from households.models import AdministrativeUnit, Structure, UnitLevel, structure_for_year
from households.visibility import commune_scope, is_city_wide
from povertyplan.params import year_param
from reports import cache, charts, dashboard, exports, queries
from reports import completeness as completeness_rules
from reports.closing import closing_report
from reports.models import IndicatorValue
from targets.models import Plan
from targets.queries import all_plans, default_plan, plan_by_code, targets_for_units


def _is_city_user(user) -> bool:
    return is_city_wide(user)


def _visible_unit(user, pk: int) -> AdministrativeUnit:
    """The unit if the user may see it, else 404: a district officer sees their district and
    its communes, a commune officer their commune, city users every unit."""
    return get_object_or_404(AdministrativeUnit.objects.filter(commune_scope(user, "")).select_related("parent"), pk=pk)


def _city() -> AdministrativeUnit:
    city = AdministrativeUnit.objects.filter(level=UnitLevel.CITY).first()
    if city is None:
        raise Http404("no city unit loaded")
    return city


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


def _structure(request: HttpRequest) -> int | None:
    return Structure.REFORM_2025 if request.GET.get("structure") == str(Structure.REFORM_2025.value) else None


@login_required
def city(request: HttpRequest) -> HttpResponse:
    """The city overview; officers are sent to the dashboard of their own unit."""
    if not _is_city_user(request.user):
        if request.user.unit_id is None:
            raise PermissionDenied
        return redirect(reverse("reports:unit", args=[request.user.unit_id]) + _query(request))
    return _unit_dashboard(request, _city())


@login_required
def unit(request: HttpRequest, pk: int) -> HttpResponse:
    return _unit_dashboard(request, _visible_unit(request.user, pk))


def _parent_link(user, unit: AdministrativeUnit) -> str | None:
    """A link up to the parent unit when the user may open it (decided without a query)."""
    parent = unit.parent
    if parent is None:
        return None
    if parent.level == UnitLevel.CITY:
        return reverse("reports:city") if _is_city_user(user) else None
    if _is_city_user(user) or parent.pk == user.unit_id:
        return reverse("reports:unit", args=[parent.pk])
    return None


def _query(request: HttpRequest) -> str:
    return f"?{request.GET.urlencode()}" if request.GET else ""


def _unit_dashboard(request: HttpRequest, unit: AdministrativeUnit) -> HttpResponse:
    """The page around a body built from the snapshot alone, cached until the next run (reports.cache)."""
    structure = _structure(request)
    runs = dashboard.run_info()
    parent_link = _parent_link(request.user, unit)
    choices = sorted((name, request.GET.get(name, "")) for name in ("year", "structure", "sort", "plan"))
    key = cache.snapshot_key(
        "dashboard",
        runs.current,
        unit.pk,
        choices,
        runs.failed.pk if runs.failed else "",
        parent_link,
        translation.get_language(),
        cache.targets_generation(),
    )

    def build() -> tuple[str, bool]:
        context = _dashboard_context(request, unit, structure=structure, runs=runs, parent_link=parent_link)
        return render_to_string("reports/_dashboard_body.html", context, request=request), "row" in context

    body, has_figures = cache.cached(key, build)
    return render(request, "reports/dashboard.html", {"unit": unit, "body": body, "has_figures": has_figures})


def _chosen_plan(request: HttpRequest, plans: list[Plan], year: int | None) -> Plan | None:
    """?plan=<code> if given (404 when no plan has that code), else the plan covering the year."""
    code = request.GET.get("plan")
    if not code:
        return default_plan(plans, year)
    plan = plan_by_code(plans, code)
    if plan is None:
        raise Http404("no plan with this code")
    return plan


def _dashboard_context(
    request: HttpRequest, unit: AdministrativeUnit, *, structure: int | None, runs, parent_link: str | None
) -> dict:
    reaggregated_history = structure == Structure.REFORM_2025 and unit.structure == Structure.REFORM_2025
    series = dashboard.unit_series(unit, reaggregated_history=reaggregated_history)
    years = sorted(series)
    year = year_param(request)
    if year not in series:
        year = years[-1] if years else None
    context = {
        "unit": unit,
        "parent_link": parent_link,
        "runs": runs,
        "years": years,
        "year": year,
        "structure": structure,
        "can_switch_structure": False,
    }
    if year is None:
        return context
    plans = all_plans()
    plan = _chosen_plan(request, plans, year)
    children = dashboard.children_rows(unit, year, structure=structure) if unit.level != UnitLevel.COMMUNE else []
    shown = [unit, *(row.unit for row in children)]
    # Only the chosen plan's targets: two plans may both set targets for one year.
    targets = targets_for_units(shown, year, plan=plan) if plan else {u.pk: [] for u in shown}
    rows, sort = dashboard.sort_rows(dashboard.build_unit_rows(children, targets), request.GET.get("sort"))
    row = series[year]
    context.update(
        {
            "row": row,
            "plan": plan,
            "plans": plans,
            "plan_chosen": bool(request.GET.get("plan")),
            "poor_band_label": dashboard.band_label(dashboard.band_target(targets[unit.pk], "poor")),
            "near_band_label": dashboard.band_label(dashboard.band_target(targets[unit.pk], "near_poor")),
            "cards": dashboard.build_cards(series, year, targets[unit.pk], plan) if plan else [],
            "rows": rows,
            "sort": sort,
            "map_points": charts.map_points(rows),
            "charts": charts.chart_data(series, year, targets[unit.pk], dashboard.deprivation_names(year)),
            "children_are_districts": bool(children) and children[0].unit.level == UnitLevel.DISTRICT,
            "year_structure": structure_for_year(year),
            "can_switch_structure": (unit.is_city and structure_for_year(year) == Structure.LEGACY)
            or (unit.structure == Structure.REFORM_2025 and unit.level == UnitLevel.COMMUNE),
            "provisional": row.pending > 0 and row.has_data,  # without data, the coverage banner says it
            "coverage": dashboard.coverage(row, rows),
            "any_provisional": any(r.provisional for r in rows),
            "columns": dashboard.TABLE_COLUMNS,
            "base_query": urlencode(
                {
                    "year": year,
                    **({"structure": structure} if structure else {}),
                    **({"plan": plan.code} if plan and request.GET.get("plan") else {}),
                }
            ),
            "legend": [(status.value, status.label) for status in charts.MAP_LEGEND],
        }
    )
    return context


@login_required
def plan_closing(request: HttpRequest, pk: int) -> HttpResponse:
    """The closing report of a plan for the city, for leaders: each target over the plan's years."""
    if not _is_city_user(request.user):
        raise PermissionDenied
    plan = get_object_or_404(Plan, pk=pk)
    report = closing_report(plan, _city())
    return render(
        request,
        "reports/plan_closing.html",
        {"report": report, "plan": plan, "unit": report.unit, "runs": dashboard.run_info()},
    )


def _scope_unit(request: HttpRequest) -> AdministrativeUnit:
    """The unit a completeness or summary page is for: ?unit=<id>, else the user's own unit."""
    pk = _int(request.GET.get("unit"))
    if pk is not None:
        return _visible_unit(request.user, pk)
    if _is_city_user(request.user):
        return _city()
    if request.user.unit_id is None:
        raise PermissionDenied
    return _visible_unit(request.user, request.user.unit_id)


def _latest_year() -> int:
    latest = IndicatorValue.objects.filter(run__is_current=True).aggregate(latest=Max("year"))["latest"]
    return latest or timezone.localdate().year


def _first_baseline_year(year: int) -> int:
    """The earliest plan's baseline year (the first year the portal tracks), else `year`."""
    first = Plan.objects.aggregate(first=Min("baseline_year"))["first"]
    return min(first, year) if first else year


@login_required
def completeness(request: HttpRequest) -> HttpResponse:
    """Which communes have not started, are drafting, were returned, submitted or approved."""
    scope_unit = _scope_unit(request)
    year = year_param(request) or _latest_year()
    scope = commune_scope(request.user, "")
    parent = None if scope_unit.is_city else scope_unit
    communes = completeness_rules.communes_in_force(scope, year, parent)
    counts = completeness_rules.review_state_counts([c.pk for c in communes], year)
    today = timezone.localdate()
    entries = completeness_rules.build_completeness(communes, counts, year, today)
    summary = {}
    for entry in entries:
        summary[entry.status] = summary.get(entry.status, 0) + 1
    context = {
        "unit": scope_unit,
        "year": year,
        "years": list(range(_first_baseline_year(year), max(year, today.year) + 1)),
        "entries": entries,
        "summary": [(status.label, summary.get(status, 0)) for status in completeness_rules.ORDER],
        "late_count": sum(1 for entry in entries if entry.late),
        "deadline": completeness_rules.review_deadline(year),
        "today": today,
        "runs": dashboard.run_info(),
    }
    return render(request, "reports/completeness.html", context)


def _summary(request: HttpRequest) -> tuple[AdministrativeUnit, int, exports.SummaryTable, dashboard.RunInfo]:
    scope_unit = _scope_unit(request)
    if scope_unit.level == UnitLevel.COMMUNE:
        raise Http404("the summary table lists the units below a district or the city")
    year = year_param(request) or _latest_year()
    own = (
        IndicatorValue.objects.filter(run__is_current=True, unit=scope_unit, year=year, reaggregated=False)
        .select_related("unit")
        .first()
    )
    below = queries.rows_below(scope_unit, year, structure=_structure(request))
    return scope_unit, year, exports.summary_table(scope_unit, year, own, below), dashboard.run_info()


@login_required
def summary(request: HttpRequest) -> HttpResponse:
    """The official summary table (docs/progress-method.md), print-friendly."""
    scope_unit, year, table, runs = _summary(request)
    return render(
        request,
        "reports/summary.html",
        {
            "unit": scope_unit,
            "year": year,
            "table": table,
            "runs": runs,
            "query": request.GET.urlencode(),
            "coverage": dashboard.coverage(table.own),
        },
    )


@login_required
def summary_xlsx(request: HttpRequest) -> HttpResponse:
    scope_unit, year, table, runs = _summary(request)
    response = HttpResponse(content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="tong-hop-ho-ngheo-{scope_unit.code}-{year}.xlsx"'
    exports.write_summary(response, table, run=runs.current)
    return response
