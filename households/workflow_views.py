"""Workflow pages: the communes of the user's scope with their state for a year, and the actions.

A commune outside the user's scope answers 404 (it is looked up through visible_communes); an
action the user may not take answers 403 (households.workflow raises PermissionDenied).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from households import workflow
from households.approval import approval_summary
from households.models import Structure, structure_for_year
from households.visibility import visible_communes
from povertyplan.params import year_param


def _commune(request, commune_pk: int):
    return get_object_or_404(visible_communes(request.user).select_related("parent"), pk=commune_pk)


def _chosen_year(request, years: list[int]) -> int:
    return year_param(request, default=years[0] if years else timezone.localdate().year)


@login_required
def workflow_list(request):
    years = workflow.review_years(request.user)
    year = _chosen_year(request, years)
    if year not in years:
        years = sorted({*years, year}, reverse=True)
    rows = workflow.commune_years(request.user, year)
    summary = {}
    for row in rows:
        summary[row.state] = summary.get(row.state, 0) + 1
    return render(
        request,
        "households/workflow.html",
        {
            "year": year,
            "years": years,
            # From 1 Jul 2025 there are no districts: the city's department decides.
            "two_tier": structure_for_year(year) == Structure.REFORM_2025,
            "rows": rows,
            "summary": [(state.label, summary[state]) for state in workflow.YearState if state in summary],
        },
    )


@login_required
def workflow_detail(request, commune_pk: int, year: int):
    commune = _commune(request, commune_pk)
    state = workflow.commune_year_state(commune, year)
    return render(
        request,
        "households/workflow_detail.html",
        {
            "commune": commune,
            "year": year,
            "state": state,
            "actions": workflow.actions_for(request.user, commune, state),
            "transitions": workflow.transitions(commune, year),
            "summary": approval_summary(commune, year),
            "comment_error": None,
        },
    )


ACTIONS = {
    "submit": (workflow.submit, _("Đã gửi kết quả rà soát năm %(year)s của %(commune)s để phê duyệt.")),
    "approve": (
        workflow.approve,
        _(
            "Đã phê duyệt kết quả rà soát năm %(year)s của %(commune)s. "
            "Số liệu tổng hợp sẽ được tính lại trong ít phút (nếu hàng đợi đang gián đoạn: ngay khi hoạt động lại)."
        ),
    ),
    "return": (workflow.return_, _("Đã trả lại kết quả rà soát năm %(year)s của %(commune)s.")),
    "withdraw": (
        workflow.withdraw,
        _("Đã rút lại kết quả rà soát năm %(year)s của %(commune)s; có thể sửa rồi gửi lại."),
    ),
}


def _act(request, commune_pk: int, year: int, action: str):
    commune = _commune(request, commune_pk)
    service, done = ACTIONS[action]
    kwargs = {"commune": commune, "year": year, "user": request.user}
    if action in ("approve", "return"):
        kwargs["comment"] = request.POST.get("comment", "")
    try:
        service(**kwargs)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("households:workflow_detail", commune_pk=commune.pk, year=year)
    messages.success(request, str(done) % {"year": year, "commune": commune.name})
    if request.POST.get("next") == "list":
        return redirect(f"{reverse('households:workflow')}?year={year}")
    return redirect("households:workflow_detail", commune_pk=commune.pk, year=year)


@login_required
@require_POST
def workflow_submit(request, commune_pk: int, year: int):
    return _act(request, commune_pk, year, "submit")


@login_required
@require_POST
def workflow_approve(request, commune_pk: int, year: int):
    return _act(request, commune_pk, year, "approve")


@login_required
@require_POST
def workflow_return(request, commune_pk: int, year: int):
    return _act(request, commune_pk, year, "return")


@login_required
@require_POST
def workflow_withdraw(request, commune_pk: int, year: int):
    return _act(request, commune_pk, year, "withdraw")
