from django.db import migrations


def install_standards(apps, schema_editor):
    # The shipped data as it is today, limited to the fields this step's models have (0007 and
    # 0008 fill in the rest); tests/conftest.py calls this again after a flush, with every field.
    from households.standards_data import install

    install(apps)


class Migration(migrations.Migration):
    dependencies = [("households", "0001_initial")]
    operations = [migrations.RunPython(install_standards, migrations.RunPython.noop)]
