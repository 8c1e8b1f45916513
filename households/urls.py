"""Pages of the households app. Other parts (upload, exports, workflow) append their patterns below.

Every route is walked by tests/households/test_visibility_routes.py, which fails on a route it
does not know: add a new route there too.
"""

from django.urls import path, register_converter

from households import risk_views, upload_views, views, workflow_views
from povertyplan.params import YearConverter

register_converter(YearConverter, "year")

app_name = "households"

urlpatterns = [
    path("households/", views.household_list, name="list"),
    path("households/at-risk/", risk_views.at_risk, name="at_risk"),
    path("households/new/", views.household_create, name="create"),
    path("households/<int:pk>/", views.household_detail, name="detail"),
    path("households/<int:pk>/edit/", views.household_edit, name="edit"),
    path("households/<int:pk>/history/", views.household_history_view, name="history"),
    path("households/<int:pk>/members/add/", views.member_add, name="member_add"),
    path("households/<int:pk>/members/<int:member_pk>/edit/", views.member_edit, name="member_edit"),
    path("households/<int:pk>/members/<int:member_pk>/delete/", views.member_delete, name="member_delete"),
    path("households/<int:pk>/reviews/", views.review_start, name="review_start"),
    path("households/<int:pk>/reviews/<year:year>/", views.review_form, name="review"),
    path("households/<int:pk>/reviews/<year:year>/classify/", views.review_classify, name="review_classify"),
    # Upload, downloads and workflow (households/upload_views.py, households/workflow_views.py).
    path("imports/", upload_views.upload, name="import"),
    path("imports/mine/", upload_views.job_list, name="import_jobs"),
    path("imports/template/", upload_views.template_download, name="template"),
    path("imports/<int:job_pk>/", upload_views.job_detail, name="import_job"),
    path("imports/<int:job_pk>/progress/", upload_views.job_progress, name="import_progress"),
    path("imports/<int:job_pk>/confirm/", upload_views.job_confirm, name="import_confirm"),
    path("imports/<int:job_pk>/discard/", upload_views.job_discard, name="import_discard"),
    path("households/export.xlsx", upload_views.export, {"fmt": "xlsx"}, name="export_xlsx"),
    path("households/export.csv", upload_views.export, {"fmt": "csv"}, name="export_csv"),
    path("workflow/", workflow_views.workflow_list, name="workflow"),
    path("workflow/<int:commune_pk>/<year:year>/", workflow_views.workflow_detail, name="workflow_detail"),
    path("workflow/<int:commune_pk>/<year:year>/submit/", workflow_views.workflow_submit, name="workflow_submit"),
    path("workflow/<int:commune_pk>/<year:year>/approve/", workflow_views.workflow_approve, name="workflow_approve"),
    path("workflow/<int:commune_pk>/<year:year>/return/", workflow_views.workflow_return, name="workflow_return"),
    path("workflow/<int:commune_pk>/<year:year>/withdraw/", workflow_views.workflow_withdraw, name="workflow_withdraw"),
]
