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


class Notice(models.Model):
    """The year's 通报 (GB/T 9704-2012): one record per year. The review lead generates it as a draft from the
    approval, edits its text and its 版头 and 版记; it is frozen when the year is announced, and its 成文日期 is set
    then. Its result tables are not stored: they are drawn from the approval's snapshot, which is fixed as well."""

    year = models.OneToOneField(AssessmentYear, verbose_name="年度", on_delete=models.CASCADE, related_name="notice")
    title = models.TextField("标题", max_length=200, help_text="一行写不下时可以换行，回行处即标题的分行处。")
    document_code = models.CharField(
        "发文字号代字", max_length=20, blank=True, help_text="如“区工发”；年份按成文日期的年份编排。"
    )
    document_serial = models.PositiveIntegerField("发文顺序号", null=True, blank=True)
    main_recipients = models.CharField("主送机关", max_length=200, blank=True)
    opening = models.TextField("开头", help_text="每段一行；段首的“一、”“（一）”等编排为标题。")
    closing = models.TextField("结尾", blank=True, help_text="结果之后的要求与希望；“特此通报。”自动编排在其后。")
    copy_recipients = models.CharField(
        "抄送机关", max_length=300, blank=True, help_text="多个用顿号分隔；留空则不印抄送。"
    )
    printing_office = models.CharField("印发机关", max_length=100)
    printed_on = models.DateField(
        "印发日期", null=True, blank=True, help_text="留空则与成文日期相同；早于成文日期的，发布时改为成文日期。"
    )
    issued_on = models.DateField("成文日期", null=True, blank=True, help_text="发布通报之日，发布时确定。")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="起草人", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField("起草时间", auto_now_add=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="修改人", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    updated_at = models.DateTimeField("修改时间", auto_now=True)

    class Meta:
        verbose_name = "通报"
        verbose_name_plural = "通报"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(document_serial__isnull=True) | models.Q(document_serial__gte=1),
                name="notice_serial_positive",
            )
        ]

    def __str__(self) -> str:
        return f"{self.year}通报"

    @property
    def is_frozen(self) -> bool:
        """Announced (and archived) years' 通报 are final; re-opening the year makes it a draft again."""
        return self.year.phase in {AssessmentYear.Phase.ANNOUNCED, AssessmentYear.Phase.ARCHIVED}
