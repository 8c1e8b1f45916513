"""One shape for every API error: {"error": {"code": ..., "message": ..., "details": [...]}}.

Clients (the city's data warehouse, the national database, a mobile app) switch on `code`, show
`message` and read `details` for per-field or per-row causes:
`{"field": ..., "message": ..., "code": ...}` for a bad parameter or field, `{"row": ...,
"column": ..., "message": ...}` for a refused import. Django's own ValidationError, Http404 and
PermissionDenied are turned into the same shape, so a service's message reaches the client
unchanged and bad input never becomes a 500.

One language per answer, message and details alike: Vietnamese by default, English when the
client sends Accept-Language: en (povertyplan.middleware.VietnameseFirstLocaleMiddleware). The
portal's messages are Vietnamese msgids with English in locale/en; DRF's, knox's and Django's are
English msgids whose Vietnamese, where their own catalogues lack it, is in locale/vi.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, JsonResponse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse
from rest_framework import exceptions, serializers, status
from rest_framework.serializers import as_serializer_error
from rest_framework.views import exception_handler

MESSAGES = {
    "invalid": _("Dữ liệu gửi lên không hợp lệ."),
    "parse_error": _("Không đọc được nội dung yêu cầu."),
}


def error_response(status: int, code: str, message: str, details: list | None = None) -> JsonResponse:
    """The error shape outside DRF's views (unknown paths, blank parameters, server errors)."""
    body = {"error": {"code": code, "message": message, "details": details or []}}
    return JsonResponse(body, status=status, json_dumps_params={"ensure_ascii": False})  # UTF-8 as DRF writes it


class ApiError(exceptions.APIException):
    """An error with a stable code, a message and optional details (rows of a refused import)."""

    def __init__(self, *, status_code: int, code: str, message: str, details: list | None = None):
        super().__init__(detail=message, code=code)
        self.status_code = status_code
        self.error_code = code
        self.details = details or []


class PreconditionRequired(ApiError):
    def __init__(self):
        super().__init__(
            status_code=428,
            code="precondition_required",
            message=str(_("Cần gửi tiêu đề If-Match với ETag của bản ghi để tránh ghi đè thay đổi của người khác.")),
        )


class PreconditionFailed(ApiError):
    def __init__(self):
        super().__init__(
            status_code=status.HTTP_412_PRECONDITION_FAILED,
            code="precondition_failed",
            message=str(
                _("Bản ghi đã được người khác thay đổi sau khi bạn tải về; hãy tải lại rồi sửa lại (ETag không khớp).")
            ),
        )


def _flatten(detail, field: str | None = None) -> list[dict]:
    """DRF's nested error detail → a flat list of {field, message, code}."""
    if isinstance(detail, dict):
        items = []
        for key, value in detail.items():
            if isinstance(key, int) or (isinstance(key, str) and key.isdigit()):
                name = f"{field}[{key}]" if field else str(key)
            else:
                name = key if field is None else f"{field}.{key}"
            items += _flatten(value, None if key in ("non_field_errors", "__all__") and field is None else name)
        return items
    if isinstance(detail, list):
        items = []
        for position, value in enumerate(detail):
            nested = isinstance(value, dict | list)
            items += _flatten(value, f"{field}[{position}]" if nested and field else field)
        return items
    return [{"field": field, "message": str(detail), "code": getattr(detail, "code", None) or "invalid"}]


def api_exception_handler(exc, context):
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(detail=as_serializer_error(exc))
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(detail=str(exc) or None)
    response = exception_handler(exc, context)
    if response is None:
        return None  # a genuine fault: Django's 500 handling and logging
    if isinstance(exc, ApiError):
        code, message, details = exc.error_code, str(exc.detail), exc.details
    elif isinstance(exc, exceptions.ValidationError):
        code, message, details = "invalid", str(MESSAGES["invalid"]), _flatten(exc.detail)
    else:
        detail = exc.detail if isinstance(exc, exceptions.APIException) else str(exc)
        code = getattr(detail, "code", None) or getattr(exc, "default_code", "error")
        message, details = str(detail), []
        if isinstance(exc, exceptions.Throttled) and exc.wait is not None:
            details = [{"field": None, "message": str(detail), "code": "retry_after", "wait": exc.wait}]
    response.data = {"error": {"code": code, "message": message, "details": details}}
    return response


class ErrorDetailSerializer(serializers.Serializer):
    field = serializers.CharField(
        required=False, allow_null=True, help_text="Trường hoặc tham số gây lỗi / the field or parameter at fault"
    )
    row = serializers.IntegerField(
        required=False, help_text="Số dòng trong tệp (lỗi nhập tệp) / row number in the file (import errors)"
    )
    column = serializers.CharField(required=False, help_text="Cột trong tệp / column in the file")
    message = serializers.CharField(
        help_text=(
            "Thông báo, tiếng Việt (mặc định) hoặc tiếng Anh (Accept-Language: en) / the message, in Vietnamese "
            "(default) or English (Accept-Language: en)"
        )
    )
    code = serializers.CharField(required=False, help_text="Mã lỗi chi tiết / detailed error code")


class ErrorBodySerializer(serializers.Serializer):
    code = serializers.CharField(
        help_text=(
            "Mã lỗi ổn định / stable error code: invalid, parse_error, not_authenticated, authentication_failed, "
            "permission_denied, not_found, method_not_allowed, not_acceptable, unsupported_media_type, "
            "throttled, import_refused, precondition_failed, precondition_required"
        )
    )
    message = serializers.CharField(
        help_text=(
            "Thông báo cho người đọc, tiếng Việt (mặc định) hoặc tiếng Anh (Accept-Language: en), cùng ngôn ngữ "
            "với các chi tiết / human-readable message, Vietnamese (default) or English (Accept-Language: en), in "
            "the same language as the details"
        )
    )
    details = ErrorDetailSerializer(many=True, help_text="Chi tiết theo trường hoặc dòng / per field or per row")


class ErrorSerializer(serializers.Serializer):
    error = ErrorBodySerializer()


ERROR_DESCRIPTIONS = {
    400: "Tham số hoặc dữ liệu không hợp lệ / invalid parameter or body",
    401: "Thiếu hoặc sai token / missing or invalid token",
    403: "Không có quyền (ví dụ lãnh đạo thành phố chỉ được đọc) / not allowed (e.g. a city leader only reads)",
    404: "Không tồn tại hoặc ngoài phạm vi đơn vị của bạn / not found or outside your units",
    412: "ETag trong If-Match không khớp: bản ghi đã bị người khác sửa / If-Match does not match: edited by someone else",
    428: "Thiếu tiêu đề If-Match / If-Match header required",
    429: "Vượt giới hạn số yêu cầu / too many requests",
}


def error_responses(*codes: int) -> dict[int, OpenApiResponse]:
    """OpenAPI responses of the error shape for an operation's own status codes (403, 412, …); the
    ones every operation shares (400, 401, 404, 429) are added by povertyplan.api_schema."""
    return {code: OpenApiResponse(ErrorSerializer, description=ERROR_DESCRIPTIONS[code]) for code in sorted(codes)}
