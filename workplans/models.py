"""Monthly plans and summaries (月度工作计划和小结), their T4 suggestions, and the yearly self-assessment (自评表)."""

from __future__ import annotations

import calendar
import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone

from departments.models import Department
from kaohe.files import PrivateFile
from reviews.models import LedgerRecord
from scoring.models import AssessmentYear, Rule


class Status(models.TextChoices):
    DRAFT = "draft", "草稿"
    SUBMITTED = "submitted", "已提交"


def month_deadline(year: int, month: int) -> datetime.date:
    """By each month's end (每月底前) the report is due: the last day of the month."""
    return datetime.date(year, month, calendar.monthrange(year, month)[1])


class MonthlyReport(models.Model):
    """One department's report at the end of `month`: that month's summary and next month's plan."""

    year = models.ForeignKey(AssessmentYear, verbose_name="年度", on_delete=models.PROTECT, related_name="+")
    department = models.ForeignKey(Department, verbose_name="部室", on_delete=models.PROTECT, related_name="+")
    month = models.PositiveSmallIntegerField("月份")
    summary_text = models.TextField("本月工作小结", blank=True)
    plan_text = models.TextField("下月工作计划说明", blank=True)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.DRAFT)
    submitted_at = models.DateTimeField("提交时间", null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="提交人",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    review_comment = models.TextField("审阅意见", blank=True)
    reviewed_at = models.DateTimeField("审阅时间", null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="审阅人",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    updated_at = models.DateTimeField("修改时间", auto_now=True)

    class Meta:
        ordering = ["year", "department__order", "month"]
        verbose_name = "月度计划和小结"
        verbose_name_plural = "月度计划和小结"
        constraints = [
            models.UniqueConstraint(fields=["year", "department", "month"], name="monthly_report_unique"),
            models.CheckConstraint(condition=models.Q(month__gte=1, month__lte=12), name="monthly_report_month_range"),
            models.CheckConstraint(
                condition=models.Q(status="draft") | models.Q(submitted_at__isnull=False),
                name="monthly_report_submitted_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.department} {self.year.year}年{self.month}月计划和小结"

    @property
    def deadline(self) -> datetime.date:
        return month_deadline(self.year.year, self.month)

    @property
    def is_submitted(self) -> bool:
        return self.status == Status.SUBMITTED

    @property
    def is_reviewed(self) -> bool:
        return self.reviewed_at is not None

    @property
    def is_late(self) -> bool:
        """Submitted after the month's end, or still not submitted once it has passed."""
        if self.submitted_at is not None:
            return timezone.localdate(self.submitted_at) > self.deadline
        return timezone.localdate() > self.deadline

    @property
    def plans_next_month(self) -> bool:
        # December's plan belongs to the next year's assessment.
        return self.month < 12


class PlanItem(models.Model):
    """One planned task for `month`, written in the previous month's report; its outcome is filled in the
    report of `month` itself (the summary)."""

    class Outcome(models.TextChoices):
        DONE = "done", "完成"
        DELAYED = "delayed", "延期"
        NOT_DONE = "not_done", "未完成"

    class Cause(models.TextChoices):
        OWN = "own", "自身原因"
        OTHER = "other", "其他原因"
        FORCE_MAJEURE = "force_majeure", "不可抗"

    plan_report = models.ForeignKey(
        MonthlyReport, verbose_name="所属计划", on_delete=models.CASCADE, related_name="plan_items"
    )
    month = models.PositiveSmallIntegerField("计划月份")
    title = models.CharField("工作事项", max_length=200)
    content = models.TextField("工作内容", blank=True)
    due_date = models.DateField("完成时限")
    outcome = models.CharField("完成情况", max_length=10, choices=Outcome.choices, blank=True)
    cause = models.CharField("原因", max_length=20, choices=Cause.choices, blank=True)
    note = models.TextField("说明", blank=True)
    order = models.PositiveIntegerField("排序", default=0)

    # T4 (部室确定的工作任务，因部室自身原因未按计划完成): at most one ledger record per item.
    ledger_record = models.OneToOneField(
        LedgerRecord,
        verbose_name="T4台帐记录",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="plan_item",
    )
    t4_dismissed_reason = models.TextField("不予扣分理由", blank=True)
    t4_decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="处理人",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    t4_decided_at = models.DateTimeField("处理时间", null=True, blank=True)

    class Meta:
        ordering = ["plan_report", "order", "id"]
        verbose_name = "计划事项"
        verbose_name_plural = "计划事项"
        constraints = [
            models.CheckConstraint(condition=models.Q(month__gte=1, month__lte=12), name="plan_item_month_range"),
            models.CheckConstraint(
                condition=models.Q(ledger_record__isnull=True) | models.Q(t4_dismissed_reason=""),
                name="plan_item_t4_confirmed_or_dismissed",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.month}月：{self.title}"

    @property
    def suggests_t4(self) -> bool:
        return self.outcome == self.Outcome.NOT_DONE and self.cause == self.Cause.OWN

    @property
    def t4_state(self) -> str:
        if self.ledger_record_id:
            return "confirmed"
        if self.t4_dismissed_reason:
            return "dismissed"
        return "open"


class SelfAssessment(models.Model):
    """A department's 年度考核自评表: what it declares per rule item, its claimed bonuses, a written summary."""

    year = models.ForeignKey(AssessmentYear, verbose_name="年度", on_delete=models.PROTECT, related_name="+")
    department = models.ForeignKey(Department, verbose_name="部室", on_delete=models.PROTECT, related_name="+")
    summary = models.TextField("自评总结", blank=True)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.DRAFT)
    submitted_at = models.DateTimeField("提交时间", null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="提交人",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    updated_at = models.DateTimeField("修改时间", auto_now=True)

    class Meta:
        ordering = ["year", "department__order"]
        verbose_name = "年度考核自评表"
        verbose_name_plural = "年度考核自评表"
        constraints = [
            models.UniqueConstraint(fields=["year", "department"], name="self_assessment_unique"),
            models.CheckConstraint(
                condition=models.Q(status="draft") | models.Q(submitted_at__isnull=False),
                name="self_assessment_submitted_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.department} {self.year.year}年度考核自评表"

    @property
    def is_submitted(self) -> bool:
        return self.status == Status.SUBMITTED


class SelfDeclaration(models.Model):
    """What the department declares for one deduction item: how many times it happened, how many of those
    it asks to be exempt (确属非部室所能预见或无法克服的困难), and for T3 the points per time."""

    assessment = models.ForeignKey(
        SelfAssessment, verbose_name="自评表", on_delete=models.CASCADE, related_name="declarations"
    )
    rule = models.ForeignKey(Rule, verbose_name="考核项目", on_delete=models.PROTECT, related_name="+")
    quantity = models.PositiveIntegerField("发生次数", default=0)
    exempt_quantity = models.PositiveIntegerField("其中申请免扣", default=0)
    points = models.DecimalField("酌情扣分（每次）", max_digits=5, decimal_places=2, null=True, blank=True)
    reason = models.TextField("说明/理由", blank=True)

    class Meta:
        ordering = ["assessment", "rule__category__order", "rule__order"]
        verbose_name = "自评扣分申报"
        verbose_name_plural = "自评扣分申报"
        constraints = [
            models.UniqueConstraint(fields=["assessment", "rule"], name="self_declaration_unique"),
            models.CheckConstraint(
                condition=models.Q(exempt_quantity__lte=models.F("quantity")), name="self_declaration_exempt_le_qty"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.rule.code} × {self.quantity}"


class BonusClaim(models.Model):
    """A bonus (B1–B3) the department claims, with its level and evidence files."""

    assessment = models.ForeignKey(
        SelfAssessment, verbose_name="自评表", on_delete=models.CASCADE, related_name="claims"
    )
    rule = models.ForeignKey(Rule, verbose_name="加分项目", on_delete=models.PROTECT, related_name="+")
    level = models.CharField("级别", max_length=20)
    title = models.CharField("表彰/交流/评比名称", max_length=200)
    shared_with = models.ManyToManyField(Department, verbose_name="共同获得的其他部室", blank=True, related_name="+")
    created_at = models.DateTimeField("申报时间", auto_now_add=True)

    class Meta:
        ordering = ["assessment", "id"]
        verbose_name = "加分申报"
        verbose_name_plural = "加分申报"

    def __str__(self) -> str:
        return f"{self.rule.code} {self.level_name} {self.title}"

    @property
    def level_name(self) -> str:
        return self.rule.level_name(self.level)


class ClaimEvidence(PrivateFile):
    """A file proving a bonus claim (佐证材料), stored as kaohe.files describes. Served only by
    staff.views.evidence_download."""

    FILE_FOLDER = "self-assessment"

    claim = models.ForeignKey(BonusClaim, verbose_name="加分申报", on_delete=models.CASCADE, related_name="evidence")

    class Meta:
        ordering = ["claim", "id"]
        verbose_name = "加分佐证材料"
        verbose_name_plural = "加分佐证材料"
