import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    """Objection files take the fields of kaohe.files.PrivateFile (uploaded_by is new); 0003 fills them in."""

    dependencies = [
        ("workflow", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="objectionfile",
            name="uploaded_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="上传人",
            ),
        ),
        migrations.AlterField(
            model_name="objectionfile",
            name="content_type",
            field=models.CharField(max_length=100, verbose_name="文件类型"),
        ),
        migrations.AlterField(
            model_name="objectionfile",
            name="original_name",
            field=models.CharField(max_length=255, verbose_name="原文件名"),
        ),
    ]
