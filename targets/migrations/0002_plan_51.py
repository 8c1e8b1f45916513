from django.db import migrations


def install_plan_51(apps, schema_editor):
    from targets.plan_data import install_plan

    install_plan(
        apps.get_model("targets", "Plan"),
        apps.get_model("targets", "ObjectiveGroup"),
        apps.get_model("targets", "TaskGroup"),
        apps.get_model("targets", "Indicator"),
        apps.get_model("targets", "Target"),
    )


class Migration(migrations.Migration):
    dependencies = [("targets", "0001_initial"), ("households", "0002_poverty_standards")]
    operations = [migrations.RunPython(install_plan_51, migrations.RunPython.noop)]
