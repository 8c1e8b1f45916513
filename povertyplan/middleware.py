"""Request checks that hold for the whole API before any view runs."""

from __future__ import annotations

import re

from django.conf import settings
from django.http import Http404, QueryDict
from django.middleware.gzip import GZipMiddleware
from django.middleware.http import ConditionalGetMiddleware
from django.middleware.locale import LocaleMiddleware
from django.utils.translation import gettext as _

from povertyplan.api_errors import error_response


class RejectBlankApiParameters:
    """Under /api/, a query parameter sent empty (`?unit=&year=2024`) is refused with a 400 that
    names it: a client that meant a unit and sent none would otherwise read the whole city's
    figures as if they were the unit's. A browser (the browsable API's filter form, which sends
    every field) means "not given" by a blank field, as on the portal's pages: for it the blank
    parameters are dropped."""

    def __init__(self, get_response):
        self.get_response = get_response

    # Swagger UI's page loads its start-up script from itself as `?script=` (a flag, not a filter:
    # drf-spectacular's SpectacularSwaggerSplitView, used because the CSP forbids inline scripts).
    FLAGS = {"/api/v1/docs/": {"script"}}

    def __call__(self, request):
        if request.path.startswith("/api/"):
            flags = self.FLAGS.get(request.path, set())
            blank = sorted({name for name, values in request.GET.lists() if "" in values} - flags)
            if blank and "text/html" in request.headers.get("Accept", ""):
                request.GET = _without(request.GET, blank)
            elif blank:
                details = [
                    {"field": name, "message": _("Tham số không được để trống."), "code": "blank"} for name in blank
                ]
                message = _("Tham số truy vấn không được để trống; bỏ hẳn tham số nếu không lọc theo nó.")
                return error_response(400, "invalid", message, details)
        return self.get_response(request)


def _without(query: QueryDict, blank: list[str]) -> QueryDict:
    kept = query.copy()
    for name in blank:
        values = [value for value in kept.getlist(name) if value != ""]
        if values:
            kept.setlist(name, values)
        else:
            del kept[name]
    return kept


class VietnameseFirstLocaleMiddleware(LocaleMiddleware):
    """Vietnamese unless the reader chose English with the language switch (its cookie).

    Django's LocaleMiddleware would follow the browser's Accept-Language, and many office
    computers in Hanoi run an English Windows and Chrome: the portal is Vietnamese first, so the
    browser's language is not a choice the officer made. The API (/api/) still honours
    Accept-Language: a client program's header is a choice.
    """

    def process_request(self, request):
        if not request.path.startswith("/api/"):  # API clients ask for their language themselves
            request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        super().process_request(request)


class RejectUnknownApiParameters:
    """Under /api/, a GET naming a query parameter its operation does not take (`year__gte`, a typo)
    or repeating one that takes a single value (`unit=01&unit=271` kept only the last) is refused
    with a 400 naming them, instead of being ignored. What each operation takes is what the
    published OpenAPI schema says (drf-spectacular, read once per process), plus `format`."""

    def __init__(self, get_response):
        self.get_response = get_response
        self._operations: list[tuple[re.Pattern, dict[str, bool]]] | None = None

    def __call__(self, request):
        if (
            request.method == "GET"
            and request.path.startswith("/api/v1/")
            and "text/html" not in request.headers.get("Accept", "")
        ):
            taken = self._taken(request.path)
            if taken is not None:
                unknown = sorted(name for name in request.GET if name not in taken and name != "format")
                repeated = sorted(
                    name for name, values in request.GET.lists() if len(values) > 1 and not taken.get(name, False)
                )
                if unknown or repeated:
                    return _refuse(unknown, repeated)
        return self.get_response(request)

    def _taken(self, path: str) -> dict[str, bool] | None:
        if self._operations is None:
            self._operations = _schema_operations()
        for pattern, parameters in self._operations:
            if pattern.fullmatch(path):
                return parameters
        return None


def _schema_operations() -> list[tuple[re.Pattern, dict[str, bool]]]:
    """(path pattern, {query parameter: takes several values}) of every GET operation."""
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    operations = []
    for template, methods in schema.get("paths", {}).items():
        get = methods.get("get")
        if get is None:
            continue
        # An array parameter is sent repeated (explode, OpenAPI's default for a query) unless it says
        # explode: false, a comma-separated list in one value (`unit=01,271`): then twice is refused.
        parameters = {
            p["name"]: (p.get("schema", {}).get("type") == "array" and p.get("explode", True))
            or p.get("explode") is True
            for p in get.get("parameters", [])
            if p.get("in") == "query"
        }
        pattern = re.compile(re.sub(r"\\\{[^/]+?\\\}", "[^/]+", re.escape(template)))
        operations.append((pattern, parameters))
    return operations


def _refuse(unknown: list[str], repeated: list[str]):
    details = [
        {"field": name, "message": _("Tham số không có ở thao tác này."), "code": "unknown"} for name in unknown
    ] + [{"field": name, "message": _("Tham số chỉ nhận một giá trị."), "code": "repeated"} for name in repeated]
    message = _("Tham số truy vấn không hợp lệ: %(names)s (xem /api/v1/schema/).") % {
        "names": ", ".join(unknown + repeated)
    }
    return error_response(400, "invalid", message, details)


class GZipApiMiddleware(GZipMiddleware):
    """gzip for the API's JSON and CSV (the full progress CSV is megabytes); the pages are left
    alone, since compressing pages that carry a CSRF token invites BREACH."""

    def process_response(self, request, response):
        if not request.path.startswith("/api/"):
            return response
        return super().process_response(request, response)


class PermissionsPolicyMiddleware:
    """Sends settings.PERMISSIONS_POLICY as the Permissions-Policy header on every response (Django
    has no setting for it, and django-csp covers only the Content-Security-Policy): a page that
    someone manages to inject script into still cannot reach the camera, the microphone or the
    location of an officer's computer."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.policy = settings.PERMISSIONS_POLICY

    def __call__(self, request):
        response = self.get_response(request)
        if self.policy:
            response.headers.setdefault("Permissions-Policy", self.policy)
        return response


class SiteNotFoundPageWhenDebugging:
    """The portal's own 404 page (templates/404.html, in the site's layout) with DEBUG on too.

    `make run` runs with DEBUG on, and Django then answers a 404 with its technical page, which
    lists every URL pattern of the portal to whoever mistypes an address. With DEBUG on, this
    answers as production does: a view's Http404 (process_exception) and an address that no route
    matches (the request left without a resolver_match) get povertyplan.views.not_found, so the
    API's JSON 404 under /api/ too. A view that answers a 404 itself is left alone. Last in
    MIDDLEWARE, so that the others see this page as they see the production one (CommonMiddleware
    still adds a missing slash first). With DEBUG off it does nothing: Django calls handler404.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if settings.DEBUG and response.status_code == 404 and request.resolver_match is None:
            from povertyplan.views import not_found

            return not_found(request)
        return response

    def process_exception(self, request, exception):
        if settings.DEBUG and isinstance(exception, Http404):
            from povertyplan.views import not_found

            return not_found(request, exception)
        return None


class ApiConditionalGetMiddleware(ConditionalGetMiddleware):
    """ETag and 304 for every read of the API: an answer without its own validator gets one from
    its content (indicators/ and reviews/{id}/ set theirs before any work), and a client sending
    it back in If-None-Match gets a bodiless 304. It sits inside the gzip middleware, so the tag is
    of the uncompressed answer and GZip's weakened copy (W/"…") still matches."""

    def process_response(self, request, response):
        if not request.path.startswith("/api/"):
            return response
        return super().process_response(request, response)


class RateLimitHeaders:
    """The API's throttle budget on every answer a throttle counted (povertyplan.throttling)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        budget = getattr(request, "rate_limit", None)
        if budget is not None:
            remaining, limit, reset, window = budget
            response["RateLimit-Limit"] = str(limit)
            response["RateLimit-Remaining"] = str(remaining)
            response["RateLimit-Reset"] = str(reset)
            response["RateLimit-Policy"] = f"{limit};w={window}"
        return response
