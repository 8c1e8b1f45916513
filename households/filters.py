"""Filters of the household list, for the HTML list and the API (households.api.HouseholdApiFilterSet): one FilterSet.

Vietnamese names are searched without accents ("nguyen van an" finds "Nguyễn Văn An") and
sorted in the Vietnamese alphabet (a ă â b c d đ e ê …), on PostgreSQL and SQLite alike, without
a database extension: PostgreSQL's TRANSLATE() maps each letter, SQLite calls the same Python
table registered on the connection.
"""

from __future__ import annotations

import unicodedata

import django_filters
from django import forms
from django.db.models import CharField, Exists, F, Func, OuterRef, Q, QuerySet
from django.utils.translation import gettext_lazy as _
from unidecode import unidecode

from households.models import Household, Movement, PovertyClass, Review
from households.visibility import visible_communes
from povertyplan.filters import YEAR_BOUNDS, IntegerFilter

# Combining marks (text typed in decomposed form) are dropped; they carry tones and modifiers.
_COMBINING = "".join(chr(c) for c in range(0x0300, 0x0370))
_LATIN = [chr(c) for c in [*range(0x41, 0x5B), *range(0x61, 0x7B), *range(0xC0, 0x250), *range(0x1E00, 0x1F00)]]


def _base(char: str) -> str:
    ascii_ = unidecode(char)
    return ascii_.lower() if len(ascii_) == 1 and ascii_.isalpha() else ""


_FOLD_FROM = "".join(c for c in _LATIN if _base(c))
_FOLD_TO = "".join(_base(c) for c in _LATIN if _base(c))
_FOLD_TABLE = str.maketrans(_FOLD_FROM, _FOLD_TO, _COMBINING)

# The Vietnamese alphabet, each letter mapped to one ASCII character in its order; tones ignored.
VIETNAMESE_ALPHABET = ["a", "ă", "â", "b", "c", "d", "đ", "e", "ê", "f", "g", "h", "i", "j", "k", "l", "m"]
VIETNAMESE_ALPHABET += ["n", "o", "ô", "ơ", "p", "q", "r", "s", "t", "u", "ư", "v", "w", "x", "y", "z"]
_SORT_CODES = dict(zip(VIETNAMESE_ALPHABET, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefg", strict=True))
_TONES = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}


def _letter(char: str) -> str:
    """The Vietnamese letter of a character without its tone: "ẫ" → "â", "Đ" → "đ", "ü" → "u"."""
    lower = char.lower()
    if lower == "đ":
        return "đ"
    decomposed = unicodedata.normalize("NFD", lower)
    kept = unicodedata.normalize("NFC", "".join(c for c in decomposed if c not in _TONES))
    return kept if kept in _SORT_CODES else _base(char)


_SORT_PAIRS = [(c, _SORT_CODES[_letter(c)]) for c in _LATIN if _letter(c) in _SORT_CODES]
_SORT_FROM = "".join(c for c, _ in _SORT_PAIRS)
_SORT_TO = "".join(code for _, code in _SORT_PAIRS)
_SORT_TABLE = str.maketrans(_SORT_FROM, _SORT_TO, _COMBINING)


def fold(text: str) -> str:
    """Lower case without accents: "Nguyễn Văn Đức" → "nguyen van duc"."""
    return unicodedata.normalize("NFC", text or "").translate(_FOLD_TABLE).lower()


def vietnamese_sort_key(text: str) -> str:
    return unicodedata.normalize("NFC", text or "").translate(_SORT_TABLE)


class _Translate(Func):
    """TRANSLATE(expr, from, to) on PostgreSQL; a registered Python function on SQLite."""

    sqlite_name = ""
    table_from = ""
    table_to = ""
    python = staticmethod(fold)
    collate_c = False

    def __init__(self, expression, **extra):
        super().__init__(expression, output_field=CharField(), **extra)

    def as_sql(self, compiler, connection, **extra):  # other backends: plain lower case
        return Func(*self.source_expressions, function="LOWER").as_sql(compiler, connection)

    def as_postgresql(self, compiler, connection, **extra):
        sql, params = compiler.compile(self.source_expressions[0])
        # Deleting the combining marks: characters of `from` past the end of `to` are removed.
        translated = f"TRANSLATE({sql}, %s, %s)"
        params = [*params, self.table_from + _COMBINING, self.table_to]
        if self.collate_c:
            return f'({translated}) COLLATE "C"', params
        return f"LOWER({translated})", params

    def as_sqlite(self, compiler, connection, **extra):
        # Registering is idempotent and cheap; sqlite3 connections cannot carry a "done" marker.
        connection.connection.create_function(self.sqlite_name, 1, self.python, deterministic=True)
        sql, params = compiler.compile(self.source_expressions[0])
        return f"{self.sqlite_name}({sql})", params


class Fold(_Translate):
    """Accent- and case-insensitive form of a text column, for searching."""

    sqlite_name = "portal_fold"
    table_from = _FOLD_FROM
    table_to = _FOLD_TO
    python = staticmethod(fold)


class VietnameseSortKey(_Translate):
    """Sort key of a name in the Vietnamese alphabet (compare as bytes)."""

    sqlite_name = "portal_vi_sort"
    table_from = _SORT_FROM
    table_to = _SORT_TO
    python = staticmethod(vietnamese_sort_key)
    collate_c = True


def search_households(queryset: QuerySet, term: str) -> QuerySet:
    """Households whose code contains `term`, or whose head's name does, ignoring accents and case."""
    term = (term or "").strip()
    if not term:
        return queryset
    return queryset.annotate(head_name_folded=Fold(F("head_name"))).filter(
        Q(code__icontains=term) | Q(head_name_folded__contains=fold(term))
    )


FLAG_CHOICES = [
    ("meritorious", _("Hộ có người có công")),
    ("social_protection", _("Hộ có đối tượng bảo trợ xã hội")),
    ("no_labour_capacity", _("Hộ không có khả năng lao động")),
    ("ethnic_minority", _("Dân tộc thiểu số")),
]
SORT_CHOICES = [("name", _("Tên chủ hộ (A–Z)")), ("code", _("Mã hộ"))]


def _communes(request):
    if request is None:
        return visible_communes(None)
    return visible_communes(request.user).select_related("parent").order_by("structure", "name")


class HouseholdFilterSet(django_filters.FilterSet):
    """Search, commune, village, flags, and the class and movement of one year's review.

    The year, class and movement filters read the same review (one EXISTS), so "poor in 2023"
    never matches a household that was poor in 2022 and reviewed again in 2023.
    """

    q = django_filters.CharFilter(label=_("Tìm theo mã hộ hoặc tên chủ hộ"), method="filter_search")
    commune = django_filters.ModelChoiceFilter(label=_("Xã/phường"), queryset=_communes)
    village = django_filters.CharFilter(label=_("Thôn, tổ dân phố"), method="filter_village")
    year = IntegerFilter(label=_("Năm rà soát"), method="filter_review", **YEAR_BOUNDS)
    poverty_class = django_filters.ChoiceFilter(
        label=_("Phân loại"), choices=PovertyClass.choices, method="filter_review"
    )
    movement = django_filters.ChoiceFilter(label=_("Biến động"), choices=Movement.choices, method="filter_review")
    flags = django_filters.MultipleChoiceFilter(
        label=_("Nhóm hộ"), choices=FLAG_CHOICES, method="filter_flags", widget=forms.CheckboxSelectMultiple
    )
    sort = django_filters.ChoiceFilter(label=_("Sắp xếp"), choices=SORT_CHOICES, method="filter_sort", empty_label=None)

    class Meta:
        model = Household
        fields = ["q", "commune", "village", "year", "poverty_class", "movement", "flags", "sort"]

    def filter_search(self, queryset, name, value):
        return search_households(queryset, value)

    def filter_village(self, queryset, name, value):
        return queryset.annotate(village_folded=Fold(F("village"))).filter(village_folded__contains=fold(value.strip()))

    def filter_review(self, queryset, name, value):
        return queryset  # applied together in filter_queryset

    def filter_flags(self, queryset, name, value):
        return queryset.filter(**{flag: True for flag in value if flag in dict(FLAG_CHOICES)})

    def filter_sort(self, queryset, name, value):
        return queryset  # applied last in filter_queryset

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        data = self.form.cleaned_data
        review = {}
        if data.get("year"):
            review["year"] = int(data["year"])
        if data.get("poverty_class"):
            review["poverty_class"] = data["poverty_class"]
        if data.get("movement"):
            review["movement"] = data["movement"]
        if review:
            queryset = queryset.filter(Exists(Review.objects.filter(household=OuterRef("pk"), **review)))
        if data.get("sort") == "code":
            return queryset.order_by("code")
        return queryset.order_by(VietnameseSortKey(F("head_name")).asc(), "head_name", "code")
