"""Progress dashboards, review completeness and the official summary table."""

from django.urls import path

from reports import impact, views

app_name = "reports"

urlpatterns = [
    path("", views.city, name="city"),
    path("unit/<int:pk>/", views.unit, name="unit"),
    path("completeness/", views.completeness, name="completeness"),
    path("summary/", views.summary, name="summary"),
    path("summary.xlsx", views.summary_xlsx, name="summary_xlsx"),
    path("plans/<int:pk>/closing/", views.plan_closing, name="plan_closing"),
    path("impact/", impact.impact_page, name="impact"),
]
