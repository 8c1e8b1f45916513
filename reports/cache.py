"""Pages and answers built from one snapshot, kept until the next run.

A snapshot never changes once it is swapped in (reports.recompute), so whatever is computed from
it alone can be cached under a key naming the run: the next run brings new keys and the old
entries expire (Django's cache, `CACHE_URL`: local memory by default, Redis with several web
processes). Plan 51's targets are editable in the admin, so what is judged against them also
carries a generation number, bumped whenever a plan, indicator or target is saved or deleted.
"""

from __future__ import annotations

import hashlib
import time

from django.core.cache import cache

from reports.models import RecomputeRun

TIMEOUT = 24 * 60 * 60
GENERATION_KEY = "targets-generation"


def snapshot_key(kind: str, run: RecomputeRun | None, *parts: object) -> str:
    """A cache key for `kind` computed from `run`'s snapshot and `parts` (the request's choices)."""
    run_part = f"{run.pk}@{run.created_at.isoformat()}" if run else "none"
    digest = hashlib.sha256("|".join(map(str, parts)).encode()).hexdigest()[:40]
    return f"snapshot:{kind}:{run_part}:{digest}"


def targets_generation() -> int:
    return cache.get_or_set(GENERATION_KEY, time.time_ns, None)


def bump_targets_generation(**_signal) -> None:
    """A new generation: never one used before, even after the old one was evicted."""
    cache.set(GENERATION_KEY, time.time_ns(), None)


def cached(key: str, compute):
    """The value under `key`, computing and keeping it when missing."""
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, TIMEOUT)
    return value
