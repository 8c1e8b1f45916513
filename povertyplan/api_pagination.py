"""How the API's lists are paged, and what their schema says about it.

Every list pages by number (`?page=1, 2, …`), except the registry's, which pages by a cursor
(households.api.RegistryCursor). DRF takes any `page_size` and silently falls back to the default
on a bad one; here a size outside 1 … max_page_size is refused with a 400, so a client never gets
pages of a size it did not ask for, and the schema states the bounds.
"""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import Cursor, CursorPagination, PageNumberPagination


class NumberedPages(PageNumberPagination):
    """?page=1, 2, …; a page that does not exist answers 404 (DRF's)."""

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_query_param:
                parameter["schema"]["minimum"] = 1
        return parameters


class BoundedCursorPagination(CursorPagination):
    """A cursor's pages, of `page_size` rows from 1 to max_page_size (default: the class's page_size)."""

    page_size_query_param = "page_size"
    max_page_size = 1000
    # The schema's example links: real cursors of this list, as the server writes them (DRF's own
    # example carries a stray quote and names another API's path).
    example_path = "/api/v1/"
    example_position = "1"

    def get_page_size(self, request) -> int:
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        size = int(raw) if raw.isdigit() else 0
        if not 1 <= size <= self.max_page_size:
            limit = self.max_page_size
            message = _("Số dòng mỗi trang phải là số nguyên từ 1 đến %(limit)s.") % {"limit": limit}
            raise ValidationError({self.page_size_query_param: [message]})
        return size

    def decode_cursor(self, request):
        """A cursor the server did not write is the client's mistake: 400 (DRF answers 404), and
        one whose position holds a NUL never reaches PostgreSQL (which refuses NUL in text)."""
        message = _("Con trỏ trang không hợp lệ: hãy theo liên kết next/previous.")
        try:
            cursor = super().decode_cursor(request)
        except NotFound as error:
            raise ValidationError({self.cursor_query_param: [message]}) from error
        if cursor is not None and cursor.position is not None and "\x00" in cursor.position:
            raise ValidationError({self.cursor_query_param: [message]})
        return cursor

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"].update({"minimum": 1, "maximum": self.max_page_size})
        return parameters

    def get_paginated_response_schema(self, schema):
        result = super().get_paginated_response_schema(schema)
        self.base_url = (settings.API_PUBLIC_URL or "http://127.0.0.1:8000") + self.example_path
        for link, backwards in (("next", False), ("previous", True)):
            cursor = Cursor(offset=0, reverse=backwards, position=self.example_position)
            result["properties"][link]["example"] = self.encode_cursor(cursor)
        return result
