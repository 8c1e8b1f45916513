import logging

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import include, path, re_path

from households.forms import LoginForm
from povertyplan import views
from reports.health import readyz
from reports.metrics import metrics

logger = logging.getLogger(__name__)


def healthz(request: HttpRequest) -> HttpResponse:
    """200 when the database answers, 503 when it does not (the cause goes to the log only: its
    text names hosts and ports, and anyone may call this)."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception:  # noqa: BLE001 - any database failure means unhealthy
        logger.exception("healthz: the database does not answer")
        return JsonResponse({"status": "error", "error": "database unavailable"}, status=503)
    return JsonResponse({"status": "ok"})


urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", healthz, name="healthz"),
    path("readyz", readyz, name="readyz"),
    path("metrics", metrics, name="metrics"),
    path("", include("households.urls")),
    # The login is throttled (households.forms.LoginForm). No password reset by e-mail: the portal
    # sends no mail; an administrator sets a new password (README, "Accounts").
    path("accounts/login/", auth_views.LoginView.as_view(authentication_form=LoginForm), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password_change/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path(
        "accounts/password_change/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("progress/", include("reports.urls")),
    path("api/v1/", include("povertyplan.api_urls")),
    # After every API route: any other /api/…/ path answers a JSON 404 (without the slash, Django's
    # APPEND_SLASH redirects first, as for the real routes).
    re_path(r"^api/(?:.*/)?$", views.api_not_found),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
]

handler400 = "povertyplan.views.bad_request"
handler404 = "povertyplan.views.not_found"
handler500 = "povertyplan.views.server_error"
