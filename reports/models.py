"""Recompute runs and the indicator snapshot that the dashboards and the API read.

Formulas: docs/progress-method.md (rate = count ÷ total resident households × 100; annual
reduction = (previous − current) ÷ previous, undefined when the previous count is 0).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from households.impact import near_poor_bounds
from households.models import AdministrativeUnit


class RunStatus(models.TextChoices):
    QUEUED = "queued", _("Đang chờ")
    RUNNING = "running", _("Đang chạy")
    SUCCEEDED = "succeeded", _("Thành công")
    FAILED = "failed", _("Thất bại")


class RecomputeRunQuerySet(models.QuerySet):
    def current(self) -> RecomputeRun | None:
        return self.filter(is_current=True).first()


class RecomputeRun(models.Model):
    """One recompute of the snapshot; exactly one succeeded run is current at a time."""

    status = models.CharField(_("trạng thái"), max_length=10, choices=RunStatus.choices, default=RunStatus.QUEUED)
    requested_by = models.CharField(_("yêu cầu bởi"), max_length=100, blank=True)
    year = models.PositiveSmallIntegerField(_("năm (để trống: mọi năm)"), null=True, blank=True)
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)
    started_at = models.DateTimeField(_("bắt đầu"), null=True, blank=True)
    finished_at = models.DateTimeField(_("kết thúc"), null=True, blank=True)
    # The worker's sign of life: set when the run is sent, while it waits its turn and at each
    # step; a run whose heartbeat is older than RECOMPUTE_HEARTBEAT_TIMEOUT has lost its worker.
    heartbeat_at = models.DateTimeField(_("tín hiệu gần nhất"), null=True, blank=True)
    # When its task reached the broker; empty while the broker was down (the sweep sends it later).
    dispatched_at = models.DateTimeField(_("đã gửi vào hàng đợi lúc"), null=True, blank=True)
    rows = models.PositiveIntegerField(_("số dòng"), default=0)
    error = models.TextField(_("lỗi"), blank=True)
    is_current = models.BooleanField(_("đang dùng"), default=False)

    objects = RecomputeRunQuerySet.as_manager()

    class Meta:
        verbose_name = _("lượt tính toán")
        verbose_name_plural = _("lượt tính toán")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["is_current"], condition=models.Q(is_current=True), name="one_current_run"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.get_status_display()}"


class IndicatorValue(models.Model):
    """Every indicator of one unit and year, as computed by one run.

    One wide row per (run, unit, year) rather than one row per indicator: the dashboards and
    the API read whole rows, and a unit-year is the unit of every report.
    """

    run = models.ForeignKey(RecomputeRun, models.CASCADE, related_name="values")
    unit = models.ForeignKey(AdministrativeUnit, models.CASCADE, related_name="indicator_values")
    year = models.PositiveSmallIntegerField(_("năm"))
    reaggregated = models.BooleanField(
        _("tổng hợp lại theo đơn vị 2025"),
        default=False,
        help_text=_("Năm trước 1/7/2025 tính lại trên đơn vị mới qua bảng kế thừa."),
    )
    total_households = models.PositiveIntegerField(_("tổng số hộ dân cư"), null=True)
    total_households_source = models.CharField(max_length=16, blank=True)
    # Coverage: how much of the unit-year the figures rest on. Only approved reviews count.
    reviewed_households = models.PositiveIntegerField(_("số hộ có kết quả rà soát được phê duyệt"), default=0)
    pending = models.PositiveIntegerField(_("số phiếu chưa phê duyệt"), default=0)
    communes_total = models.PositiveIntegerField(_("số xã, phường có hiệu lực"), default=0)
    communes_reviewed = models.PositiveIntegerField(_("số xã, phường có kết quả được phê duyệt"), default=0)
    communes_started = models.PositiveIntegerField(_("số xã, phường đã bắt đầu rà soát"), default=0)
    first_year_of_standard = models.BooleanField(
        _("năm đầu của chuẩn nghèo"),
        default=False,
        help_text=_("Năm gốc: không so sánh biến động và tỷ lệ giảm với năm trước (chuẩn khác)."),
    )
    # Counts are null where no review of the unit-year is approved (no data is not zero);
    # movements are also null in the first year of a standard.
    poor = models.PositiveIntegerField(_("hộ nghèo"), null=True)
    near_poor = models.PositiveIntegerField(_("hộ cận nghèo"), null=True)
    poor_start = models.PositiveIntegerField(_("hộ nghèo đầu năm"), null=True)
    near_poor_start = models.PositiveIntegerField(_("hộ cận nghèo đầu năm"), null=True)
    poverty_rate = models.DecimalField(_("tỷ lệ hộ nghèo (%)"), max_digits=7, decimal_places=4, null=True)
    near_poverty_rate = models.DecimalField(_("tỷ lệ hộ cận nghèo (%)"), max_digits=7, decimal_places=4, null=True)
    escaped = models.PositiveIntegerField(_("thoát nghèo"), null=True)
    newly_poor = models.PositiveIntegerField(_("nghèo phát sinh"), null=True)
    re_poor = models.PositiveIntegerField(_("tái nghèo"), null=True)
    escaped_near_poor = models.PositiveIntegerField(_("thoát cận nghèo"), null=True)
    newly_near_poor = models.PositiveIntegerField(_("cận nghèo phát sinh"), null=True)
    re_near_poor = models.PositiveIntegerField(_("tái cận nghèo"), null=True)
    reclassified = models.PositiveIntegerField(_("phân loại lại do đổi chuẩn nghèo"), null=True)
    meritorious_poor = models.PositiveIntegerField(_("hộ nghèo có người có công"), null=True)
    meritorious_near_poor = models.PositiveIntegerField(_("hộ cận nghèo có người có công"), null=True)
    social_protection_poor = models.PositiveIntegerField(_("hộ nghèo có đối tượng BTXH"), null=True)
    no_labour_poor = models.PositiveIntegerField(_("hộ nghèo không có khả năng lao động"), null=True)
    ethnic_minority_poor = models.PositiveIntegerField(_("hộ nghèo dân tộc thiểu số"), null=True)
    ethnic_minority_poor_start = models.PositiveIntegerField(_("hộ nghèo DTTS đầu năm"), null=True)
    female_head_poor = models.PositiveIntegerField(_("hộ nghèo chủ hộ nữ"), null=True)
    deprivations_poor = models.JSONField(_("số hộ nghèo thiếu hụt theo chỉ số"), null=True, default=list)
    poor_reduction_rate = models.DecimalField(_("tỷ lệ giảm hộ nghèo (%)"), max_digits=7, decimal_places=2, null=True)
    near_poor_reduction_rate = models.DecimalField(
        _("tỷ lệ giảm hộ cận nghèo (%)"), max_digits=7, decimal_places=2, null=True
    )
    computed_at = models.DateTimeField(_("tính lúc"))

    class Meta:
        verbose_name = _("giá trị chỉ tiêu")
        verbose_name_plural = _("giá trị chỉ tiêu")
        constraints = [
            models.UniqueConstraint(fields=["run", "unit", "year"], name="unique_value_per_run_unit_year"),
        ]
        indexes = [models.Index(fields=["run", "year", "unit"], name="value_run_year_unit")]

    def __str__(self) -> str:
        return f"{self.unit} / {self.year}"

    @property
    def has_data(self) -> bool:
        """Some review of the unit-year is approved: its counts mean something (else they are null)."""
        return self.poor is not None

    @property
    def partly_reviewed(self) -> bool:
        """Some communes of the unit have no approved review yet: the figures cover only part of it."""
        return self.communes_reviewed < self.communes_total

    @property
    def communes_not_started(self) -> int:
        return max(self.communes_total - self.communes_started, 0)

    @property
    def provisional(self) -> bool:
        """Figures that may still change: reviews wait for approval, or communes are missing.
        A unit-year without figures is "no data", not provisional."""
        return self.has_data and (self.pending > 0 or self.partly_reviewed)


class ImpactValue(models.Model):
    """The coming standard's impact on one unit (households.impact), computed with each full run
    so that no request re-classifies the city; read by /progress/impact/ and the API."""

    run = models.ForeignKey(RecomputeRun, models.CASCADE, related_name="impact_values")
    unit = models.ForeignKey(AdministrativeUnit, models.CASCADE, related_name="impact_values")
    year = models.PositiveSmallIntegerField(_("năm rà soát làm gốc"))
    standard = models.CharField(_("chuẩn nghèo kỳ tới"), max_length=40)
    reviewed = models.PositiveIntegerField(_("số hộ được rà soát"))
    income_unknown = models.PositiveIntegerField(_("không có thu nhập (chỉ điểm B1)"))
    at_or_below_new_line = models.PositiveIntegerField(_("thu nhập không quá chuẩn mới"))
    poor_now = models.PositiveIntegerField(_("hộ nghèo hiện nay"))
    near_poor_now = models.PositiveIntegerField(_("hộ cận nghèo hiện nay"))
    poor_low = models.PositiveIntegerField(_("hộ nghèo theo chuẩn mới, cận dưới"))
    poor_high = models.PositiveIntegerField(_("hộ nghèo theo chuẩn mới, cận trên"))
    flows_low = models.JSONField(_("dịch chuyển (cận dưới)"), default=dict)
    flows_high = models.JSONField(_("dịch chuyển (cận trên)"), default=dict)

    class Meta:
        verbose_name = _("tác động của chuẩn nghèo kỳ tới")
        verbose_name_plural = _("tác động của chuẩn nghèo kỳ tới")
        constraints = [models.UniqueConstraint(fields=["run", "unit", "year"], name="unique_impact_per_run_unit")]

    def __str__(self) -> str:
        return f"{self.unit} / {self.year} → {self.standard}"

    @property
    def near_poor_low(self) -> int:
        return near_poor_bounds(self.at_or_below_new_line, self.poor_low, self.poor_high)[0]

    @property
    def near_poor_high(self) -> int:
        return near_poor_bounds(self.at_or_below_new_line, self.poor_low, self.poor_high)[1]
