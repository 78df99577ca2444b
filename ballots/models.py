"""Democratic evaluation (民主测评, regulation 七、2): rounds, rater groups, one-time codes, ballots.

Anonymity is a property of the schema: a `Ballot` holds only what the count needs (its rater group, the rater's
department for the own-department rule, a paper flag) and a random primary key, so that nothing — no code, no
user, no request data, no timestamp, no insertion order — links it to the code that cast it or to a person.
A `BallotCode` keeps only a keyed hash of the code and whether it has been used.
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

from departments.models import Department
from scoring.models import AssessmentYear


class Round(models.Model):
    """One democratic evaluation of a year: open (accepting votes) → closed (counted, results visible)."""

    class Status(models.TextChoices):
        OPEN = "open", "进行中"
        CLOSED = "closed", "已结束"

    year = models.OneToOneField(
        AssessmentYear, verbose_name="年度", on_delete=models.PROTECT, related_name="ballot_round"
    )
    title = models.CharField("名称", max_length=200)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.OPEN)
    closes_at = models.DateTimeField("网上测评截止时间")
    opened_at = models.DateTimeField("开始时间", auto_now_add=True)
    closed_at = models.DateTimeField("结束时间", null=True, blank=True)

    history = HistoricalRecords(verbose_name="民主测评历史")

    class Meta:
        ordering = ["-year__year"]
        verbose_name = "民主测评"
        verbose_name_plural = "民主测评"

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN

    @property
    def is_closed(self) -> bool:
        return self.status == self.Status.CLOSED

    def accepts_online_votes(self, now=None) -> bool:
        return self.is_open and (now or timezone.now()) < self.closes_at


class RaterGroup(models.Model):
    """A group of raters (测评人群体), e.g. 机关全体人员 or 基层工会干部代表, with its weight (docs/scoring.md §4)."""

    round = models.ForeignKey(Round, verbose_name="民主测评", on_delete=models.CASCADE, related_name="groups")
    name = models.CharField("群体名称", max_length=50)
    planned_count = models.PositiveIntegerField("应参评人数")
    weight = models.DecimalField(
        "权重",
        max_digits=5,
        decimal_places=4,
        null=True,
        blank=True,
        help_text="留空表示不分群体加权；如填写，各群体权重之和须等于 1。",
    )
    by_department = models.BooleanField(
        "按部室发码", default=False, help_text="机关人员的测评码带所在部室，以便不计对本部室的测评。"
    )
    order = models.PositiveIntegerField("排序", default=0)

    history = HistoricalRecords(verbose_name="测评人群体历史")

    class Meta:
        ordering = ["round", "order", "id"]
        verbose_name = "测评人群体"
        verbose_name_plural = "测评人群体"
        constraints = [
            models.UniqueConstraint(fields=["round", "name"], name="rater_group_name_unique"),
            models.CheckConstraint(
                condition=models.Q(weight__gte=0, weight__lte=1) | models.Q(weight__isnull=True),
                name="rater_group_weight_range",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class CodeBatch(models.Model):
    """One printing of codes: who generated how many, for which group (and department). Never the codes."""

    group = models.ForeignKey(RaterGroup, verbose_name="测评人群体", on_delete=models.PROTECT, related_name="batches")
    department = models.ForeignKey(
        Department, verbose_name="所在部室", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    count = models.PositiveIntegerField("数量")
    voided = models.BooleanField("已作废", default=False, help_text="作废后本批未使用的测评码不能再使用。")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="生成人",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField("生成时间", auto_now_add=True)

    class Meta:
        ordering = ["group", "id"]
        verbose_name = "测评码批次"
        verbose_name_plural = "测评码批次"

    def __str__(self) -> str:
        where = f" · {self.department}" if self.department_id else ""
        return f"{self.group}{where} · {self.count} 个"


class BallotCode(models.Model):
    """A one-time code, stored only as a keyed hash. `used` is all it remembers: never which ballot."""

    batch = models.ForeignKey(CodeBatch, verbose_name="批次", on_delete=models.CASCADE, related_name="codes")
    code_hash = models.CharField("测评码摘要", max_length=64)
    used = models.BooleanField("已使用", default=False)

    class Meta:
        verbose_name = "测评码"
        verbose_name_plural = "测评码"
        constraints = [
            # One row per code, so the conditional UPDATE ... WHERE used = false that spends it can succeed once.
            models.UniqueConstraint(fields=["code_hash"], name="ballot_code_hash_unique"),
        ]

    def __str__(self) -> str:
        return f"测评码 {self.code_hash[:8]}…（{'已使用' if self.used else '未使用'}）"


class Ballot(models.Model):
    """One cast ballot. Deliberately no code, user, IP, timestamp or sequential id (see the module docstring)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    group = models.ForeignKey(RaterGroup, verbose_name="测评人群体", on_delete=models.PROTECT, related_name="ballots")
    voter_department = models.ForeignKey(
        Department, verbose_name="测评人所在部室", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    paper = models.BooleanField("纸质票", default=False)

    class Meta:
        verbose_name = "测评票"
        verbose_name_plural = "测评票"

    def __str__(self) -> str:
        return f"{self.group}{'（纸质）' if self.paper else ''}"


class BallotRating(models.Model):
    """The grade one ballot gives one department. An abstention has no row."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    ballot = models.ForeignKey(Ballot, verbose_name="测评票", on_delete=models.CASCADE, related_name="ratings")
    department = models.ForeignKey(Department, verbose_name="被测评部室", on_delete=models.PROTECT, related_name="+")
    grade = models.CharField("等次", max_length=20)

    class Meta:
        verbose_name = "测评等次"
        verbose_name_plural = "测评等次"
        constraints = [
            models.UniqueConstraint(fields=["ballot", "department"], name="ballot_rating_one_per_department"),
        ]

    def __str__(self) -> str:
        return f"{self.department}：{self.grade}"
