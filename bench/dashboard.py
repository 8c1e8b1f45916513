"""Section `dashboard`: the city dashboard and a district page, served by Django, against two
trivial views measured in the same run: /healthz (one SELECT 1, no session) and a signed-in
trivial page (login required, an empty answer: the session and the user every signed-in page reads
first). Goal: within 3× the trivial view; both ratios are printed."""

from __future__ import annotations

import time

from django.urls import reverse


def run_section(ctx) -> dict:
    from django.test.utils import override_settings

    from bench import trivial

    with override_settings(ROOT_URLCONF=trivial.urlconf()):
        return _measure(ctx)


def _measure(ctx) -> dict:
    from django.core.cache import cache
    from django.test import Client

    from households.models import AdministrativeUnit, Role, UnitLevel, User
    from reports.models import RecomputeRun
    from reports.recompute import recompute_progress

    if RecomputeRun.objects.current() is None:
        recompute_progress(requested_by="bench")
    city = AdministrativeUnit.objects.get(level=UnitLevel.CITY)
    district = AdministrativeUnit.objects.filter(level=UnitLevel.DISTRICT).order_by("code").first()
    user, _ = User.objects.get_or_create(username="bench-leader", defaults={"role": Role.CITY_LEADER, "unit": city})
    client = Client()
    client.force_login(user)

    pages = {
        "trivial": reverse("healthz"),
        "trivial_signed_in": reverse("bench_signed_in"),
        "city": reverse("reports:city"),
        "district": reverse("reports:unit", args=[district.pk]),
    }
    for name, path in pages.items():
        status = client.get(path).status_code
        assert status == 200, f"{name}: {path} answered {status}"

    times: dict[str, list[float]] = {name: [] for name in pages}
    for _ in range(3):  # warm-up
        for path in pages.values():
            client.get(path)
    for _ in range(ctx.requests):  # round robin, so drift in the machine's load hits every page alike
        for name, path in pages.items():
            start = time.perf_counter()
            client.get(path)
            times[name].append(time.perf_counter() - start)

    # Cold: the first view of each page after a run (the cached body built again).
    cold = {"city_cold": "city", "district_cold": "district"}
    for cold_name in cold:
        times[cold_name] = []
    for _ in range(ctx.requests):
        for cold_name, name in cold.items():
            cache.clear()
            start = time.perf_counter()
            client.get(pages[name])
            times[cold_name].append(time.perf_counter() - start)

    paths = {**pages, **{cold_name: pages[name] for cold_name, name in cold.items()}}
    result = {name: {"path": paths[name], **ctx.summary(t)} for name, t in times.items()}
    for baseline in ("trivial", "trivial_signed_in"):
        base = result[baseline]["median_s"]
        for name in ("city", "district", *cold):
            result[name][f"ratio_to_{baseline}"] = round(result[name]["median_s"] / base, 2)
    result["goal_ratio"] = 3.0
    return result
