"""Pages of the households app. Other parts (upload, exports, workflow) append their patterns below.

Every route is walked by tests/households/test_visibility_routes.py, which fails on a route it
does not know: add a new route there too.
"""

from django.contrib.auth import views as auth_views
from django.urls import path

from households import views
from households.forms import LoginForm

app_name = "households"

urlpatterns = [
    # Served here, ahead of django.contrib.auth.urls, so the login is throttled; same URL and template.
    path("accounts/login/", auth_views.LoginView.as_view(authentication_form=LoginForm), name="login"),
    path("households/", views.household_list, name="list"),
    path("households/new/", views.household_create, name="create"),
    path("households/<int:pk>/", views.household_detail, name="detail"),
    path("households/<int:pk>/edit/", views.household_edit, name="edit"),
    path("households/<int:pk>/history/", views.household_history_view, name="history"),
    path("households/<int:pk>/members/add/", views.member_add, name="member_add"),
    path("households/<int:pk>/members/<int:member_pk>/edit/", views.member_edit, name="member_edit"),
    path("households/<int:pk>/members/<int:member_pk>/delete/", views.member_delete, name="member_delete"),
    path("households/<int:pk>/reviews/", views.review_start, name="review_start"),
    path("households/<int:pk>/reviews/<int:year>/", views.review_form, name="review"),
    path("households/<int:pk>/reviews/<int:year>/classify/", views.review_classify, name="review_classify"),
]
