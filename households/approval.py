"""What an approver is asked to approve: a commune-year's reviews set beside the year before.

Circular 07/2021/TT-BLĐTBXH has the commune's results recognised on the strength of the lists;
the portal shows the approver the same thing in numbers: the classes and movements of the
commune-year, the classes the same households had at their review before, the households whose
class changed (before → after), and the households of the commune's registry with no review this
year. Reads only, in five queries whatever the size of the commune.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from households.models import AdministrativeUnit, Household, Movement, PovertyClass, Review, UnitYear

CHANGED_SHOWN = 50  # households listed by name; the count says how many there are in all


@dataclass(frozen=True)
class ClassChange:
    household_id: int
    code: str
    head_name: str
    before: str
    after: str

    @property
    def before_label(self) -> str:
        return PovertyClass(self.before).label

    @property
    def after_label(self) -> str:
        return PovertyClass(self.after).label


@dataclass
class ApprovalSummary:
    commune: AdministrativeUnit
    year: int
    reviews: int = 0
    classes: Counter = field(default_factory=Counter)
    classes_before: Counter = field(default_factory=Counter)
    movements: Counter = field(default_factory=Counter)
    changed: list[ClassChange] = field(default_factory=list)
    changed_total: int = 0
    first_reviews: int = 0  # households with no earlier review
    resident_households: int | None = None
    registry_not_reviewed: int = 0

    @property
    def class_rows(self) -> list[tuple[str, int, int]]:
        """(label, this year, the same households before) for every class, in the classes' order."""
        return [(label, self.classes[value], self.classes_before[value]) for value, label in PovertyClass.choices]

    @property
    def movement_rows(self) -> list[tuple[str, int]]:
        return [(label, self.movements[value]) for value, label in Movement.choices if self.movements[value]]


def approval_summary(commune: AdministrativeUnit, year: int) -> ApprovalSummary:
    summary = ApprovalSummary(commune=commune, year=year)
    current = list(
        Review.objects.filter(commune=commune, year=year).values_list(
            "household_id", "poverty_class", "movement", "household__code", "household__head_name"
        )
    )
    summary.reviews = len(current)
    summary.classes = Counter(row[1] for row in current)
    summary.movements = Counter(row[2] for row in current)
    # Each household's latest review before this year (any commune: a household may have moved).
    before: dict[int, str] = {}
    earlier = (
        Review.objects.filter(household_id__in=[row[0] for row in current], year__lt=year)
        .order_by("household_id", "year")
        .values_list("household_id", "poverty_class")
    )
    for household_id, poverty_class in earlier:
        before[household_id] = poverty_class  # ordered by year: the last one wins
    summary.classes_before = Counter(before.values())
    summary.first_reviews = summary.reviews - len(before)
    changes = [
        ClassChange(household_id, code, name, before[household_id], poverty_class)
        for household_id, poverty_class, _, code, name in sorted(current, key=lambda row: row[3])
        if household_id in before and before[household_id] != poverty_class
    ]
    summary.changed_total = len(changes)
    summary.changed = changes[:CHANGED_SHOWN]
    summary.resident_households = (
        UnitYear.objects.filter(unit=commune, year=year).values_list("total_households", flat=True).first()
    )
    summary.registry_not_reviewed = (
        Household.objects.filter(commune=commune).exclude(reviews__year=year).order_by().count()
    )
    return summary
