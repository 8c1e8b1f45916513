"""The columns an imported row sets on a household and on its review, and the value each takes
from a checked row (households.importing.writers.Resolved). Both writers and the PostgreSQL
statements (households.importing.statements) read them from here."""

from __future__ import annotations

HOUSEHOLD_COLUMNS = {
    "commune_id": lambda item: item.commune_id,
    "village": lambda item: item.row.village,
    "head_name": lambda item: item.row.head_name,
    "head_sex": lambda item: item.row.head_sex,
    "ethnic_minority": lambda item: item.row.ethnic_minority,
    "members_count": lambda item: item.row.members,
    "meritorious": lambda item: item.row.meritorious,
    "social_protection": lambda item: item.row.social_protection,
    "no_labour_capacity": lambda item: item.row.no_labour_capacity,
}
REVIEW_COLUMNS = {
    "commune_id": lambda item: item.commune_id,
    "standard_id": lambda item: item.standard_id,
    "income_per_capita": lambda item: item.row.income_per_capita,
    "b1_score": lambda item: item.row.b1_score,
    "deprivation_flags": lambda item: item.row.deprivation_flags,
    "deprivation_count": lambda item: item.row.deprivation_count,
    "poverty_class": lambda item: item.poverty_class,
    "review_date": lambda item: item.row.review_date,
    "review_type": lambda item: item.row.review_type,
    "state": None,  # the import's state, the same for every row
    "meritorious": lambda item: item.row.meritorious,
    "social_protection": lambda item: item.row.social_protection,
    "no_labour_capacity": lambda item: item.row.no_labour_capacity,
    "ethnic_minority": lambda item: item.row.ethnic_minority,
    "head_sex": lambda item: item.row.head_sex,
}
