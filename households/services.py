"""Writes of the officer pages: households, members and the annual review of one household.

Every function checks the one visibility rule (households.visibility) and refuses city leaders
(read-only) before writing; approved reviews are read-only except to administrators. A review's
class comes from households.poverty with the lines of the standard in force for the year and the
commune's area, exactly as the importer does, and the movements of the household are re-derived
from its whole history after each save (households.importer.refresh_movements).

Two officers editing the same review: the form carries the `version` it was read at (the
review's updated_at); a save against a newer review is refused with what changed since.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from households import codes, poverty, units, workflow
from households.accounts import display_name
from households.importer import refresh_movements
from households.importing.movements import movement_of
from households.messages import FIELDS as PROBLEM_FIELDS
from households.messages import review_date_message, review_problem_message
from households.models import (
    AdministrativeUnit,
    Cause,
    Household,
    Member,
    Need,
    PovertyStandard,
    Review,
    ReviewState,
    ReviewType,
)
from households.visibility import can_write, is_administrator, visible_communes, year_refusal

HOUSEHOLD_FIELDS = [
    "code",
    "commune",
    "village",
    "address",
    "head_name",
    "head_sex",
    "ethnic_minority",
    "members_count",
    "meritorious",
    "social_protection",
    "no_labour_capacity",
]
MEMBER_FIELDS = [
    "full_name",
    "relation",
    "sex",
    "birth_year",
    "id_number",
    "health_insurance",
    "schooling",
    "employment",
    "disability",
]
# Fields of a review the form edits, compared when two officers collide.
REVIEW_FORM_FIELDS = [
    "income_per_capita",
    "b1_score",
    "deprivation_flags",
    "causes",
    "needs",
    "review_type",
    "review_date",
]


def _check_writer(user, household: Household | None = None, commune: AdministrativeUnit | None = None) -> None:
    """Writers only; a household is written by the officers of its commune today (an officer who
    only keeps reading its history, once it moved on, does not write it)."""
    if not can_write(user):
        raise PermissionDenied(_("Tài khoản của bạn chỉ được xem, không được sửa dữ liệu hộ."))
    if household is not None and not visible_communes(user).filter(pk=household.commune_id).exists():
        if Household.objects.visible_to(user).filter(pk=household.pk).exists():
            raise PermissionDenied(
                _("Hộ này nay thuộc %(commune)s; bạn chỉ được xem lịch sử của hộ.") % {"commune": household.commune}
            )
        raise PermissionDenied(_("Hộ này không thuộc phạm vi của bạn."))
    if commune is not None and not visible_communes(user).filter(pk=commune.pk).exists():
        raise PermissionDenied(_("Xã/phường này không thuộc phạm vi của bạn."))


# ---------------------------------------------------------------------------------------------
# Households and members


def create_household(*, user, **fields) -> Household:
    household = Household(**{name: fields[name] for name in HOUSEHOLD_FIELDS if name in fields})
    _check_writer(user, commune=household.commune)
    # Before full_clean: its uniqueness check would say whether another commune holds the code.
    if not codes.may_mint(user, household.code, household.commune):
        raise ValidationError({"code": codes.out_of_scope_message(household.code, household.commune)})
    household.full_clean()
    household._history_user = user
    with transaction.atomic():
        household.save()
    return household


def update_household(*, user, household: Household, **fields) -> Household:
    _check_writer(user, household=household)
    for name in HOUSEHOLD_FIELDS:
        if name in fields:
            setattr(household, name, fields[name])
    _check_writer(user, commune=household.commune)
    household.full_clean()
    household._history_user = user
    with transaction.atomic():
        household.save()
    return household


def add_member(*, user, household: Household, **fields) -> Member:
    _check_writer(user, household=household)
    member = Member(household=household, **{name: fields[name] for name in MEMBER_FIELDS if name in fields})
    member.full_clean()
    member._history_user = user
    with transaction.atomic():
        member.save()
    return member


def update_member(*, user, member: Member, **fields) -> Member:
    _check_writer(user, household=member.household)
    for name in MEMBER_FIELDS:
        if name in fields:
            setattr(member, name, fields[name])
    member.full_clean()
    member._history_user = user
    with transaction.atomic():
        member.save()
    return member


def remove_member(*, user, member: Member) -> None:
    _check_writer(user, household=member.household)
    member._history_user = user
    with transaction.atomic():
        member.delete()


# ---------------------------------------------------------------------------------------------
# The annual review


def standard_for_review(
    year: int, review_type: str = ReviewType.PERIODIC, review_date: datetime.date | None = None
) -> PovertyStandard | None:
    """The standard a review uses, decided by data (households.poverty.select_standard)."""
    try:
        return PovertyStandard.objects.for_review(year, review_type, review_date)
    except poverty.AmbiguousStandard as error:
        first, second = error.standards
        raise ValidationError(
            _("Hai chuẩn nghèo «%(first)s» và «%(second)s» cùng áp dụng cho lượt rà soát này; hãy sửa chuẩn nghèo.")
            % {"first": first, "second": second}
        ) from error


def standard_for_year(year: int) -> PovertyStandard | None:
    """The standard of the periodic review of `year`."""
    return standard_for_review(year)


def commune_for_year(household: Household, year: int) -> AdministrativeUnit:
    """The commune a review of `year` is recorded in: the one rule of households.units."""
    return units.commune_for_year(household, year)


def no_standard_message(year: int, review_type: str, review_date: datetime.date | None) -> str:
    if review_type == ReviewType.REGULAR:
        day = review_date or datetime.date(year, 12, 31)
        return _("Không có chuẩn nghèo áp dụng cho rà soát thường xuyên ngày %(day)s.") % {
            "day": day.strftime("%d/%m/%Y")
        }
    return _("Năm %(year)s không có chuẩn nghèo áp dụng.") % {"year": year}


@dataclass(frozen=True)
class ReviewInput:
    """What an officer enters for one household and year (the form, the API)."""

    income_per_capita: Decimal | None
    b1_score: Decimal | None
    deprivations: tuple[bool, ...]
    causes: tuple[str, ...] = ()
    needs: tuple[str, ...] = ()
    review_type: str = ReviewType.PERIODIC
    review_date: datetime.date | None = None

    @classmethod
    def over(cls, current: Review | None, given: dict) -> ReviewInput:
        """A partial change (the API's PATCH) over the stored review: a field `given` names takes
        its new value, any other keeps the stored one (a new review: the defaults)."""

        def pick(name, default):
            if name in given:
                return given[name]
            return getattr(current, name) if current is not None else default

        deprivations = given.get("deprivations")
        if deprivations is None:
            deprivations = current.deprivation_list() if current is not None else [False] * 12
        return cls(
            income_per_capita=pick("income_per_capita", None),
            b1_score=pick("b1_score", None),
            deprivations=tuple(deprivations),
            causes=tuple(pick("causes", [])),
            needs=tuple(pick("needs", [])),
            review_type=pick("review_type", cls.review_type),
            review_date=pick("review_date", None),
        )


def classify_review(
    *, standard: PovertyStandard, commune: AdministrativeUnit, data: ReviewInput
) -> poverty.PovertyClass:
    """The class of the household under the standard's lines for the commune's area (as the importer)."""
    lines = standard.lines(commune.area)
    size = standard.indicators.count()
    problems = poverty.review_problems(
        lines,
        income_per_capita=data.income_per_capita,
        b1_score=data.b1_score,
        flags=poverty.flags_to_mask(data.deprivations),
        indicators=size,
    )
    if problems:
        errors: dict[str, list[str]] = {}
        for problem in problems:
            message = review_problem_message(problem, standard=standard.name, indicators=size)
            errors.setdefault(PROBLEM_FIELDS[problem], []).append(message)
        raise ValidationError(errors)
    return poverty.classify_household(
        lines,
        income_per_capita=data.income_per_capita,
        deprivation_count=poverty.count_deprivations(data.deprivations),
        b1_score=data.b1_score,
    )


def review_version(review: Review | None) -> str:
    """The token a form carries to detect a concurrent save: the review's updated_at."""
    return review.updated_at.isoformat() if review is not None and review.updated_at else ""


@dataclass(frozen=True)
class Change:
    field: str
    label: str
    before: str
    after: str

    def __str__(self) -> str:
        return f"{self.label}: {self.before} → {self.after}"


class ReviewConflict(ValidationError):
    """Another officer saved the review after this form was opened; `changes` lists what changed."""

    def __init__(self, changes: list[Change], by: str, at: datetime.datetime | None, current: Review | None):
        self.changes = changes
        self.by = by
        self.at = at
        self.current = current
        super().__init__(
            _("Kết quả rà soát này vừa được %(by)s lưu sau khi bạn mở biểu mẫu; dữ liệu của bạn chưa được lưu.")
            % {"by": by},
            code="stale",
        )


def save_review(*, user, household: Household, year: int, data: ReviewInput, version: str | None) -> Review:
    """Create or update the review of `household` for `year`; refuses a stale `version`.

    `version` is "" (or None) for a review that did not exist when the form was opened. A new
    review goes to the household's commune in `year` (households.units); the household then
    follows the commune of its latest review, as the importer does.
    """
    if not can_write(user):
        raise PermissionDenied(_("Tài khoản của bạn chỉ được xem, không được sửa dữ liệu hộ."))
    if not Household.objects.visible_to(user).filter(pk=household.pk).exists():
        raise PermissionDenied(_("Hộ này không thuộc phạm vi của bạn."))
    if not user.writes_year(year):
        raise PermissionDenied(year_refusal(user, year, _commune_or_none(household, year)))
    if poverty.review_date_problem(year, data.review_type, data.review_date):
        raise ValidationError({"review_date": review_date_message(year, data.review_type, data.review_date)})
    standard = standard_for_review(year, data.review_type, data.review_date)
    if standard is None:
        raise ValidationError({"year": no_standard_message(year, data.review_type, data.review_date)})
    size = standard.indicators.count()
    with transaction.atomic():
        current = Review.objects.select_for_update().filter(household=household, year=year).first()
        if (version or "") != review_version(current):
            raise _conflict(current, version)
        if current is not None and current.state in workflow.LOCKED_STATES and not is_administrator(user):
            raise PermissionDenied(workflow.locked_message(current.state, year, current.commune.name))
        review = current or Review(household=household, year=year, state=ReviewState.DRAFT)
        if current is None:
            review.commune = commune_for_year(household, year)
        _check_writer(user, commune=review.commune)
        if current is None and workflow.year_is_locked(user, review.commune, year):
            state = workflow.commune_year_state(review.commune, year)
            raise PermissionDenied(workflow.locked_message(state, year, review.commune.name, new=True))
        review.standard = standard
        flags = list(data.deprivations[:size])
        review.income_per_capita = data.income_per_capita
        review.b1_score = data.b1_score
        review.deprivation_flags = poverty.flags_to_mask(flags)
        review.deprivation_count = poverty.count_deprivations(flags)
        review.causes = sorted(set(data.causes) & set(Cause.values))
        review.needs = sorted(set(data.needs) & set(Need.values))
        review.review_type = data.review_type
        review.review_date = data.review_date
        # Sub-group flags are kept as they were at the review (models.Review).
        for name in ("meritorious", "social_protection", "no_labour_capacity", "ethnic_minority", "head_sex"):
            setattr(review, name, getattr(household, name))
        review.poverty_class = classify_review(standard=standard, commune=review.commune, data=data).value
        review.movement = movement_of(review).value  # right from the first save (its history row too)
        review.full_clean(validate_unique=current is None)
        review._history_user = user
        review.save()
        _follow_latest_review(user, household, review)
        refresh_movements([household.pk])
    review.refresh_from_db()
    return review


def _commune_or_none(household: Household, year: int) -> AdministrativeUnit | None:
    try:
        return commune_for_year(household, year)
    except ValidationError:
        return None


def _follow_latest_review(user, household: Household, review: Review) -> None:
    """The household's commune is that of its latest review (the importer's rule too)."""
    if household.commune_id == review.commune_id:
        return
    if Review.objects.filter(household=household, year__gt=review.year).exists():
        return
    household.commune = review.commune
    household._history_user = user
    household.save(update_fields=["commune"])


def _conflict(current: Review | None, version: str | None) -> ReviewConflict:
    from households.history import describe_review_changes

    latest = current.history.select_related("history_user").order_by("-history_date").first() if current else None
    by = _("một cán bộ khác")
    at = None
    if latest is not None:
        at = latest.history_date
        if latest.history_user is not None:
            by = display_name(latest.history_user)
    before = None
    if current is not None and version:
        try:
            opened_at = datetime.datetime.fromisoformat(version)
        except ValueError:
            opened_at = None
        if opened_at is not None:
            before = current.history.filter(updated_at=opened_at).order_by("-history_date").first()
    changes = describe_review_changes(before, current, REVIEW_FORM_FIELDS + ["poverty_class", "state"])
    return ReviewConflict(changes, by, at, current)
