from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("reviews", "0006_evidence_file_layout"),
    ]

    operations = [
        migrations.RemoveField(
            model_name="evidence",
            name="stored_name",
        ),
    ]
