from django.db import migrations


def install_standards(apps, schema_editor):
    from households.standards_data import STANDARDS

    PovertyStandard = apps.get_model("households", "PovertyStandard")
    StandardIndicator = apps.get_model("households", "StandardIndicator")
    for data in STANDARDS:
        fields = {key: value for key, value in data.items() if key not in ("code", "indicators")}
        standard, _ = PovertyStandard.objects.update_or_create(code=data["code"], defaults=fields)
        for number, (dimension, name, name_en, deprived_when) in enumerate(data["indicators"], start=1):
            StandardIndicator.objects.update_or_create(
                standard=standard,
                number=number,
                defaults={"dimension": dimension, "name": name, "name_en": name_en, "deprived_when": deprived_when},
            )


class Migration(migrations.Migration):
    dependencies = [("households", "0001_initial")]
    operations = [migrations.RunPython(install_standards, migrations.RunPython.noop)]
