"""Query parameters the pages share, read once and refused with a 400 when they make no sense."""

from __future__ import annotations

from django.core.exceptions import BadRequest
from django.http import HttpRequest
from django.utils.translation import gettext as _

# Reviews of this portal are of years in this range; anything else is a typo or a probe.
FIRST_YEAR, LAST_YEAR = 2000, 2100


def year_param(request: HttpRequest, default: int | None = None) -> int | None:
    """`?year=` as a review year, `default` when absent or blank; BadRequest (400) otherwise."""
    raw = (request.GET.get("year") or "").strip()
    if not raw:
        return default
    if not raw.isdigit() or not FIRST_YEAR <= int(raw) <= LAST_YEAR:
        raise BadRequest(
            _("Năm «%(year)s» không hợp lệ: cần một năm từ %(first)s đến %(last)s.")
            % {"year": raw[:12], "first": FIRST_YEAR, "last": LAST_YEAR}
        )
    return int(raw)


class YearConverter:
    """`<year:year>` in a URL: a review year in range, else the route does not match (404)."""

    regex = "[0-9]{4}"

    def to_python(self, value: str) -> int:
        year = int(value)
        if not FIRST_YEAR <= year <= LAST_YEAR:
            raise ValueError(value)  # Django answers 404
        return year

    def to_url(self, value: int) -> str:
        return f"{int(value):04d}"
