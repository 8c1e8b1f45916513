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
]
