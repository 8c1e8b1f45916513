from django.db import migrations


def install(apps, schema_editor):
    from targets.plan_data import install_draft_plan

    install_draft_plan(
        apps.get_model("targets", "Plan"), apps.get_model("targets", "Indicator"), apps.get_model("targets", "Target")
    )


class Migration(migrations.Migration):
    """A DRAFT plan for 2026–2030 ("dự kiến, cần kiểm chứng"): baseline end 2026, Plan 51's
    targets carried over and marked to be verified until the city publishes its own."""

    dependencies = [("targets", "0004_plan_51_closing_and_city_plan_targets")]
    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
