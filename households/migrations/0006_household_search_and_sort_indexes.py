"""Indexes for the household list at city scale, on PostgreSQL.

The list sorts by the Vietnamese sort key of the head's name and searches the accent-free name
and the code anywhere in the text (households.filters). Without indexes both read and transform
every household: at 20,000 households a city leader's first page took 0.32 s and a search 1.1 s,
at 2.2 million they would take minutes. An expression index on the sort key serves the pages in
order; trigram indexes (pg_trgm, a trusted extension) serve `LIKE '%…%'` on the folded name and
the upper-cased code. SQLite (make run's demo) keeps its plain scans: its expression would need
the portal's Python function registered on every connection that writes a household.
"""

from django.contrib.postgres.indexes import GinIndex, OpClass
from django.db import migrations, models
from django.db.models import F
from django.db.models.functions import Upper

from households.filters import Fold, VietnameseSortKey

SORT = models.Index(VietnameseSortKey(F("head_name")), F("head_name"), F("code"), name="household_vi_sort")
NAME = GinIndex(OpClass(Fold(F("head_name")), name="gin_trgm_ops"), name="household_name_trgm")
CODE = GinIndex(OpClass(Upper(F("code")), name="gin_trgm_ops"), name="household_code_trgm")


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    household = apps.get_model("households", "Household")
    schema_editor.add_index(household, SORT)
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.add_index(household, NAME)
    schema_editor.add_index(household, CODE)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    household = apps.get_model("households", "Household")
    for index in (CODE, NAME, SORT):
        schema_editor.remove_index(household, index)


class Migration(migrations.Migration):
    dependencies = [("households", "0005_clean_stale_import_jobs_schedule")]

    operations = [migrations.RunPython(create, drop)]
