"""A partial change over a stored review (the API's PATCH): households.services.ReviewInput.over."""

import datetime
from decimal import Decimal

from households import poverty
from households.models import Review
from households.services import ReviewInput


def test_a_field_given_changes_and_every_other_keeps_the_stored_value():
    flags = [True, True, False] + [False] * 9
    stored = Review(
        income_per_capita=Decimal(1_000_000),
        b1_score=None,
        deprivation_flags=poverty.flags_to_mask(flags),
        causes=["illness"],
        needs=["loan"],
        review_type="periodic",
        review_date=datetime.date(2026, 11, 15),
    )
    entry = ReviewInput.over(stored, {"income_per_capita": Decimal(2_500_000), "needs": []})
    assert entry.income_per_capita == Decimal(2_500_000) and entry.needs == ()
    assert entry.deprivations == tuple(flags) and entry.causes == ("illness",)
    assert entry.review_date == datetime.date(2026, 11, 15)


def test_over_no_review_the_defaults_fill_what_is_not_given():
    entry = ReviewInput.over(None, {"income_per_capita": Decimal(900_000)})
    assert entry == ReviewInput(income_per_capita=Decimal(900_000), b1_score=None, deprivations=(False,) * 12)
