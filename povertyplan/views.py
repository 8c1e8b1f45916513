from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import redirect
from django.views import defaults

from households.models import Role


@login_required
def home(request):
    """Officers land on their household list, everyone else on the progress dashboard."""
    if request.user.role in (Role.COMMUNE_OFFICER, Role.DISTRICT_OFFICER):
        return redirect("households:list")
    return redirect("reports:city")


def not_found(request, exception=None):
    """404: under /api/ the API's JSON error shape (DESIGN.md: errors as JSON), elsewhere the page."""
    if request.path.startswith("/api/"):
        return api_not_found(request)
    return defaults.page_not_found(request, exception)


def api_not_found(request, *args, **kwargs):
    """Any /api/ path no route matches, in the API's error shape; routed explicitly (povertyplan.urls)
    so that it holds with DEBUG on too, where Django would answer its HTML debug page instead."""
    message = "Không tìm thấy địa chỉ này trong API. / No such API path."
    return JsonResponse({"error": {"code": "not_found", "message": message, "details": []}}, status=404)


def server_error(request):
    """500: under /api/ a JSON body in the same shape, elsewhere the page."""
    if request.path.startswith("/api/"):
        message = "Lỗi hệ thống; hãy báo quản trị viên. / Server error; please tell the administrator."
        return JsonResponse({"error": {"code": "server_error", "message": message, "details": []}}, status=500)
    return defaults.server_error(request)
