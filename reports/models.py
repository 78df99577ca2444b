"""A report built in the background for a large year, with its progress and, when done, its file."""

from django.conf import settings
from django.db import models

from scoring.models import AssessmentYear


class ReportBuild(models.Model):
    class Kind(models.TextChoices):
        YEAR_PDF = "year_pdf", "年度考核结果报告（PDF）"
        YEAR_XLSX = "year_xlsx", "年度考核结果（Excel）"

    class Status(models.TextChoices):
        QUEUED = "queued", "排队中"
        RUNNING = "running", "生成中"
        DONE = "done", "已完成"
        FAILED = "failed", "失败"

    year = models.ForeignKey(
        AssessmentYear, verbose_name="年度", on_delete=models.CASCADE, related_name="report_builds"
    )
    kind = models.CharField("报告", max_length=20, choices=Kind.choices)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField("进度（%）", default=0)
    step = models.CharField("当前步骤", max_length=200, blank=True)
    # Relative to settings.REPORTS_ROOT, a random name: never served except through the permission-checking view.
    file_name = models.CharField("文件", max_length=200, blank=True)
    size = models.PositiveBigIntegerField("大小（字节）", default=0)
    error = models.TextField("错误信息", blank=True)
    task_id = models.CharField("任务编号", max_length=64, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="申请人",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField("申请时间", auto_now_add=True)
    started_at = models.DateTimeField("开始时间", null=True, blank=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "报告生成任务"
        verbose_name_plural = "报告生成任务"
        constraints = [
            models.CheckConstraint(condition=models.Q(progress__lte=100), name="report_build_progress_range"),
        ]

    def __str__(self) -> str:
        return f"{self.year} · {self.get_kind_display()} · {self.get_status_display()}"

    @property
    def is_finished(self) -> bool:
        return self.status in {self.Status.DONE, self.Status.FAILED}
