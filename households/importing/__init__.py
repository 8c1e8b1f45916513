"""The import of review files and unit totals, split by concept (households.importer re-exports it).

- errors: RowError, ImportRefused, the row-numbered messages;
- reading: streaming .xlsx / .csv rows;
- rows: the checks of one row on its own;
- reviews: the service, import_reviews, batching inside one transaction;
- writers: bulk writes, portable (ORM) and PostgreSQL (COPY + upserts);
- movements: movements re-derived for the touched households;
- unit_totals: import_unit_totals.
"""
