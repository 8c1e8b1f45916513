"""Household pages: thin adapters over households.services (writes) and visible_to (reads).

Every object is looked up through `visible_to(request.user)`, so another unit's household,
member or review answers 404 whatever the route; writes are refused with 403 to read-only roles.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch, prefetch_related_objects
from django.http import HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from households import services, workflow
from households.filters import HouseholdFilterSet
from households.forms import HouseholdForm, MemberForm, ReviewForm, ReviewStartForm
from households.history import household_history
from households.models import Household, Member, PovertyClass, PovertyStandard, Review, ReviewState, ReviewType
from households.visibility import can_write, is_administrator, year_refusal

PAGE_SIZE = 50


def _household(request, pk: int, *, for_update: bool = False) -> Household:
    household = get_object_or_404(Household.objects.visible_to(request.user).select_related("commune"), pk=pk)
    if for_update and not can_write(request.user):
        raise PermissionDenied(_("Tài khoản của bạn chỉ được xem, không được sửa dữ liệu hộ."))
    return household


def _member(request, pk: int, member_pk: int) -> Member:
    if not can_write(request.user):
        raise PermissionDenied(_("Tài khoản của bạn chỉ được xem, không được sửa dữ liệu hộ."))
    return get_object_or_404(
        Member.objects.visible_to(request.user).select_related("household"), pk=member_pk, household_id=pk
    )


class FullPagePaginator(Paginator):
    """Asks the database for a whole page even on the last one, where Django asks for exactly the
    rows left: a search with one match then read `LIMIT 1`, and PostgreSQL, expecting a few
    matches, walked the name-order index until it met it (1.3 s at 200,000 households) instead of
    fetching it through the search index and sorting it (12 ms)."""

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        return self._get_page(self.object_list[bottom : bottom + self.per_page], number, self)


@login_required
def household_list(request):
    filterset = HouseholdFilterSet(
        request.GET,
        queryset=Household.objects.visible_to(request.user).select_related("commune"),
        request=request,
    )
    page = FullPagePaginator(filterset.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    year = filterset.form.cleaned_data.get("year") if filterset.form.is_valid() else None
    # One query for the reviews of the page: the chosen year's, else each household's latest.
    reviews = Review.objects.order_by("year")
    if year:
        reviews = reviews.filter(year=year)
    households = list(page.object_list)
    prefetch_related_objects(households, Prefetch("reviews", queryset=reviews, to_attr="listed_reviews"))
    for household in households:
        household.shown_review = household.listed_reviews[-1] if household.listed_reviews else None
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "households/household_list.html",
        {
            "filter": filterset,
            "page": page,
            "households": households,
            "year": year,
            "query": query.urlencode(),
            "can_write": can_write(request.user),
            # An officer's landing page: a year sent back comes first, with the approver's words.
            "returned": workflow.returned_years(request.user) if can_write(request.user) else [],
        },
    )


@login_required
def household_detail(request, pk: int):
    household = _household(request, pk)
    members = list(household.members.all())
    reviews = list(household.reviews.select_related("standard", "commune").order_by("-year"))
    standards = {
        s.pk: s
        for s in PovertyStandard.objects.filter(pk__in={r.standard_id for r in reviews}).prefetch_related("indicators")
    }
    for review in reviews:
        indicators = list(standards[review.standard_id].indicators.all())
        flags = review.deprivation_list(max(len(indicators), 1))
        review.deprivation_names = [indicator.name for i, indicator in enumerate(indicators) if flags[i]]
        review.editable = (
            can_write(request.user)
            and (review.state != ReviewState.APPROVED or is_administrator(request.user))
            and request.user.writes_year(review.year)
        )
    return render(
        request,
        "households/household_detail.html",
        {
            "household": household,
            "members": members,
            "reviews": reviews,
            "can_write": can_write(request.user),
            "show_id_numbers": can_write(request.user),
            "start_form": ReviewStartForm(
                user=request.user, initial={"year": _next_review_year(request.user, reviews)}
            ),
        },
    )


def _next_review_year(user, reviews: list[Review]) -> int:
    """The year an officer most likely reviews next: the one after the latest review, not beyond this
    year, nor beyond the last year the officer may write (2024 for a unit of the old structure)."""
    this_year = timezone.localdate().year
    year = min(reviews[0].year + 1, this_year) if reviews else this_year
    last = ReviewStartForm.last_year_for(user)
    return min(year, last) if last else year


@login_required
def household_history_view(request, pk: int):
    household = _household(request, pk)
    return render(
        request, "households/household_history.html", {"household": household, "entries": household_history(household)}
    )


@login_required
@require_http_methods(["GET", "POST"])
def household_create(request):
    if not can_write(request.user):
        raise PermissionDenied(_("Tài khoản của bạn chỉ được xem, không được sửa dữ liệu hộ."))
    form = HouseholdForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            household = services.create_household(user=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Đã thêm hộ %(code)s.") % {"code": household.code})
            return redirect("households:detail", pk=household.pk)
    return render(request, "households/household_form.html", {"form": form, "household": None})


@login_required
@require_http_methods(["GET", "POST"])
def household_edit(request, pk: int):
    household = _household(request, pk, for_update=True)
    form = HouseholdForm(request.POST or None, instance=household, user=request.user)
    if request.method == "POST" and form.is_valid():
        fields = {name: value for name, value in form.cleaned_data.items() if name != "code"}
        try:
            services.update_household(user=request.user, household=household, **fields)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Đã lưu thông tin hộ."))
            return redirect("households:detail", pk=household.pk)
    return render(request, "households/household_form.html", {"form": form, "household": household})


@login_required
@require_http_methods(["GET", "POST"])
def member_add(request, pk: int):
    household = _household(request, pk, for_update=True)
    form = MemberForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.add_member(user=request.user, household=household, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Đã thêm thành viên."))
            return redirect("households:detail", pk=household.pk)
    return render(request, "households/member_form.html", {"form": form, "household": household, "member": None})


@login_required
@require_http_methods(["GET", "POST"])
def member_edit(request, pk: int, member_pk: int):
    member = _member(request, pk, member_pk)
    form = MemberForm(request.POST or None, instance=member)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_member(user=request.user, member=member, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Đã lưu thành viên."))
            return redirect("households:detail", pk=pk)
    return render(
        request, "households/member_form.html", {"form": form, "household": member.household, "member": member}
    )


@login_required
@require_http_methods(["GET", "POST"])
def member_delete(request, pk: int, member_pk: int):
    member = _member(request, pk, member_pk)
    if request.method == "POST":
        services.remove_member(user=request.user, member=member)
        messages.success(request, _("Đã xoá thành viên %(name)s.") % {"name": member.full_name})
        return redirect("households:detail", pk=pk)
    return render(request, "households/member_confirm_delete.html", {"member": member, "household": member.household})


@login_required
def review_start(request, pk: int):
    household = _household(request, pk, for_update=True)
    form = ReviewStartForm(request.GET, user=request.user)
    if not form.is_valid():
        year = form.data.get("year", "")
        refusal = year_refusal(request.user, int(year)) if str(year).isdigit() else None
        messages.error(request, refusal or _("Năm rà soát không hợp lệ."))
        return redirect("households:detail", pk=household.pk)
    return redirect("households:review", pk=household.pk, year=form.cleaned_data["year"])


def _review_context(request, household: Household, year: int):
    """The standard of the review being entered: by its kind and date as posted, else as stored
    (a periodic review by default), so the form shows that standard's indicators."""
    review = Review.objects.filter(household=household, year=year).select_related("commune").first()
    entered = ReviewForm.kind_and_date(request.POST if request.method == "POST" else request.GET)
    review_type, review_date = (
        entered if entered[0] else ((review.review_type, review.review_date) if review else (ReviewType.PERIODIC, None))
    )
    try:
        standard = services.standard_for_review(year, review_type, review_date)
    except ValidationError:
        standard = None
    if standard is None:
        return None, None, None
    indicators = list(standard.indicators.order_by("number"))
    return standard, review, indicators


@login_required
@require_http_methods(["GET", "POST"])
def review_form(request, pk: int, year: int):
    household = _household(request, pk)
    standard, review, indicators = _review_context(request, household, year)
    if standard is None:
        messages.error(request, _("Năm %(year)s không có chuẩn nghèo áp dụng.") % {"year": year})
        return redirect("households:detail", pk=household.pk)
    refusal = None
    if not request.user.writes_year(year):
        refusal = year_refusal(request.user, year, review.commune if review else _commune_or_none(household, year))
    read_only = bool(refusal) or (
        review is not None and review.state == ReviewState.APPROVED and not is_administrator(request.user)
    )
    if review is None and refusal:
        raise PermissionDenied(refusal)
    if request.method == "POST" and read_only:
        raise PermissionDenied(refusal or _("Kết quả rà soát này chỉ được xem."))
    form = ReviewForm(request.POST or None, indicators=indicators, review=review)
    conflict = None
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.save_review(
                user=request.user,
                household=household,
                year=year,
                data=form.to_input(),
                version=form.cleaned_data["version"],
            )
        except services.ReviewConflict as error:
            conflict = error
            # The officer's entries stay on the form; saving again now overwrites knowingly.
            data = request.POST.copy()
            data["version"] = services.review_version(error.current)
            form = ReviewForm(data, indicators=indicators, review=error.current)
            form.is_valid()
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("Đã lưu kết quả rà soát năm %(year)s: %(class)s.")
                % {"year": year, "class": saved.get_poverty_class_display()},
            )
            return redirect("households:detail", pk=household.pk)
    if read_only:
        for field in form.fields.values():
            field.disabled = True
    preview = _preview(household, year, standard, review, form) if form.is_bound else None
    return render(
        request,
        "households/review_form.html",
        {
            "household": household,
            "year": year,
            "standard": standard,
            "review": review,
            "form": form,
            "read_only": read_only,
            "refusal": refusal,
            "conflict": conflict,
            "preview": preview or _stored_preview(review),
        },
    )


def _commune_or_none(household: Household, year: int):
    try:
        return services.commune_for_year(household, year)
    except ValidationError:
        return None


def _stored_preview(review: Review | None) -> dict | None:
    if review is None:
        return None
    return {
        "class": review.poverty_class,
        "label": review.get_poverty_class_display(),
        "count": review.deprivation_count,
    }


def _preview(household: Household, year: int, standard, review: Review | None, form: ReviewForm) -> dict:
    """The class the entered values give, or what is missing; never writes."""
    if not form.is_valid():
        return {"errors": [e for field in ("income_per_capita", "b1_score") for e in form.errors.get(field, [])]}
    data = form.to_input()
    try:
        commune = review.commune if review else services.commune_for_year(household, year)
        result = services.classify_review(standard=standard, commune=commune, data=data)
    except ValidationError as error:
        return {"errors": error.messages}
    return {
        "class": result.value,
        "label": PovertyClass(result.value).label,
        "count": sum(data.deprivations),
        "threshold": standard.deprivation_threshold,
    }


@login_required
@require_POST
def review_classify(request, pk: int, year: int):
    """HTMX: the class of the values being typed, from the same rules as the save and the import."""
    household = _household(request, pk)
    standard, review, indicators = _review_context(request, household, year)
    if standard is None:
        return HttpResponseBadRequest(_("Năm %(year)s không có chuẩn nghèo áp dụng.") % {"year": year})
    form = ReviewForm(request.POST, indicators=indicators, review=review)
    preview = _preview(household, year, standard, review, form)
    return render(request, "households/_review_preview.html", {"preview": preview})
