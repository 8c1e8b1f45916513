"""The one rule for a spreadsheet cell the portal writes, and its inverse for the cells it reads.

Text that a spreadsheet would run as a formula (starting with =, +, -, @, a tab or a carriage
return; OWASP's CSV injection) is written with a leading apostrophe, which Excel shows as text.
Numbers stay numbers, negative ones included. An apostrophe the portal added is taken off again
when a file comes back, so an export re-imports unchanged ("-Nguyễn Văn A" stays itself).
"""

from __future__ import annotations

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def safe_cell(value):
    """A value safe to open in a spreadsheet; anything but text that looks like a formula is unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES) and not _is_number(value):
        return "'" + value
    return value


def unquote_cell(text: str) -> str:
    """Undo safe_cell on a cell read back from a file."""
    if text.startswith("'") and text[1:].startswith(FORMULA_PREFIXES):
        return text[1:]
    return text
