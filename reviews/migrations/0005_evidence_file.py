import kaohe.files
from django.db import migrations, models


class Migration(migrations.Migration):
    """Ledger evidence gets the shared file field of kaohe.files.PrivateFile; 0006 fills it from stored_name
    (nullable from here on, so that 0007 can be reversed on a table with rows)."""

    dependencies = [
        ("reviews", "0004_ledger_year_date_index"),
    ]

    operations = [
        migrations.AddField(
            model_name="evidence",
            name="file",
            field=models.FileField(
                default="",
                max_length=200,
                storage=kaohe.files.PrivateStorage(),
                upload_to=kaohe.files.private_file_name,
                verbose_name="文件",
            ),
            preserve_default=False,
        ),
        migrations.AlterField(
            model_name="evidence",
            name="stored_name",
            field=models.CharField(editable=False, max_length=80, null=True, unique=True, verbose_name="存储名"),
        ),
        migrations.AlterField(
            model_name="evidence",
            name="original_name",
            field=models.CharField(max_length=255, verbose_name="原文件名"),
        ),
        migrations.AlterField(
            model_name="evidence",
            name="size",
            field=models.PositiveBigIntegerField(verbose_name="大小（字节）"),
        ),
    ]
