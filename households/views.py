"""Household pages: thin adapters over households.services and the visible_to querysets."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from households.models import Household


@login_required
def household_list(request):
    households = Household.objects.visible_to(request.user).select_related("commune")[:50]
    return render(request, "households/household_list.html", {"households": households})
