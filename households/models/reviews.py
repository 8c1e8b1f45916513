"""The annual review of a household and the choices it records.

Source: docs/review-cycle.md (Circular 07/2021/TT-BLĐTBXH and what a review sheet records).
"""

from __future__ import annotations

from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from households import poverty
from households.models.registry import Household, Sex
from households.models.standards import PovertyStandard
from households.models.units import AdministrativeUnit


class PovertyClass(models.TextChoices):
    POOR = poverty.PovertyClass.POOR.value, _("Hộ nghèo")
    NEAR_POOR = poverty.PovertyClass.NEAR_POOR.value, _("Hộ cận nghèo")
    AVERAGE = poverty.PovertyClass.AVERAGE.value, _("Hộ có mức sống trung bình")
    ABOVE_AVERAGE = poverty.PovertyClass.ABOVE_AVERAGE.value, _("Trên mức sống trung bình")


class Movement(models.TextChoices):
    ESCAPED_POVERTY = poverty.Movement.ESCAPED_POVERTY.value, _("Thoát nghèo")
    ESCAPED_NEAR_POVERTY = poverty.Movement.ESCAPED_NEAR_POVERTY.value, _("Thoát cận nghèo")
    NEWLY_POOR = poverty.Movement.NEWLY_POOR.value, _("Nghèo phát sinh")
    RE_POOR = poverty.Movement.RE_POOR.value, _("Tái nghèo")
    NEWLY_NEAR_POOR = poverty.Movement.NEWLY_NEAR_POOR.value, _("Cận nghèo phát sinh")
    RE_NEAR_POOR = poverty.Movement.RE_NEAR_POOR.value, _("Tái cận nghèo")
    STAYED = poverty.Movement.STAYED.value, _("Không đổi")
    RECLASSIFIED = poverty.Movement.RECLASSIFIED.value, _("Phân loại lại do đổi chuẩn nghèo")
    BASELINE = poverty.Movement.BASELINE.value, _("Xác định đầu kỳ")


class ReviewType(models.TextChoices):
    PERIODIC = poverty.ReviewType.PERIODIC.value, _("Rà soát định kỳ")
    REGULAR = poverty.ReviewType.REGULAR.value, _("Rà soát thường xuyên")


class ReviewState(models.TextChoices):
    DRAFT = "draft", _("Nháp")
    SUBMITTED = "submitted", _("Đã gửi")
    RETURNED = "returned", _("Bị trả lại")
    APPROVED = "approved", _("Đã phê duyệt")


class Cause(models.TextChoices):
    """The 8 causes of poverty on the review sheet (Circular 07/2021/TT-BLĐTBXH)."""

    NO_CAPITAL = "no_capital", _("Thiếu vốn sản xuất kinh doanh")
    NO_LAND = "no_land", _("Thiếu đất canh tác")
    NO_TOOLS = "no_tools", _("Thiếu phương tiện sản xuất")
    NO_SKILLS = "no_skills", _("Thiếu lao động có tay nghề")
    NO_KNOWLEDGE = "no_knowledge", _("Không biết cách làm ăn")
    NO_LABOUR = "no_labour", _("Không có khả năng lao động")
    ILLNESS = "illness", _("Có người ốm đau, bệnh nặng")
    OTHER = "other", _("Nguyên nhân khác")


class Need(models.TextChoices):
    """The 6 support needs on the review sheet."""

    CREDIT = "credit", _("Hỗ trợ vay vốn ưu đãi")
    LAND = "land", _("Hỗ trợ đất sản xuất")
    TOOLS = "tools", _("Hỗ trợ phương tiện sản xuất")
    TRAINING = "training", _("Hỗ trợ đào tạo nghề, việc làm")
    HOUSING = "housing", _("Hỗ trợ nhà ở")
    OTHER = "other", _("Hỗ trợ khác")


class ReviewQuerySet(models.QuerySet):
    def visible_to(self, user) -> ReviewQuerySet:
        from households.visibility import visible_households

        return self.filter(household__in=visible_households(Household.objects.all(), user))

    def approved(self) -> ReviewQuerySet:
        return self.filter(state=ReviewState.APPROVED)


class Review(models.Model):
    """The review of one household for one year (the review carried out at the end of it).

    The sub-group flags are kept as they were at the review, so each year's counts stay true
    when a household's situation changes later. `poverty_class` and `movement` are derived by
    households.poverty and stored, so the nightly recompute only has to count them.
    """

    household = models.ForeignKey(Household, models.CASCADE, related_name="reviews")
    year = models.PositiveSmallIntegerField(_("năm rà soát"))
    commune = models.ForeignKey(
        AdministrativeUnit, models.PROTECT, related_name="reviews", verbose_name=_("xã/phường (năm rà soát)")
    )
    standard = models.ForeignKey(PovertyStandard, models.PROTECT, verbose_name=_("chuẩn nghèo áp dụng"))
    income_per_capita = models.DecimalField(
        _("thu nhập bình quân (đồng/người/tháng)"),
        max_digits=12,
        decimal_places=0,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(0))],
    )
    b1_score = models.DecimalField(
        _("điểm B1"), max_digits=6, decimal_places=1, null=True, blank=True, validators=[MinValueValidator(Decimal(0))]
    )
    deprivation_flags = models.PositiveIntegerField(_("các chỉ số thiếu hụt (bit)"), default=0)
    deprivation_count = models.PositiveSmallIntegerField(_("số chỉ số thiếu hụt"), default=0)
    causes = models.JSONField(_("nguyên nhân nghèo"), default=list, blank=True)
    needs = models.JSONField(_("nhu cầu hỗ trợ"), default=list, blank=True)
    poverty_class = models.CharField(_("phân loại"), max_length=16, choices=PovertyClass.choices, db_index=True)
    movement = models.CharField(_("biến động"), max_length=24, choices=Movement.choices, default=Movement.STAYED)
    review_type = models.CharField(
        _("loại rà soát"), max_length=10, choices=ReviewType.choices, default=ReviewType.PERIODIC
    )
    review_date = models.DateField(_("ngày rà soát"), null=True, blank=True)
    state = models.CharField(_("trạng thái"), max_length=10, choices=ReviewState.choices, default=ReviewState.DRAFT)
    meritorious = models.BooleanField(_("có người có công"), default=False)
    social_protection = models.BooleanField(_("có đối tượng bảo trợ xã hội"), default=False)
    no_labour_capacity = models.BooleanField(_("không có khả năng lao động"), default=False)
    ethnic_minority = models.BooleanField(_("dân tộc thiểu số"), default=False)
    head_sex = models.CharField(_("giới tính chủ hộ"), max_length=1, choices=Sex.choices, blank=True)
    updated_at = models.DateTimeField(_("cập nhật lúc"), auto_now=True)

    history = HistoricalRecords()
    objects = ReviewQuerySet.as_manager()

    class Meta:
        verbose_name = _("kết quả rà soát")
        verbose_name_plural = _("kết quả rà soát")
        ordering = ["household", "year"]
        constraints = [
            models.UniqueConstraint(fields=["household", "year"], name="unique_review_per_household_year"),
        ]
        indexes = [
            models.Index(fields=["year", "commune"], name="review_year_commune"),
            # A recompute shard counts its own communes from these indexes alone (index-only scans
            # on PostgreSQL): it reads its share of an index, not pages of every commune's reviews.
            # They must carry every column reports.recompute.counting reads: the kinds of review
            # (KIND_COLUMNS) and, for the few approved poor reviews, their details (POOR_DETAILS).
            models.Index(
                fields=["commune", "year"],
                include=["state", "standard", "poverty_class", "movement", "meritorious"],
                name="review_commune_year_counts",
            ),
            models.Index(
                fields=["commune", "year"],
                include=[
                    "id",
                    "deprivation_flags",
                    "social_protection",
                    "no_labour_capacity",
                    "ethnic_minority",
                    "head_sex",
                ],
                condition=models.Q(poverty_class=PovertyClass.POOR, state=ReviewState.APPROVED),
                name="review_poor_details",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.household.code} / {self.year}"

    def deprivation_list(self, size: int = 12) -> list[bool]:
        return poverty.mask_to_flags(self.deprivation_flags, size)
