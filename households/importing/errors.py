"""What a refused file says: row-numbered messages (docs/import.md).

Every message is Vietnamese with its English in locale/en, rendered in the language active when
it is produced (the request's, or for a background job the uploader's: households.uploads). A
column is named by its header in the template, which is Vietnamese in either language.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from households.template import LABELS

# Validation goes on after the first error, to list every bad row, but not for ever.
MAX_ERRORS = 1000


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    message: str

    def __str__(self) -> str:
        values = {"row": self.row, "column": LABELS.get(self.column, self.column), "message": self.message}
        if self.row and self.column:
            return _("Dòng %(row)s, cột «%(column)s»: %(message)s") % values
        if self.row:
            return _("Dòng %(row)s: %(message)s") % values
        if self.column:
            return _("Tệp, cột «%(column)s»: %(message)s") % values
        return _("Tệp: %(message)s") % values


class ImportRefused(Exception):
    """The file was refused whole; `errors` says why, row by row."""

    def __init__(self, errors: list[RowError]):
        super().__init__(f"{len(errors)} lỗi")
        self.errors = errors


def _rows(numbers: list[int]) -> str:
    """2, 3, 4, 7 → "2–4, 7"; at most a dozen runs, then "…"."""
    runs: list[list[int]] = []
    for number in sorted(set(numbers)):
        if runs and number == runs[-1][1] + 1:
            runs[-1][1] = number
        else:
            runs.append([number, number])
    shown = [f"{a}–{b}" if b > a else str(a) for a, b in runs[:12]]
    return ", ".join(shown) + (", …" if len(runs) > 12 else "")


def summarise(errors: list[RowError]) -> list[str]:
    """The messages an officer reads: the same problem on many rows said once, with its rows
    ("240 dòng (2–241), cột «Xã/phường»: …"), in the order each problem first appears."""
    groups: dict[tuple[str, str], list[int]] = {}
    for error in errors:
        groups.setdefault((error.column, error.message), []).append(error.row)
    lines = []
    for (column, message), rows in groups.items():
        if len(rows) == 1 or 0 in rows:
            lines += [str(RowError(row, column, message)) for row in rows]
            continue
        values = {"count": len(rows), "rows": _rows(rows), "column": LABELS.get(column, column), "message": message}
        if column:
            lines.append(_("%(count)s dòng (%(rows)s), cột «%(column)s»: %(message)s") % values)
        else:
            lines.append(_("%(count)s dòng (%(rows)s): %(message)s") % values)
    return lines
