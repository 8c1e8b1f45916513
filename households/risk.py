"""Households at risk of falling back into poverty: whom an officer should visit first.

Each household the user sees is judged at its last review by households.poverty.risk_reasons,
against the lines of that review's standard for its commune's area: income within RISK_INCOME_MARGIN
(20 % by default) above the poverty line, as many deprivations as a poor household, or an escape
from poverty at one of its last two reviews. Two queries: the households' last reviews (with the
movement of the review before), and the standards.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db.models import OuterRef, Subquery

from households import poverty
from households.models import Household, PovertyStandard, Review


def income_margin() -> Decimal:
    return Decimal(str(getattr(settings, "RISK_INCOME_MARGIN", "0.20")))


@dataclass(frozen=True)
class AtRisk:
    household: Household
    review: Review
    reasons: list[poverty.RiskReason]

    @property
    def reason_labels(self) -> list[str]:
        return [str(REASON_LABELS[reason]) for reason in self.reasons]


def _labels():
    from django.utils.translation import gettext_lazy as _

    return {
        poverty.RiskReason.INCOME_NEAR_LINE: _("Thu nhập sát chuẩn nghèo"),
        poverty.RiskReason.MANY_DEPRIVATIONS: _("Thiếu hụt nhiều chỉ số"),
        poverty.RiskReason.ESCAPED_RECENTLY: _("Mới thoát nghèo"),
    }


REASON_LABELS = _labels()


def households_at_risk(user, *, margin: Decimal | None = None) -> list[AtRisk]:
    """The households this user sees that are not poor at their last review but may fall back."""
    margin = income_margin() if margin is None else margin
    households = Household.objects.visible_to(user)
    latest_year = Review.objects.filter(household=OuterRef("household")).order_by("-year").values("year")[:1]
    before = (
        Review.objects.filter(household=OuterRef("household"), year__lt=OuterRef("year"))
        .order_by("-year")
        .values("movement")[:1]
    )
    reviews = (
        Review.objects.filter(household__in=households, year=Subquery(latest_year))
        .exclude(poverty_class=poverty.PovertyClass.POOR)
        .annotate(movement_before=Subquery(before))
        .select_related("household", "household__commune", "commune")
    )
    standards = {standard.pk: standard for standard in PovertyStandard.objects.all()}
    found = []
    for review in reviews:
        lines = standards[review.standard_id].lines(review.commune.area)
        recent = [poverty.Movement(m) for m in (review.movement, review.movement_before) if m]
        reasons = poverty.risk_reasons(
            lines,
            poverty_class=poverty.PovertyClass(review.poverty_class),
            income_per_capita=review.income_per_capita,
            deprivation_count=review.deprivation_count,
            recent_movements=recent,
            margin=margin,
        )
        if reasons:
            found.append(AtRisk(review.household, review, reasons))
    return found
