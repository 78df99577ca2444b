"""Ledger evidence into the shared layout of kaohe.files: the file EVIDENCE_ROOT/<stored_name> moves to
EVIDENCE_ROOT/ledger/<yyyy>/<mm>/<stored_name> (the month of its upload) and the row's `file` names it.
Reversible. Safe to run again after a failure: kaohe.files.private_file_move leaves moved files where they are."""

from pathlib import PurePosixPath

from django.db import migrations

from kaohe.files import private_file_move

FOLDER = "ledger"


def files_into_folders(apps, schema_editor):
    Evidence = apps.get_model("reviews", "Evidence")
    for evidence in Evidence.objects.using(schema_editor.connection.alias).filter(file="").iterator():
        name = f"{FOLDER}/{evidence.uploaded_at:%Y/%m}/{evidence.stored_name}"
        private_file_move(evidence.stored_name, name)
        evidence.file = name
        evidence.save(update_fields=["file"])


def files_out_of_folders(apps, schema_editor):
    Evidence = apps.get_model("reviews", "Evidence")
    for evidence in Evidence.objects.using(schema_editor.connection.alias).exclude(file="").iterator():
        stored_name = PurePosixPath(evidence.file.name).name
        private_file_move(evidence.file.name, stored_name)
        evidence.stored_name = stored_name
        evidence.file = ""
        evidence.save(update_fields=["stored_name", "file"])


class Migration(migrations.Migration):
    dependencies = [
        ("reviews", "0005_evidence_file"),
    ]

    operations = [
        migrations.RunPython(files_into_folders, files_out_of_folders),
    ]
