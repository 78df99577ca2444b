"""Building report files: immediately for a normal year, in the background (django-tasks) for a large one."""

from __future__ import annotations

import io
import logging
import uuid
from pathlib import Path

from django.conf import settings
from django.utils import timezone
from django_tasks import task

from kaohe.downloads import download_name
from reports.models import ReportBuild
from reports.pdf import build_pdf
from reports.xlsx import build_xlsx
from scoring.models import AssessmentYear

logger = logging.getLogger(__name__)

# A year with more departments than this is built in the background with a progress bar.
BACKGROUND_MIN_DEPARTMENTS = getattr(settings, "KAOHE_REPORTS_BACKGROUND_DEPARTMENTS", 50)

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PDF_TYPE = "application/pdf"
KIND_FILES: dict[str, tuple[str, str, str]] = {
    ReportBuild.Kind.YEAR_PDF: ("考核报告", "pdf", PDF_TYPE),
    ReportBuild.Kind.YEAR_XLSX: ("考核结果", "xlsx", XLSX_TYPE),
}


def year_is_large(year: AssessmentYear) -> bool:
    return year.year_departments.count() > BACKGROUND_MIN_DEPARTMENTS


def report_filename(year: AssessmentYear, kind: str) -> str:
    """The download's name, the one `manage.py year_report` writes too: 2023年度考核报告.pdf."""
    document, ext, _ = KIND_FILES[kind]
    return download_name(document, ext, year=year.year)


def report_content_type(kind: str) -> str:
    return KIND_FILES[kind][2]


def report_bytes(year: AssessmentYear, kind: str, *, progress=None) -> bytes:
    """Build one of the year's files in memory."""

    kwargs = {"progress": progress} if progress else {}
    if kind == ReportBuild.Kind.YEAR_PDF:
        return build_pdf(year, **kwargs)
    buffer = io.BytesIO()
    build_xlsx(year, buffer, **kwargs)
    return buffer.getvalue()


def report_build_request(*, year: AssessmentYear, kind: str, by) -> ReportBuild:
    """Queue a background build; a build of the same file still queued or running is reused, not doubled."""

    running = ReportBuild.objects.filter(
        year=year, kind=kind, status__in=[ReportBuild.Status.QUEUED, ReportBuild.Status.RUNNING]
    ).first()
    if running is not None:
        return running
    build = ReportBuild.objects.create(year=year, kind=kind, requested_by=by, step="等待后台任务处理")
    result = report_build_task.enqueue(build.pk)
    ReportBuild.objects.filter(pk=build.pk, task_id="").update(task_id=str(result.id))
    build.refresh_from_db()
    return build


def report_build_path(build: ReportBuild) -> Path:
    return Path(settings.REPORTS_ROOT) / build.file_name


def report_build_run(build_id: int) -> None:
    """Run one build (called by the background task): progress into the row, the file under REPORTS_ROOT."""
    build = ReportBuild.objects.select_related("year").get(pk=build_id)
    if build.is_finished:
        return
    ReportBuild.objects.filter(pk=build.pk).update(
        status=ReportBuild.Status.RUNNING, started_at=timezone.now(), progress=1, step="开始生成"
    )
    last = {"percent": -1}

    def progress(percent: int, step: str) -> None:
        if percent != last["percent"]:
            last["percent"] = percent
            ReportBuild.objects.filter(pk=build.pk).update(progress=min(99, percent), step=step[:200])

    try:
        _, ext, _ = KIND_FILES[build.kind]
        name = f"{build.year.year}/{uuid.uuid4().hex}.{ext}"
        path = Path(settings.REPORTS_ROOT) / name
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(".part")
        if build.kind == ReportBuild.Kind.YEAR_XLSX:
            with partial.open("wb") as stream:
                build_xlsx(build.year, stream, progress=progress)
        else:
            partial.write_bytes(report_bytes(build.year, build.kind, progress=progress))
        partial.replace(path)
    except Exception as exc:
        logger.exception("report build %s failed", build.pk)
        ReportBuild.objects.filter(pk=build.pk).update(
            status=ReportBuild.Status.FAILED, finished_at=timezone.now(), step="生成失败", error=str(exc)[:2000]
        )
        raise
    ReportBuild.objects.filter(pk=build.pk).update(
        status=ReportBuild.Status.DONE,
        progress=100,
        step="已完成",
        file_name=name,
        size=path.stat().st_size,
        finished_at=timezone.now(),
    )


@task()
def report_build_task(build_id: int) -> None:
    """The background task (django-tasks, database backend: `manage.py db_worker` runs it)."""
    report_build_run(build_id)


def latest_builds(year: AssessmentYear) -> dict[str, ReportBuild]:
    """The newest build of each kind for a year (one query)."""
    latest: dict[str, ReportBuild] = {}
    for build in ReportBuild.objects.filter(year=year).order_by("-created_at", "-id")[:50]:
        latest.setdefault(build.kind, build)
    return latest
