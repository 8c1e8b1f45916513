"""The REST API, version 1, mounted at /api/v1/ (docs/api.md).

Paths are the public contract: units/, indicators/, progress/, targets/, plan/, households/,
reviews/, imports/; the root lists them; indicators/ and progress/ have a datapackage.json
describing their CSV, indicators/catalogue/ defines every column; the OpenAPI 3 schema at schema/ and its docs page at docs/ (Swagger UI,
served offline from drf-spectacular-sidecar; Redoc at redoc/).
"""

from csp.constants import UNSAFE_INLINE
from csp.decorators import csp_update
from django.urls import include, path
from drf_spectacular.views import SpectacularRedocView, SpectacularSwaggerSplitView
from rest_framework.permissions import AllowAny
from rest_framework.routers import DefaultRouter

from households.api import HouseholdViewSet, ImportViewSet, ReviewViewSet, UnitViewSet
from povertyplan.api_schema import SchemaView
from reports.api import IndicatorViewSet, PlanClosingView, ProgressViewSet
from reports.impact import ImpactViewSet
from reports.metadata_api import ApiRootView, CatalogueView, IndicatorsPackageView, ProgressPackageView
from targets.api import PlanViewSet, TargetViewSet

router = DefaultRouter()
router.include_root_view = False
router.register("units", UnitViewSet, basename="api-unit")
router.register("indicators", IndicatorViewSet, basename="api-indicator")
router.register("progress", ProgressViewSet, basename="api-progress")
router.register("targets", TargetViewSet, basename="api-target")
router.register("plan", PlanViewSet, basename="api-plan")
router.register("households", HouseholdViewSet, basename="api-household")
router.register("reviews", ReviewViewSet, basename="api-review")
router.register("imports", ImportViewSet, basename="api-import")
router.register("standards/impact", ImpactViewSet, basename="api-impact")

# The schema and its docs are public: they describe the API, not its data.
public = {"permission_classes": [AllowAny], "authentication_classes": []}

redoc = csp_update({"style-src": [UNSAFE_INLINE], "worker-src": ["blob:"]})(
    SpectacularRedocView.as_view(url_name="api-schema", **public)
)

urlpatterns = [
    path("", ApiRootView.as_view(), name="api-root"),
    path("indicators/datapackage.json", IndicatorsPackageView.as_view(), name="api-indicators-datapackage"),
    path("indicators/catalogue/", CatalogueView.as_view(), name="api-indicators-catalogue"),
    path("progress/datapackage.json", ProgressPackageView.as_view(), name="api-progress-datapackage"),
    path("", include(router.urls)),
    path("plan/<int:pk>/closing/", PlanClosingView.as_view(), name="api-plan-closing"),
    path("schema/", SchemaView.as_view(**public), name="api-schema"),
    # Swagger UI's start-up script is served by the view itself (?script), not inline: the
    # Content-Security-Policy allows scripts from the portal only (templates/drf_spectacular).
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema", **public), name="api-docs"),
    # Redoc styles its page by inserting <style> elements as it renders (styled-components): its
    # page alone allows inline styles. It shows the public schema, never data; scripts stay 'self'.
    path("redoc/", redoc, name="api-redoc"),
]
