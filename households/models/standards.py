"""Poverty standards and their indicators, as data.

Source: docs/poverty-rules.md (Decree 07/2021/NĐ-CP, Decree 351/2025/NĐ-CP).
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from households import poverty
from households.models.units import Area


class Dimension(models.TextChoices):
    EMPLOYMENT = "employment", _("Việc làm")
    HEALTH = "health", _("Y tế")
    EDUCATION = "education", _("Giáo dục")
    HOUSING = "housing", _("Nhà ở")
    WATER_SANITATION = "water_sanitation", _("Nước sinh hoạt và vệ sinh")
    # Decree 351/2025 widens the water dimension to the environment (household waste): still one
    # dimension of six, so its own value rather than a seventh "environment" dimension.
    WATER_SANITATION_ENVIRONMENT = "water_sanitation_env", _("Nước sinh hoạt, vệ sinh và môi trường")
    INFORMATION = "information", _("Thông tin")


class StandardScope(models.TextChoices):
    NATIONAL = "national", _("Quốc gia")
    CITY = "city", _("Thành phố (chuẩn riêng cao hơn)")


class PovertyStandardQuerySet(models.QuerySet):
    def for_review(
        self,
        year: int,
        review_type: str = poverty.ReviewType.PERIODIC,
        review_date: datetime.date | None = None,
    ) -> PovertyStandard | None:
        """The standard a review uses (households.poverty.select_standard over these rows), one query."""
        day = review_date or datetime.date(year, 12, 31)
        if review_type == poverty.ReviewType.REGULAR:
            rows = self.filter(regular_from__lte=day, regular_to__gte=day)
        else:
            rows = self.filter(first_year__lte=year, last_year__gte=year)
        return poverty.select_standard(rows, year=year, review_type=review_type, review_date=review_date)


class PovertyStandard(models.Model):
    """A poverty standard (chuẩn nghèo) as data: its lines per area and its indicator set.

    Chosen by the review, never by code: a periodic review of year Y uses the standard whose
    [first_year, last_year] holds Y (the end-2021 review was the first under Decree 07/2021, the
    end-2026 review the first under Decree 351/2025); a regular review uses the standard in force
    on its date ([regular_from, regular_to]). Where a city standard and the national one both
    cover a review, the higher priority applies. The rule is households.poverty.select_standard,
    reached through `PovertyStandard.objects.for_review(...)`; clean() refuses two standards of
    the same priority that would both apply to one review.
    """

    code = models.SlugField(_("mã"), max_length=40, unique=True)
    name = models.CharField(_("tên"), max_length=200)
    legal_basis = models.CharField(_("căn cứ pháp lý"), max_length=200)
    scope = models.CharField(_("phạm vi"), max_length=10, choices=StandardScope.choices, default=StandardScope.NATIONAL)
    priority = models.PositiveSmallIntegerField(
        _("thứ tự ưu tiên"), default=0, help_text=_("Khi hai chuẩn cùng áp dụng, chuẩn có số lớn hơn được dùng.")
    )
    first_year = models.PositiveSmallIntegerField(_("rà soát định kỳ từ năm"))
    last_year = models.PositiveSmallIntegerField(_("rà soát định kỳ đến năm"))
    regular_from = models.DateField(_("rà soát thường xuyên từ ngày"), null=True, blank=True)
    regular_to = models.DateField(_("rà soát thường xuyên đến ngày"), null=True, blank=True)
    needs_verification = models.BooleanField(_("cần kiểm chứng"), default=False)
    notes = models.TextField(_("ghi chú"), blank=True)
    deprivation_threshold = models.PositiveSmallIntegerField(_("ngưỡng số chỉ số thiếu hụt"), default=3)
    poverty_line_rural = models.DecimalField(
        _("chuẩn nghèo nông thôn (đồng/người/tháng)"), max_digits=12, decimal_places=0
    )
    poverty_line_urban = models.DecimalField(
        _("chuẩn nghèo thành thị (đồng/người/tháng)"), max_digits=12, decimal_places=0
    )
    extreme_line_rural = models.DecimalField(
        _("ngưỡng nghèo cùng cực nông thôn"), max_digits=12, decimal_places=0, null=True, blank=True
    )
    extreme_line_urban = models.DecimalField(
        _("ngưỡng nghèo cùng cực thành thị"), max_digits=12, decimal_places=0, null=True, blank=True
    )
    average_ceiling_rural = models.DecimalField(
        _("mức sống trung bình nông thôn (trần)"), max_digits=12, decimal_places=0
    )
    average_ceiling_urban = models.DecimalField(
        _("mức sống trung bình thành thị (trần)"), max_digits=12, decimal_places=0
    )
    b1_cutoff_rural = models.DecimalField(
        _("ngưỡng điểm B1 nông thôn"), max_digits=6, decimal_places=1, null=True, blank=True
    )
    b1_cutoff_urban = models.DecimalField(
        _("ngưỡng điểm B1 thành thị"), max_digits=6, decimal_places=1, null=True, blank=True
    )

    objects = PovertyStandardQuerySet.as_manager()

    class Meta:
        verbose_name = _("chuẩn nghèo")
        verbose_name_plural = _("chuẩn nghèo")
        ordering = ["first_year"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.first_year and self.last_year and self.first_year > self.last_year:
            raise ValidationError(_("Năm bắt đầu phải trước hoặc bằng năm kết thúc."))
        if (self.regular_from is None) != (self.regular_to is None):
            raise ValidationError(
                _("Cần nhập cả ngày bắt đầu và ngày kết thúc rà soát thường xuyên, hoặc bỏ trống cả hai.")
            )
        if self.regular_from and self.regular_to and self.regular_from > self.regular_to:
            raise ValidationError(_("Ngày bắt đầu rà soát thường xuyên phải trước hoặc bằng ngày kết thúc."))
        self._refuse_overlap()
        for area in ("rural", "urban"):
            line = getattr(self, f"poverty_line_{area}")
            ceiling = getattr(self, f"average_ceiling_{area}")
            extreme = getattr(self, f"extreme_line_{area}")
            if line is not None and ceiling is not None and ceiling < line:
                raise ValidationError(_("Mức sống trung bình phải cao hơn chuẩn nghèo."))
            if extreme is not None and line is not None and extreme > line:
                raise ValidationError(_("Ngưỡng nghèo cùng cực phải thấp hơn chuẩn nghèo."))

    def _refuse_overlap(self) -> None:
        """Two standards of the same priority may never both apply to one review (poverty.overlap)."""
        if None in (self.first_year, self.last_year, self.priority):
            return
        others = PovertyStandard.objects.filter(priority=self.priority).exclude(pk=self.pk).order_by("first_year")
        for other in others:
            kind = poverty.overlap(self, other)
            if kind is None:
                continue
            if kind == "periodic":
                message = _(
                    "Năm rà soát định kỳ %(first)s–%(last)s trùng với chuẩn «%(other)s» (%(other_first)s–"
                    "%(other_last)s) có cùng thứ tự ưu tiên %(priority)s: một lượt rà soát không được thuộc hai "
                    "chuẩn. Hãy sửa năm áp dụng hoặc đặt thứ tự ưu tiên khác."
                ) % {
                    "first": self.first_year,
                    "last": self.last_year,
                    "other": other.name,
                    "other_first": other.first_year,
                    "other_last": other.last_year,
                    "priority": self.priority,
                }
            else:
                message = _(
                    "Thời gian rà soát thường xuyên %(start)s–%(end)s trùng với chuẩn «%(other)s» (%(other_start)s–"
                    "%(other_end)s) có cùng thứ tự ưu tiên %(priority)s: một lượt rà soát không được thuộc hai "
                    "chuẩn. Hãy sửa ngày áp dụng hoặc đặt thứ tự ưu tiên khác."
                ) % {
                    "start": self.regular_from.strftime("%d/%m/%Y"),
                    "end": self.regular_to.strftime("%d/%m/%Y"),
                    "other": other.name,
                    "other_start": other.regular_from.strftime("%d/%m/%Y"),
                    "other_end": other.regular_to.strftime("%d/%m/%Y"),
                    "priority": self.priority,
                }
            raise ValidationError(message, code="overlap")

    def lines(self, area: str) -> poverty.Lines:
        suffix = "urban" if area == Area.URBAN else "rural"
        return poverty.Lines(
            poverty_line=getattr(self, f"poverty_line_{suffix}"),
            average_ceiling=getattr(self, f"average_ceiling_{suffix}"),
            deprivation_threshold=self.deprivation_threshold,
            extreme_line=getattr(self, f"extreme_line_{suffix}"),
            b1_cutoff=getattr(self, f"b1_cutoff_{suffix}"),
        )


class StandardIndicator(models.Model):
    """One deprivation indicator of a standard; `number` is its column dNN in the template."""

    standard = models.ForeignKey(PovertyStandard, models.CASCADE, related_name="indicators")
    number = models.PositiveSmallIntegerField(_("số thứ tự"))
    dimension = models.CharField(_("chiều thiếu hụt"), max_length=20, choices=Dimension.choices)
    name = models.CharField(_("tên chỉ số"), max_length=120)
    name_en = models.CharField(_("tên tiếng Anh"), max_length=120)
    deprived_when = models.TextField(_("thiếu hụt khi"), blank=True)
    needs_verification = models.BooleanField(_("cần kiểm chứng"), default=False)
    verification_note = models.TextField(
        _("điều cần kiểm chứng"), blank=True, help_text=_("Điều chưa đối chiếu được với văn bản gốc, và nguồn đã xem.")
    )

    class Meta:
        verbose_name = _("chỉ số thiếu hụt")
        verbose_name_plural = _("chỉ số thiếu hụt")
        ordering = ["standard", "number"]
        constraints = [
            models.UniqueConstraint(fields=["standard", "number"], name="unique_indicator_number"),
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.name}"

    @property
    def column(self) -> str:
        return f"d{self.number:02d}"
