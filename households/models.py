"""Administrative units, poverty standards, households, members and their annual reviews.

Sources: docs/poverty-rules.md (standards, Decree 07/2021/NĐ-CP), docs/review-cycle.md (the annual
review, Circular 07/2021/TT-BLĐTBXH, and what a review sheet records) and docs/admin-units.md
(Hanoi's units before and after NQ 1656/NQ-UBTVQH15).
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from households import poverty


class UnitLevel(models.TextChoices):
    CITY = "city", _("Thành phố")
    DISTRICT = "district", _("Cấp huyện")
    COMMUNE = "commune", _("Cấp xã")


class UnitKind(models.TextChoices):
    CITY = "thanh_pho", _("Thành phố")
    URBAN_DISTRICT = "quan", _("Quận")
    RURAL_DISTRICT = "huyen", _("Huyện")
    TOWN = "thi_xa", _("Thị xã")
    WARD = "phuong", _("Phường")
    COMMUNE = "xa", _("Xã")
    TOWNSHIP = "thi_tran", _("Thị trấn")


class Area(models.TextChoices):
    URBAN = poverty.Area.URBAN.value, _("Thành thị")
    RURAL = poverty.Area.RURAL.value, _("Nông thôn")


class Structure(models.IntegerChoices):
    """The two administrative structures of Hanoi the portal knows."""

    LEGACY = 2008, _("Trước 1/7/2025 (30 quận, huyện, thị xã; 526 xã, phường, thị trấn)")
    REFORM_2025 = 2025, _("Từ 1/7/2025 (126 xã, phường)")


LEGACY_END = datetime.date(2025, 6, 30)
REFORM_START = datetime.date(2025, 7, 1)


def year_end(year: int) -> datetime.date:
    """The day a review of `year` is recognised on (the review is carried out at the end of the year)."""
    return datetime.date(year, 12, 31)


def structure_for_year(year: int) -> Structure:
    """The structure a review of `year` (carried out at the end of that year) is reported in."""
    return Structure.REFORM_2025 if year_end(year) >= REFORM_START else Structure.LEGACY


class AdministrativeUnitQuerySet(models.QuerySet):
    def in_force(self, year: int) -> AdministrativeUnitQuerySet:
        """Units valid at the end of `year` (the queryset form of AdministrativeUnit.is_in_force_in)."""
        day = year_end(year)
        return self.filter(Q(valid_from__lte=day) | Q(valid_from__isnull=True)).filter(
            Q(valid_to__gte=day) | Q(valid_to__isnull=True)
        )

    def communes(self) -> AdministrativeUnitQuerySet:
        return self.filter(level=UnitLevel.COMMUNE)

    def districts(self) -> AdministrativeUnitQuerySet:
        return self.filter(level=UnitLevel.DISTRICT)


class AdministrativeUnit(models.Model):
    """A city, district-level or commune-level unit with its GSO code and validity dates.

    Codes are reused across the 2025 restructuring (docs/admin-units.md), so a unit is identified by
    its code together with the date it is read for: (code, valid_from) is unique, never code.
    """

    code = models.CharField(_("mã đơn vị (GSO)"), max_length=5, db_index=True)
    name = models.CharField(_("tên"), max_length=100)
    level = models.CharField(_("cấp"), max_length=10, choices=UnitLevel.choices)
    kind = models.CharField(_("loại"), max_length=10, choices=UnitKind.choices)
    area = models.CharField(_("khu vực"), max_length=5, choices=Area.choices, blank=True)
    parent = models.ForeignKey(
        "self", models.PROTECT, null=True, blank=True, related_name="children", verbose_name=_("thuộc")
    )
    structure = models.IntegerField(_("cơ cấu hành chính"), choices=Structure.choices)
    valid_from = models.DateField(_("hiệu lực từ"), null=True, blank=True)
    valid_to = models.DateField(_("hiệu lực đến"), null=True, blank=True)
    latitude = models.FloatField(_("vĩ độ"), null=True, blank=True)
    longitude = models.FloatField(_("kinh độ"), null=True, blank=True)
    successors = models.ManyToManyField(
        "self",
        through="Succession",
        symmetrical=False,
        related_name="predecessors",
        blank=True,
        verbose_name=_("đơn vị kế thừa"),
    )

    objects = AdministrativeUnitQuerySet.as_manager()

    class Meta:
        verbose_name = _("đơn vị hành chính")
        verbose_name_plural = _("đơn vị hành chính")
        ordering = ["structure", "code"]
        constraints = [
            models.UniqueConstraint(fields=["code", "structure"], name="unique_unit_code_per_structure"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    @property
    def is_city(self) -> bool:
        return self.level == UnitLevel.CITY

    def is_in_force_on(self, day: datetime.date) -> bool:
        """The one rule of validity: open-ended dates are unbounded."""
        return (self.valid_from is None or self.valid_from <= day) and (self.valid_to is None or day <= self.valid_to)

    def is_in_force_in(self, year: int) -> bool:
        """In force at the end of `year`, when that year's review is recognised."""
        return self.is_in_force_on(year_end(year))

    def district(self) -> AdministrativeUnit | None:
        if self.level == UnitLevel.DISTRICT:
            return self
        if self.level == UnitLevel.COMMUNE and self.parent and self.parent.level == UnitLevel.DISTRICT:
            return self.parent
        return None


class Succession(models.Model):
    """Old → new link of the 2025 restructuring; many-to-many since some communes were split.

    `is_primary` marks the successor that the package names as the default for a split commune,
    used when history is re-aggregated onto today's units.
    """

    predecessor = models.ForeignKey(AdministrativeUnit, models.CASCADE, related_name="successions_out")
    successor = models.ForeignKey(AdministrativeUnit, models.CASCADE, related_name="successions_in")
    is_primary = models.BooleanField(_("kế thừa chính"), default=True)

    class Meta:
        verbose_name = _("kế thừa đơn vị")
        verbose_name_plural = _("kế thừa đơn vị")
        constraints = [
            models.UniqueConstraint(fields=["predecessor", "successor"], name="unique_succession"),
        ]

    def __str__(self) -> str:
        return f"{self.predecessor} → {self.successor}"


class Role(models.TextChoices):
    COMMUNE_OFFICER = "commune_officer", _("Cán bộ cấp xã")
    DISTRICT_OFFICER = "district_officer", _("Cán bộ cấp huyện")
    CITY_OFFICER = "city_officer", _("Cán bộ cấp thành phố (Sở)")
    CITY_LEADER = "city_leader", _("Lãnh đạo thành phố")
    ADMINISTRATOR = "administrator", _("Quản trị viên")


# Roles that write households, members and reviews (forms, uploads, API, import).
WRITER_ROLES = frozenset({Role.COMMUNE_OFFICER, Role.DISTRICT_OFFICER, Role.ADMINISTRATOR})
# Roles that read every household of the city.
CITY_WIDE_ROLES = frozenset({Role.CITY_LEADER, Role.CITY_OFFICER, Role.ADMINISTRATOR})


class User(AbstractUser):
    """A portal user, bound to one administrative unit that bounds what they may see.

    Who may do what is decided here and nowhere else (docs/review-cycle.md, "Who may do what"): the properties
    below are read by visibility, the services, the workflow, the importer, views and the API.
    From 1 Jul 2025 (NQ 1656/NQ-UBTVQH15) there is no district level: the city's department
    (`city_officer`) approves the communes' reviews of the 2025 structure; district officers keep
    approving their communes' reviews of the years before.
    """

    role = models.CharField(_("vai trò"), max_length=20, choices=Role.choices, blank=True)
    unit = models.ForeignKey(AdministrativeUnit, models.PROTECT, null=True, blank=True, verbose_name=_("đơn vị"))

    @property
    def reads_aggregates_only(self) -> bool:
        """City leaders read figures, not households' names (lists become counts per unit)."""
        return self.role == Role.CITY_LEADER and not self.is_superuser

    def get_full_name(self) -> str:
        """The name in Vietnamese order: họ, tên đệm (last_name), then tên (first_name)."""
        return f"{self.last_name} {self.first_name}".strip()

    class Meta:
        verbose_name = _("người dùng")
        verbose_name_plural = _("người dùng")

    def clean(self) -> None:
        super().clean()
        if self.role:
            from households.accounts import check_role_fits_unit

            if self.unit is None:
                raise ValidationError({"unit": _("Vai trò này cần một đơn vị hành chính.")})
            check_role_fits_unit(self.role, self.unit)

    @property
    def is_administrator(self) -> bool:
        return bool(self.is_active and (self.is_superuser or self.role == Role.ADMINISTRATOR))

    @property
    def can_write(self) -> bool:
        """Writes households, members and reviews (city leaders and the city officer never do)."""
        return bool(self.is_active and (self.is_superuser or self.role in WRITER_ROLES))

    @property
    def is_city_wide(self) -> bool:
        """Reads every household of the city."""
        return bool(self.is_active and (self.is_superuser or self.role in CITY_WIDE_ROLES))

    @property
    def structure(self) -> int | None:
        """The administrative structure of the user's unit (None for the city and for no unit)."""
        if self.unit is None or self.unit.level == UnitLevel.CITY:
            return None
        return self.unit.structure

    def writes_year(self, year: int) -> bool:
        """May write reviews of `year`: an officer of the structure before 1 Jul 2025 (a district,
        or a commune since merged) only the years of that structure, up to 2024."""
        if self.is_administrator:
            return True
        if not self.can_write:
            return False
        return not (self.structure == Structure.LEGACY and structure_for_year(year) != Structure.LEGACY)

    def can_submit(self, commune: AdministrativeUnit) -> bool:
        """Sends a commune-year for approval: its commune officer, its district's officer, an administrator."""
        if self.is_administrator:
            return True
        if not self.is_active or self.unit_id is None:
            return False
        if self.role == Role.COMMUNE_OFFICER:
            return self.unit_id == commune.pk
        if self.role == Role.DISTRICT_OFFICER:
            return self.unit_id == commune.pk or (
                self.unit.level == UnitLevel.DISTRICT and commune.parent_id == self.unit_id
            )
        return False

    def can_decide(self, commune: AdministrativeUnit) -> bool:
        """Approves or returns a commune's review: for a commune of the 2025 structure the city
        officer, for one of the structure before the district officer of its district; an
        administrator always."""
        if self.is_administrator:
            return True
        if not self.is_active:
            return False
        if commune.structure == Structure.REFORM_2025:
            return self.role == Role.CITY_OFFICER
        return (
            self.role == Role.DISTRICT_OFFICER
            and self.unit is not None
            and self.unit.level == UnitLevel.DISTRICT
            and commune.parent_id == self.unit_id
        )


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
            # A recompute shard counts its own communes from this index alone (an index-only scan
            # on PostgreSQL): it reads its share of the index, not pages of every commune's
            # reviews. It must carry every column reports.recompute.counting's COUNTS read.
            models.Index(
                fields=["commune", "year"],
                include=[
                    "id",
                    "state",
                    "standard",
                    "poverty_class",
                    "movement",
                    "deprivation_flags",
                    "meritorious",
                    "social_protection",
                    "no_labour_capacity",
                    "ethnic_minority",
                    "head_sex",
                ],
                name="review_commune_year_counts",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.household.code} / {self.year}"

    def deprivation_list(self, size: int = 12) -> list[bool]:
        return poverty.mask_to_flags(self.deprivation_flags, size)


class TotalSource(models.TextChoices):
    ENTERED = "entered", _("Nhập tay")
    IMPORTED = "imported", _("Nhập từ tệp")
    CARRIED_FORWARD = "carried_forward", _("Lấy theo năm trước")
    ESTIMATED = "estimated", _("Ước tính (dữ liệu mẫu)")


class UnitYear(models.Model):
    """Total resident households of a unit in a year: the denominator of the poverty rate."""

    unit = models.ForeignKey(AdministrativeUnit, models.CASCADE, related_name="years")
    year = models.PositiveSmallIntegerField(_("năm"))
    total_households = models.PositiveIntegerField(_("tổng số hộ dân cư"))
    source = models.CharField(_("nguồn"), max_length=16, choices=TotalSource.choices, default=TotalSource.ENTERED)

    class Meta:
        verbose_name = _("tổng số hộ theo năm")
        verbose_name_plural = _("tổng số hộ theo năm")
        constraints = [
            models.UniqueConstraint(fields=["unit", "year"], name="unique_unit_year"),
        ]

    def __str__(self) -> str:
        return f"{self.unit} / {self.year}: {self.total_households}"


# ---------------------------------------------------------------------------------------------
# Upload jobs and the review workflow (services in households/uploads.py and households/workflow.py)


class JobStage(models.TextChoices):
    PREVIEW = "preview", _("Xem trước")
    IMPORT = "import", _("Nhập dữ liệu")


class JobStatus(models.TextChoices):
    QUEUED = "queued", _("Đang chờ")
    RUNNING = "running", _("Đang chạy")
    SUCCEEDED = "succeeded", _("Thành công")
    FAILED = "failed", _("Thất bại")
    DISCARDED = "discarded", _("Đã hủy")


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
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)
    started_at = models.DateTimeField(_("bắt đầu lúc"), null=True, blank=True)
    finished_at = models.DateTimeField(_("xong lúc"), null=True, blank=True)

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
