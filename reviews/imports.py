"""Ledger workbooks imported in the background (`LedgerImport`): what is too large to import within a request.

A file up to KAOHE_IMPORT_BACKGROUND_BYTES is imported in the request (reviews.admin); a larger one is stored with
a `LedgerImport` row and imported by the background worker (django-tasks, database backend: `manage.py
db_worker`), exactly as in the request — every row checked first, then all records written in one transaction,
or none when any row is bad. The row holds the progress (rows checked of the total), then the number of records
written or every bad row with its number.
"""

from __future__ import annotations

import logging

from django.core.exceptions import ValidationError
from django.utils import timezone
from django_tasks import task

from reviews.ledger_xlsx import LedgerImportError, ledger_import
from reviews.models import LedgerImport

logger = logging.getLogger(__name__)


def ledger_import_request(*, year, data: bytes, file_name: str, user) -> LedgerImport:
    """Queue a workbook for the background import; returns its job row."""
    job = LedgerImport.objects.create(
        year=year, requested_by=user, file_name=file_name[:255], workbook=data, step="等待后台任务处理"
    )
    result = ledger_import_task.enqueue(job.pk)
    LedgerImport.objects.filter(pk=job.pk, task_id="").update(task_id=str(result.id))
    job.refresh_from_db()
    return job


def ledger_import_run(job_id: int) -> None:
    """Run one queued import (called by the background task)."""
    job = LedgerImport.objects.select_related("year", "requested_by").get(pk=job_id)
    if job.is_finished:
        return
    LedgerImport.objects.filter(pk=job.pk).update(status=LedgerImport.Status.RUNNING, step="读取文件")

    def progress(done: int, total: int, step: str) -> None:
        LedgerImport.objects.filter(pk=job.pk).update(rows_done=done, rows_total=total, step=step)

    finished = {"finished_at": timezone.now(), "workbook": b""}
    try:
        created = ledger_import(year=job.year, data=bytes(job.workbook), user=job.requested_by, progress=progress)
    except LedgerImportError as exc:
        errors = [[e.row, e.message] for e in exc.errors]
        LedgerImport.objects.filter(pk=job.pk).update(
            status=LedgerImport.Status.FAILED, step="未导入", errors=errors, **finished
        )
        return
    except ValidationError as exc:
        LedgerImport.objects.filter(pk=job.pk).update(
            status=LedgerImport.Status.FAILED, step="未导入", errors=[[0, "；".join(exc.messages)]], **finished
        )
        return
    except Exception:
        logger.exception("ledger import %s failed", job.pk)
        LedgerImport.objects.filter(pk=job.pk).update(
            status=LedgerImport.Status.FAILED, step="导入出错", errors=[[0, "导入出错，未导入任何记录。"]], **finished
        )
        raise
    LedgerImport.objects.filter(pk=job.pk).update(
        status=LedgerImport.Status.DONE,
        step="已完成",
        created_count=len(created),
        pending_count=sum(1 for r in created if r.is_pending),
        **finished,
    )


@task()
def ledger_import_task(job_id: int) -> None:
    """The background task (django-tasks' database backend; `manage.py db_worker` runs it)."""
    ledger_import_run(job_id)
