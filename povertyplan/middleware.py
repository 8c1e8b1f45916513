"""Request checks that hold for the whole API before any view runs."""

from __future__ import annotations

from povertyplan.api_errors import error_response


class RejectBlankApiParameters:
    """Under /api/, a query parameter sent empty (`?unit=&year=2024`) is refused with a 400 that
    names it, not taken as absent as HTML forms would: a client that meant a unit and sent none
    would otherwise read the whole city's figures as if they were the unit's."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path.startswith("/api/"):
            blank = sorted({name for name, values in request.GET.lists() if "" in values})
            if blank:
                details = [
                    {"field": name, "message": "Tham số không được để trống. / May not be empty.", "code": "blank"}
                    for name in blank
                ]
                message = (
                    "Tham số truy vấn không được để trống; bỏ hẳn tham số nếu không lọc theo nó. / Query "
                    "parameters may not be empty; leave a parameter out to not filter by it."
                )
                return error_response(400, "invalid", message, details)
        return self.get_response(request)
