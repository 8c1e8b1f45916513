#!/usr/bin/env python
"""Section `imports`: the review importer at city scale against PostgreSQL COPY and stock import-export.

    python bench/run.py imports            # as a section of the benchmark (seeded database)
    python bench/imports.py [--sizes 50000,200000] [--no-xlsx] [--keep]   # alone, own database

Generates valid review files over Hanoi's real communes (each household reviewed in 2022 and
2023, so movements are derived), then for each size measures, each import in its own child
process so that its peak memory (ru_maxrss from wait4) is measured from outside:

- dry run of the file before it is imported (the preview an officer sees first);
- first import; re-import of the same file (nothing changes); dry run of the re-import;
- PostgreSQL COPY of the same file into a bare table with the same columns (the floor);
- a plain django-import-export ModelResource (default mode, row by row) on the first 5,000
  rows, for Household (it writes only households, so it is the kinder comparison for it).

Goals (issue 6): first import ≥ 1/10 of COPY's rows/s; re-import and dry run at least as fast as
the first import; peak memory for 200,000 rows under 400 MB; 200,000 rows within 4.5× of 50,000.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import random
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/povertyplan_bench_imports"
STOCK_ROWS = 5000


# ---------------------------------------------------------------------------------------------
# Files


def communes() -> list[tuple[str, str]]:
    """(code, area) of Hanoi's communes of the structure in force in 2022–2023."""
    from households.models import AdministrativeUnit, Structure

    return list(
        AdministrativeUnit.objects.communes()
        .filter(structure=Structure.LEGACY)
        .order_by("code")
        .values_list("code", "area")
    )


def review_rows(count: int, prefix: str, seed: int = 6):
    """`count` valid rows: count/2 households, each reviewed in 2022 and 2023."""
    from households.template import COLUMN_KEYS

    rng = random.Random(seed)
    units = communes()
    for index in range(count):
        number, year = divmod(index, 2)
        year += 2022
        if index % 2 == 0:
            code, area = units[number % len(units)]
            line = 2_000_000 if area == "urban" else 1_500_000
            sex = rng.choice("MF")
            members = rng.randint(1, 8)
            base = rng.randint(line // 2, line * 3)
        income = max(0, base + rng.randint(-300_000, 500_000) * (year - 2022))
        deprivations = rng.choice([0, 0, 0, 1, 1, 2, 3, 4])
        values = {
            "household_code": f"{prefix}{number:07d}",
            "commune_code": code,
            "village": f"Thôn {number % 12 + 1}",
            "head_name": f"Nguyễn Văn {number}",
            "head_sex": sex,
            "ethnic_minority": int(number % 50 == 0),
            "members": members,
            "meritorious": int(number % 97 == 0),
            "social_protection": int(number % 31 == 0),
            "no_labour_capacity": int(number % 41 == 0),
            "year": year,
            "income_per_capita": income,
            "b1_score": "",
            **{f"d{i:02d}": int(i <= deprivations) for i in range(1, 13)},
            "review_date": f"15/11/{year}",
        }
        yield [values.get(key, "") for key in COLUMN_KEYS]


def write_csv(path: Path, count: int, prefix: str) -> None:
    from households.template import COLUMN_KEYS

    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(COLUMN_KEYS)
        writer.writerows(review_rows(count, prefix))


def write_xlsx(path: Path, count: int, prefix: str) -> None:
    from openpyxl import Workbook

    from households.template import COLUMNS

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet()
    sheet.append([column.label for column in COLUMNS])
    for cells in review_rows(count, prefix):
        sheet.append(["" if cell == "" else cell for cell in cells])
    workbook.save(path)


# ---------------------------------------------------------------------------------------------
# Measures


def child(*args: str) -> dict:
    """Run this file as a child doing one measured thing; its JSON answer plus its peak memory."""
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, str(Path(__file__).resolve()), "--child", *args],
        stdout=subprocess.PIPE,
        cwd=str(ROOT),
        env=os.environ.copy(),
    )
    # Peak memory from outside: the child's VmHWM, polled until it exits (ru_maxrss of a child
    # would start from this parent's own size, which fork hands down across exec).
    status_file = Path(f"/proc/{process.pid}/status")
    peak_kb = 0
    chunks: list[bytes] = []
    reader = threading.Thread(target=lambda: chunks.append(process.stdout.read()))
    reader.start()
    while process.poll() is None:
        try:
            for line in status_file.read_text().splitlines():
                if line.startswith("VmHWM:"):
                    peak_kb = max(peak_kb, int(line.split()[1]))
        except (FileNotFoundError, ProcessLookupError, ValueError):
            pass
        time.sleep(0.02)
    reader.join()
    if process.returncode:
        raise RuntimeError(f"child {args} failed with {process.returncode}")
    answer = json.loads(b"".join(chunks))
    answer["peak_memory_mb"] = round(max(peak_kb, answer.pop("own_peak_kb", 0)) / 1024, 1)
    answer["process_seconds"] = round(time.perf_counter() - started, 2)
    return answer


def _own_peak_kb() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


def _child_main(action: str, path: str, extra: list[str]) -> None:
    import django

    sys.path.insert(0, str(ROOT))
    django.setup()
    if action in ("import", "dry_run"):
        from households.importer import import_reviews

        with open(path, "rb") as handle:
            started = time.perf_counter()
            result = import_reviews(handle, filename=path, state="approved", dry_run=action == "dry_run")
            seconds = time.perf_counter() - started
        print(json.dumps({"seconds": round(seconds, 3), "result": result.as_dict(), "own_peak_kb": _own_peak_kb()}))
    elif action == "import_export":
        print(json.dumps({**_stock_import(path, extra[0]), "own_peak_kb": _own_peak_kb()}))


def _stock_import(path: str, prefix: str) -> dict:
    """django-import-export's ModelResource, default mode (row by row), on the first rows."""
    import tablib
    from import_export import resources

    from households.models import AdministrativeUnit, Household, Structure

    class HouseholdResource(resources.ModelResource):
        class Meta:
            model = Household
            import_id_fields = ["code"]
            fields = [
                "code",
                "commune",
                "village",
                "head_name",
                "head_sex",
                "ethnic_minority",
                "members_count",
                "meritorious",
                "social_protection",
                "no_labour_capacity",
            ]

    commune_ids = dict(
        AdministrativeUnit.objects.communes().filter(structure=Structure.LEGACY).values_list("code", "pk")
    )
    dataset = tablib.Dataset(headers=HouseholdResource.Meta.fields)
    with open(path, encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        for index, row in enumerate(reader):
            if index >= STOCK_ROWS:
                break
            dataset.append(
                [
                    f"{prefix}{index:07d}",
                    commune_ids[row["commune_code"]],
                    row["village"],
                    row["head_name"],
                    row["head_sex"],
                    row["ethnic_minority"],
                    row["members"],
                    row["meritorious"],
                    row["social_protection"],
                    row["no_labour_capacity"],
                ]
            )
    started = time.perf_counter()
    result = HouseholdResource().import_data(dataset, dry_run=False, raise_errors=True)
    seconds = time.perf_counter() - started
    return {"seconds": round(seconds, 3), "rows": len(dataset), "totals": dict(result.totals)}


def copy_floor(path: Path) -> dict:
    """COPY of the same file into a bare table with the file's columns (no index, no key)."""
    from django.db import connection, transaction

    from households.template import COLUMN_KEYS

    types = {
        "household_code": "varchar(40)",
        "commune_code": "varchar(5)",
        "village": "varchar(100)",
        "head_name": "varchar(100)",
        "head_sex": "varchar(3)",
        "members": "smallint",
        "year": "smallint",
        "income_per_capita": "numeric(12,0)",
        "b1_score": "numeric(6,1)",
        "review_date": "date",
    }
    columns = ", ".join(f"{key} {types.get(key, 'boolean')}" for key in COLUMN_KEYS)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL datestyle = 'ISO, DMY'")
        cursor.execute(f"CREATE TABLE bench_copy_floor ({columns})")
    with open(path, encoding="utf-8") as handle:
        started = time.perf_counter()
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL datestyle = 'ISO, DMY'")
            cursor.cursor.copy_expert("COPY bench_copy_floor FROM STDIN WITH (FORMAT csv, HEADER true)", handle)
        seconds = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM bench_copy_floor")
        (rows,) = cursor.fetchone()
        cursor.execute("DROP TABLE bench_copy_floor")
    return {"seconds": round(seconds, 3), "rows": rows}


def _rate(rows: int, seconds: float) -> int:
    return round(rows / seconds) if seconds else 0


def measure_size(size: int, folder: Path, *, xlsx: bool) -> dict:
    path = folder / f"reviews-{size}.csv"
    write_csv(path, size, prefix=f"BI{size // 1000}K-")
    floor = copy_floor(path)
    runs = {
        "dry_run": child("dry_run", str(path)),
        "first_import": child("import", str(path)),
        "reimport": child("import", str(path)),
        "dry_run_of_reimport": child("dry_run", str(path)),
    }
    first = runs["first_import"]
    assert first["result"]["reviews_created"] == size, first["result"]
    assert runs["reimport"]["result"]["reviews_unchanged"] == size, runs["reimport"]["result"]
    report = {
        "rows": size,
        "file_mb": round(path.stat().st_size / 1e6, 1),
        "copy": {**floor, "rows_per_s": _rate(size, floor["seconds"])},
    }
    for name, run in runs.items():
        report[name] = {
            "seconds": run["seconds"],
            "rows_per_s": _rate(size, run["seconds"]),
            "peak_memory_mb": run["peak_memory_mb"],
        }
    report["first_import"]["result"] = {
        key: first["result"][key] for key in ("households_created", "reviews_created", "classes", "movements")
    }
    report["ratios"] = {
        "first_import_vs_copy": round(floor["seconds"] / first["seconds"], 3),
        "reimport_vs_first": round(first["seconds"] / runs["reimport"]["seconds"], 2),
        "dry_run_vs_first": round(first["seconds"] / runs["dry_run"]["seconds"], 2),
    }
    if xlsx:
        book = folder / f"reviews-{size}.xlsx"
        write_xlsx(book, size, prefix=f"BX{size // 1000}K-")
        first_x, again_x = child("import", str(book)), child("import", str(book))
        report["xlsx"] = {
            "file_mb": round(book.stat().st_size / 1e6, 1),
            "first_import": {
                "seconds": first_x["seconds"],
                "rows_per_s": _rate(size, first_x["seconds"]),
                "peak_memory_mb": first_x["peak_memory_mb"],
            },
            "reimport": {
                "seconds": again_x["seconds"],
                "rows_per_s": _rate(size, again_x["seconds"]),
                "peak_memory_mb": again_x["peak_memory_mb"],
            },
        }
    return report


def machine() -> dict:
    model = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if "model name" in line
        ),
        platform.processor(),
    )
    memory = next(
        line.split(":", 1)[1].strip()
        for line in Path("/proc/meminfo").read_text().splitlines()
        if line.startswith("MemTotal")
    )
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        (version,) = cursor.fetchone()
    return {
        "cpus": os.cpu_count(),
        "cpu": model,
        "memory": memory,
        "postgresql": version,
        "python": platform.python_version(),
    }


def run_section(ctx=None, *, sizes: tuple[int, ...] = (50_000, 200_000), xlsx: bool = True) -> dict:
    from households.models import Review

    report: dict = {"machine": machine(), "reviews_in_database_before": Review.objects.count(), "sizes": {}}
    with tempfile.TemporaryDirectory(prefix="bench-imports-") as folder:
        for size in sizes:
            print(f"[bench] imports: {size} rows…", file=sys.stderr, flush=True)
            report["sizes"][str(size)] = measure_size(size, Path(folder), xlsx=xlsx and size == min(sizes))
            if size == min(sizes):
                stock = child("import_export", str(Path(folder) / f"reviews-{size}.csv"), f"IE{size // 1000}K-")
                report["import_export_model_resource"] = {
                    "rows": stock["rows"],
                    "seconds": stock["seconds"],
                    "rows_per_s": _rate(stock["rows"], stock["seconds"]),
                    "peak_memory_mb": stock["peak_memory_mb"],
                    "model": "Household (households only: less work per row than the importer)",
                }
    small, large = str(min(sizes)), str(max(sizes))
    measured = report["sizes"]
    stock_rate = report["import_export_model_resource"]["rows_per_s"]
    report["goals"] = {
        "first_import_at_least_tenth_of_copy": {
            size: measured[size]["ratios"]["first_import_vs_copy"] >= 0.1 for size in measured
        },
        "reimport_at_least_as_fast": {size: measured[size]["ratios"]["reimport_vs_first"] >= 1 for size in measured},
        "dry_run_at_least_as_fast": {size: measured[size]["ratios"]["dry_run_vs_first"] >= 1 for size in measured},
        "peak_memory_mb_largest": max(
            measured[large][name]["peak_memory_mb"] for name in ("first_import", "reimport", "dry_run")
        ),
        "peak_memory_under_400mb": max(
            measured[large][name]["peak_memory_mb"] for name in ("first_import", "reimport", "dry_run")
        )
        < 400,
        "time_ratio_largest_vs_smallest": round(
            measured[large]["first_import"]["seconds"] / measured[small]["first_import"]["seconds"], 2
        ),
        "rows_ratio_largest_vs_smallest": round(int(large) / int(small), 2),
        "first_import_vs_import_export": {
            size: round(measured[size]["first_import"]["rows_per_s"] / stock_rate, 1) for size in measured
        },
    }
    if int(large) == 4 * int(small):
        report["goals"]["linear_within_4_5x"] = report["goals"]["time_ratio_largest_vs_smallest"] <= 4.5
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="50000,200000")
    parser.add_argument("--no-xlsx", action="store_true")
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        _child_main(args.child[0], args.child[1], args.child[2:])
        return 0
    sys.path.insert(0, str(ROOT))
    from bench.run import drop_database, prepare_database

    prepare_database(args.database_url, reuse=False)
    os.environ.update(
        DATABASE_URL=args.database_url,
        DJANGO_SETTINGS_MODULE="povertyplan.settings",
        DEBUG="false",  # DEBUG would keep every query in memory
        SECRET_KEY=os.environ.get("SECRET_KEY", "bench-only-secret-key"),
        ALLOWED_HOSTS="testserver,127.0.0.1,localhost",
        CELERY_BROKER_URL=os.environ.get("CELERY_BROKER_URL", "memory://"),
    )
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connections

    try:
        call_command("migrate", verbosity=0)
        call_command("load_admin_units", "--province", "01", verbosity=0)
        sizes = tuple(int(size) for size in args.sizes.split(","))
        report = run_section(None, sizes=sizes, xlsx=not args.no_xlsx)
    finally:
        connections.close_all()
        if not args.keep:
            drop_database(args.database_url)
    print(json.dumps(report, indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    if "--child" not in sys.argv:
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "povertyplan.settings")
    sys.exit(main())
