"""Claim evidence into the shared layout of kaohe.files. Its storage was EVIDENCE_ROOT/self-assessment with
flat names; the storage is now EVIDENCE_ROOT itself: the file self-assessment/<name> moves to
self-assessment/<yyyy>/<mm>/<name> (the month of its upload) and the row names it so. Reversible. Safe to run
again after a failure: kaohe.files.private_file_move leaves moved files where they are."""

from pathlib import PurePosixPath

from django.db import migrations

from kaohe.files import private_file_move

FOLDER = "self-assessment"


def files_into_folders(apps, schema_editor):
    ClaimEvidence = apps.get_model("workplans", "ClaimEvidence")
    rows = ClaimEvidence.objects.using(schema_editor.connection.alias).exclude(file__startswith=f"{FOLDER}/")
    for evidence in rows.exclude(file="").iterator():
        name = f"{FOLDER}/{evidence.uploaded_at:%Y/%m}/{evidence.file.name}"
        private_file_move(f"{FOLDER}/{evidence.file.name}", name)
        evidence.file = name
        evidence.save(update_fields=["file"])


def files_out_of_folders(apps, schema_editor):
    ClaimEvidence = apps.get_model("workplans", "ClaimEvidence")
    rows = ClaimEvidence.objects.using(schema_editor.connection.alias).filter(file__startswith=f"{FOLDER}/")
    for evidence in rows.iterator():
        name = PurePosixPath(evidence.file.name).name
        private_file_move(evidence.file.name, f"{FOLDER}/{name}")
        evidence.file = name
        evidence.save(update_fields=["file"])


class Migration(migrations.Migration):
    dependencies = [
        ("workplans", "0002_claimevidence_private_file"),
    ]

    operations = [
        migrations.RunPython(files_into_folders, files_out_of_folders),
    ]
