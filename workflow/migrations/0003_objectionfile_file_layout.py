"""Objection files into the shared layout of kaohe.files. Their storage was EVIDENCE_ROOT/objections with names
<yyyy>/<mm>/<name>, already the shared layout: the storage is now EVIDENCE_ROOT itself, so the rows' names
get the folder in front and no file moves. The uploader, new on these rows, is whoever raised the objection.
Reversible (the uploader column goes with 0002)."""

from django.db import migrations
from django.db.models import OuterRef, Subquery

FOLDER = "objections"


def files_into_folders(apps, schema_editor):
    ObjectionFile = apps.get_model("workflow", "ObjectionFile")
    Objection = apps.get_model("workflow", "Objection")
    files = ObjectionFile.objects.using(schema_editor.connection.alias)
    for attachment in files.exclude(file__startswith=f"{FOLDER}/").exclude(file="").iterator():
        attachment.file = f"{FOLDER}/{attachment.file.name}"  # the same path under the new storage
        attachment.save(update_fields=["file"])
    raised_by = Objection.objects.filter(pk=OuterRef("objection_id")).values("raised_by")[:1]
    files.filter(uploaded_by__isnull=True).update(uploaded_by=Subquery(raised_by))


def files_out_of_folders(apps, schema_editor):
    ObjectionFile = apps.get_model("workflow", "ObjectionFile")
    files = ObjectionFile.objects.using(schema_editor.connection.alias)
    for attachment in files.filter(file__startswith=f"{FOLDER}/").iterator():
        attachment.file = attachment.file.name.removeprefix(f"{FOLDER}/")
        attachment.save(update_fields=["file"])


class Migration(migrations.Migration):
    dependencies = [
        ("workflow", "0002_objectionfile_private_file"),
    ]

    operations = [
        migrations.RunPython(files_into_folders, files_out_of_folders),
    ]
