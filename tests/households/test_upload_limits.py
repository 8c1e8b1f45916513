"""Crafted files are refused before they grow: a few kilobytes that expand to gigabytes, a declared
dimension of a million rows, cells of megabytes. Each is refused whole with a Vietnamese message
naming the limit, nothing is written and no file stays on disk (issue 11)."""

import datetime
import io
import os
import time
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook

from households import uploads
from households.importing.errors import ImportRefused
from households.importing.reading import Limits, read_rows
from households.models import Household, ImportJob, JobStatus, Review
from households.template import COLUMN_KEYS
from tests.builders import csv_bytes, review_row, xlsx_bytes
from tests.factories import Unit

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


SHEET1, SHARED = "xl/worksheets/sheet1.xml", "xl/sharedStrings.xml"


def rewritten(workbook: bytes, parts: dict[str, bytes]) -> bytes:
    """The workbook with some of its parts replaced or added."""
    replacements = dict(parts)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(workbook)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            target.writestr(info.filename, replacements.pop(info.filename, source.read(info.filename)))
        for name, content in replacements.items():
            target.writestr(name, content)
    return out.getvalue()


def a_workbook() -> bytes:
    workbook = Workbook()
    workbook.active.append(["household_code", "commune_code"])
    workbook.active.append(["H1", "00001"])
    stream = io.BytesIO()
    workbook.save(stream)
    return stream.getvalue()


SHEET_HEAD = b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'


def sheet(rows: bytes, dimension: bytes = b"") -> bytes:
    return SHEET_HEAD + dimension + b"<sheetData>" + rows + b"</sheetData></worksheet>"


def refusal(content: bytes, name: str, limits: Limits | None = None) -> str:
    with pytest.raises(ImportRefused) as refused:
        for _ in read_rows(io.BytesIO(content), name, limits):
            pass
    return " ".join(str(error) for error in refused.value.errors)


def test_a_shared_strings_part_of_eight_million_strings_is_refused_from_the_zip_directory():
    strings = b"<si><t>a</t></si>" * 8_000_000
    bomb = rewritten(a_workbook(), {SHARED: b"<sst>" + strings + b"</sst>"})
    assert len(bomb) < 2_000_000  # a few hundred kilobytes on disk
    message = refusal(bomb, "bom.xlsx")
    assert "xl/sharedStrings.xml" in message and "vượt giới hạn" in message


def test_shared_strings_are_counted_as_a_stream_against_their_own_limit():
    strings = b"".join(b"<si><t>%d</t></si>" % i for i in range(2_000))
    workbook = rewritten(a_workbook(), {SHARED: b"<sst>" + strings + b"</sst>"})
    assert "chuỗi dùng chung" in refusal(workbook, "a.xlsx", Limits(shared_strings=1_000))


def test_millions_of_empty_rows_are_refused_by_their_compression_ratio():
    bomb = rewritten(a_workbook(), {SHEET1: sheet(b"<row/>" * 3_000_000)})
    message = refusal(bomb, "rows.xlsx")
    assert "tỷ lệ" in message and "xl/worksheets/sheet1.xml" in message


def test_a_declared_dimension_of_the_whole_sheet_is_refused_before_reading_a_row():
    tiny = sheet(
        b'<row r="1"><c r="A1" t="inlineStr"><is><t>household_code</t></is></c></row>'
        b'<row r="1048576"><c r="A1048576"><v>1</v></c></row>',
        dimension=b'<dimension ref="A1:XFD1048576"/>',
    )
    workbook = rewritten(a_workbook(), {SHEET1: tiny})
    assert len(workbook) < 10_000
    message = refusal(workbook, "dim.xlsx")
    assert "XFD1048576" in message and "1.048.576 dòng" in message


def test_a_far_row_without_a_dimension_is_refused_at_the_row_limit_while_streaming():
    far = sheet(b'<row r="1"><c r="A1"><v>1</v></c></row><row r="900000"><c r="A900000"><v>1</v></c></row>')
    workbook = rewritten(a_workbook(), {SHEET1: far})
    message = refusal(workbook, "far.xlsx", Limits(rows=5_000))
    assert "hơn 5.000 dòng" in message


def test_a_row_wider_than_the_column_limit_is_refused():
    cells = b"".join(b'<c r="%s1"><v>1</v></c>' % column.encode() for column in ["A", "B", "C", "D", "E"])
    workbook = rewritten(a_workbook(), {SHEET1: sheet(b'<row r="1">' + cells + b"</row>")})
    assert "vượt giới hạn 4 cột" in refusal(workbook, "wide.xlsx", Limits(columns=4))


def test_trailing_empty_cells_do_not_count_as_columns():
    lines = list(read_rows(io.BytesIO(b"a,b" + b"," * 200 + b"\n1,2\n"), "a.csv", Limits(columns=4)))
    assert lines[0] == (1, ["a", "b"])


def test_a_cell_longer_than_any_template_field_is_refused_naming_its_row_and_column():
    workbook = Workbook()
    workbook.active.append(["household_code", "head_name"])
    workbook.active.append(["H1", "x" * 1_000_000])  # Excel (and openpyxl) keep 32,767 of them
    stream = io.BytesIO()
    workbook.save(stream)
    message = refusal(stream.getvalue(), "long.xlsx")
    assert "dòng 2, cột 2" in message and "32.767 ký tự" in message and "giới hạn 1.000 ký tự" in message


def test_a_ten_megabyte_csv_cell_gets_a_clear_message_not_a_system_error():
    content = b"household_code,head_name\nH1," + b"x" * 10_000_000 + b"\n"
    message = refusal(content, "long.csv")
    # Python's csv module refuses the cell at its field size limit, or, where another library has
    # raised that process-wide limit (frictionless does, in the API tests), the reader's own limit.
    assert "ô quá dài" in message or "vượt giới hạn 1.000 ký tự của một ô" in message, message


def test_an_upload_of_a_bomb_is_refused_on_the_page_and_leaves_no_file_and_no_job(media):
    unit = Unit()
    bomb = rewritten(xlsx_bytes([review_row("H1", unit.commune)]), {SHEET1: sheet(b"<row/>" * 3_000_000)})
    response = unit.client().post(reverse("households:import"), {"file": SimpleUploadedFile("bom.xlsx", bomb)})
    assert response.status_code == 200
    assert "vượt giới hạn" in response.content.decode()
    assert ImportJob.objects.count() == 0 and Household.objects.count() == 0
    assert not any((media / uploads.IMPORT_DIR).iterdir())


def test_an_oversized_csv_cell_fails_the_job_with_the_limit_and_writes_nothing():
    unit = Unit()
    content = csv_bytes([review_row("H1", unit.commune, head_name="x" * 5_000)], COLUMN_KEYS)
    unit.client().post(reverse("households:import"), {"file": SimpleUploadedFile("a.csv", content)})
    job = ImportJob.objects.get()
    assert job.status == JobStatus.FAILED and "5.000 ký tự" in job.errors[0]
    assert Review.objects.count() == 0


def test_clean_up_marks_a_request_killed_job_failed_and_removes_files_no_job_names(media):
    unit = Unit()
    folder = media / uploads.IMPORT_DIR
    folder.mkdir(exist_ok=True)
    orphan = folder / "0123abcd.xlsx"
    orphan.write_bytes(b"half an upload")
    old = time.time() - 2 * 3600
    os.utime(orphan, (old, old))
    recent = folder / "fresh.csv"
    recent.write_bytes(b"being written")
    killed = ImportJob.objects.create(
        user=unit.officer, filename="a.csv", file_path=f"{uploads.IMPORT_DIR}/killed.csv", status=JobStatus.RUNNING
    )
    ImportJob.objects.filter(pk=killed.pk).update(created_at=timezone.now() - datetime.timedelta(minutes=20))
    kept = (folder / "killed.csv", folder / "killed.progress")
    for path in kept:
        path.write_bytes(b"x")

    uploads.clean_stale_jobs(
        now=timezone.now(), keep_previews=datetime.timedelta(days=7), running_limit=datetime.timedelta(hours=6)
    )
    killed.refresh_from_db()
    assert killed.status == JobStatus.FAILED
    assert not orphan.exists() and recent.exists()
    assert not any(path.exists() for path in kept)
