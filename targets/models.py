"""Plan 51-KH/TU of the Hanoi Party Committee (10 Nov 2021), implementing Directive 05-CT/TW.

The plan, its objective and task groups, the indicators it tracks and its targets are data
(docs/plan.md), shipped by a data migration and editable in the admin. A target may be
city-wide (no unit) or set for one district or commune and year, as the city's yearly decisions
do (e.g. QĐ 337/QĐ-UBND of 12 Jan 2023).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from households.models import AdministrativeUnit


class Plan(models.Model):
    """A plan whose targets the dashboards judge against: its years, its baseline and, once a
    later plan takes over, the year whose end figures close it.

    Plan 51-KH/TU runs to 2030 but the portal closes it with the end-2025 figures (the end of the
    2022–2025 standard and of the city plan QĐ 1362/QĐ-UBND); a plan for 2026–2030 starts from
    the end-2026 review, the baseline of the 2027–2030 standard (Decree 351/2025/NĐ-CP). A plan
    not yet published by the city is entered as a draft, `needs_verification`.
    """

    code = models.CharField(_("số hiệu"), max_length=30, unique=True)
    title = models.CharField(_("tên kế hoạch"), max_length=300)
    issued_by = models.CharField(_("cơ quan ban hành"), max_length=200)
    issued_on = models.DateField(_("ngày ban hành"), null=True, blank=True, help_text=_("Để trống nếu chưa ban hành."))
    implements = models.CharField(_("thực hiện văn bản"), max_length=100, blank=True)
    first_year = models.PositiveSmallIntegerField(_("từ năm"))
    last_year = models.PositiveSmallIntegerField(_("đến năm"))
    baseline_year = models.PositiveSmallIntegerField(_("năm gốc"))
    closing_year = models.PositiveSmallIntegerField(
        _("năm tổng kết"),
        null=True,
        blank=True,
        help_text=_(
            "Kế hoạch được tổng kết bằng số liệu cuối năm này (để trống: năm cuối của kế hoạch); "
            "các năm sau do kế hoạch tiếp theo đánh giá."
        ),
    )
    needs_verification = models.BooleanField(
        _("cần kiểm chứng"),
        default=False,
        help_text=_("Kế hoạch dự kiến, chưa được thành phố công bố: các trang ghi rõ là cần kiểm chứng."),
    )
    note = models.TextField(_("ghi chú"), blank=True)

    class Meta:
        verbose_name = _("kế hoạch")
        verbose_name_plural = _("kế hoạch")

    def __str__(self) -> str:
        return f"{self.code}: {self.title}"

    @property
    def judged_last_year(self) -> int:
        """The last year this plan judges by default: its closing year, else its last year."""
        return self.closing_year or self.last_year

    def covers(self, year: int) -> bool:
        """Whether the dashboards judge `year` against this plan by default."""
        return self.first_year <= year <= self.judged_last_year

    def clean(self) -> None:
        if self.first_year > self.last_year:
            raise ValidationError(_("Năm bắt đầu phải trước hoặc bằng năm kết thúc."))
        if self.baseline_year > self.last_year:
            raise ValidationError(_("Năm gốc không được sau năm cuối của kế hoạch."))
        if self.closing_year is not None and not self.baseline_year <= self.closing_year <= self.last_year:
            raise ValidationError(_("Năm tổng kết phải từ năm gốc đến năm cuối của kế hoạch."))


class ObjectiveGroup(models.Model):
    plan = models.ForeignKey(Plan, models.CASCADE, related_name="objective_groups")
    number = models.PositiveSmallIntegerField(_("số thứ tự"))
    text = models.TextField(_("nội dung"))

    class Meta:
        verbose_name = _("nhóm mục tiêu")
        verbose_name_plural = _("nhóm mục tiêu")
        ordering = ["plan", "number"]
        constraints = [models.UniqueConstraint(fields=["plan", "number"], name="unique_objective_group")]

    def __str__(self) -> str:
        return f"{self.number}. {self.text[:60]}"


class TaskGroup(models.Model):
    plan = models.ForeignKey(Plan, models.CASCADE, related_name="task_groups")
    number = models.PositiveSmallIntegerField(_("số thứ tự"))
    text = models.TextField(_("nội dung"))

    class Meta:
        verbose_name = _("nhóm nhiệm vụ")
        verbose_name_plural = _("nhóm nhiệm vụ")
        ordering = ["plan", "number"]
        constraints = [models.UniqueConstraint(fields=["plan", "number"], name="unique_task_group")]

    def __str__(self) -> str:
        return f"{self.number}. {self.text[:60]}"


class TargetKind(models.TextChoices):
    """How a target is judged (docs/progress-method.md, "Judging a target")."""

    REDUCTION_BAND = "reduction_band", _("Giảm hằng năm theo khoảng (%)")
    COUNT_BY_DEADLINE = "count_by_deadline", _("Đạt số lượng đến thời hạn")
    MUST_BE_ZERO = "must_be_zero", _("Phải bằng 0")
    FEWER_THAN_LAST_YEAR = "fewer_than_last_year", _("Ít hơn năm trước")


class Indicator(models.Model):
    """An indicator of the plan; `code` names the snapshot field it is read from."""

    plan = models.ForeignKey(Plan, models.CASCADE, related_name="indicators")
    code = models.SlugField(_("mã"), max_length=40)
    name = models.CharField(_("tên chỉ tiêu"), max_length=200)
    name_en = models.CharField(_("tên tiếng Anh"), max_length=200)
    objective_group = models.ForeignKey(
        ObjectiveGroup, models.SET_NULL, null=True, blank=True, verbose_name=_("nhóm mục tiêu")
    )

    class Meta:
        verbose_name = _("chỉ tiêu theo dõi")
        verbose_name_plural = _("chỉ tiêu theo dõi")
        constraints = [models.UniqueConstraint(fields=["plan", "code"], name="unique_indicator_code")]

    def __str__(self) -> str:
        return self.name


class Target(models.Model):
    """A target on one indicator: a reduction band, an absolute count, or a deadline.

    `unit` empty means every unit (the city-wide default); a target for a unit and year
    overrides it there.
    """

    indicator = models.ForeignKey(Indicator, models.CASCADE, related_name="targets")
    kind = models.CharField(_("cách đánh giá"), max_length=24, choices=TargetKind.choices)
    unit = models.ForeignKey(
        AdministrativeUnit, models.CASCADE, null=True, blank=True, verbose_name=_("phạm vi (để trống: toàn thành phố)")
    )
    first_year = models.PositiveSmallIntegerField(_("từ năm"))
    last_year = models.PositiveSmallIntegerField(_("đến năm"))
    lower_bound = models.DecimalField(_("cận dưới (%)"), max_digits=6, decimal_places=2, null=True, blank=True)
    upper_bound = models.DecimalField(_("cận trên (%)"), max_digits=6, decimal_places=2, null=True, blank=True)
    absolute_count = models.PositiveIntegerField(_("số lượng mục tiêu"), null=True, blank=True)
    deadline_year = models.PositiveSmallIntegerField(_("thời hạn (cuối năm)"), null=True, blank=True)
    source = models.CharField(_("căn cứ"), max_length=200, blank=True)
    needs_verification = models.BooleanField(
        _("cần kiểm chứng"),
        default=False,
        help_text=_("Chỉ tiêu dự kiến hoặc lấy từ nguồn thứ cấp, chưa đối chiếu với văn bản được công bố."),
    )

    class Meta:
        verbose_name = _("chỉ tiêu")
        verbose_name_plural = _("chỉ tiêu")
        ordering = ["indicator", "unit", "first_year"]

    def __str__(self) -> str:
        scope = self.unit.name if self.unit else _("toàn thành phố")
        return f"{self.indicator} ({scope}, {self.first_year}–{self.last_year})"

    def clean(self) -> None:
        if self.first_year > self.last_year:
            raise ValidationError(_("Năm bắt đầu phải trước hoặc bằng năm kết thúc."))
        if self.kind == TargetKind.REDUCTION_BAND and self.lower_bound is None:
            raise ValidationError(_("Chỉ tiêu giảm theo khoảng cần cận dưới."))
        if self.kind == TargetKind.COUNT_BY_DEADLINE and (self.absolute_count is None or self.deadline_year is None):
            raise ValidationError(_("Chỉ tiêu theo thời hạn cần số lượng và năm hạn."))
        if self.lower_bound is not None and self.upper_bound is not None and self.upper_bound < self.lower_bound:
            raise ValidationError(_("Cận trên phải lớn hơn hoặc bằng cận dưới."))
