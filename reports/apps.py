from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("Báo cáo và tổng hợp")

    def ready(self):
        from households.signals import official_figures_changed
        from reports.cache import bump_targets_generation
        from reports.tasks import recompute_on_approval

        official_figures_changed.connect(recompute_on_approval, dispatch_uid="recompute-on-approval")
        from targets.models import Indicator, Plan, Target

        for model in (Plan, Indicator, Target):
            post_save.connect(bump_targets_generation, sender=model, dispatch_uid=f"bump-{model.__name__}-save")
            post_delete.connect(bump_targets_generation, sender=model, dispatch_uid=f"bump-{model.__name__}-delete")
