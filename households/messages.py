"""The one catalogue of what a refused review says, for every coded problem of the rules
(households.poverty.ReviewProblem): the form, the review service, the API and the importer all
show the same words, translated where the interface is English."""

from __future__ import annotations

from django.utils.translation import gettext as _

from households.poverty import ReviewProblem

FIELDS = {
    ReviewProblem.NO_INCOME: "income_per_capita",
    ReviewProblem.NO_B1_CUTOFF: "income_per_capita",
    ReviewProblem.TOO_MANY_INDICATORS: "__all__",  # not one field: the indicator set
}


def review_problem_message(problem: ReviewProblem, *, standard: str, indicators: int) -> str:
    if problem == ReviewProblem.NO_INCOME:
        return _("Cần thu nhập bình quân hoặc điểm B1.")
    if problem == ReviewProblem.NO_B1_CUTOFF:
        return _("Chuẩn «%(standard)s» không có ngưỡng điểm B1; cần thu nhập bình quân.") % {"standard": standard}
    return _("Chuẩn «%(standard)s» chỉ có %(size)s chỉ số.") % {"standard": standard, "size": indicators}
