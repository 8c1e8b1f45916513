from django.db import migrations


def install(apps, schema_editor):
    from targets.plan_data import install_city_plan_targets

    install_city_plan_targets(
        apps.get_model("targets", "Plan"), apps.get_model("targets", "Indicator"), apps.get_model("targets", "Target")
    )


class Migration(migrations.Migration):
    """Plan 51-KH/TU closes with the end-2025 figures; QĐ 1362/QĐ-UBND's two targets (no re-poor
    household; basically no near-poor household of people with meritorious service)."""

    dependencies = [("targets", "0003_plan_periods_and_verification")]
    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
