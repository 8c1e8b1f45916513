from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.urls import NoReverseMatch

from households.models import Role


@login_required
def home(request):
    """Leaders land on the progress dashboard, officers on their household list."""
    order = ["reports:city", "households:list"]
    if request.user.role in (Role.COMMUNE_OFFICER, Role.DISTRICT_OFFICER):
        order.reverse()
    for name in order:
        try:
            return redirect(name)
        except NoReverseMatch:
            continue
    return redirect("admin:index")
