"""Query filters every app's lists and API share: a bounded whole number and a strict true/false."""

from __future__ import annotations

import django_filters
from django import forms
from drf_spectacular.utils import extend_schema_field


class IntegerFilter(django_filters.NumberFilter):
    """A whole number within its bounds (NumberFilter takes any decimal, and 1e200 overflows the
    database's integer); the API's schema says so, bounds included."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        schema = {
            "type": "integer",
            "minimum": self.extra.get("min_value"),
            "maximum": self.extra.get("max_value"),
            "description": str(self.extra.get("help_text") or self.label or ""),
        }
        extend_schema_field({key: value for key, value in schema.items() if value not in (None, "")})(self)


class TrueFalseFilter(django_filters.TypedChoiceFilter):
    """`true` or `false` and nothing else: django-filter's BooleanFilter ignores any other value,
    so a typo would silently return everything."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, choices=[("true", "true"), ("false", "false")], coerce=lambda v: v == "true", **kwargs)
        extend_schema_field({"type": "boolean", "description": str(self.extra.get("help_text") or "")})(self)


YEAR_BOUNDS = {"min_value": 2000, "max_value": 2100}
ID_BOUNDS = {"min_value": 1, "max_value": 2**63 - 1}
