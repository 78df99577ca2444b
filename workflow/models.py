"""The year's procedure (七、考核程序): phase moves, 公示 and objections (异议), approval (审定) with its frozen
snapshot, re-openings and the announcement (通报). Every step is a row that stays on record."""

import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.functional import cached_property

from departments.models import Department
from kaohe.files import PrivateFile
from reviews.models import LedgerRecord
from scoring.models import AssessmentYear

Phase = AssessmentYear.Phase


class PhaseTransition(models.Model):
    """One move of a year from one phase to another: who, when, from, to."""

    year = models.ForeignKey(
        AssessmentYear, verbose_name="年度", on_delete=models.CASCADE, related_name="phase_transitions"
    )
    from_phase = models.CharField("原阶段", max_length=20, choices=Phase.choices)
    to_phase = models.CharField("新阶段", max_length=20, choices=Phase.choices)
    moved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="操作人", on_delete=models.PROTECT, related_name="+"
    )
    moved_at = models.DateTimeField("时间", default=timezone.now)
    note = models.CharField("说明", max_length=200, blank=True)

    class Meta:
        ordering = ["year", "moved_at", "id"]
        verbose_name = "阶段变更记录"
        verbose_name_plural = "阶段变更记录"

    def __str__(self) -> str:
        return f"{self.year}：{self.get_from_phase_display()} → {self.get_to_phase_display()}"


class Publicity(models.Model):
    """公示: provisional results shown to department heads for a set number of days."""

    year = models.ForeignKey(AssessmentYear, verbose_name="年度", on_delete=models.CASCADE, related_name="publicities")
    start = models.DateField("公示开始日期", default=timezone.localdate)
    days = models.PositiveSmallIntegerField("公示天数", default=5)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="发布人", on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("发布时间", auto_now_add=True)

    class Meta:
        ordering = ["year", "-created_at", "-id"]
        verbose_name = "公示"
        verbose_name_plural = "公示"
        constraints = [models.CheckConstraint(condition=models.Q(days__gte=1), name="publicity_days_positive")]

    def __str__(self) -> str:
        return f"{self.year} 公示（{self.start:%Y-%m-%d} 起 {self.days} 天）"

    @property
    def end(self):
        """The last day on which an objection may be raised."""
        return self.start + datetime.timedelta(days=self.days - 1)

    def is_open_on(self, day) -> bool:
        return self.start <= day <= self.end


class Objection(models.Model):
    """异议: a department head objects to a ledger record of the department; the reviewer of that category
    answers 维持 / 撤销 / 调整. The record's values before and after and the department's scores before and
    after are kept, so the objection's effect stays on record even when the record is withdrawn."""

    class Status(models.TextChoices):
        OPEN = "open", "待答复"
        ANSWERED = "answered", "已答复"

    class Decision(models.TextChoices):
        MAINTAIN = "maintain", "维持"
        WITHDRAW = "withdraw", "撤销"
        ADJUST = "adjust", "调整"

    year = models.ForeignKey(AssessmentYear, verbose_name="年度", on_delete=models.PROTECT, related_name="objections")
    record = models.ForeignKey(
        LedgerRecord,
        verbose_name="台帐记录",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="objections",
    )
    department = models.ForeignKey(Department, verbose_name="提出部室", on_delete=models.PROTECT, related_name="+")
    publicity = models.ForeignKey(Publicity, verbose_name="公示", on_delete=models.PROTECT, related_name="objections")
    reason = models.TextField("异议理由")
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="提出人", on_delete=models.PROTECT, related_name="+"
    )
    raised_at = models.DateTimeField("提出时间", default=timezone.now)
    # The record as it stood when the objection was raised (rule, departments, quantity, points, ...).
    record_before = models.JSONField("异议时的记录", default=dict)

    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.OPEN)
    decision = models.CharField("答复结论", max_length=10, choices=Decision.choices, blank=True)
    answer = models.TextField("答复理由", blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="答复人",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    answered_at = models.DateTimeField("答复时间", null=True, blank=True)
    record_after = models.JSONField("答复后的记录", null=True, blank=True, help_text="撤销时为空；维持时与异议时相同。")
    # The effect: each linked department's review and final score before and after the answer.
    effect = models.JSONField("对得分的影响", default=dict, blank=True)

    class Meta:
        ordering = ["year", "-raised_at", "-id"]
        verbose_name = "异议"
        verbose_name_plural = "异议"
        indexes = [models.Index(fields=["year", "status"], name="objection_year_status")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status="open", decision="") | (~models.Q(status="open") & ~models.Q(decision="")),
                name="objection_decision_iff_answered",
            ),
        ]

    def __str__(self) -> str:
        rule = self.record_before.get("rule", "")
        return f"{self.year} · {self.department} 对 {rule} 的异议（{self.get_status_display()}）"

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN


class ObjectionFile(PrivateFile):
    """A file given with an objection (证明材料), stored as kaohe.files describes. Served only by
    workflow.views.objection_file."""

    FILE_FOLDER = "objections"

    objection = models.ForeignKey(Objection, verbose_name="异议", on_delete=models.CASCADE, related_name="files")

    class Meta:
        ordering = ["objection", "id"]
        verbose_name = "异议材料"
        verbose_name_plural = "异议材料"


class Approval(models.Model):
    """审定: the party-group meeting's approval, with the immutable snapshot of the year's input, its rules
    and its results. A re-opening supersedes it; re-approval makes a new one."""

    year = models.ForeignKey(AssessmentYear, verbose_name="年度", on_delete=models.PROTECT, related_name="approvals")
    meeting_date = models.DateField("党组会日期")
    minutes_ref = models.CharField("会议纪要编号", max_length=100)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="记录人", on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField("记录时间", default=timezone.now)
    # {"case": kaohe-case/1 export, "scheme": the scheme's rules as a document, "result": score_case JSON}
    snapshot = models.JSONField("审定快照", editable=False)
    announced_at = models.DateTimeField("通报时间", null=True, blank=True)
    announced_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="通报人",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    superseded_at = models.DateTimeField("重新开启时间", null=True, blank=True)

    class Meta:
        ordering = ["year", "-approved_at", "-id"]
        get_latest_by = "approved_at"
        verbose_name = "审定"
        verbose_name_plural = "审定"
        constraints = [
            models.UniqueConstraint(
                fields=["year"], condition=models.Q(superseded_at__isnull=True), name="approval_one_current_per_year"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year} 审定（{self.meeting_date:%Y-%m-%d}，{self.minutes_ref}）"

    @property
    def is_current(self) -> bool:
        return self.superseded_at is None

    @cached_property
    def result(self) -> dict:
        return self.snapshot["result"]


class Reopening(models.Model):
    """An admin re-opens an approved year, with a reason; the approval it supersedes stays on record."""

    year = models.ForeignKey(AssessmentYear, verbose_name="年度", on_delete=models.PROTECT, related_name="reopenings")
    approval = models.OneToOneField(
        Approval, verbose_name="被撤回的审定", on_delete=models.PROTECT, related_name="reopening"
    )
    reason = models.TextField("理由")
    reopened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="操作人", on_delete=models.PROTECT, related_name="+"
    )
    reopened_at = models.DateTimeField("时间", default=timezone.now)
    from_phase = models.CharField("原阶段", max_length=20, choices=Phase.choices)

    class Meta:
        ordering = ["year", "-reopened_at", "-id"]
        verbose_name = "重新开启"
        verbose_name_plural = "重新开启"

    def __str__(self) -> str:
        return f"{self.year} 重新开启（{self.reopened_at:%Y-%m-%d}）"


class ReviewAccount(models.Model):
    """The review group's written year-end account (九.2：年终以书面形式提供相关考核情况): the narrative the review
    lead writes in the browser, one per year. The PDF adds the ledger's summary, objections and tie orders from the
    data; the narrative is frozen with the year once it is approved."""

    year = models.OneToOneField(
        AssessmentYear, verbose_name="年度", on_delete=models.CASCADE, related_name="review_account"
    )
    narrative = models.TextField("考核情况说明", blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="填写人", on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField("填写时间", default=timezone.now)

    class Meta:
        verbose_name = "考核小组年终考核情况"
        verbose_name_plural = "考核小组年终考核情况"

    def __str__(self) -> str:
        return f"{self.year} 考核小组年终考核情况"
