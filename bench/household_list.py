"""Section `household_list`: the officers' household list as a city leader sees it (every
household of the city): the first page in name order, a page half-way down the list (OFFSET
paging), the code order, a search for one household's code, and a search every household matches
(the bench's households all have one head's name, so "nguyen" finds them all: the worst case,
counting every folded name), against a trivial signed-in page measured in the same run. The
list's order and search read the indexes of households migration 0006; `indexes` says which of
them the database holds."""

from __future__ import annotations

import time


def run_section(ctx) -> dict:
    from django.test.utils import override_settings

    from bench import trivial

    with override_settings(ROOT_URLCONF=trivial.urlconf()):
        return _measure(ctx)


def _measure(ctx) -> dict:
    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    from households.models import AdministrativeUnit, Household, Role, UnitLevel, User

    city = AdministrativeUnit.objects.get(level=UnitLevel.CITY)
    user, _ = User.objects.get_or_create(username="bench-leader", defaults={"role": Role.CITY_LEADER, "unit": city})
    client = Client()
    client.force_login(user)
    households = Household.objects.count()
    sample = Household.objects.order_by("code")[households // 2]
    listing = reverse("households:list")
    pages = {
        "trivial_signed_in": reverse("bench_signed_in"),
        "first_page": listing,
        "deep_page": f"{listing}?page={max(1, households // 50 // 2)}",
        "code_order": f"{listing}?sort=code",
        "search_code": f"{listing}?q={sample.code}",
        "search_matching_all": f"{listing}?q=nguyen",
    }
    for name, path in pages.items():
        assert client.get(path).status_code == 200, name
    times: dict[str, list[float]] = {name: [] for name in pages}
    for _ in range(ctx.requests):  # round robin
        for name, path in pages.items():
            start = time.perf_counter()
            client.get(path)
            times[name].append(time.perf_counter() - start)
    result = {"households": households, **{name: {"path": pages[name], **ctx.summary(t)} for name, t in times.items()}}
    base = result["trivial_signed_in"]["median_s"]
    for name in pages:
        if name != "trivial_signed_in":
            result[name]["ratio_to_trivial_signed_in"] = round(result[name]["median_s"] / base, 1)
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename = 'households_household' ORDER BY 1")
        result["indexes"] = [name for (name,) in cursor.fetchall()]
    return result
