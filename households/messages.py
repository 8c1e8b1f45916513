"""The one catalogue of what a refused review says, for every coded problem of the rules
(households.poverty.ReviewProblem): the form, the review service, the API and the importer all
show the same words, translated where the interface is English."""

from __future__ import annotations

import datetime

from django.utils.translation import gettext as _

from households.poverty import ReviewProblem, ReviewType, review_window

FIELDS = {
    ReviewProblem.NO_INCOME: "income_per_capita",
    ReviewProblem.NO_B1_CUTOFF: "income_per_capita",
    ReviewProblem.TOO_MANY_INDICATORS: "__all__",  # not one field: the indicator set
    ReviewProblem.DATE_OUTSIDE_CYCLE: "review_date",
}


def review_problem_message(problem: ReviewProblem, *, standard: str, indicators: int) -> str:
    if problem == ReviewProblem.NO_INCOME:
        return _("Cần thu nhập bình quân hoặc điểm B1.")
    if problem == ReviewProblem.NO_B1_CUTOFF:
        return _("Chuẩn «%(standard)s» không có ngưỡng điểm B1; cần thu nhập bình quân.") % {"standard": standard}
    if problem == ReviewProblem.TOO_MANY_INDICATORS:
        return _("Chuẩn «%(standard)s» chỉ có %(size)s chỉ số.") % {"standard": standard, "size": indicators}
    raise ValueError(f"{problem}: say it with review_date_message")


def review_date_message(year: int, review_type: str, review_date: datetime.date) -> str:
    """A review date outside its year's window (households.poverty.review_window), with the window."""
    first, last = review_window(year, review_type)
    values = {"day": f"{review_date:%d/%m/%Y}", "year": year, "first": f"{first:%d/%m/%Y}", "last": f"{last:%d/%m/%Y}"}
    if review_type == ReviewType.REGULAR:
        return (
            _(
                "Ngày rà soát %(day)s không thuộc năm %(year)s: rà soát thường xuyên năm %(year)s có ngày từ "
                "%(first)s đến %(last)s."
            )
            % values
        )
    return _("Ngày rà soát %(day)s không thuộc kỳ rà soát định kỳ năm %(year)s (từ %(first)s đến %(last)s).") % values
