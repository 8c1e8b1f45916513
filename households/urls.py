"""Pages of the households app. Other parts (upload, exports, workflow) append their patterns below."""

from django.urls import path

from households import views

app_name = "households"

urlpatterns = [
    path("households/", views.household_list, name="list"),
]
