from django.contrib import admin
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import include, path, re_path

from povertyplan import views


def healthz(request: HttpRequest) -> HttpResponse:
    """200 when the database answers, 503 when it does not."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception as exc:  # noqa: BLE001 - any database failure means unhealthy
        return JsonResponse({"status": "error", "error": str(exc)}, status=503)
    return JsonResponse({"status": "ok"})


urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", healthz, name="healthz"),
    path("", include("households.urls")),  # before auth: it serves the throttled /accounts/login/
    path("accounts/", include("django.contrib.auth.urls")),
    path("progress/", include("reports.urls")),
    path("api/v1/", include("povertyplan.api_urls")),
    # After every API route: any other /api/…/ path answers a JSON 404 (without the slash, Django's
    # APPEND_SLASH redirects first, as for the real routes).
    re_path(r"^api/(?:.*/)?$", views.api_not_found),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
]

handler404 = "povertyplan.views.not_found"
handler500 = "povertyplan.views.server_error"
