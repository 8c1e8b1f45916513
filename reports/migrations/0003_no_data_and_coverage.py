"""The snapshot says "no data" rather than 0: counts and movements nullable, coverage fields,
reclassified households and the first year of a standard (issue 10)."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('reports', '0002_nightly_schedule'),
    ]

    operations = [
        migrations.RenameField(
            model_name='indicatorvalue',
            old_name='reviewed',
            new_name='reviewed_households',
        ),
        migrations.AddField(
            model_name='indicatorvalue',
            name='communes_reviewed',
            field=models.PositiveIntegerField(default=0, verbose_name='số xã, phường có kết quả được phê duyệt'),
        ),
        migrations.AddField(
            model_name='indicatorvalue',
            name='communes_started',
            field=models.PositiveIntegerField(default=0, verbose_name='số xã, phường đã bắt đầu rà soát'),
        ),
        migrations.AddField(
            model_name='indicatorvalue',
            name='communes_total',
            field=models.PositiveIntegerField(default=0, verbose_name='số xã, phường có hiệu lực'),
        ),
        migrations.AddField(
            model_name='indicatorvalue',
            name='first_year_of_standard',
            field=models.BooleanField(default=False, help_text='Năm gốc: không so sánh biến động và tỷ lệ giảm với năm trước (chuẩn khác).', verbose_name='năm đầu của chuẩn nghèo'),
        ),
        migrations.AddField(
            model_name='indicatorvalue',
            name='reclassified',
            field=models.PositiveIntegerField(null=True, verbose_name='phân loại lại do đổi chuẩn nghèo'),
        ),
        migrations.AlterField(
            model_name='indicatorvalue',
            name='reviewed_households',
            field=models.PositiveIntegerField(default=0, verbose_name='số hộ có kết quả rà soát được phê duyệt'),
        ),
        migrations.AlterField(
            model_name='indicatorvalue',
            name='deprivations_poor',
            field=models.JSONField(default=list, null=True, verbose_name='số hộ nghèo thiếu hụt theo chỉ số'),
        ),
        migrations.AlterField(
            model_name='indicatorvalue',
            name='escaped',
            field=models.PositiveIntegerField(null=True, verbose_name='thoát nghèo'),
        ),
        migrations.AlterField(
            model_name='indicatorvalue',
            name='escaped_near_poor',
            field=models.PositiveIntegerField(null=True, verbose_name='thoát cận nghèo'),
        ),
        migrations.AlterField(
            model_name='indicatorvalue',
            name='ethnic_minority_poor',
            field=models.PositiveIntegerField(null=True, verbose_name='hộ nghèo dân tộc thiểu số'),
        ),
        migrations.AlterField(
            model_name='indicatorvalue',
            name='female_head_poor',
            field=models.PositiveIntegerField(null=True, verbose_name='hộ nghèo chủ hộ nữ'),
        ),
        migrations.AlterField(
            model_name='indicatorvalue',
            name='meritorious_poor',
            field=models.PositiveIntegerField(null=True, verbose_name='hộ nghèo có người có công'),
        ),
        migrations.AlterField(
            model_name='indicatorvalue',
            name='near_poor',
            field=models.PositiveIntegerField(null=True, verbose_name='hộ cận nghèo'),
        ),
        migrations.AlterField(
            model_name='indicatorvalue',
            name='newly_near_poor',
            field=models.PositiveIntegerField(null=True, verbose_name='cận nghèo phát sinh'),
        ),
        migrations.AlterField(
            model_name='indicatorvalue',
            name='newly_poor',
            field=models.PositiveIntegerField(null=True, verbose_name='nghèo phát sinh'),
        ),
        migrations.AlterField(
            model_name='indicatorvalue',
            name='no_labour_poor',
            field=models.PositiveIntegerField(null=True, verbose_name='hộ nghèo không có khả năng lao động'),
        ),
        migrations.AlterField(
            model_name='indicatorvalue',
            name='poor',
            field=models.PositiveIntegerField(null=True, verbose_name='hộ nghèo'),
        ),
        migrations.AlterField(
            model_name='indicatorvalue',
            name='re_near_poor',
            field=models.PositiveIntegerField(null=True, verbose_name='tái cận nghèo'),
        ),
        migrations.AlterField(
            model_name='indicatorvalue',
            name='re_poor',
            field=models.PositiveIntegerField(null=True, verbose_name='tái nghèo'),
        ),
        migrations.AlterField(
            model_name='indicatorvalue',
            name='social_protection_poor',
            field=models.PositiveIntegerField(null=True, verbose_name='hộ nghèo có đối tượng BTXH'),
        ),
    ]
