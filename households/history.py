"""Change history of a household, its members and its reviews (django-simple-history), for reading.

Who, when and what: each historical record is compared with the previous record of the same
object, field by field, and shown with the values an officer reads (labels, 1.234.567, dd/mm/yyyy,
indicator names). A fixed number of queries whatever the length of the history.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from households.accounts import display_name
from households.models import (
    AdministrativeUnit,
    Cause,
    Household,
    Member,
    Need,
    PovertyStandard,
    Review,
    StandardIndicator,
)
from households.services import HOUSEHOLD_FIELDS, MEMBER_FIELDS, Change

REVIEW_HISTORY_FIELDS = [
    "commune",
    "standard",
    "income_per_capita",
    "b1_score",
    "deprivation_flags",
    "causes",
    "needs",
    "poverty_class",
    "movement",
    "review_type",
    "review_date",
    "state",
]
HISTORY_LIMIT = 300


class _Names:
    """Lookups for showing foreign keys and indicator flags, loaded once per page."""

    def __init__(self, commune_ids=(), load_indicators: bool = True):
        self.communes = {u.pk: u.name for u in AdministrativeUnit.objects.filter(pk__in=set(commune_ids))}
        self.standards: dict[int, str] = {}
        self.indicators: dict[int, list[str]] = {}
        if load_indicators:
            for indicator in StandardIndicator.objects.select_related("standard").order_by("standard", "number"):
                self.standards[indicator.standard_id] = indicator.standard.name
                self.indicators.setdefault(indicator.standard_id, []).append(indicator.name)

    def deprivations(self, mask: int, standard_id: int | None) -> str:
        names = self.indicators.get(standard_id or 0, [])
        picked = [names[i] if i < len(names) else f"d{i + 1:02d}" for i in range(max(len(names), 12)) if mask >> i & 1]
        return ", ".join(picked) or _("không thiếu hụt")


def format_value(model, name: str, value, record=None, names: _Names | None = None) -> str:
    if value is None or value == "":
        return "—"
    field_ = model._meta.get_field(name)
    if name == "deprivation_flags":
        standard_id = getattr(record, "standard_id", None)
        return names.deprivations(int(value), standard_id) if names else str(value)
    if name in ("causes", "needs"):
        labels = dict((Cause if name == "causes" else Need).choices)
        return ", ".join(str(labels.get(v, v)) for v in value) or "—"
    if name == "commune":
        return names.communes.get(value, str(value)) if names else str(value)
    if name == "standard":
        return names.standards.get(value, str(value)) if names else str(value)
    if field_.choices:
        return str(dict(field_.choices).get(value, value))
    if isinstance(value, bool):
        return _("Có") if value else _("Không")
    if isinstance(value, Decimal | int | float):
        return formats.number_format(value, use_l10n=True, force_grouping=True)
    if isinstance(value, datetime.datetime):
        return formats.date_format(timezone.localtime(value), "SHORT_DATETIME_FORMAT")
    if isinstance(value, datetime.date):
        return formats.date_format(value, "SHORT_DATE_FORMAT")
    return str(value)


def _raw(obj, name: str):
    if obj is None:
        return None
    attname = f"{name}_id" if name in ("commune", "standard", "household") else name
    return getattr(obj, attname, None)


# Fields whose model names are technical (a bit mask, an abbreviation): what an officer calls them.
LABELS = {
    "deprivation_flags": gettext_noop("Các chỉ số thiếu hụt"),
    "deprivation_count": gettext_noop("Số chỉ số thiếu hụt"),
    "b1_score": gettext_noop("Điểm phiếu B1"),
}


def _label(model, name: str) -> str:
    return _(LABELS[name]) if name in LABELS else str(model._meta.get_field(name).verbose_name).capitalize()


def _diff(model, before, after, names_: list[str], lookups: _Names) -> list[Change]:
    """The fields that changed from `before` to `after`: simple-history's own diff between two
    historical records, else (a review against one of its records) field by field."""
    if before is not None and hasattr(after, "diff_against") and type(before) is type(after):
        delta = after.diff_against(before, included_fields=names_, foreign_keys_are_objs=False)
        changed = [(c.field, c.old, c.new) for c in delta.changes]
    else:
        changed = [(name, _raw(before, name), _raw(after, name)) for name in names_]
    changes = []
    for name, old, new in changed:
        if old == new or (old in (None, "", []) and new in (None, "", [])):
            continue
        changes.append(
            Change(
                name,
                _label(model, name),
                format_value(model, name, old, before, lookups),
                format_value(model, name, new, after, lookups),
            )
        )
    order = {name: index for index, name in enumerate(names_)}
    return sorted(changes, key=lambda change: order[change.field])


def describe_review_changes(before, after, fields: list[str]) -> list[Change]:
    """What differs between two states of a review (historical records or reviews)."""
    lookups = _Names([c for c in (_raw(before, "commune"), _raw(after, "commune")) if c])
    return _diff(Review, before, after, fields, lookups)


@dataclass
class HistoryEntry:
    when: datetime.datetime
    who: str
    subject: str
    action: str
    changes: list[Change] = field(default_factory=list)


_ACTIONS = {"+": gettext_noop("Tạo mới"), "~": gettext_noop("Sửa"), "-": gettext_noop("Xoá")}


def household_history(household: Household, limit: int = HISTORY_LIMIT) -> list[HistoryEntry]:
    """Every recorded change of the household, its members and its reviews, newest first."""
    streams = [
        (Household, Household.history.filter(id=household.pk), HOUSEHOLD_FIELDS, lambda r: _("Hộ gia đình")),
        (
            Member,
            Member.history.filter(household_id=household.pk),
            MEMBER_FIELDS,
            lambda r: _("Thành viên «%(name)s»") % {"name": r.full_name},
        ),
        (
            Review,
            Review.history.filter(household_id=household.pk),
            REVIEW_HISTORY_FIELDS,
            lambda r: _("Rà soát năm %(year)s") % {"year": r.year},
        ),
    ]
    loaded = []
    commune_ids: set[int] = set()
    for model, records, fields_, subject in streams:
        rows = list(records.select_related("history_user").order_by("id", "history_date", "history_id"))
        loaded.append((model, rows, fields_, subject))
        commune_ids.update(r.commune_id for r in rows if getattr(r, "commune_id", None))
    lookups = _Names(commune_ids)
    entries: list[HistoryEntry] = []
    for model, rows, fields_, subject in loaded:
        previous = None
        for record in rows:
            before = previous if previous is not None and previous.id == record.id else None
            if record.history_type == "-":
                changes = []
            else:
                changes = _diff(model, before, record, fields_, lookups)
                if record.history_type == "~" and not changes:
                    previous = record
                    continue
            user = record.history_user
            entries.append(
                HistoryEntry(
                    when=record.history_date,
                    who=display_name(user) if user else _("hệ thống / nhập tệp"),
                    subject=subject(record),
                    action=_(_ACTIONS.get(record.history_type, record.history_type)),
                    changes=changes,
                )
            )
            previous = record
    entries.sort(key=lambda e: e.when, reverse=True)
    return entries[:limit]


def standards_with_indicators() -> dict[int, PovertyStandard]:
    return {s.pk: s for s in PovertyStandard.objects.prefetch_related("indicators")}


def field_change(name: str, before, after) -> dict:
    """One field of a household or review as an import preview shows it: label, before, after."""
    model = Review if name in {f.attname for f in Review._meta.concrete_fields} else Household
    field_name = name.removesuffix("_id")
    if field_name == "deprivation_flags":  # the template's columns: which dNN are ticked
        shown = [", ".join(f"d{i + 1:02d}" for i in range(32) if int(v or 0) >> i & 1) or "—" for v in (before, after)]
        return {"field": field_name, "label": _label(model, field_name), "before": shown[0], "after": shown[1]}
    lookups = _Names([v for v in (before, after) if field_name == "commune" and v], load_indicators=False)
    if field_name == "standard":
        lookups.standards = dict(PovertyStandard.objects.filter(pk__in=[before, after]).values_list("pk", "name"))
    return {
        "field": field_name,
        "label": _label(model, field_name),
        "before": format_value(model, field_name, before, None, lookups),
        "after": format_value(model, field_name, after, None, lookups),
    }
