"""The household registry: households and their members."""

from __future__ import annotations

from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from households.models.units import AdministrativeUnit


class Sex(models.TextChoices):
    MALE = "M", _("Nam")
    FEMALE = "F", _("Nữ")


class HouseholdQuerySet(models.QuerySet):
    def visible_to(self, user) -> HouseholdQuerySet:
        from households.visibility import visible_households

        return visible_households(self, user)


class Household(models.Model):
    """A household of the registry; its flags are those of its latest review."""

    code = models.CharField(_("mã hộ"), max_length=40, unique=True)
    commune = models.ForeignKey(
        AdministrativeUnit, models.PROTECT, related_name="households", verbose_name=_("xã/phường")
    )
    village = models.CharField(_("thôn, tổ dân phố"), max_length=100, blank=True)
    address = models.CharField(_("địa chỉ"), max_length=200, blank=True)
    head_name = models.CharField(_("họ tên chủ hộ"), max_length=100)
    head_sex = models.CharField(_("giới tính chủ hộ"), max_length=1, choices=Sex.choices)
    ethnic_minority = models.BooleanField(_("dân tộc thiểu số"), default=False)
    members_count = models.PositiveSmallIntegerField(_("số nhân khẩu"), default=1, validators=[MinValueValidator(1)])
    meritorious = models.BooleanField(_("hộ có người có công"), default=False)
    social_protection = models.BooleanField(_("hộ có đối tượng bảo trợ xã hội"), default=False)
    no_labour_capacity = models.BooleanField(_("hộ không có khả năng lao động"), default=False)

    history = HistoricalRecords()
    objects = HouseholdQuerySet.as_manager()

    class Meta:
        verbose_name = _("hộ gia đình")
        verbose_name_plural = _("hộ gia đình")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} – {self.head_name}"


class MemberQuerySet(models.QuerySet):
    def visible_to(self, user) -> MemberQuerySet:
        from households.visibility import visible_households

        return self.filter(household__in=visible_households(Household.objects.all(), user))


class Member(models.Model):
    """A member of a household. The ID number is personal data (Decree 13/2023/NĐ-CP)."""

    household = models.ForeignKey(Household, models.CASCADE, related_name="members")
    full_name = models.CharField(_("họ tên"), max_length=100)
    relation = models.CharField(_("quan hệ với chủ hộ"), max_length=40, blank=True)
    sex = models.CharField(_("giới tính"), max_length=1, choices=Sex.choices)
    birth_year = models.PositiveSmallIntegerField(_("năm sinh"), null=True, blank=True)
    id_number = models.CharField(_("số định danh"), max_length=12, blank=True)
    health_insurance = models.BooleanField(_("có bảo hiểm y tế"), default=True)
    schooling = models.CharField(_("trình độ học vấn"), max_length=60, blank=True)
    employment = models.CharField(_("việc làm"), max_length=60, blank=True)
    disability = models.BooleanField(_("khuyết tật"), default=False)

    history = HistoricalRecords()
    objects = MemberQuerySet.as_manager()

    class Meta:
        verbose_name = _("thành viên hộ")
        verbose_name_plural = _("thành viên hộ")
        ordering = ["household", "id"]

    def __str__(self) -> str:
        return self.full_name
