"""Reading review files row by row, without holding the file in memory, within set limits.

.xlsx through openpyxl's read-only mode (it streams the sheet's XML), .csv through the csv module
over a text wrapper of the binary file; the delimiter (',' ';' or tab, as Excel writes it for the
locale) is guessed from the header line.

A few kilobytes of a crafted file can expand to gigabytes, so every file is held to `Limits`
before the work grows: a workbook's parts are checked in the zip directory (uncompressed size,
compression ratio, the shared strings that openpyxl loads whole, the sheet's declared
dimension) before openpyxl opens it, and rows (empty ones included), columns and characters per
cell are counted as the rows stream. The first limit crossed refuses the whole file with a
message naming the limit (Vietnamese, or English when that is the active language).
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import io
import itertools
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import IO

from django.conf import settings
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from households.importing.errors import ImportRefused, RowError


@dataclass(frozen=True)
class Limits:
    """What one review file may hold; `IMPORT_LIMITS` in the settings overrides any of them."""

    rows: int = 300_000  # rows of the sheet, the header and empty rows included
    columns: int = 64  # the template has 31
    cell_chars: int = 1_000  # the longest template field (an address) is 200
    part_bytes: int = 192 * 1024 * 1024  # any part of a workbook, uncompressed
    ratio: int = 200  # uncompressed ÷ compressed size of a part above 1 MB
    shared_strings_bytes: int = 48 * 1024 * 1024
    shared_strings: int = 1_000_000


def current_limits() -> Limits:
    return replace(Limits(), **getattr(settings, "IMPORT_LIMITS", {}))


def _refused(message: str, row: int = 0) -> ImportRefused:
    return ImportRefused([RowError(row, "", message)])


def _number(value: int) -> str:
    """Thousands grouped as the active language writes them: 300.000, or 300,000 in English."""
    return number_format(value, force_grouping=True)


def _megabytes(size: int) -> str:
    return _number(size // (1024 * 1024))


def read_rows(
    source: str | Path | IO[bytes], filename: str | None = None, limits: Limits | None = None
) -> Iterator[tuple[int, list]]:
    """Yield (spreadsheet row number, cells) from an .xlsx or .csv file, streaming, within limits."""
    name = str(filename or getattr(source, "name", source)).lower()
    limits = limits or current_limits()
    if name.endswith(".xlsx"):
        rows = _read_xlsx(source, limits)
    elif name.endswith(".csv"):
        rows = _read_csv(source)
    else:
        raise _refused(_("Chỉ nhận tệp .xlsx hoặc .csv."))
    yield from _bounded(rows, limits)


def _bounded(rows: Iterator[tuple[int, list]], limits: Limits) -> Iterator[tuple[int, list]]:
    for number, cells in rows:
        if number > limits.rows:
            raise _refused(
                _("Tệp có hơn %(rows)s dòng (kể cả dòng trống), vượt giới hạn; hãy chia thành nhiều tệp nhỏ hơn.")
                % {"rows": _number(limits.rows)}
            )
        while cells and cells[-1] in (None, ""):
            cells.pop()  # trailing empty cells: a sheet's declared width, or separators
        if len(cells) > limits.columns:
            values = {"row": number, "columns": _number(len(cells)), "limit": limits.columns}
            raise _refused(_("Dòng %(row)s có %(columns)s cột, vượt giới hạn %(limit)s cột.") % values, number)
        for column, cell in enumerate(cells, start=1):
            if isinstance(cell, str) and len(cell) > limits.cell_chars:
                values = {
                    "row": number,
                    "column": column,
                    "chars": _number(len(cell)),
                    "limit": _number(limits.cell_chars),
                }
                message = _(
                    "Ô ở dòng %(row)s, cột %(column)s dài %(chars)s ký tự, vượt giới hạn %(limit)s ký tự của một ô."
                )
                raise _refused(message % values, number)
        yield number, cells


_SHEET = re.compile(r"xl/worksheets/sheet(\d+)\.xml")
_DIMENSION = re.compile(rb"<(?:\w+:)?dimension\s+ref=\"(?:[A-Z]+\d+:)?([A-Z]+)(\d+)\"")
_SHARED_STRING = re.compile(rb"<(?:\w+:)?si[\s>/]")


def check_workbook(source, limits: Limits) -> None:
    """Refuse a workbook whose parts would expand past the limits, before openpyxl reads it.

    Reads only the zip directory, the head of the first sheet (its declared dimension) and the
    shared-strings part as a stream (counting its strings): never more than one chunk in memory.
    """
    try:
        with zipfile.ZipFile(source) as archive:
            parts = archive.infolist()
            for part in parts:
                if part.file_size > limits.part_bytes:
                    values = {
                        "part": part.filename,
                        "size": _megabytes(part.file_size),
                        "limit": _megabytes(limits.part_bytes),
                    }
                    raise _refused(
                        _("Phần «%(part)s» của tệp Excel giải nén ra %(size)s MB, vượt giới hạn %(limit)s MB.") % values
                    )
                if part.file_size > 1024 * 1024 and part.file_size > limits.ratio * max(part.compress_size, 1):
                    values = {
                        "part": part.filename,
                        "ratio": _number(part.file_size // max(part.compress_size, 1)),
                        "limit": limits.ratio,
                    }
                    raise _refused(
                        _(
                            "Phần «%(part)s» của tệp Excel nén với tỷ lệ %(ratio)s:1, vượt giới hạn %(limit)s:1 "
                            "(tệp có thể bị làm giả)."
                        )
                        % values
                    )
            names = {part.filename: part for part in parts}
            shared = names.get("xl/sharedStrings.xml")
            if shared is not None:
                _check_shared_strings(archive, shared, limits)
            sheets = sorted((int(m[1]), name) for name in names if (m := _SHEET.fullmatch(name)))
            if sheets:
                _check_dimension(archive, sheets[0][1], limits)
    except zipfile.BadZipFile as exc:
        raise _refused(_("Không đọc được tệp Excel (tệp .xlsx hỏng hoặc không phải .xlsx).")) from exc
    finally:
        if hasattr(source, "seek"):
            source.seek(0)


def _check_shared_strings(archive: zipfile.ZipFile, part: zipfile.ZipInfo, limits: Limits) -> None:
    if part.file_size > limits.shared_strings_bytes:
        values = {"size": _megabytes(part.file_size), "limit": _megabytes(limits.shared_strings_bytes)}
        raise _refused(
            _("Bảng chuỗi dùng chung của tệp Excel giải nén ra %(size)s MB, vượt giới hạn %(limit)s MB.") % values
        )
    count, tail = 0, b""
    with archive.open(part) as stream:
        while chunk := stream.read(1 << 20):
            data = tail + chunk
            count += len(_SHARED_STRING.findall(data)) - len(_SHARED_STRING.findall(tail))
            tail = data[-8:]
            if count > limits.shared_strings:
                raise _refused(
                    _("Tệp Excel có hơn %(count)s chuỗi dùng chung, vượt giới hạn.")
                    % {"count": _number(limits.shared_strings)}
                )


def _check_dimension(archive: zipfile.ZipFile, name: str, limits: Limits) -> None:
    with archive.open(name) as stream:
        head = stream.read(4096)
    found = _DIMENSION.search(head)
    if found is None:
        return
    letters, last_row = found[1].decode(), int(found[2])
    last_column = 0
    for letter in letters:
        last_column = last_column * 26 + ord(letter) - ord("A") + 1
    if last_row > limits.rows or last_column > limits.columns:
        values = {
            "cell": f"{letters}{last_row}",
            "rows": _number(last_row),
            "columns": _number(last_column),
            "row_limit": _number(limits.rows),
            "column_limit": limits.columns,
        }
        raise _refused(
            _(
                "Trang tính khai báo vùng dữ liệu đến ô %(cell)s (%(rows)s dòng, %(columns)s cột), vượt giới hạn "
                "%(row_limit)s dòng, %(column_limit)s cột."
            )
            % values
        )


def _read_xlsx(source, limits: Limits) -> Iterator[tuple[int, list]]:
    from openpyxl import load_workbook

    check_workbook(source, limits)
    try:
        workbook = load_workbook(source, read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - any unreadable workbook is the same answer to the user
        raise _refused(_("Không đọc được tệp Excel (%(error)s).") % {"error": exc.__class__.__name__}) from exc
    try:
        sheet = workbook.worksheets[0]
        # The declared dimension was checked above; rows are not padded to it.
        sheet.reset_dimensions()
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
        message = _(
            "Tệp CSV phải được lưu với mã hóa UTF-8 (trong Excel: Lưu thành → «CSV UTF-8 (Comma delimited)»); "
            "hoặc tải lên tệp .xlsx."
        )
        raise ImportRefused([RowError(0, "", message)]) from exc
    except csv.Error as exc:
        # The csv module refuses a field over its own limit (131,072 characters) before we see it.
        raise _refused(_("Tệp CSV có một ô quá dài hoặc sai định dạng (%(error)s).") % {"error": exc}) from exc
