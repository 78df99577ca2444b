"""A ledger workbook above KAOHE_IMPORT_BACKGROUND_BYTES is imported by the background worker (reviews.imports):
a job row with its progress, then the records written or every bad row, all or nothing as in the request."""

import pytest
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from reviews.imports import ledger_import_run, ledger_import_task
from reviews.models import LedgerImport, LedgerRecord
from tests.reviews.test_import import D, _workbook

GOOD = [
    [D, "女职工部", "S2", 2, None, None, "否", None, "例会迟到"],
    [D, "女职工部、经济工作部", "B1", 1, "省总", None, None, None, "共同获表彰"],
    ["2023-05-06", "办公室", "I1", 1, None, None, "是", "会议延期，非部室原因", None],
]
BAD = [
    [D, "女职工部", "S2", 1, None, None, None, None, None],  # row 2: good
    [D, "不存在部", "S2", 1, None, None, None, None, None],  # row 3
    [D, "女职工部", "T1", 1, None, None, None, None, None],  # row 4: not 办公室's rule
]
IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


def _post(client, year, rows):
    return client.post(reverse("admin:reviews_ledgerrecord_import"), {"year": year.pk, "file": _workbook(rows)})


@pytest.fixture
def background(settings):
    settings.KAOHE_IMPORT_BACKGROUND_BYTES = 1000  # every workbook openpyxl writes is larger


def test_small_file_is_imported_in_the_request(client, cast, demo_year, settings):
    settings.KAOHE_IMPORT_BACKGROUND_BYTES = 1 << 20
    client.force_login(cast["reviewer_bgs"])
    before = LedgerRecord.objects.count()

    response = _post(client, demo_year, GOOD)

    assert response.status_code == 302
    assert response["Location"] == reverse("admin:reviews_ledgerrecord_changelist")
    assert LedgerRecord.objects.count() == before + 3
    assert LedgerImport.objects.count() == 0


@pytest.mark.usefixtures("background")
def test_large_file_imported_in_the_background_with_the_immediate_backend(client, cast, demo_year, settings):
    settings.TASKS = IMMEDIATE
    client.force_login(cast["reviewer_bgs"])
    before = LedgerRecord.objects.count()

    response = _post(client, demo_year, GOOD)

    job = LedgerImport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:reviews_ledgerrecord_import_job", args=[job.pk])
    assert (job.status, job.rows_done, job.rows_total, job.created_count, job.pending_count) == ("done", 3, 3, 3, 1)
    assert (job.errors, bytes(job.workbook), job.file_name) == ([], b"", "台帐.xlsx")
    assert LedgerRecord.objects.count() == before + 3
    page = client.get(response["Location"])
    assert page.status_code == 200
    text = page.content.decode()
    assert "已导入 3 条记录，其中 1 条待组长确认。" in text
    assert 'http-equiv="refresh"' not in text  # finished: the page no longer reloads itself


@pytest.mark.usefixtures("background")
def test_large_file_queued_then_run_by_the_worker_task(client, cast, demo_year):
    """The database backend (the product's): the request only queues; the worker's task function imports."""
    client.force_login(cast["reviewer_bgs"])
    before = LedgerRecord.objects.count()

    response = _post(client, demo_year, GOOD)

    job = LedgerImport.objects.get()
    queued = DBTaskResult.objects.get(id=job.task_id)
    assert (job.status, queued.task_path, queued.args_kwargs["args"]) == (
        "queued",
        "reviews.imports.ledger_import_task",
        [job.pk],
    )
    assert LedgerRecord.objects.count() == before
    waiting = client.get(response["Location"]).content.decode()
    assert 'http-equiv="refresh" content="2"' in waiting
    assert '<progress id="import-progress" max="100" value="0">' in waiting

    ledger_import_task.func(job.pk)  # what `manage.py db_worker` runs

    job.refresh_from_db()
    assert (job.status, job.step, job.rows_done, job.rows_total, job.created_count) == ("done", "已完成", 3, 3, 3)
    assert LedgerRecord.objects.count() == before + 3
    ledger_import_run(job.pk)  # a second run of a finished job changes nothing
    assert LedgerRecord.objects.count() == before + 3


@pytest.mark.usefixtures("background")
def test_large_bad_file_imports_nothing_and_lists_each_bad_row(client, cast, demo_year, settings):
    settings.TASKS = IMMEDIATE
    client.force_login(cast["reviewer_bgs"])
    before = LedgerRecord.objects.count()

    response = _post(client, demo_year, BAD)

    job = LedgerImport.objects.get()
    assert (job.status, job.created_count) == ("failed", 0)
    assert job.errors == [[3, "未知部室：不存在部"], [4, "您无权录入 T1（负责录入：组织部）"]]
    assert LedgerRecord.objects.count() == before
    text = client.get(response["Location"]).content.decode()
    assert "以下各行有误，未导入任何记录。" in text
    assert "<td>4</td><td>您无权录入 T1（负责录入：组织部）</td>" in text


@pytest.mark.usefixtures("background")
@pytest.mark.parametrize(
    ("role", "status"), [("reviewer_bgs", 200), ("lead", 200), ("admin", 200), ("reviewer_zzb", 404)]
)
def test_import_job_page_only_for_its_author_and_the_lead(client, cast, demo_year, role, status):
    job = LedgerImport.objects.create(year=demo_year, requested_by=cast["reviewer_bgs"], file_name="台帐.xlsx")
    client.force_login(cast[role])

    response = client.get(reverse("admin:reviews_ledgerrecord_import_job", args=[job.pk]))

    assert response.status_code == status


@pytest.mark.parametrize(("role", "expected"), [("head_bgs", "login"), ("anonymous", "login")])
def test_import_job_page_refused_outside_the_review_group(client, cast, demo_year, role, expected):
    job = LedgerImport.objects.create(year=demo_year, requested_by=cast["reviewer_bgs"], file_name="台帐.xlsx")
    if role != "anonymous":
        client.force_login(cast[role])

    response = client.get(reverse("admin:reviews_ledgerrecord_import_job", args=[job.pk]))

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")
