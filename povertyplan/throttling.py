"""DRF's throttles (per token, per anonymous address), telling the client its budget.

Each throttle notes, on the request, how many calls its window allows, how many are left and in
how many seconds the oldest call leaves the window; povertyplan.middleware.RateLimitHeaders
answers the tightest of them as `RateLimit-Limit`, `RateLimit-Remaining`, `RateLimit-Reset` and
`RateLimit-Policy` (IETF draft "RateLimit header fields for HTTP"), so a client slows down before
it meets a 429 rather than after.
"""

from __future__ import annotations

import math

from rest_framework.throttling import AnonRateThrottle, UserRateThrottle


class BudgetMixin:
    def allow_request(self, request, view) -> bool:
        allowed = super().allow_request(request, view)
        if self.rate is not None and getattr(self, "key", None) is not None:
            remaining = max(self.num_requests - len(self.history), 0)
            reset = self.duration - (self.now - self.history[-1]) if self.history else self.duration
            budget = (remaining, self.num_requests, max(math.ceil(reset), 0), self.duration)
            django_request = getattr(request, "_request", request)
            known = getattr(django_request, "rate_limit", None)
            if known is None or budget[0] < known[0]:
                django_request.rate_limit = budget
        return allowed


class UserBudgetThrottle(BudgetMixin, UserRateThrottle):
    pass


class AnonBudgetThrottle(BudgetMixin, AnonRateThrottle):
    pass
