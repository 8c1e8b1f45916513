"""Upload, preview, confirm and download pages: thin adapters over households.uploads.

A job is looked up through `ImportJob.objects.visible_to(request.user)`: another officer's job answers 404.
Downloads start from `Household.objects.visible_to(request.user)` and the household list's
FilterSet, so an export never holds a household outside the officer's unit.
"""

from __future__ import annotations

import io

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from households import exports, uploads
from households.filters import HouseholdFilterSet
from households.models import Household, ImportJob, JobStage, JobStatus, Movement, PovertyClass
from households.template import COLUMNS
from households.visibility import can_write, year_refusal

CONTENT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}


class UploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Tệp rà soát (.xlsx hoặc .csv)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
        error_messages={"required": gettext_lazy("Hãy chọn một tệp.")},
    )


def _job(request, job_pk: int):
    return get_object_or_404(ImportJob.objects.visible_to(request.user).select_related("user", "unit"), pk=job_pk)


@login_required
@require_http_methods(["GET", "POST"])
def upload(request):
    if not can_write(request.user):
        raise PermissionDenied(_("Tài khoản của bạn chỉ được xem, không được nhập dữ liệu."))
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            job = uploads.start_upload(user=request.user, uploaded=form.cleaned_data["file"])
        except ValidationError as error:
            form.add_error("file", error)
        else:
            return redirect("households:import_job", job_pk=job.pk)
    recent = ImportJob.objects.visible_to(request.user).filter(user=request.user)[:5]
    return render(
        request,
        "households/upload.html",
        {
            "form": form,
            "recent": recent,
            "columns": COLUMNS,
            "threshold": uploads.background_threshold(),
            "next_year": _offered_year(request.user),
        },
    )


def _offered_year(user) -> int:
    """The review year the pre-filled template is offered for: this year's, or for an officer of the
    structure before 1 Jul 2025 the last year they write (2024)."""
    year = exports.next_review_year(timezone.localdate())
    while year > 2000 and not user.writes_year(year):
        year -= 1
    return year


@login_required
def job_list(request):
    jobs = ImportJob.objects.visible_to(request.user).select_related("user", "unit")
    page = Paginator(jobs, 25).get_page(request.GET.get("page"))
    return render(request, "households/upload_jobs.html", {"page": page})


def _job_context(job) -> dict:
    summary = job.result if job.stage == JobStage.IMPORT and job.result else job.preview
    classes = movements = []
    if summary:
        classes = [(PovertyClass(k).label, v) for k, v in summary.get("classes", {}).items()]
        movements = [(Movement(k).label, v) for k, v in summary.get("movements", {}).items()]
    done = uploads.rows_done(job)
    percent = round(100 * done / job.rows_total) if job.rows_total and job.is_active else job.percent
    return {
        "job": job,
        "summary": summary,
        "classes": classes,
        "movements": movements,
        "done": done,
        "percent": percent,
        "can_confirm": job.stage == JobStage.PREVIEW and job.status == JobStatus.SUCCEEDED,
        "nothing_to_change": bool(summary) and not any(summary.get(key) for key in CHANGE_COUNTS),
        # Every bad row counts, though the same problem on many rows is said once (errors.summarise).
        "error_count": len(job.error_rows) or len(job.errors),
    }


# What a file may change; a preview with none of them has nothing to confirm.
CHANGE_COUNTS = ("households_created", "households_updated", "reviews_created", "reviews_updated", "movements_updated")


@login_required
def job_detail(request, job_pk: int):
    job = _job(request, job_pk)
    return render(request, "households/upload_job.html", _job_context(job))


@login_required
def job_progress(request, job_pk: int):
    """The progress fragment the job page polls with HTMX; stops polling once the job is done."""
    job = _job(request, job_pk)
    response = render(request, "households/upload_progress.html", _job_context(job))
    if not job.is_active and request.headers.get("HX-Request"):
        response["HX-Refresh"] = "true"  # show the finished page (preview, result or errors)
    return response


@login_required
@require_POST
def job_confirm(request, job_pk: int):
    job = _job(request, job_pk)
    try:
        job = uploads.confirm(user=request.user, job=job)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        if job.status == JobStatus.SUCCEEDED:
            messages.success(request, _("Đã nhập tệp %(name)s.") % {"name": job.filename})
    return redirect("households:import_job", job_pk=job.pk)


@login_required
@require_POST
def job_discard(request, job_pk: int):
    job = _job(request, job_pk)
    try:
        uploads.discard(user=request.user, job=job)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("households:import_job", job_pk=job.pk)
    messages.success(request, _("Đã hủy tệp %(name)s; không có dữ liệu nào được ghi.") % {"name": job.filename})
    return redirect("households:import")


# ---------------------------------------------------------------------------------------------
# Downloads


def _year(value) -> int | None:
    try:
        year = int(value)
    except (TypeError, ValueError):
        return None
    return year if 2000 <= year <= 2100 else None


def _spreadsheet(rows, fmt: str, filename: str, *, year: int | None = None) -> HttpResponse:
    if fmt not in CONTENT_TYPES:
        raise Http404
    stream = io.BytesIO()
    exports.write_export(stream, rows, fmt, year=year)
    response = HttpResponse(stream.getvalue(), content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    return response


@login_required
def template_download(request):
    """The template, empty or pre-filled with the officer's households for the next review."""
    year = _year(request.GET.get("year")) or exports.next_review_year(timezone.localdate())
    fmt = request.GET.get("format", "xlsx")
    if request.GET.get("prefill"):
        refusal = year_refusal(request.user, year) if can_write(request.user) else None
        if refusal:
            # An officer of the old structure has no review to fill in for 2025 on.
            messages.error(request, refusal)
            return redirect("households:import")
        rows = exports.prefilled_rows(request.user, year)
        return _spreadsheet(rows, fmt, f"mau-ra-soat-{year}-dien-san", year=year)
    return _spreadsheet([], fmt, "mau-ra-soat", year=year)


@login_required
def export(request, fmt: str):
    """The filtered household list (same filters as the list page) in the template's columns."""
    filterset = HouseholdFilterSet(request.GET, queryset=Household.objects.visible_to(request.user), request=request)
    households = filterset.qs
    year = filterset.form.cleaned_data.get("year") if filterset.form.is_valid() else None
    year = int(year) if year else None
    rows = exports.export_rows(households, year)
    return _spreadsheet(rows, fmt, f"ho-gia-dinh-{timezone.localdate():%Y%m%d}", year=year)
