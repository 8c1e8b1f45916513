"""What the households app announces to the apps above it (imports run one way: households never
imports reports, which listens here; reports/apps.py connects the receivers)."""

from django.dispatch import Signal

# The official figures of a commune-year changed (an approval, or an approved year reopened).
# Sent with commune (AdministrativeUnit) and year.
official_figures_changed = Signal()
