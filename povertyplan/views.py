from django.contrib.auth.decorators import login_required
from django.core.exceptions import BadRequest
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views import defaults
from django.views.decorators.csrf import csrf_exempt

from households.visibility import can_write, is_city_wide
from povertyplan.api_errors import error_response


@login_required
def home(request):
    """Officers of a unit land on their household list, city-wide users on the progress dashboard."""
    if can_write(request.user) and not is_city_wide(request.user):
        return redirect("households:list")
    return redirect("reports:city")


def not_found(request, exception=None):
    """404: under /api/ the API's JSON error shape (docs/api.md: errors as JSON), elsewhere the page."""
    if request.path.startswith("/api/"):
        return api_not_found(request)
    return defaults.page_not_found(request, exception)


@csrf_exempt  # a POST with a session cookie to an unknown path is still a 404, not a CSRF page
def api_not_found(request, *args, **kwargs):
    """Any /api/ path no route matches, in the API's error shape; routed explicitly (povertyplan.urls)
    so that it holds with DEBUG on too, where Django would answer its HTML debug page instead."""
    return error_response(404, "not_found", _("Không tìm thấy địa chỉ này trong API."))


def server_error(request):
    """500: under /api/ a JSON body in the same shape, elsewhere the page."""
    if request.path.startswith("/api/"):
        message = _("Lỗi hệ thống; hãy báo quản trị viên.")
        return error_response(500, "server_error", message)
    return defaults.server_error(request)


def bad_request(request, exception=None):
    """400: the page says what was wrong (the exception's message is written for the officer)."""
    message = str(exception) if isinstance(exception, BadRequest) and str(exception) else ""
    return render(request, "400.html", {"message": message}, status=400)
