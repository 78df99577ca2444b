"""The review group's ledger (考核台帐): every deduction, bonus, exemption and veto, with who entered it."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

from departments.models import Department
from kaohe.files import PrivateFile
from scoring.models import AssessmentYear, Rule, Target


def person_label(first_name: str | None, last_name: str | None, username: str | None) -> str:
    """How a record's author is shown: the full name (User.get_full_name), else the user name, else "—"."""
    return f"{first_name or ''} {last_name or ''}".strip() or username or "—"


class LedgerRecord(models.Model):
    class Status(models.TextChoices):
        CONFIRMED = "confirmed", "有效"
        PENDING = "pending", "待确认"

    year = models.ForeignKey(AssessmentYear, verbose_name="年度", on_delete=models.PROTECT, related_name="records")
    rule = models.ForeignKey(Rule, verbose_name="考核项目", on_delete=models.PROTECT, related_name="records")
    departments: "models.ManyToManyField[Department, RecordDepartment]" = models.ManyToManyField(
        Department, verbose_name="部室", through="RecordDepartment", related_name="records"
    )
    date = models.DateField("发生日期", default=timezone.localdate)
    quantity = models.PositiveIntegerField("数量", default=1)
    level = models.CharField("级别", max_length=20, blank=True, help_text="加分项目的级别代码（见该项目的加分级别）。")
    points = models.DecimalField("酌情扣分（每单位）", max_digits=5, decimal_places=2, null=True, blank=True)
    exempt = models.BooleanField(
        "免于扣分", default=False, help_text="确属非部室所能预见或无法克服的困难，不扣分（须填写理由）。"
    )
    reason = models.TextField("理由", blank=True)
    description = models.TextField("情况说明", blank=True)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.CONFIRMED)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="确认人",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    confirmed_at = models.DateTimeField("确认时间", null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="录入人",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="ledger_records",
    )
    recorded_at = models.DateTimeField("录入时间", auto_now_add=True)
    updated_at = models.DateTimeField("修改时间", auto_now=True)
    # Optimistic locking: a save must name the version it was based on.
    version = models.PositiveIntegerField("版本", default=1)

    history = HistoricalRecords(verbose_name="台帐记录历史")

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name = "台帐记录"
        verbose_name_plural = "考核台帐"
        indexes = [
            models.Index(fields=["year", "status"], name="record_year_status"),
            # The changelist's default order over 200,000 records, of every year and of the year filtered on
            # (without the second, SQLite sorted the year's 200,000 records for each page: 75 ms).
            models.Index(fields=["-date", "-id"], name="record_date_id_desc"),
            models.Index(fields=["year", "-date", "-id"], name="record_year_date_id_desc"),
        ]
        # The same rules as engine.record_problems, which the ledger's forms show next to each field; the
        # messages here are for any other model validation (Django names the constraint without one).
        constraints = [
            models.CheckConstraint(
                condition=models.Q(quantity__gte=1),
                name="record_quantity_positive",
                violation_error_message="数量须为正整数",
            ),
            models.CheckConstraint(
                condition=models.Q(points__isnull=True) | models.Q(points__gte=0),
                name="record_points_not_negative",
                violation_error_message="分值不能为负数",
            ),
            models.CheckConstraint(
                condition=models.Q(exempt=False) | ~models.Q(reason=""),
                name="record_exempt_needs_reason",
                violation_error_message="免于扣分须填写理由",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.rule.code} · {self.date.year}年{self.date.month}月{self.date.day}日"

    @property
    def recorder_name(self) -> str:
        user = self.recorded_by
        return person_label(user.first_name, user.last_name, user.username) if user else "—"

    @property
    def level_name(self) -> str:
        return self.rule.level_name(self.level) if self.level else ""

    @property
    def is_pending(self) -> bool:
        return self.status == self.Status.PENDING


class TargetRecord(models.Model):
    """A deduction on a department's target item, or the statement that the item was not started
    (立项工作没有开展), which loses all its points (docs/scoring.md §7)."""

    year = models.ForeignKey(
        AssessmentYear, verbose_name="年度", on_delete=models.PROTECT, related_name="target_records"
    )
    target = models.ForeignKey(Target, verbose_name="目标项目", on_delete=models.PROTECT, related_name="records")
    date = models.DateField("发生日期", default=timezone.localdate)
    points = models.DecimalField("扣分", max_digits=6, decimal_places=2, null=True, blank=True)
    not_started = models.BooleanField("立项工作没有开展", default=False, help_text="按该目标项目的应得分全部扣除。")
    reason = models.TextField("理由")
    description = models.TextField("情况说明", blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="录入人",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="target_records",
    )
    recorded_at = models.DateTimeField("录入时间", auto_now_add=True)
    updated_at = models.DateTimeField("修改时间", auto_now=True)

    history = HistoricalRecords(verbose_name="目标项目记录历史")

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name = "目标项目记录"
        verbose_name_plural = "目标项目记录"
        # The same rules as engine.target_record_problems, which the forms show next to each field.
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(not_started=True) & models.Q(points__isnull=True))
                | (models.Q(not_started=False) & models.Q(points__gt=0)),
                name="target_record_points_or_not_started",
                violation_error_message="须填写大于 0 的扣分，或注明立项工作没有开展（二者只能选一）",
            ),
            models.CheckConstraint(
                condition=~models.Q(reason=""),
                name="target_record_needs_reason",
                violation_error_message="目标项目扣分须填写理由",
            ),
        ]

    def __str__(self) -> str:
        what = "未开展" if self.not_started else f"扣{self.points}分"
        return f"{self.target.code} · {what}"

    @property
    def recorder_name(self) -> str:
        user = self.recorded_by
        return person_label(user.first_name, user.last_name, user.username) if user else "—"


class RecordDepartment(models.Model):
    """Links a record to its department(s). `year`, `rule` and `annual` are copied from the record so that
    the database itself refuses a second record of an annual item for a department in a year."""

    record = models.ForeignKey(
        LedgerRecord, verbose_name="台帐记录", on_delete=models.CASCADE, related_name="record_departments"
    )
    department = models.ForeignKey(
        Department, verbose_name="部室", on_delete=models.PROTECT, related_name="record_links"
    )
    year = models.ForeignKey(AssessmentYear, on_delete=models.PROTECT, related_name="+")
    rule = models.ForeignKey(Rule, on_delete=models.PROTECT, related_name="+")
    annual = models.BooleanField(default=False)

    history = HistoricalRecords(verbose_name="记录部室历史")

    class Meta:
        verbose_name = "记录部室"
        verbose_name_plural = "记录部室"
        indexes = [models.Index(fields=["year", "department"], name="recdept_year_department")]
        constraints = [
            models.UniqueConstraint(fields=["record", "department"], name="record_department_unique"),
            models.UniqueConstraint(
                fields=["year", "rule", "department"],
                condition=models.Q(annual=True),
                name="annual_item_once_per_department_year",
            ),
        ]

    def __str__(self) -> str:
        return str(self.department)


class Evidence(PrivateFile):
    """A file attached to a record (佐证材料), stored as kaohe.files describes. Served only by
    reviews.views.evidence_download."""

    FILE_FOLDER = "ledger"

    record = models.ForeignKey(LedgerRecord, verbose_name="台帐记录", on_delete=models.CASCADE, related_name="evidence")

    class Meta:
        ordering = ["record", "id"]
        verbose_name = "佐证材料"
        verbose_name_plural = "佐证材料"


class LedgerImport(models.Model):
    """A ledger workbook imported in the background (reviews.imports): a file above
    KAOHE_IMPORT_BACKGROUND_BYTES is queued here and imported by `manage.py db_worker`, all or nothing as in the
    request; its page shows the progress, then the result or every bad row."""

    class Status(models.TextChoices):
        QUEUED = "queued", "排队中"
        RUNNING = "running", "导入中"
        DONE = "done", "已导入"
        FAILED = "failed", "未导入"

    year = models.ForeignKey(AssessmentYear, verbose_name="年度", on_delete=models.CASCADE, related_name="+")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="导入人", on_delete=models.CASCADE, related_name="+"
    )
    file_name = models.CharField("文件名", max_length=255)
    # The uploaded workbook, in the database every host shares; emptied once the import has finished.
    workbook = models.BinaryField("文件内容", blank=True, default=b"")
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.QUEUED)
    rows_total = models.PositiveIntegerField("总行数", default=0)
    rows_done = models.PositiveIntegerField("已处理行数", default=0)
    step = models.CharField("当前步骤", max_length=100, blank=True)
    errors = models.JSONField("错误", default=list, blank=True)  # [[row number, message], ...]
    created_count = models.PositiveIntegerField("导入记录数", default=0)
    pending_count = models.PositiveIntegerField("待确认记录数", default=0)
    task_id = models.CharField("任务编号", max_length=64, blank=True)
    created_at = models.DateTimeField("提交时间", auto_now_add=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "台帐导入任务"
        verbose_name_plural = "台帐导入任务"

    def __str__(self) -> str:
        return f"{self.file_name}（{self.get_status_display()}）"

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)

    @property
    def percent(self) -> int:
        return 100 if self.is_finished else (100 * self.rows_done // self.rows_total if self.rows_total else 0)
