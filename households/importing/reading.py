"""Reading review files row by row, without holding the file in memory.

.xlsx through openpyxl's read-only mode (it streams the sheet's XML), .csv through the csv module
over a text wrapper of the binary file; the delimiter (',' ';' or tab, as Excel writes it for the
locale) is guessed from the header line.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import io
import itertools
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from households.importing.errors import ImportRefused, RowError

_NOT_UTF8 = (
    "Tệp CSV phải được lưu với mã hóa UTF-8 (trong Excel: Lưu thành → «CSV UTF-8 (Comma delimited)»); "
    "hoặc tải lên tệp .xlsx."
)


def read_rows(source: str | Path | IO[bytes], filename: str | None = None) -> Iterator[tuple[int, list]]:
    """Yield (spreadsheet row number, cells) from an .xlsx or .csv file, streaming."""
    name = str(filename or getattr(source, "name", source)).lower()
    if name.endswith(".xlsx"):
        yield from _read_xlsx(source)
    elif name.endswith(".csv"):
        yield from _read_csv(source)
    else:
        raise ImportRefused([RowError(0, "", "Chỉ nhận tệp .xlsx hoặc .csv.")])


def _read_xlsx(source) -> Iterator[tuple[int, list]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(source, read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - any unreadable workbook is the same answer to the user
        raise ImportRefused([RowError(0, "", f"Không đọc được tệp Excel ({exc.__class__.__name__}).")]) from exc
    try:
        sheet = workbook.worksheets[0]
        for number, cells in enumerate(sheet.iter_rows(values_only=True), start=1):
            yield number, list(cells)
    finally:
        workbook.close()


def _read_csv(source) -> Iterator[tuple[int, list]]:
    if isinstance(source, str | Path):
        with open(source, "rb") as handle:
            yield from _read_csv(handle)
        return
    if isinstance(source, io.TextIOBase):
        yield from _csv_lines(source)
        return
    try:
        # A text view of the caller's binary file; detached at the end so the file stays open.
        text = io.TextIOWrapper(source, encoding="utf-8-sig", newline="")
    except (AttributeError, TypeError):
        text = None
    if text is None:
        yield from _csv_lines(codecs.getreader("utf-8-sig")(source))
        return
    try:
        yield from _csv_lines(text)
    finally:
        with contextlib.suppress(ValueError):
            text.detach()


def _csv_lines(text) -> Iterator[tuple[int, list]]:
    try:
        first_line = text.readline()
        delimiter = max([",", ";", "\t"], key=first_line.count)
        lines = itertools.chain([first_line], text) if first_line else iter(())
        yield from enumerate(csv.reader(lines, delimiter=delimiter), start=1)
    except UnicodeDecodeError as exc:
        raise ImportRefused([RowError(0, "", _NOT_UTF8)]) from exc
