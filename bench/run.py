#!/usr/bin/env python
"""The benchmark: seed a city into a dedicated PostgreSQL database, run sections, print JSON.

    python bench/run.py [SECTION ...|all] [--households N] [--repeat R] [--keep] [--reuse]

A section is a module of this folder with a `run_section(ctx) -> dict` function (recompute.py,
dashboard.py, ...); it is found by its module name, so adding bench/<name>.py adds a section.
See bench/README.md.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import pkgutil
import statistics
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/povertyplan_bench"
DEFAULT_BROKER = "redis://127.0.0.1:6379/9"


def sections() -> list[str]:
    """Every module of bench/ that defines run_section, by name."""
    found = []
    for module in pkgutil.iter_modules([str(HERE)]):
        if module.name in ("run", "seed"):
            continue
        if "def run_section(" in (HERE / f"{module.name}.py").read_text(encoding="utf-8"):
            found.append(module.name)
    return sorted(found)


@dataclass
class Context:
    """What every section gets: the options and a few measuring helpers."""

    households: int
    repeat: int
    requests: int
    workers: tuple[int, ...] = (1, 2, 4)
    seeded: dict = field(default_factory=dict)

    @staticmethod
    def timed(fn, repeat: int) -> list[float]:
        """Seconds of each of `repeat` calls of fn, after one untimed warm-up call."""
        fn()
        times = []
        for _ in range(repeat):
            start = time.perf_counter()
            fn()
            times.append(time.perf_counter() - start)
        return times

    @staticmethod
    def summary(times: list[float]) -> dict:
        ordered = sorted(times)
        p95 = ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]
        return {"median_s": round(statistics.median(ordered), 5), "p95_s": round(p95, 5), "n": len(ordered)}


def _server(url: str, database: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{database}"))


def prepare_database(url: str, *, reuse: bool) -> bool:
    """Create the bench database (dropping an old one unless reused); True if it already existed."""
    import psycopg2

    name = urlsplit(url).path.lstrip("/")
    if "bench" not in name or name.startswith("test_"):
        raise SystemExit(f"refusing to use {name!r}: the bench database's name must contain 'bench'")
    admin = psycopg2.connect(_server(url, "postgres"))
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        exists = cursor.fetchone() is not None
        if exists and not reuse:
            cursor.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
            exists = False
        if not exists:
            cursor.execute(f'CREATE DATABASE "{name}"')
    admin.close()
    return exists


def drop_database(url: str) -> None:
    import psycopg2

    name = urlsplit(url).path.lstrip("/")
    admin = psycopg2.connect(_server(url, "postgres"))
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.close()


def main(argv: list[str] | None = None) -> int:
    available = sections()
    parser = argparse.ArgumentParser(description="Seed a city and measure the portal.")
    parser.add_argument("sections", nargs="*", default=["all"], help=f"all, or some of: {', '.join(available)}")
    parser.add_argument("--households", type=int, default=200_000, help="reviewed households (max 2,200,000)")
    parser.add_argument("--seed", type=int, default=51)
    parser.add_argument("--repeat", type=int, default=5, help="timed repetitions of each recompute measure")
    parser.add_argument("--requests", type=int, default=50, help="timed requests per page")
    parser.add_argument(
        "--workers", default="1,2,4", help="Celery worker processes to time the nightly fan-out on, e.g. 2 or 1,2,4"
    )
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--reuse", action="store_true", help="reuse a kept database seeded at the same scale")
    args = parser.parse_args(argv)
    chosen = available if args.sections == ["all"] else args.sections
    unknown = sorted(set(chosen) - set(available))
    if unknown:
        parser.error(f"unknown section(s) {', '.join(unknown)}; available: {', '.join(available)}")
    if not 1 <= args.households <= 2_200_000:
        parser.error("--households must be between 1 and 2,200,000 (Hanoi)")
    try:
        workers = tuple(int(n) for n in args.workers.split(","))
    except ValueError:
        parser.error("--workers takes whole numbers separated by commas, e.g. 1,2,4")
    if not workers or min(workers) < 1:
        parser.error("--workers takes whole numbers of at least 1")

    existed = prepare_database(args.database_url, reuse=args.reuse)
    os.environ.update(
        DATABASE_URL=args.database_url,
        DJANGO_SETTINGS_MODULE="povertyplan.settings",
        DEBUG="false",  # DEBUG would record every query in memory and slow the pages down
        SECRET_KEY=os.environ.get("SECRET_KEY", "bench-only-secret-key"),
        ALLOWED_HOSTS="testserver,127.0.0.1,localhost",
        # A real broker: the recompute section runs the nightly chord on real Celery workers.
        CELERY_BROKER_URL=os.environ.get("BENCH_BROKER_URL", DEFAULT_BROKER),
    )
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connections

    from households.models import Household, Review

    ctx = Context(households=args.households, repeat=args.repeat, requests=args.requests, workers=workers)
    report: dict = {"database": urlsplit(args.database_url).path.lstrip("/"), "sections": {}}
    try:
        started = time.perf_counter()
        if not (existed and Household.objects.count() == args.households):
            call_command("migrate", verbosity=0)
            call_command("load_admin_units", "--province", "01", verbosity=0)
            from bench.seed import seed_city

            Review.objects.all().delete()
            Household.objects.all().delete()
            ctx.seeded = seed_city(households=args.households, seed=args.seed)
            ctx.seeded["seconds"] = round(time.perf_counter() - started, 1)
        else:
            ctx.seeded = {"households": args.households, "reviews": Review.objects.count(), "reused": True}
        report["seed"] = ctx.seeded
        for name in chosen:
            module = importlib.import_module(f"bench.{name}")
            print(f"[bench] {name}…", file=sys.stderr, flush=True)
            report["sections"][name] = module.run_section(ctx)
    finally:
        connections.close_all()
        if not args.keep:
            drop_database(args.database_url)
    print(json.dumps(report, indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
