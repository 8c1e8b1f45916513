"""Upload jobs and the review workflow's transitions (services in households/uploads.py and
households/workflow.py)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from households.models.reviews import ReviewState
from households.models.units import AdministrativeUnit


class JobStage(models.TextChoices):
    PREVIEW = "preview", _("Xem trước")
    IMPORT = "import", _("Nhập dữ liệu")


class JobStatus(models.TextChoices):
    QUEUED = "queued", _("Đang chờ")
    RUNNING = "running", _("Đang chạy")
    SUCCEEDED = "succeeded", _("Thành công")
    FAILED = "failed", _("Thất bại")
    DISCARDED = "discarded", _("Đã hủy")


class ImportJobQuerySet(models.QuerySet):
    def visible_to(self, user) -> ImportJobQuerySet:
        from households.visibility import visible_import_jobs

        return visible_import_jobs(self, user)


class ImportJob(models.Model):
    """An uploaded review file on its way through preview (dry run) and import.

    The file stays under MEDIA_ROOT/imports/ between preview and confirm, so the confirmed import
    reads exactly the file that was previewed. Large files run as a Celery task that takes the id.
    """

    user = models.ForeignKey("households.User", models.CASCADE, related_name="import_jobs", verbose_name=_("người tải"))
    unit = models.ForeignKey(
        AdministrativeUnit, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("đơn vị")
    )
    filename = models.CharField(_("tên tệp"), max_length=255)
    file_path = models.CharField(_("tệp lưu trên máy chủ"), max_length=255)
    stage = models.CharField(_("bước"), max_length=10, choices=JobStage.choices, default=JobStage.PREVIEW)
    status = models.CharField(_("trạng thái"), max_length=10, choices=JobStatus.choices, default=JobStatus.QUEUED)
    background = models.BooleanField(_("chạy nền"), default=False)
    rows_total = models.PositiveIntegerField(_("số dòng"), default=0)
    rows_done = models.PositiveIntegerField(_("số dòng đã xử lý"), default=0)
    preview = models.JSONField(_("kết quả xem trước"), null=True, blank=True)
    result = models.JSONField(_("kết quả nhập"), null=True, blank=True)
    errors = models.JSONField(_("lỗi"), default=list, blank=True)
    error_rows = models.JSONField(
        _("lỗi theo dòng"), default=list, blank=True, help_text=_("Các lỗi dạng {row, column, message}, cho API.")
    )
    review_state = models.CharField(
        _("trạng thái phiếu sau khi nhập"), max_length=10, choices=ReviewState.choices, default=ReviewState.DRAFT
    )
    # The uploader's language when the file came (or was confirmed): a background job's messages
    # are written in it, since the worker runs outside any request (households.uploads.run_job).
    language = models.CharField(
        _("ngôn ngữ của thông báo"), max_length=10, default="vi", help_text=_("Ngôn ngữ của người tải tệp lên.")
    )
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)
    started_at = models.DateTimeField(_("bắt đầu lúc"), null=True, blank=True)
    finished_at = models.DateTimeField(_("xong lúc"), null=True, blank=True)

    objects = ImportJobQuerySet.as_manager()

    class Meta:
        verbose_name = _("lượt nhập tệp")
        verbose_name_plural = _("lượt nhập tệp")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["user", "-created_at"], name="import_job_user_created")]

    def __str__(self) -> str:
        return f"{self.filename} ({self.get_status_display()})"

    @property
    def is_active(self) -> bool:
        return self.status in (JobStatus.QUEUED, JobStatus.RUNNING)

    @property
    def percent(self) -> int:
        if not self.rows_total:
            return 100 if self.status == JobStatus.SUCCEEDED else 0
        return min(100, round(100 * self.rows_done / self.rows_total))


class ReviewTransition(models.Model):
    """One move of a commune's review for a year: draft → submitted → approved or returned."""

    commune = models.ForeignKey(
        AdministrativeUnit, models.PROTECT, related_name="review_transitions", verbose_name=_("xã/phường")
    )
    year = models.PositiveSmallIntegerField(_("năm rà soát"))
    from_state = models.CharField(_("từ trạng thái"), max_length=10, choices=ReviewState.choices)
    to_state = models.CharField(_("sang trạng thái"), max_length=10, choices=ReviewState.choices)
    comment = models.TextField(_("ý kiến"), blank=True)
    reviews = models.PositiveIntegerField(_("số kết quả rà soát"), default=0)
    user = models.ForeignKey(
        "households.User", models.SET_NULL, null=True, related_name="+", verbose_name=_("người thực hiện")
    )
    at = models.DateTimeField(_("lúc"), auto_now_add=True)

    class Meta:
        verbose_name = _("chuyển trạng thái rà soát")
        verbose_name_plural = _("chuyển trạng thái rà soát")
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["commune", "year"], name="transition_commune_year")]

    def __str__(self) -> str:
        return f"{self.commune} / {self.year}: {self.from_state} → {self.to_state}"
