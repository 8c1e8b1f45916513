"""/households/at-risk/: the households not poor today that are most at risk of falling back
(households.risk), under the one visibility rule. Officers get the list (and it in the template's
columns, as next year's pre-filled sheet); a city leader, who reads aggregates, the counts per unit."""

from __future__ import annotations

from collections import Counter

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone

from households import exports
from households.risk import REASON_LABELS, households_at_risk, income_margin
from households.upload_views import _spreadsheet

SORTS = {
    "income": lambda item: (item.review.income_per_capita is None, item.review.income_per_capita or 0),
    "deprivations": lambda item: -item.review.deprivation_count,
    "commune": lambda item: (item.household.commune.name, item.household.code),
}


@login_required
def at_risk(request):
    found = households_at_risk(request.user)
    reason = request.GET.get("reason")
    if reason in {r.value for r in REASON_LABELS}:
        found = [item for item in found if reason in item.reasons]
    sort = request.GET.get("sort", "income")
    found.sort(key=SORTS.get(sort, SORTS["income"]))
    fmt = request.GET.get("format")
    if fmt and not request.user.reads_aggregates_only:
        rows = (exports.review_row(item.review, item.household) for item in found)
        return _spreadsheet(rows, fmt, f"ho-co-nguy-co-{timezone.localdate():%Y%m%d}")
    per_commune = Counter(item.household.commune.name for item in found)
    return render(
        request,
        "households/at_risk.html",
        {
            "households": [] if request.user.reads_aggregates_only else found[:500],
            "total": len(found),
            "per_commune": sorted(per_commune.items(), key=lambda pair: (-pair[1], pair[0])),
            "reasons": [(r.value, label) for r, label in REASON_LABELS.items()],
            "reason": reason,
            "sort": sort,
            "margin": int(income_margin() * 100),
        },
    )
