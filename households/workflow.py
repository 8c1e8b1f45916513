"""The review workflow of a commune and a year: draft → submitted → approved, or returned.

Circular 07/2021/TT-BLĐTBXH (docs/review-cycle.md): the commune surveys and posts the results, the district
is consulted, and the results are then recognised. In the portal a commune's review for a year is
submitted by the commune (or its district), then approved or returned with a comment: for a
commune of the 2025 structure (NQ 1656/NQ-UBTVQH15: no district level from 1 Jul 2025) by the
city's department, the `city_officer`; for a commune of the structure before, by the district
officer of its district; an administrator always. The state of a commune-year is
the state of its reviews, changed in bulk; every move is recorded as a ReviewTransition. Approved
years are read-only except to an administrator (the importer and the review form check the state
of each review), and only approved data counts in the official figures, so an approval queues a
recompute once it commits.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from enum import StrEnum

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from simple_history.utils import bulk_update_with_history

from households.accounts import display_name
from households.models import AdministrativeUnit, Review, ReviewState, ReviewTransition, Structure
from households.signals import official_figures_changed
from households.visibility import is_administrator, visible_communes


class YearState(StrEnum):
    """The state of a commune's review for a year, derived from the states of its reviews."""

    NOT_STARTED = "not_started"
    DRAFT = ReviewState.DRAFT.value
    SUBMITTED = ReviewState.SUBMITTED.value
    RETURNED = ReviewState.RETURNED.value
    APPROVED = ReviewState.APPROVED.value

    @property
    def label(self) -> str:
        return str(YEAR_STATE_LABELS[self])


YEAR_STATE_LABELS = {
    YearState.NOT_STARTED: gettext_lazy("Chưa bắt đầu"),
    YearState.DRAFT: gettext_lazy("Nháp"),
    YearState.SUBMITTED: gettext_lazy("Đã gửi, chờ phê duyệt"),
    YearState.RETURNED: gettext_lazy("Bị trả lại"),
    YearState.APPROVED: gettext_lazy("Đã phê duyệt"),
}


def year_state(counts: Counter | dict) -> YearState:
    """The commune-year state from the number of its reviews in each state (pure).

    A returned year stays returned until it is submitted again, even once some reviews were fixed
    (they go back to draft); a year with any draft review is a draft, so a submitted or approved
    year whose reviews change goes back to the commune.
    """
    present = {state for state, number in counts.items() if number}
    if not present:
        return YearState.NOT_STARTED
    if ReviewState.RETURNED in present:
        return YearState.RETURNED
    if ReviewState.DRAFT in present:
        return YearState.DRAFT
    if ReviewState.SUBMITTED in present:
        return YearState.SUBMITTED
    return YearState.APPROVED


# ---------------------------------------------------------------------------------------------
# Who may do what: households.models.User decides (can_submit, can_decide, is_administrator).


def can_submit(user, commune: AdministrativeUnit) -> bool:
    return bool(user and user.is_authenticated and user.can_submit(commune))


def can_decide(user, commune: AdministrativeUnit) -> bool:
    """Approve or return (User.can_decide): the city officer for a 2025 commune, the district officer
    for an older one, an administrator for any."""
    return bool(user and user.is_authenticated and user.can_decide(commune))


# Which states each action moves from, for each kind of user.
SUBMIT_FROM = {YearState.DRAFT, YearState.RETURNED}
APPROVE_FROM = {YearState.SUBMITTED}
RETURN_FROM = {YearState.SUBMITTED}
RETURN_FROM_ADMIN = {YearState.SUBMITTED, YearState.APPROVED}  # an administrator may reopen a year
WITHDRAW_FROM = {YearState.SUBMITTED}  # the commune takes its submission back before a decision
# Submitted means frozen (what the approver sees is what is approved); approved is read-only.
# Only an administrator writes into such a year.
LOCKED_STATES = {ReviewState.SUBMITTED, ReviewState.APPROVED}


def locked_message(state: str, year: int, commune_name: str, *, new: bool = False) -> str:
    """Why a review of a locked commune-year may not be written (`new`: a household not yet in it)."""
    values = {"year": year, "commune": commune_name}
    if state == ReviewState.SUBMITTED:
        if new:
            return (
                _(
                    "Rà soát năm %(year)s của %(commune)s đã gửi phê duyệt, không thể thêm hộ mới; "
                    "hãy rút lại (trang Phê duyệt) để sửa."
                )
                % values
            )
        return (
            _(
                "Rà soát năm %(year)s của %(commune)s đã gửi phê duyệt, không thể sửa; "
                "hãy rút lại (trang Phê duyệt) để sửa."
            )
            % values
        )
    if new:
        return _("Rà soát năm %(year)s của %(commune)s đã được phê duyệt, không thể thêm hộ mới.") % values
    return _("Rà soát năm %(year)s của %(commune)s đã được phê duyệt, không thể sửa.") % values


def actions_for(user, commune: AdministrativeUnit, state: YearState) -> list[str]:
    """The buttons this user may press for this commune-year: "submit", "approve", "return"."""
    actions = []
    if state in SUBMIT_FROM and can_submit(user, commune):
        actions.append("submit")
    if state in WITHDRAW_FROM and can_submit(user, commune):
        actions.append("withdraw")
    if can_decide(user, commune):
        if state in APPROVE_FROM:
            actions.append("approve")
        if state in (RETURN_FROM_ADMIN if is_administrator(user) else RETURN_FROM):
            actions.append("return")
    return actions


def year_is_locked(user, commune: AdministrativeUnit, year: int) -> bool:
    """True when the commune's review of `year` is submitted or approved and this user is no administrator."""
    if is_administrator(user):
        return False
    return commune_year_state(commune, year) in LOCKED_STATES


# ---------------------------------------------------------------------------------------------
# Reads


def commune_year_state(commune: AdministrativeUnit, year: int) -> YearState:
    counts = Review.objects.filter(commune=commune, year=year).values("state").annotate(n=Count("pk"))
    return year_state({row["state"]: row["n"] for row in counts})


@dataclass
class CommuneYear:
    commune: AdministrativeUnit
    year: int
    counts: Counter = field(default_factory=Counter)
    last: ReviewTransition | None = None
    actions: list[str] = field(default_factory=list)

    @property
    def state(self) -> YearState:
        return year_state(self.counts)

    @property
    def reviews(self) -> int:
        return sum(self.counts.values())


def review_years(user) -> list[int]:
    """Years with reviews in the user's scope, latest first."""
    return list(
        Review.objects.filter(commune__in=visible_communes(user))
        .values_list("year", flat=True)
        .distinct()
        .order_by("-year")
    )


def commune_years(user, year: int) -> list[CommuneYear]:
    """Every commune of the user's scope in force in `year`, or with reviews that year, and its state.

    Three queries whatever the number of communes: the communes, one grouped count, the last
    transitions.
    """
    scope = visible_communes(user)
    with_reviews = Review.objects.filter(year=year, commune__in=scope).values("commune")
    communes = list(
        scope.filter(Q(pk__in=scope.in_force(year)) | Q(pk__in=with_reviews))
        .select_related("parent")
        .order_by("parent__name", "name")
    )
    rows = {c.pk: CommuneYear(c, year) for c in communes}
    counts = (
        Review.objects.filter(year=year, commune__in=[c.pk for c in communes])
        .values("commune", "state")
        .annotate(n=Count("pk"))
    )
    for row in counts:
        rows[row["commune"]].counts[row["state"]] = row["n"]
    latest = (
        ReviewTransition.objects.filter(year=year, commune__in=list(rows))
        .select_related("user")
        .order_by("commune", "-at", "-pk")
    )
    for transition in latest:
        row = rows[transition.commune_id]
        if row.last is None:
            row.last = transition
    for row in rows.values():
        row.actions = actions_for(user, row.commune, row.state)
    return list(rows.values())


@dataclass(frozen=True)
class Returned:
    """A commune-year sent back to its officers, with the approver's comment."""

    commune: AdministrativeUnit
    year: int
    comment: str
    by: str
    at: object


def returned_years(user) -> list[Returned]:
    """The user's commune-years that wait in "returned", latest first, each with the comment of
    the transition that returned it: what an officer must see first when signing in. Two queries."""
    pairs = set(
        Review.objects.filter(state=ReviewState.RETURNED, commune__in=visible_communes(user))
        .values_list("commune_id", "year")
        .distinct()
        .order_by()
    )
    if not pairs:
        return []
    wanted = Q()
    for commune_id, year in pairs:
        wanted |= Q(commune_id=commune_id, year=year)
    latest = {}
    for transition in (
        ReviewTransition.objects.filter(wanted, to_state=ReviewState.RETURNED)
        .select_related("commune", "user")
        .order_by("at")
    ):
        latest[(transition.commune_id, transition.year)] = transition  # the last one wins
    found = [
        Returned(t.commune, t.year, t.comment, display_name(t.user) if t.user else "", t.at) for t in latest.values()
    ]
    return sorted(found, key=lambda r: (-r.year, r.commune.name))


def transitions(commune: AdministrativeUnit, year: int):
    return ReviewTransition.objects.filter(commune=commune, year=year).select_related("user").order_by("-at", "-pk")


# ---------------------------------------------------------------------------------------------
# Writes


def _decider(commune: AdministrativeUnit, verb: str) -> str:
    if commune.structure == Structure.REFORM_2025:
        return _("Chỉ cán bộ Sở (cấp thành phố) hoặc quản trị viên được %(verb)s rà soát của %(commune)s.") % {
            "verb": verb,
            "commune": commune.name,
        }
    return _("Chỉ cán bộ cấp huyện của đơn vị này hoặc quản trị viên được %(verb)s.") % {"verb": verb}


def _check_scope(user, commune: AdministrativeUnit) -> None:
    if not visible_communes(user).filter(pk=commune.pk).exists():
        raise PermissionDenied(_("Xã/phường này không thuộc phạm vi của bạn."))


def _move(
    *,
    commune: AdministrativeUnit,
    year: int,
    user,
    allowed_from: set[YearState],
    moved: list[str],
    to: str,
    comment: str = "",
) -> ReviewTransition:
    """Move every review of the commune-year in a state of `moved` to `to`, and record it."""
    with transaction.atomic():
        # The commune row serialises transitions of its years: two clicks cannot both approve.
        AdministrativeUnit.objects.select_for_update().filter(pk=commune.pk).first()
        state = commune_year_state(commune, year)
        if state not in allowed_from:
            raise ValidationError(
                _("Không thể chuyển: rà soát năm %(year)s của %(commune)s đang ở trạng thái «%(state)s».")
                % {"year": year, "commune": commune.name, "state": state.label}
            )
        # Through the model, not a queryset update: each review's updated_at (its version, the
        # ETag of the API) moves and its history records who moved it.
        reviews = list(Review.objects.filter(commune=commune, year=year, state__in=moved))
        now = timezone.now()
        for review in reviews:
            review.state, review.updated_at = to, now
        if reviews:
            bulk_update_with_history(
                reviews, Review, ["state", "updated_at"], batch_size=2000, default_user=user, default_date=now
            )
        changed = len(reviews)
        return ReviewTransition.objects.create(
            commune=commune,
            year=year,
            from_state=state.value,
            to_state=to,
            comment=comment,
            reviews=changed,
            user=user,
        )


def submit(*, commune: AdministrativeUnit, year: int, user) -> ReviewTransition:
    """Send a commune's review of `year` to the district for approval."""
    _check_scope(user, commune)
    if not can_submit(user, commune):
        raise PermissionDenied(_("Chỉ cán bộ của xã/phường hoặc của huyện được gửi kết quả rà soát."))
    return _move(
        commune=commune,
        year=year,
        user=user,
        allowed_from=SUBMIT_FROM,
        moved=[ReviewState.DRAFT, ReviewState.RETURNED],
        to=ReviewState.SUBMITTED,
    )


def withdraw(*, commune: AdministrativeUnit, year: int, user) -> ReviewTransition:
    """Take a submission back to draft before the approver decides (recorded like every move)."""
    _check_scope(user, commune)
    if not can_submit(user, commune):
        raise PermissionDenied(_("Chỉ cán bộ của xã/phường hoặc của huyện được rút lại kết quả đã gửi."))
    return _move(
        commune=commune,
        year=year,
        user=user,
        allowed_from=WITHDRAW_FROM,
        moved=[ReviewState.SUBMITTED],
        to=ReviewState.DRAFT,
    )


def approve(*, commune: AdministrativeUnit, year: int, user, comment: str = "") -> ReviewTransition:
    """Approve a submitted review; it becomes read-only and counts in the official figures."""
    _check_scope(user, commune)
    if not can_decide(user, commune):
        raise PermissionDenied(_decider(commune, _("phê duyệt")))
    transition = _move(
        commune=commune,
        year=year,
        user=user,
        allowed_from=APPROVE_FROM,
        moved=[ReviewState.SUBMITTED],
        to=ReviewState.APPROVED,
        comment=comment.strip(),
    )
    on_approved(commune, year)
    return transition


def return_(*, commune: AdministrativeUnit, year: int, user, comment: str) -> ReviewTransition:
    """Send a submitted review back to the commune, saying why (the comment is required)."""
    _check_scope(user, commune)
    if not can_decide(user, commune):
        raise PermissionDenied(_decider(commune, _("trả lại")))
    comment = (comment or "").strip()
    if not comment:
        raise ValidationError({"comment": _("Hãy ghi lý do trả lại để xã/phường biết cần sửa gì.")})
    administrator = is_administrator(user)
    transition = _move(
        commune=commune,
        year=year,
        user=user,
        allowed_from=RETURN_FROM_ADMIN if administrator else RETURN_FROM,
        moved=[ReviewState.SUBMITTED, ReviewState.APPROVED] if administrator else [ReviewState.SUBMITTED],
        to=ReviewState.RETURNED,
        comment=comment,
    )
    if transition.from_state == ReviewState.APPROVED:
        on_approved(commune, year)  # figures that counted the approved year must be recomputed
    return transition


def on_approved(commune: AdministrativeUnit, year: int) -> None:
    """The official figures changed: say so (reports queues a recompute once the transaction commits)."""
    official_figures_changed.send(sender=AdministrativeUnit, commune=commune, year=year)
