"""Request checks that hold for the whole API before any view runs."""

from __future__ import annotations

from django.http import QueryDict
from django.middleware.locale import LocaleMiddleware

from povertyplan.api_errors import error_response


class RejectBlankApiParameters:
    """Under /api/, a query parameter sent empty (`?unit=&year=2024`) is refused with a 400 that
    names it: a client that meant a unit and sent none would otherwise read the whole city's
    figures as if they were the unit's. A browser (the browsable API's filter form, which sends
    every field) means "not given" by a blank field, as on the portal's pages: for it the blank
    parameters are dropped."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path.startswith("/api/"):
            blank = sorted({name for name, values in request.GET.lists() if "" in values})
            if blank and "text/html" in request.headers.get("Accept", ""):
                request.GET = _without(request.GET, blank)
            elif blank:
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
