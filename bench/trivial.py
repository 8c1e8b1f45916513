"""The trivial views each section measures the portal's pages against, in the same run: a DRF view
behind the same token authentication (`bench/trivial/`) and a page that only requires a signed-in
user (`bench/signed-in/`, named `bench_signed_in`), mounted beside the portal's own URLs."""

from __future__ import annotations

import sys
import types


def urlconf() -> str:
    """The name of an in-memory URL module: the trivial views, then povertyplan.urls."""
    from django.contrib.auth.decorators import login_required
    from django.http import HttpResponse
    from django.urls import include, path
    from rest_framework.response import Response
    from rest_framework.views import APIView

    class TrivialApiView(APIView):
        def get(self, request):
            return Response({"ok": True})

    module = types.ModuleType("bench_urls")
    module.urlpatterns = [
        path("bench/trivial/", TrivialApiView.as_view()),
        path("bench/signed-in/", login_required(lambda request: HttpResponse("ok")), name="bench_signed_in"),
        path("", include("povertyplan.urls")),
    ]
    sys.modules[module.__name__] = module
    return module.__name__
