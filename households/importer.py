"""The one import service for review files (.xlsx, .csv): the command, the upload page and the API.

The code lives in households.importing, split by concept; these are its public names.
"""

from households.importing.errors import MAX_ERRORS, ImportRefused, RowError
from households.importing.movements import refresh_movements
from households.importing.reading import read_rows
from households.importing.reviews import BATCH_SIZE, ImportResult, import_reviews
from households.importing.rows import ParsedRow, parse_file, parse_row
from households.importing.unit_totals import UNIT_TOTAL_KEYS, UnitTotalsResult, import_unit_totals

__all__ = [
    "BATCH_SIZE",
    "MAX_ERRORS",
    "UNIT_TOTAL_KEYS",
    "ImportRefused",
    "ImportResult",
    "ParsedRow",
    "RowError",
    "UnitTotalsResult",
    "import_reviews",
    "import_unit_totals",
    "parse_file",
    "parse_row",
    "read_rows",
    "refresh_movements",
]
