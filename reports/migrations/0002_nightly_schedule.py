"""The nightly recompute at 01:00 Asia/Ho_Chi_Minh, and the sweep that marks dead runs failed.

Both live in django-celery-beat's tables, so administrators can change them in the admin.
"""

from django.db import migrations

NIGHTLY = "Tính lại chỉ tiêu hằng đêm"
SWEEP = "Đánh dấu lượt tính toán bị bỏ dở"


def create_schedule(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    one_am, _ = CrontabSchedule.objects.get_or_create(
        minute="0",
        hour="1",
        day_of_week="*",
        day_of_month="*",
        month_of_year="*",
        timezone="Asia/Ho_Chi_Minh",
    )
    PeriodicTask.objects.update_or_create(
        name=NIGHTLY,
        defaults={
            "task": "reports.nightly_recompute",
            "crontab": one_am,
            "interval": None,
            "enabled": True,
            "description": "Tính lại mọi chỉ tiêu của mọi xã, huyện và thành phố (Kế hoạch 51-KH/TU).",
        },
    )
    ten_minutes, _ = IntervalSchedule.objects.get_or_create(every=10, period="minutes")
    PeriodicTask.objects.update_or_create(
        name=SWEEP,
        defaults={
            "task": "reports.fail_abandoned_runs",
            "interval": ten_minutes,
            "crontab": None,
            "enabled": True,
            "description": "Lượt tính toán chạy quá RECOMPUTE_TIMEOUT (worker bị dừng) được ghi là thất bại.",
        },
    )


def delete_schedule(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTask.objects.filter(name__in=[NIGHTLY, SWEEP]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create_schedule, delete_schedule)]
