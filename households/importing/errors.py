"""What a refused file says: row-numbered messages in Vietnamese (DESIGN.md, "Behaviour on bad input")."""

from __future__ import annotations

from dataclasses import dataclass

from households.template import LABELS

# Validation goes on after the first error, to list every bad row, but not for ever.
MAX_ERRORS = 1000


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    message: str

    def __str__(self) -> str:
        where = f"Dòng {self.row}" if self.row else "Tệp"
        column = f", cột «{LABELS.get(self.column, self.column)}»" if self.column else ""
        return f"{where}{column}: {self.message}"


class ImportRefused(Exception):
    """The file was refused whole; `errors` says why, row by row."""

    def __init__(self, errors: list[RowError]):
        super().__init__(f"{len(errors)} lỗi")
        self.errors = errors
