"""API benchmark: indicators/?unit=01&year=… and a page of households/ against a trivial DRF view.

A section of bench/run.py (`python bench/run.py api`, `run_section`), and also runs on its own:
`python bench/api.py [--households N] [--requests R]` (DEBUG on, the database of
DATABASE_URL, default a PostgreSQL database `povertyplan_bench_api` on 127.0.0.1 that it creates,
migrates and seeds with `seed_demo --households N` when empty). Every request goes through the
whole Django stack in process (middleware, token authentication, throttling, rendering), the
trivial view included, so the ratio measures only what our endpoints add. Goal (API issue): within
3x the trivial view, and the same number of queries whatever the data size.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

GOAL_RATIO = 3.0


def _ensure_database() -> None:
    import environ
    import psycopg2

    url = environ.Env.db_url_config(os.environ["DATABASE_URL"])
    if "postgresql" not in url["ENGINE"]:
        return
    connection = psycopg2.connect(
        dbname="postgres", user=url["USER"], password=url["PASSWORD"], host=url["HOST"], port=url["PORT"] or 5432
    )
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [url["NAME"]])
        if cursor.fetchone() is None:
            cursor.execute(f'CREATE DATABASE "{url["NAME"]}"')
    connection.close()


def _prepare(households: int) -> None:
    """Migrate, load the units, seed and recompute, each only when missing."""
    from django.core.management import call_command

    from households.models import AdministrativeUnit, Household
    from reports.models import IndicatorValue

    call_command("migrate", verbosity=0)
    if not AdministrativeUnit.objects.exists():
        call_command("load_admin_units", "--province", "01", verbosity=0)
    if not Household.objects.exists():
        call_command("seed_demo", "--households", str(households), verbosity=0)
    if not IndicatorValue.objects.filter(run__is_current=True).exists():
        from reports.recompute import recompute_progress

        recompute_progress(requested_by="bench")


def _token_and_year() -> tuple[str, int]:
    """A city leader's token and the latest year of the snapshot."""
    from households.accounts import issue_api_token
    from households.models import AdministrativeUnit, Role, UnitLevel, User
    from reports.models import IndicatorValue

    city = AdministrativeUnit.objects.get(level=UnitLevel.CITY)
    user, _ = User.objects.get_or_create(username="bench-api", defaults={"role": Role.CITY_LEADER, "unit": city})
    token = issue_api_token(user)
    year = IndicatorValue.objects.filter(run__is_current=True).order_by("-year").values_list("year", flat=True)[0]
    return token, year


def _measure(client, url: str, headers: dict, requests: int, *, cold: bool = False) -> dict:
    """Median and p95 of `requests` GETs; `cold`: the cache emptied before each (the first
    question after a run), else warm (answers of the current run already cached)."""
    from django.core.cache import cache
    from django.db import connection, reset_queries

    for _ in range(max(5, requests // 10)):  # warm up
        assert client.get(url, **headers).status_code == 200, url
    timings = []
    for _ in range(requests):
        if cold:
            cache.clear()
        start = time.perf_counter()
        response = client.get(url, **headers)
        timings.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    if cold:
        cache.clear()
    reset_queries()
    client.get(url, **headers)
    timings.sort()
    return {
        "url": url,
        "median_ms": round(statistics.median(timings), 3),
        "p95_ms": round(timings[int(0.95 * (len(timings) - 1))], 3),
        "queries": len(connection.queries),
    }


def _throttles_off() -> None:
    from django.conf import settings
    from rest_framework.throttling import AnonRateThrottle, UserRateThrottle

    rates = {"user": "1000000/hour", "anon": "1000000/hour"}
    settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"] = rates
    UserRateThrottle.THROTTLE_RATES = AnonRateThrottle.THROTTLE_RATES = rates


def measure(requests: int) -> dict:
    """Time the trivial view, indicators/ and a page of households/ (Django already set up and seeded)."""
    from django.test import Client
    from django.test.utils import override_settings

    from bench import trivial
    from households.models import Household

    _throttles_off()
    key, year = _token_and_year()
    client = Client()
    headers = {"HTTP_AUTHORIZATION": f"Token {key}", "HTTP_HOST": "127.0.0.1"}
    with override_settings(ROOT_URLCONF=trivial.urlconf(), DEBUG=True):  # DEBUG: connection.queries
        trivial = _measure(client, "/bench/trivial/", headers, requests)
        indicators = _measure(client, f"/api/v1/indicators/?unit=01&year={year}", headers, requests)
        indicators_cold = _measure(client, f"/api/v1/indicators/?unit=01&year={year}", headers, requests, cold=True)
        second = urlsplit(client.get("/api/v1/households/", **headers).json()["next"])
        page = _measure(client, f"{second.path}?{second.query}", headers, requests)  # the second page
    figures = {
        "households": Household.objects.count(),
        "requests": requests,
        "trivial": trivial,
        "indicators": indicators,
        "indicators_cold": indicators_cold,
        "households_page": page,
    }
    for name in ("indicators", "indicators_cold", "households_page"):
        figures[name]["ratio_median"] = round(figures[name]["median_ms"] / trivial["median_ms"], 2)
        figures[name]["ratio_p95"] = round(figures[name]["p95_ms"] / trivial["p95_ms"], 2)
        figures[name]["within_goal"] = figures[name]["ratio_median"] <= GOAL_RATIO
    return figures


def run_section(ctx) -> dict:
    """Section `api` of bench/run.py (its database is seeded and Django set up)."""
    from reports.models import RecomputeRun
    from reports.recompute import recompute_progress

    if RecomputeRun.objects.current() is None:
        recompute_progress(requested_by="bench")
    return measure(ctx.requests)


def run(*, households: int = 40_000, requests: int = 200) -> dict:
    """Standalone: create, migrate and seed the bench database when empty, then measure."""
    _ensure_database()
    import django

    django.setup()
    _prepare(households)
    return measure(requests)


def main() -> int:
    os.environ.setdefault("DEBUG", "true")
    os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/povertyplan_bench_api")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "povertyplan.settings")
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--households", type=int, default=40_000, help="seed size when the database is empty")
    parser.add_argument("--requests", type=int, default=200, help="timed requests per endpoint")
    args = parser.parse_args()
    figures = run(households=args.households, requests=args.requests)
    print(json.dumps(figures, indent=2, ensure_ascii=False))
    return 0 if all(figures[name]["within_goal"] for name in ("indicators", "households_page")) else 1


if __name__ == "__main__":
    sys.exit(main())
