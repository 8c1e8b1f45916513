"""Serializers of units/, households/, reviews/ and imports/.

Read serializers only shape rows; writes are validated here for types and then handed to
households.services (reviews) or households.importer (imports), which own the rules and the
Vietnamese messages, exactly as for the officers' forms.
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from households.models import (
    AdministrativeUnit,
    Cause,
    Household,
    ImportJob,
    JobStage,
    Member,
    Need,
    Review,
    ReviewState,
    ReviewType,
)
from households.services import review_version

DEPRIVATION_SLOTS = 12


class UnitSerializer(serializers.ModelSerializer):
    parent = serializers.CharField(
        source="parent.code", allow_null=True, default=None, help_text="Mã GSO đơn vị cấp trên / parent's GSO code"
    )

    class Meta:
        model = AdministrativeUnit
        fields = [
            "id",
            "code",
            "name",
            "level",
            "kind",
            "area",
            "parent",
            "structure",
            "valid_from",
            "valid_to",
            "latitude",
            "longitude",
        ]
        extra_kwargs = {
            "code": {"help_text": "Mã GSO (01 = thành phố) / GSO code (01 = the city)"},
            "name": {"help_text": "Tên đơn vị / unit name"},
            "level": {"help_text": "Cấp / level"},
            "kind": {"help_text": "Loại đơn vị / kind of unit"},
            "area": {"help_text": "Khu vực thành thị/nông thôn / urban or rural"},
            "structure": {"help_text": "Cơ cấu hành chính (2008 hoặc 2025) / administrative structure"},
            "valid_from": {"help_text": "Hiệu lực từ / valid from"},
            "valid_to": {"help_text": "Hiệu lực đến / valid to"},
        }


class MemberSerializer(serializers.ModelSerializer):
    class Meta:
        model = Member
        fields = [
            "id",
            "full_name",
            "relation",
            "sex",
            "birth_year",
            "id_number",
            "health_insurance",
            "schooling",
            "employment",
            "disability",
        ]


class HouseholdSerializer(serializers.ModelSerializer):
    commune_code = serializers.CharField(read_only=True, help_text="Mã GSO xã / commune code")
    commune_name = serializers.CharField(read_only=True, help_text="Tên xã / commune name")

    class Meta:
        model = Household
        fields = [
            "id",
            "code",
            "commune",
            "commune_code",
            "commune_name",
            "village",
            "address",
            "head_name",
            "head_sex",
            "ethnic_minority",
            "members_count",
            "meritorious",
            "social_protection",
            "no_labour_capacity",
        ]
        read_only_fields = fields


class HouseholdDetailSerializer(HouseholdSerializer):
    members = MemberSerializer(many=True, read_only=True, help_text="Thành viên hộ / household members")

    class Meta(HouseholdSerializer.Meta):
        fields = [*HouseholdSerializer.Meta.fields, "members"]
        read_only_fields = fields


class ReviewSerializer(serializers.ModelSerializer):
    household_code = serializers.CharField(source="household.code", read_only=True, help_text="Mã hộ / household code")
    commune_code = serializers.CharField(source="commune.code", read_only=True, help_text="Mã GSO xã / commune code")
    standard = serializers.CharField(source="standard.code", read_only=True, help_text="Chuẩn nghèo / standard")
    income_per_capita = serializers.DecimalField(
        max_digits=12, decimal_places=0, coerce_to_string=False, allow_null=True, read_only=True
    )
    b1_score = serializers.DecimalField(
        max_digits=6, decimal_places=1, coerce_to_string=False, allow_null=True, read_only=True
    )
    deprivations = serializers.SerializerMethodField(
        help_text="12 chỉ số thiếu hụt d01…d12 (docs/poverty-rules.md) / the 12 deprivation flags d01…d12"
    )
    version = serializers.SerializerMethodField(
        help_text="Phiên bản (cũng là ETag) / version, also sent as the ETag; send it back in If-Match"
    )

    class Meta:
        model = Review
        fields = [
            "id",
            "household",
            "household_code",
            "year",
            "commune",
            "commune_code",
            "standard",
            "income_per_capita",
            "b1_score",
            "deprivations",
            "deprivation_count",
            "causes",
            "needs",
            "poverty_class",
            "movement",
            "review_type",
            "review_date",
            "state",
            "meritorious",
            "social_protection",
            "no_labour_capacity",
            "ethnic_minority",
            "head_sex",
            "updated_at",
            "version",
        ]
        read_only_fields = fields

    def get_deprivations(self, review: Review) -> list[bool]:
        return review.deprivation_list(DEPRIVATION_SLOTS)

    def get_version(self, review: Review) -> str:
        return review_version(review)


class ReviewWriteSerializer(serializers.Serializer):
    """What an officer enters for a review, as on the web form; classified by the service."""

    income_per_capita = serializers.DecimalField(
        max_digits=12,
        decimal_places=0,
        min_value=0,
        allow_null=True,
        required=False,
        help_text="Thu nhập bình quân (đồng/người/tháng) / income per person per month (VND)",
    )
    b1_score = serializers.DecimalField(
        max_digits=6, decimal_places=1, min_value=0, allow_null=True, required=False, help_text="Điểm B1 / B1 score"
    )
    deprivations = serializers.ListField(
        child=serializers.BooleanField(),
        max_length=DEPRIVATION_SLOTS,
        required=False,
        help_text="Chỉ số thiếu hụt d01…d12 theo thứ tự / deprivation flags d01…d12 in order",
    )
    causes = serializers.ListField(
        child=serializers.ChoiceField(choices=Cause.choices), required=False, help_text="Nguyên nhân nghèo / causes"
    )
    needs = serializers.ListField(
        child=serializers.ChoiceField(choices=Need.choices), required=False, help_text="Nhu cầu hỗ trợ / needs"
    )
    review_type = serializers.ChoiceField(
        choices=ReviewType.choices, required=False, help_text="Loại rà soát / kind of review"
    )
    review_date = serializers.DateField(allow_null=True, required=False, help_text="Ngày rà soát / review date")


class ReviewCreateSerializer(ReviewWriteSerializer):
    household = serializers.PrimaryKeyRelatedField(
        queryset=Household.objects.none(), help_text="Mã số (id) của hộ trong households/ / household id"
    )
    year = serializers.IntegerField(min_value=2000, max_value=2100, help_text="Năm rà soát / review year")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            self.fields["household"].queryset = Household.objects.visible_to(request.user)


class ImportRequestSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="Tệp .xlsx hoặc .csv theo mẫu / review file (.xlsx or .csv) in the template")
    state = serializers.ChoiceField(
        choices=[(ReviewState.DRAFT, ReviewState.DRAFT.label), (ReviewState.SUBMITTED, ReviewState.SUBMITTED.label)],
        default=ReviewState.DRAFT,
        help_text="Trạng thái của phiếu sau khi nhập / state of the imported reviews",
    )


class ImportResultSerializer(serializers.Serializer):
    rows = serializers.IntegerField(help_text="Số dòng / rows read")
    households_created = serializers.IntegerField()
    households_updated = serializers.IntegerField()
    reviews_created = serializers.IntegerField()
    reviews_updated = serializers.IntegerField()
    reviews_unchanged = serializers.IntegerField()
    movements_updated = serializers.IntegerField()
    rows_carried_unchanged = serializers.IntegerField(
        help_text=(
            "Dòng chép từ năm trước (source_year) chưa sửa: hộ chưa rà soát năm này, không ghi / rows copied from "
            "an earlier year (source_year) and left unchanged: households not yet reviewed this year, not written"
        )
    )
    rows_unreviewed = serializers.IntegerField(
        help_text="Dòng không có số liệu rà soát, không ghi / rows without any review value, not written"
    )
    notes = serializers.ListField(
        child=serializers.CharField(),
        help_text="Giải thích các dòng bỏ qua, theo ngôn ngữ của yêu cầu / what was skipped, in the request's language",
    )
    changes = serializers.ListField(
        child=serializers.DictField(),
        help_text=(
            "Xem trước: từng trường sẽ đổi trên hộ và kết quả đã có (500 thay đổi đầu): row, household, field, label, "
            "before, after / a preview's field changes to stored households and reviews (the first 500)"
        ),
    )
    changes_total = serializers.IntegerField(help_text="Tổng số thay đổi / all field changes")
    classes = serializers.DictField(child=serializers.IntegerField(), help_text="Số phiếu theo phân loại / by class")
    movements = serializers.DictField(child=serializers.IntegerField(), help_text="Số phiếu theo biến động")
    years = serializers.ListField(child=serializers.IntegerField())
    dry_run = serializers.BooleanField(help_text="Xem trước, chưa ghi / preview only, nothing written")
    communes = serializers.ListField(
        child=serializers.CharField(), required=False, help_text="Các xã có trong tệp / communes in the file"
    )
    job = serializers.IntegerField(required=False, help_text="Mã lượt nhập / the import job's id")


class ImportErrorSerializer(serializers.Serializer):
    row = serializers.IntegerField(help_text="Số dòng trong tệp (0: cả tệp) / row number in the file (0: whole file)")
    column = serializers.CharField(help_text="Khóa cột / column key")
    message = serializers.CharField(
        help_text="Thông báo, theo ngôn ngữ của yêu cầu / message, in the request's language (Accept-Language)"
    )


class ImportJobSerializer(serializers.ModelSerializer):
    """A file being previewed or imported in the background: poll until `status` is final."""

    url = serializers.HyperlinkedIdentityField(view_name="api-import-detail")
    rows_done = serializers.SerializerMethodField(help_text="Số dòng đã xử lý / rows processed so far")
    percent = serializers.SerializerMethodField(help_text="Tiến độ, % / progress, %")
    summary = serializers.SerializerMethodField(help_text="Tóm tắt khi xong / the summary once succeeded")
    errors = ImportErrorSerializer(source="error_rows", many=True, read_only=True)

    class Meta:
        model = ImportJob
        fields = [
            "id",
            "url",
            "filename",
            "stage",
            "status",
            "review_state",
            "rows_total",
            "rows_done",
            "percent",
            "created_at",
            "started_at",
            "finished_at",
            "summary",
            "errors",
        ]
        read_only_fields = fields

    def get_rows_done(self, job: ImportJob) -> int:
        from households.uploads import rows_done

        return rows_done(job)

    def get_percent(self, job: ImportJob) -> int:
        if not job.rows_total:
            return job.percent
        return min(100, round(100 * self.get_rows_done(job) / job.rows_total))

    @extend_schema_field(ImportResultSerializer(allow_null=True))
    def get_summary(self, job: ImportJob) -> dict | None:
        return job.result if job.stage == JobStage.IMPORT else job.preview
