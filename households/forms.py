"""Forms of the officer pages: login, households, members and the annual review."""

from __future__ import annotations

import datetime

from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.utils.translation import gettext_lazy as _

from households import accounts, codes
from households.importing.rows import read_amount
from households.messages import review_problem_message
from households.models import (
    REFORM_START,
    Cause,
    Dimension,
    Household,
    Member,
    Need,
    Review,
    ReviewType,
    StandardIndicator,
    Structure,
)
from households.poverty import ReviewProblem
from households.services import HOUSEHOLD_FIELDS, MEMBER_FIELDS, ReviewInput, review_version
from households.visibility import visible_communes


class ThrottledLoginMixin:
    """Refuse a username+address pair that failed too often, before checking the password."""

    throttled_message = _("Đăng nhập sai quá nhiều lần. Vui lòng thử lại sau 15 phút.")

    def clean(self):
        username = self.cleaned_data.get("username") or ""
        address = accounts.client_address(self.request)
        if accounts.login_blocked(username, address):
            raise ValidationError(self.throttled_message, code="throttled")
        try:
            cleaned = super().clean()
        except ValidationError as error:
            if getattr(error, "code", None) == "invalid_login":
                accounts.record_login_failure(username, address)
                if accounts.login_blocked(username, address):
                    raise ValidationError(self.throttled_message, code="throttled") from error
            raise
        accounts.clear_login_failures(username, address)
        return cleaned


class LoginForm(ThrottledLoginMixin, AuthenticationForm):
    pass


class AdminLoginForm(ThrottledLoginMixin, AdminAuthenticationForm):
    pass


class HouseholdForm(forms.ModelForm):
    """A household's own data; the commune is one of the user's."""

    class Meta:
        model = Household
        fields = HOUSEHOLD_FIELDS

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        communes = visible_communes(user).select_related("parent").order_by("-structure", "parent__name", "name")
        self.fields["commune"].queryset = communes
        self.fields["commune"].label_from_instance = lambda unit: (
            f"{unit.name} ({unit.code}{', ' + unit.parent.name if unit.parent and unit.parent.level != 'city' else ''}"
            f"{', ' + _('trước 1/7/2025') if unit.structure == Structure.LEGACY else ''})"
        )
        self.user = user
        if self.instance.pk:
            self.fields["code"].disabled = True  # the code joins imports to the household
        else:
            self.fields["code"].required = False
            self.fields["code"].help_text = _(
                "Để trống để cổng cấp mã tiếp theo của xã/phường (HN-<mã xã>-00001, …); "
                "mã tự đặt phải bắt đầu bằng HN-<mã xã>-."
            )

    def clean(self):
        """A new household's code: the next of its commune's namespace when left blank, else one
        the officer may mint (households.codes). Checked before Django's uniqueness check, so a
        code of another commune is refused without saying whether it exists."""
        cleaned = super().clean()
        commune = cleaned.get("commune")
        if self.instance.pk or commune is None:
            return cleaned
        code = cleaned.get("code", "").strip()
        if not code:
            cleaned["code"] = self.instance.code = codes.next_code(commune)
        elif not codes.may_mint(self.user, code, commune):
            self.add_error("code", codes.out_of_scope_message(code, commune))
        return cleaned


class MemberForm(forms.ModelForm):
    class Meta:
        model = Member
        fields = MEMBER_FIELDS
        widgets = {"birth_year": forms.NumberInput(attrs={"min": 1900, "max": 2100})}


class AmountField(forms.DecimalField):
    """A number read as the importer reads a cell (households.importing.rows.read_amount): "1.500.000",
    "1,500,000" and "1 500 000" are all 1.5 million, whatever the interface's language (Django's
    localized reading took "1,500,000" for 1.5 in Vietnamese and refused it)."""

    def to_python(self, value):
        if isinstance(value, str) and value.strip() and not value.strip().startswith("-"):
            try:
                return read_amount(value)
            except ValueError:
                raise ValidationError(self.error_messages["invalid"], code="invalid") from None
        return super().to_python(value)  # empty, a number, or negative (refused by min_value)


class ReviewForm(forms.Form):
    """One household's review for one year, with the indicators of the standard in force."""

    income_per_capita = AmountField(
        label=_("Thu nhập bình quân (đồng/người/tháng)"),
        required=False,
        min_value=0,
        max_digits=12,
        decimal_places=0,
        localize=True,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    b1_score = AmountField(
        label=_("Điểm B1"),
        required=False,
        min_value=0,
        max_digits=6,
        decimal_places=1,
        localize=True,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )
    causes = forms.MultipleChoiceField(
        label=_("Nguyên nhân nghèo"), choices=Cause.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    needs = forms.MultipleChoiceField(
        label=_("Nhu cầu hỗ trợ"), choices=Need.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    review_type = forms.ChoiceField(label=_("Loại rà soát"), choices=ReviewType.choices, initial=ReviewType.PERIODIC)
    review_date = forms.DateField(
        label=_("Ngày rà soát"),
        required=False,
        input_formats=["%d/%m/%Y", "%Y-%m-%d"],
        widget=forms.DateInput(format="%d/%m/%Y", attrs={"placeholder": "dd/mm/yyyy", "autocomplete": "off"}),
    )
    version = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, indicators: list[StandardIndicator], review: Review | None = None, **kwargs):
        if review is not None and "initial" not in kwargs:
            flags = review.deprivation_list(max(len(indicators), 1))
            kwargs["initial"] = {
                "income_per_capita": review.income_per_capita,
                "b1_score": review.b1_score,
                "causes": review.causes,
                "needs": review.needs,
                "review_type": review.review_type,
                "review_date": review.review_date,
                **{indicator.column: flags[i] for i, indicator in enumerate(indicators)},
            }
        super().__init__(*args, **kwargs)
        self.fields["version"].initial = review_version(review)
        self.indicators = indicators
        for indicator in indicators:
            self.fields[indicator.column] = forms.BooleanField(
                label=indicator.name, required=False, help_text=indicator.deprived_when
            )

    @classmethod
    def kind_and_date(cls, data) -> tuple[str | None, datetime.date | None]:
        """The review type and date a submitted (or half-typed) form names; (None, None) if none.

        Read before the form is built, since they decide the standard and so its indicators."""
        review_type = data.get("review_type")
        if review_type not in ReviewType.values:
            return None, None
        try:
            review_date = cls.base_fields["review_date"].clean(data.get("review_date") or None)
        except forms.ValidationError:
            review_date = None
        return review_type, review_date

    def clean(self):
        cleaned = super().clean()
        if (
            cleaned.get("income_per_capita") is None
            and cleaned.get("b1_score") is None
            and not self.has_error("income_per_capita")
        ):
            message = review_problem_message(ReviewProblem.NO_INCOME, standard="", indicators=0)
            self.add_error("income_per_capita", message)
        return cleaned

    def dimensions(self) -> list[tuple[str, list]]:
        """The indicator checkboxes grouped by dimension, in the standard's order."""
        groups: dict[str, list] = {}
        for indicator in self.indicators:
            groups.setdefault(indicator.dimension, []).append(self[indicator.column])
        labels = dict(Dimension.choices)
        return [(labels.get(dimension, dimension), fields) for dimension, fields in groups.items()]

    def to_input(self) -> ReviewInput:
        data = self.cleaned_data
        return ReviewInput(
            income_per_capita=data.get("income_per_capita"),
            b1_score=data.get("b1_score"),
            deprivations=tuple(bool(data.get(indicator.column)) for indicator in self.indicators),
            causes=tuple(data.get("causes") or ()),
            needs=tuple(data.get("needs") or ()),
            review_type=data.get("review_type") or ReviewType.PERIODIC,
            review_date=data.get("review_date"),
        )


class ReviewStartForm(forms.Form):
    """The year box of a household's page: only the years the user may write are offered (an officer
    of a unit of the structure before 1 Jul 2025 writes up to 2024; households.models.User.writes_year)."""

    year = forms.IntegerField(label=_("Năm rà soát"), min_value=2000, max_value=2100)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        last = self.last_year_for(user)
        if last is not None:
            field = self.fields["year"]
            field.max_value = last
            field.widget.attrs["max"] = last
            field.validators = [v for v in field.validators if not isinstance(v, MaxValueValidator)]
            field.validators.append(MaxValueValidator(last))

    @staticmethod
    def last_year_for(user) -> int | None:
        """The last review year this user may write, when there is one (None: no bound)."""
        if user is None or not user.is_authenticated or user.writes_year(REFORM_START.year):
            return None
        return REFORM_START.year - 1
