"""units/, households/, reviews/ and imports/: thin adapters over the same visibility rule,
FilterSet, services and importer as the officers' pages (docs/architecture.md, the write path).

Every household and review queryset starts from `.visible_to(request.user)`, so an officer's token
gets 404 for another district's row, exactly as a page would. Writes need `can_write` (a city
leader's token reads, never writes: 403) and go through households.services.save_review, which
re-checks the commune, classifies, records the history and refuses a concurrent edit; the API
adds HTTP's own guard: the review's ETag is its version, and PUT/PATCH must send it in If-Match
(428 without it, 412 when it no longer matches).
"""

from __future__ import annotations

import re

import django_filters
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import F, Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from households import uploads
from households.filters import HouseholdFilterSet
from households.models import (
    UNIT_CODE_PATTERN,
    AdministrativeUnit,
    Household,
    ImportJob,
    JobStage,
    JobStatus,
    Member,
    PovertyClass,
    Review,
    ReviewState,
    Structure,
    UnitLevel,
    in_force_of,
)
from households.serializers import (
    HouseholdDetailSerializer,
    HouseholdSerializer,
    ImportJobSerializer,
    ImportRequestSerializer,
    ImportResultSerializer,
    ReviewCreateSerializer,
    ReviewSerializer,
    ReviewWriteSerializer,
    UnitSerializer,
)
from households.services import ReviewConflict, ReviewInput, review_version, save_review
from households.visibility import can_write
from povertyplan.api_errors import ApiError, PreconditionFailed, PreconditionRequired, error_responses
from povertyplan.api_pagination import BoundedCursorPagination
from povertyplan.filters import ID_BOUNDS, YEAR_BOUNDS, IntegerFilter

# ---------------------------------------------------------------------------------------------
# Permissions


class CanWriteOrReadOnly(permissions.BasePermission):
    """Reads for any authenticated user (scoped by the querysets); writes only for writers."""

    message = gettext_lazy("Tài khoản của bạn chỉ được xem, không được sửa dữ liệu hộ.")

    def has_permission(self, request, view) -> bool:
        if not (request.user and request.user.is_authenticated):
            return False
        return request.method in permissions.SAFE_METHODS or can_write(request.user)


# ---------------------------------------------------------------------------------------------
# units/


class UnitFilterSet(django_filters.FilterSet):
    code = django_filters.CharFilter(help_text="Mã GSO / GSO code")
    level = django_filters.ChoiceFilter(choices=UnitLevel.choices, help_text="Cấp / level")
    parent = django_filters.CharFilter(field_name="parent__code", help_text="Mã GSO đơn vị cấp trên / parent code")
    structure = django_filters.TypedChoiceFilter(
        choices=Structure.choices, coerce=int, help_text="Cơ cấu hành chính 2008 hoặc 2025 / structure"
    )
    year = IntegerFilter(
        method="filter_year", help_text="Đơn vị có hiệu lực cuối năm / in force at year end", **YEAR_BOUNDS
    )

    class Meta:
        model = AdministrativeUnit
        fields = ["code", "level", "parent", "structure", "year"]

    def filter_year(self, queryset, name, value):
        return queryset.in_force(int(value))


class UnitDetailQuerySerializer(serializers.Serializer):
    structure = serializers.ChoiceField(choices=Structure.choices, required=False)


@extend_schema(tags=["units"])
@extend_schema_view(
    list=extend_schema(
        summary="Đơn vị hành chính / administrative units",
        description=(
            "Đơn vị hành chính của Hà Nội theo cả hai cơ cấu (trước và từ 1/7/2025), với mã GSO. / "
            "Hanoi's administrative units of both structures (before and from 1 July 2025), with GSO codes."
        ),
        responses={200: UnitSerializer(many=True), **error_responses(400)},
    ),
    retrieve=extend_schema(
        summary="Một đơn vị theo mã GSO / one unit by its GSO code",
        description=(
            "Đơn vị có mã GSO `code`, cùng mã mà các tham số `unit` và `parent` dùng. Mã được dùng lại sau sắp xếp "
            "1/7/2025 (00004 là Phường Trúc Bạch đến 30/6/2025, Phường Ba Đình từ 1/7/2025): mặc định là đơn vị "
            "đang có hiệu lực hôm nay (cơ cấu 2025), `structure=2008` chọn đơn vị cũ. Mã không có: 404; mã ứng với "
            "nhiều đơn vị mà không đơn vị nào (hoặc nhiều đơn vị) có hiệu lực hôm nay: 400, cần `structure`.\n\n"
            "The unit with GSO code `code`, the key the `unit` and `parent` parameters use. Codes were reused by "
            "the 1 July 2025 reform (00004 is Phường Trúc Bạch until 30 June 2025, Phường Ba Đình from 1 July "
            "2025): by default the unit in force today (the 2025 structure); `structure=2008` picks the old one. "
            "An unknown code is a 404; a code naming several units none (or several) of which is in force today "
            "is a 400 asking for `structure`."
        ),
        parameters=[
            OpenApiParameter(
                "code",
                OpenApiTypes.STR,
                OpenApiParameter.PATH,
                pattern=UNIT_CODE_PATTERN,
                description="Mã GSO (01 = thành phố, 3 chữ số: cấp huyện, 5 chữ số: cấp xã) / GSO code",
            ),
            OpenApiParameter(
                "structure",
                int,
                enum=Structure.values,
                description=(
                    "Cơ cấu hành chính 2008 hoặc 2025 khi một mã ứng với hai đơn vị; mặc định: đơn vị có hiệu lực hôm "
                    "nay / structure 2008 or 2025 when a code names two units; default: the unit in force today"
                ),
            ),
        ],
        responses={200: UnitSerializer, **error_responses(400, 404)},
    ),
)
class UnitViewSet(viewsets.ReadOnlyModelViewSet):
    """Units are addressed by their GSO code (units/<code>/), the key every filter uses; the
    internal id stays a field of the answer, not an address."""

    queryset = AdministrativeUnit.objects.select_related("parent").order_by("structure", "level", "code")
    serializer_class = UnitSerializer
    filterset_class = UnitFilterSet
    lookup_field = "code"
    lookup_value_regex = "[^/]+"

    def get_object(self) -> AdministrativeUnit:
        code = self.kwargs["code"]
        params = UnitDetailQuerySerializer(data=self.request.query_params)
        params.is_valid(raise_exception=True)
        structure = params.validated_data.get("structure")
        if not re.fullmatch(UNIT_CODE_PATTERN, code):
            raise NotFound(_("«%(code)s» không phải mã GSO (01, 3 hoặc 5 chữ số).") % {"code": code})
        found = list(self.get_queryset().with_code(code, structure=structure))
        if not found:
            if structure is None:
                raise NotFound(_("Không có đơn vị hành chính mã «%(code)s».") % {"code": code})
            raise NotFound(
                _("Không có đơn vị hành chính mã «%(code)s» trong cơ cấu %(structure)s.")
                % {"code": code, "structure": structure}
            )
        unit = found[0] if len(found) == 1 else in_force_of(found, timezone.localdate())
        if unit is None:
            names = "; ".join(f"{item.name} ({item.structure})" for item in found)
            raise serializers.ValidationError(
                {
                    "structure": [
                        _("Mã «%(code)s» ứng với nhiều đơn vị (%(names)s): chọn một bằng structure=2008 hoặc 2025.")
                        % {"code": code, "names": names}
                    ]
                },
                code="ambiguous",
            )
        return unit


# ---------------------------------------------------------------------------------------------
# households/


class HouseholdApiFilterSet(HouseholdFilterSet):
    """The officers' list filters, plus the commune by GSO code for other systems."""

    commune = IntegerFilter(field_name="commune_id", help_text="Mã số (id) xã / commune id", **ID_BOUNDS)
    commune_code = django_filters.CharFilter(field_name="commune__code", help_text="Mã GSO xã / commune GSO code")

    class Meta(HouseholdFilterSet.Meta):
        fields = [*HouseholdFilterSet.Meta.fields, "commune_code"]

    @classmethod
    def get_filters(cls):
        # Other systems page through the registry by a cursor over the code (RegistryCursor):
        # the pages' name order does not apply here, nor appear in the schema.
        filters = super().get_filters()
        filters.pop("sort", None)
        return filters


class RegistryCursor(BoundedCursorPagination):
    """Pages of the registry by a cursor (`next` and `previous` links), not by page number: each
    page costs the same at any depth of Hanoi's 2.2 million households (an index range, no OFFSET
    and no COUNT over the scope), and a sync never skips or repeats a row when others are added."""

    ordering = "code"
    page_size = 100
    example_path = "/api/v1/households/"
    example_position = "HN-09625-00017"


class ReviewCursor(RegistryCursor):
    ordering = "id"
    example_path = "/api/v1/reviews/"
    example_position = "1234"


@extend_schema(tags=["households"])
@extend_schema_view(
    list=extend_schema(
        summary="Hộ gia đình / households",
        description=(
            "Hộ trong phạm vi đơn vị của người dùng (cán bộ xã: xã mình, với xã cũ mà xã mới kế thừa chính; cán bộ "
            "huyện: các xã trong huyện, với lịch sử của hộ đã chuyển đi; lãnh đạo thành phố, cán bộ Sở, quản trị: toàn "
            "thành phố). / Households within the user's units (commune officer: the commune, and for a 2025 unit the "
            "old communes it is the primary successor of; district officer: its communes, with the history of "
            "households that moved on; city leader, city officer, administrator: the city)."
        ),
        responses={200: HouseholdSerializer(many=True), **error_responses(400, 403)},
    ),
    retrieve=extend_schema(
        summary="Một hộ với thành viên / one household with its members",
        description="404 nếu hộ ngoài phạm vi của bạn / 404 when outside your units.",
        responses={200: HouseholdDetailSerializer, **error_responses(404)},
    ),
)
class HouseholdViewSet(viewsets.ReadOnlyModelViewSet):
    filterset_class = HouseholdApiFilterSet
    pagination_class = RegistryCursor

    def get_queryset(self):
        # The commune's code and name as two columns of the row: building a whole unit object per
        # household cost a fifth of a page's time.
        queryset = Household.objects.visible_to(self.request.user).annotate(
            commune_code=F("commune__code"), commune_name=F("commune__name")
        )
        if self.action == "retrieve":
            queryset = queryset.prefetch_related(Prefetch("members", queryset=Member.objects.order_by("id")))
        return queryset.order_by("code")

    def get_serializer_class(self):
        return HouseholdDetailSerializer if self.action == "retrieve" else HouseholdSerializer


# ---------------------------------------------------------------------------------------------
# reviews/


class ReviewFilterSet(django_filters.FilterSet):
    year = IntegerFilter(help_text="Năm rà soát / review year", **YEAR_BOUNDS)
    household = IntegerFilter(field_name="household_id", help_text="Mã số (id) hộ / household id", **ID_BOUNDS)
    household_code = django_filters.CharFilter(field_name="household__code", help_text="Mã hộ / household code")
    commune_code = django_filters.CharFilter(field_name="commune__code", help_text="Mã GSO xã / commune GSO code")
    state = django_filters.ChoiceFilter(choices=ReviewState.choices, help_text="Trạng thái / workflow state")
    poverty_class = django_filters.ChoiceFilter(choices=PovertyClass.choices, help_text="Phân loại / class")

    class Meta:
        model = Review
        fields = ["year", "household", "household_code", "commune_code", "state", "poverty_class"]


IF_MATCH = OpenApiParameter(
    "If-Match",
    {"type": "string", "minLength": 1},
    location=OpenApiParameter.HEADER,
    required=True,
    description=(
        "ETag nhận được khi đọc phiếu (GET reviews/{id}/). Bắt buộc: thiếu → 428, không khớp → 412. / The ETag "
        "received when reading the review. Required: missing → 428, stale → 412."
    ),
)


def etag_of(review: Review) -> str:
    return f'"{review_version(review)}"'


def _matches(header: str, etag: str) -> bool:
    tags = [tag.strip() for tag in header.split(",")]
    return "*" in tags or any(tag.removeprefix("W/") == etag for tag in tags)


@extend_schema(tags=["reviews"])
@extend_schema_view(
    list=extend_schema(
        summary="Kết quả rà soát / reviews",
        description="Phiếu rà soát trong phạm vi của bạn / the reviews within your units.",
        responses={200: ReviewSerializer(many=True), **error_responses(400)},
    ),
    retrieve=extend_schema(
        summary="Một phiếu rà soát / one review",
        description="Tiêu đề ETag là phiên bản của phiếu / the ETag header is the review's version.",
        responses={200: ReviewSerializer, **error_responses(404)},
    ),
    create=extend_schema(
        summary="Tạo phiếu rà soát / create a review",
        description=(
            "Như biểu mẫu: phân loại theo chuẩn nghèo của năm, ghi lịch sử. Chỉ cán bộ xã, huyện và quản trị. / "
            "As the web form: classified under the year's standard, history recorded, in the household's commune of "
            "that year (a split commune's household: the primary successor). Writers only; an officer of a unit of "
            "the structure before 1 Jul 2025 writes years up to 2024."
        ),
        request=ReviewCreateSerializer,
        responses={201: ReviewSerializer, **error_responses(400, 403, 404)},
    ),
    update=extend_schema(
        summary="Sửa phiếu rà soát / replace a review",
        parameters=[IF_MATCH],
        request=ReviewWriteSerializer,
        responses={200: ReviewSerializer, **error_responses(400, 403, 404, 412, 428)},
    ),
    partial_update=extend_schema(
        summary="Sửa một phần phiếu / update part of a review",
        parameters=[IF_MATCH],
        request=ReviewWriteSerializer,
        responses={200: ReviewSerializer, **error_responses(400, 403, 404, 412, 428)},
    ),
)
class ReviewViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = ReviewSerializer
    filterset_class = ReviewFilterSet
    permission_classes = [CanWriteOrReadOnly]
    pagination_class = ReviewCursor

    def get_queryset(self):
        return Review.objects.visible_to(self.request.user).select_related("household", "commune", "standard")

    def retrieve(self, request, *args, **kwargs):
        review = self.get_object()
        return Response(ReviewSerializer(review).data, headers={"ETag": etag_of(review)})

    def create(self, request, *args, **kwargs):
        serializer = ReviewCreateSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        household, year = data["household"], data["year"]
        if Review.objects.filter(household=household, year=year).exists():
            raise serializers.ValidationError(
                {
                    "year": _("Hộ %(code)s đã có kết quả rà soát năm %(year)s; hãy sửa phiếu đó (PUT/PATCH).")
                    % {"code": household.code, "year": year}
                }
            )
        review = self._save(household, year, data, current=None)
        return Response(
            ReviewSerializer(review).data, status=status.HTTP_201_CREATED, headers={"ETag": etag_of(review)}
        )

    def update(self, request, *args, **kwargs):
        partial = kwargs.pop("partial", False)
        review = self.get_object()
        header = request.headers.get("If-Match")
        if not header:
            raise PreconditionRequired()
        if not _matches(header, etag_of(review)):
            raise PreconditionFailed()
        serializer = ReviewWriteSerializer(data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        review = self._save(review.household, review.year, serializer.validated_data, current=review)
        return Response(ReviewSerializer(review).data, headers={"ETag": etag_of(review)})

    def _save(self, household: Household, year: int, data: dict, *, current: Review | None) -> Review:
        entry = ReviewInput.over(current, data)
        try:
            review = save_review(
                user=self.request.user, household=household, year=year, data=entry, version=review_version(current)
            )
        except ReviewConflict as exc:
            raise PreconditionFailed() from exc
        return Review.objects.select_related("household", "commune", "standard").get(pk=review.pk)


# ---------------------------------------------------------------------------------------------
# imports/


class ImportQuerySerializer(serializers.Serializer):
    dry_run = serializers.BooleanField(
        default=False, help_text="1: chỉ xem trước, không ghi gì / 1: preview only, nothing is written"
    )


IMPORT_DESCRIPTION = (
    "Tải lên tệp .xlsx/.csv theo mẫu (multipart, trường `file`), qua cùng dịch vụ với trang tải lên. Cả tệp bị từ "
    "chối nếu có một dòng sai: 400 với danh sách lỗi theo số dòng (tiếng Việt, hoặc tiếng Anh với "
    "Accept-Language: en), không ghi gì. Tệp nhỏ được xử lý ngay: 201 với tóm tắt; `?dry_run=1`: 200 với bản xem "
    "trước, không ghi gì (xác nhận sau bằng `POST imports/{id}/confirm/`). Tệp lớn (hơn IMPORT_BACKGROUND_ROWS "
    "dòng, mặc định 5.000): 202 với lượt nhập chạy nền; hỏi lại `GET imports/{id}/` (header Location) tới khi "
    "`status` là succeeded hoặc failed.\n\n"
    "Upload a template .xlsx/.csv (multipart, field `file`) through the same service as the upload page. One bad "
    "row refuses the whole file: 400 with row-numbered errors (Vietnamese, or English with Accept-Language: en), "
    "nothing written. Small files are processed at once: 201 with the summary; `?dry_run=1`: 200 with the exact "
    "preview, nothing written (confirm it later with `POST imports/{id}/confirm/`). Large files (more than "
    "IMPORT_BACKGROUND_ROWS rows, default 5,000): 202 with a background job; poll `GET imports/{id}/` (the Location "
    "header) until `status` is succeeded or failed."
)


@extend_schema(tags=["imports"])
@extend_schema_view(
    list=extend_schema(summary="Các lượt nhập của tôi / my import jobs"),
    retrieve=extend_schema(
        summary="Một lượt nhập / one import job", responses={200: ImportJobSerializer, **error_responses(404)}
    ),
)
class ImportViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Nhập tệp phiếu rà soát / import a review file, through the same service as the upload page."""

    permission_classes = [CanWriteOrReadOnly]
    parser_classes = [MultiPartParser, FormParser]
    serializer_class = ImportJobSerializer
    filter_backends: list = []

    def get_queryset(self):
        return ImportJob.objects.visible_to(self.request.user)

    @extend_schema(
        summary="Nhập tệp rà soát / import a review file",
        description=IMPORT_DESCRIPTION,
        parameters=[ImportQuerySerializer],
        request={"multipart/form-data": ImportRequestSerializer},
        responses={
            201: ImportResultSerializer,
            200: OpenApiResponse(ImportResultSerializer, description="Xem trước / dry-run preview"),
            202: OpenApiResponse(ImportJobSerializer, description="Đang chạy nền / running in the background"),
            **error_responses(400, 403),
        },
    )
    def create(self, request, *args, **kwargs):
        query = ImportQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        body = ImportRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        stage = JobStage.PREVIEW if query.validated_data["dry_run"] else JobStage.IMPORT
        try:
            job = uploads.start_upload(
                user=request.user,
                uploaded=body.validated_data["file"],
                stage=stage,
                review_state=body.validated_data["state"],
            )
        except DjangoValidationError as invalid:
            raise ApiError(status_code=400, code="invalid", message=" ".join(invalid.messages)) from invalid
        return self._answer(job)

    @extend_schema(
        summary="Xác nhận nhập tệp đã xem trước / import the previewed file",
        request=None,
        responses={
            201: ImportResultSerializer,
            202: OpenApiResponse(ImportJobSerializer, description="Đang chạy nền / running in the background"),
            **error_responses(400, 403, 404),
        },
    )
    @action(detail=True, methods=["post"])
    def confirm(self, request, pk=None):
        try:
            job = uploads.confirm(user=request.user, job=self.get_object())
        except DjangoValidationError as invalid:
            raise ApiError(status_code=400, code="invalid", message=" ".join(invalid.messages)) from invalid
        return self._answer(job)

    def _answer(self, job: ImportJob) -> Response:
        if job.is_active:
            data = ImportJobSerializer(job, context=self.get_serializer_context()).data
            return Response(data, status=status.HTTP_202_ACCEPTED, headers={"Location": data["url"]})
        if job.status == JobStatus.FAILED:
            raise ApiError(
                status_code=status.HTTP_400_BAD_REQUEST,
                code="import_refused",
                message=_("Tệp bị từ chối, không có gì được ghi: %(count)s lỗi.") % {"count": len(job.error_rows)},
                details=job.error_rows,
            )
        if job.stage == JobStage.PREVIEW:
            return Response({**job.preview, "job": job.pk}, status=status.HTTP_200_OK)
        return Response({**job.result, "job": job.pk}, status=status.HTTP_201_CREATED)
