"""Every day at 02:30 Asia/Ho_Chi_Minh: previews left unconfirmed for 7 days lose their file, and
jobs of a worker that died are marked failed. In django-celery-beat's tables, editable in the admin."""

from django.db import migrations

NAME = "Dọn các lượt nhập tệp bị bỏ dở"


def create_schedule(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    half_past_two, _ = CrontabSchedule.objects.get_or_create(
        minute="30",
        hour="2",
        day_of_week="*",
        day_of_month="*",
        month_of_year="*",
        timezone="Asia/Ho_Chi_Minh",
    )
    PeriodicTask.objects.update_or_create(
        name=NAME,
        defaults={
            "task": "households.clean_stale_import_jobs",
            "crontab": half_past_two,
            "interval": None,
            "enabled": True,
            "description": "Tệp xem trước chưa xác nhận sau 7 ngày bị xóa; lượt nhập của worker đã dừng ghi là thất bại.",
        },
    )


def delete_schedule(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("households", "0004_importjob_api_fields"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create_schedule, delete_schedule)]
