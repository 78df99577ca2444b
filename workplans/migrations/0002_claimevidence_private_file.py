from django.db import migrations, models


class Migration(migrations.Migration):
    """Claim evidence takes the fields of kaohe.files.PrivateFile; 0003 moves its files."""

    dependencies = [
        ("workplans", "0001_initial"),
    ]

    operations = [
        migrations.AlterField(
            model_name="claimevidence",
            name="content_type",
            field=models.CharField(max_length=100, verbose_name="文件类型"),
        ),
        migrations.AlterField(
            model_name="claimevidence",
            name="original_name",
            field=models.CharField(max_length=255, verbose_name="原文件名"),
        ),
        migrations.AlterField(
            model_name="claimevidence",
            name="size",
            field=models.PositiveBigIntegerField(verbose_name="大小（字节）"),
        ),
    ]
