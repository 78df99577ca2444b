"""The scheme (rules as data), the assessment year with its settings, and leadership's decisions."""

import uuid
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from simple_history.models import HistoricalRecords

from departments.models import Department, Leader

ZERO = Decimal("0")


def default_grade_points() -> dict[str, str]:
    # docs/scoring.md §4 (decision): the default grade scale.
    return {"优秀": "100", "良好": "85", "一般": "70", "较差": "50"}


class Scheme(models.Model):
    code = models.SlugField("方案代码", max_length=50, unique=True)
    name = models.CharField("方案名称", max_length=200)
    regulation_title = models.CharField(
        "实施办法名称",
        max_length=200,
        blank=True,
        help_text="年度报告和通报引用的考核实施办法的正式名称（不含书名号）；留空则用方案名称。",
    )
    description = models.TextField("说明", blank=True)
    full_score = models.DecimalField(
        "满分",
        max_digits=6,
        decimal_places=2,
        default=Decimal("100"),
        help_text="部室考核小组评分的起点；设有目标项目的年度，每个部室的目标项目应得分之和须等于满分。",
    )
    # The rule a monthly plan item not done for the department's own reasons suggests (workplans: the review
    # group confirms or dismisses each suggestion). None: the scheme makes no such suggestions.
    plan_shortfall_rule = models.ForeignKey(
        "Rule",
        verbose_name="月度计划未完成（自身原因）对应的考核项目",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        limit_choices_to={"kind": "deduction"},
        help_text="部室月度小结中“未完成·自身原因”的计划事项，作为该项目的扣分建议提交考核小组确认；"
        "须为本方案的固定扣分项目。留空则不提出扣分建议。",
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    history = HistoricalRecords(verbose_name="考核方案历史")

    class Meta:
        ordering = ["-code"]
        verbose_name = "考核方案"
        verbose_name_plural = "考核方案"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(full_score__gt=0),
                name="scheme_full_score_positive",
                violation_error_message="满分须大于 0。",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"

    def level_choices(self) -> list[tuple[str, str]]:
        """Every bonus level of the scheme's rules as (code, name), best first, each code once."""
        seen: dict[str, str] = {}
        for code, name in (
            RuleLevel.objects.filter(rule__scheme=self).order_by("order", "id").values_list("code", "name")
        ):
            seen.setdefault(code, name)
        return list(seen.items())

    @property
    def regulation(self) -> str:
        """The regulation's title as every document cites it (in 《》)."""
        return self.regulation_title.strip() or self.name

    def plan_shortfall_problem(self, rule: "Rule") -> str | None:
        """Why `rule` cannot be the scheme's plan shortfall rule (None if it can): it must be one of the
        scheme's own fixed deductions, since a confirmed suggestion records one unit of it."""
        if self.pk is None or rule.scheme_id != self.pk:
            return f"{rule.code} 不是本方案的考核项目。"
        if rule.kind != Rule.Kind.DEDUCTION:
            return f"{rule.code} 不是固定扣分项目。"
        return None

    def clean(self) -> None:
        rule = Rule.objects.filter(pk=self.plan_shortfall_rule_id).first() if self.plan_shortfall_rule_id else None
        if rule is not None:  # an unknown one is refused as an invalid choice
            problem = self.plan_shortfall_problem(rule)
            if problem:
                raise ValidationError({"plan_shortfall_rule": problem})


class RuleCategory(models.Model):
    scheme = models.ForeignKey(Scheme, verbose_name="方案", on_delete=models.CASCADE, related_name="categories")
    code = models.CharField("类别代码", max_length=5)
    name = models.CharField("类别名称", max_length=50)
    cap = models.DecimalField(
        "扣分上限",
        max_digits=6,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="本类别扣分最多计多少分（扣完为止）；留空表示不设上限。",
    )
    bonus_cap = models.DecimalField(
        "加分上限",
        max_digits=6,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="本类别加分最多计多少分；留空表示不设上限。",
    )
    order = models.PositiveIntegerField("排序", default=0)

    history = HistoricalRecords(verbose_name="考核类别历史")

    class Meta:
        ordering = ["scheme", "order", "id"]
        verbose_name = "考核类别"
        verbose_name_plural = "考核类别"
        constraints = [
            models.UniqueConstraint(
                fields=["scheme", "code"],
                name="category_code_unique",
                violation_error_message="同一方案中类别代码不能重复。",
            ),
            models.CheckConstraint(
                condition=models.Q(cap__gte=0) | models.Q(cap__isnull=True),
                name="category_cap_not_negative",
                violation_error_message="扣分上限不能为负数。",
            ),
            models.CheckConstraint(
                condition=models.Q(bonus_cap__gte=0) | models.Q(bonus_cap__isnull=True),
                name="category_bonus_cap_not_negative",
                violation_error_message="加分上限不能为负数。",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Rule(models.Model):
    class Kind(models.TextChoices):
        DEDUCTION = "deduction", "固定扣分"
        DISCRETIONARY = "discretionary", "酌情扣分"
        BONUS = "bonus", "加分"
        VETO = "veto", "否决"

    scheme = models.ForeignKey(Scheme, verbose_name="方案", on_delete=models.CASCADE, related_name="rules")
    category = models.ForeignKey(RuleCategory, verbose_name="类别", on_delete=models.PROTECT, related_name="rules")
    code = models.CharField("项目代码", max_length=10)
    text = models.TextField("考核内容")
    kind = models.CharField("类型", max_length=20, choices=Kind.choices)
    unit = models.CharField("计分单位", max_length=20, blank=True)
    points = models.DecimalField(
        "每单位分值",
        max_digits=6,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="固定扣分项目每单位扣分（正数）。",
    )
    max_points = models.DecimalField(
        "酌情扣分上限", max_digits=6, decimal_places=2, null=True, blank=True, help_text="酌情扣分项目每单位最多扣分。"
    )
    annual = models.BooleanField("年度项目", default=False, help_text="每个部室每年至多记录一次。")
    halve_when_shared = models.BooleanField("多部室共享时减半", default=False)
    reason_required = models.BooleanField("须填写理由", default=False)
    recorder_offices = models.ManyToManyField(
        Department,
        verbose_name="负责录入的科室",
        blank=True,
        related_name="recordable_rules",
        help_text="留空表示仅考核小组组长可录入。",
    )
    recorder_label = models.CharField("负责部门（显示）", max_length=100, blank=True)
    order = models.PositiveIntegerField("排序", default=0)

    history = HistoricalRecords(verbose_name="考核项目历史", m2m_fields=[recorder_offices])

    class Meta:
        ordering = ["scheme", "order", "id"]
        verbose_name = "考核项目"
        verbose_name_plural = "考核项目"
        constraints = [
            models.UniqueConstraint(fields=["scheme", "code"], name="rule_code_unique"),
            models.CheckConstraint(
                condition=models.Q(points__gte=0) | models.Q(points__isnull=True), name="rule_points_positive"
            ),
            models.CheckConstraint(
                condition=models.Q(max_points__gte=0) | models.Q(max_points__isnull=True),
                name="rule_max_points_positive",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.short_text}"

    @property
    def short_text(self) -> str:
        return self.text if len(self.text) <= 30 else self.text[:29] + "…"

    def level_points(self) -> dict[str, Decimal]:
        """The bonus levels' points by level code, best first (empty unless a bonus)."""
        return {level.code: level.points for level in self.levels.all()}

    def level_choices(self) -> list[tuple[str, str]]:
        return [(level.code, level.name) for level in self.levels.all()]

    def level_name(self, code: str) -> str:
        for level in self.levels.all():
            if level.code == code:
                return level.name
        return code

    def clean(self) -> None:
        errors = {}
        if self.kind == self.Kind.DEDUCTION and self.points is None:
            errors["points"] = "固定扣分项目须设定每单位分值。"
        if self.kind == self.Kind.DISCRETIONARY and self.max_points is None:
            errors["max_points"] = "酌情扣分项目须设定扣分上限。"
        if self.category_id and self.scheme_id and self.category.scheme_id != self.scheme_id:
            errors["category"] = "类别须属于同一方案。"
        if errors:
            raise ValidationError(errors)


class RuleLevel(models.Model):
    """A bonus level of a rule (e.g. 全总 +10, 省总 +8, 市总 +5), the scheme's own data."""

    rule = models.ForeignKey(Rule, verbose_name="考核项目", on_delete=models.CASCADE, related_name="levels")
    code = models.CharField("级别代码", max_length=20, help_text="记录中保存的代码，如 national；可与名称相同。")
    name = models.CharField("级别名称", max_length=20)
    points = models.DecimalField("分值", max_digits=6, decimal_places=2)
    order = models.PositiveIntegerField("排序", default=0)

    history = HistoricalRecords(verbose_name="加分级别历史")

    class Meta:
        ordering = ["rule", "order", "id"]
        verbose_name = "加分级别"
        verbose_name_plural = "加分级别"
        constraints = [
            models.UniqueConstraint(
                fields=["rule", "code"],
                name="rule_level_code_unique",
                violation_error_message="同一项目的级别代码不能重复。",
            ),
            models.CheckConstraint(
                condition=models.Q(points__gte=0),
                name="rule_level_points_not_negative",
                violation_error_message="分值不能为负数。",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} +{self.points.normalize():f}"


class AssessmentYear(models.Model):
    class Phase(models.TextChoices):
        PREPARING = "preparing", "准备"
        RUNNING = "running", "进行中"
        SELF_ASSESSMENT = "self_assessment", "自评"
        SCORING = "scoring", "评分"
        DEMOCRATIC = "democratic", "民主测评"
        PUBLICITY = "publicity", "公示"
        APPROVED = "approved", "审定"
        ANNOUNCED = "announced", "已通报"
        ARCHIVED = "archived", "归档"

    # From approval (审定) on, the year is read-only everywhere.
    FROZEN_PHASES = (Phase.APPROVED, Phase.ANNOUNCED, Phase.ARCHIVED)

    class DemocraticSource(models.TextChoices):
        NONE = "none", "不举行民主测评"
        SCORES = "scores", "直接录入测评得分"
        BALLOTS = "ballots", "按测评票计算"

    year = models.PositiveIntegerField("年度", unique=True)
    title = models.CharField("名称", max_length=200, blank=True)
    scheme = models.ForeignKey(Scheme, verbose_name="考核方案", on_delete=models.PROTECT, related_name="years")
    phase = models.CharField("阶段", max_length=20, choices=Phase.choices, default=Phase.PREPARING)
    results_published = models.BooleanField("结果已公布", default=False, help_text="公布后部室负责人可看到排名和奖项。")

    review_weight = models.DecimalField("考核小组评分权重", max_digits=5, decimal_places=4, default=Decimal("0.8"))
    democratic_weight = models.DecimalField("民主测评权重", max_digits=5, decimal_places=4, default=Decimal("0.2"))
    first_prize_count = models.PositiveSmallIntegerField("一等奖名额", default=1)
    first_prize_per_capita = models.DecimalField(
        "一等奖人均（元）", max_digits=10, decimal_places=2, default=Decimal("2000")
    )
    second_prize_count = models.PositiveSmallIntegerField("二等奖名额", default=2)
    second_prize_per_capita = models.DecimalField(
        "二等奖人均（元）", max_digits=10, decimal_places=2, default=Decimal("1000")
    )
    discretionary_threshold = models.DecimalField(
        "酌情奖励分数线", max_digits=6, decimal_places=2, default=Decimal("90")
    )
    democratic_source = models.CharField(
        "民主测评", max_length=10, choices=DemocraticSource.choices, default=DemocraticSource.SCORES
    )
    grade_points = models.JSONField(
        "测评等次及分值",
        default=default_grade_points,
        help_text='如 {"优秀": "100", "良好": "85", "一般": "70", "较差": "50"}',
    )
    group_weights = models.JSONField(
        "测评人群体权重", null=True, blank=True, help_text='留空表示不分群体加权；如 {"机关": "0.6", "基层": "0.4"}'
    )
    exclude_own_department = models.BooleanField("不计本部室测评", default=True)
    # A fresh random value on every write to anything the year's score reads (results/revisions.py): the
    # key of the cached result. Random, not a counter, so that a rolled-back write can never make a value
    # that was once cached for other data come back.
    data_version = models.UUIDField("数据版本", default=uuid.uuid4, editable=False)

    # data_version changes with every write to the year's data (by QuerySet.update, so without a history row).
    history = HistoricalRecords(verbose_name="考核年度历史", excluded_fields=["data_version"])

    class Meta:
        ordering = ["-year"]
        verbose_name = "考核年度"
        verbose_name_plural = "考核年度"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(review_weight__gte=0, review_weight__lte=1), name="year_review_weight_range"
            ),
            models.CheckConstraint(
                condition=models.Q(democratic_weight__gte=0, democratic_weight__lte=1),
                name="year_democratic_weight_range",
            ),
            models.CheckConstraint(
                condition=models.Q(first_prize_per_capita__gte=0, second_prize_per_capita__gte=0),
                name="year_prizes_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return self.title or f"{self.year}年度"

    def clean(self) -> None:
        weights = (self.review_weight, self.democratic_weight)
        if None not in weights and sum(weights) != 1:
            raise ValidationError({"democratic_weight": "两项权重之和须等于 1。"})
        if not isinstance(self.grade_points, dict) or not self.grade_points:
            raise ValidationError({"grade_points": "请至少设定一个测评等次。"})
        for grade, points in self.grade_points.items():
            try:
                value = Decimal(str(points))
            except ArithmeticError:
                raise ValidationError({"grade_points": f"等次“{grade}”的分值不是数字。"}) from None
            if not ZERO <= value <= 100:
                raise ValidationError({"grade_points": f"等次“{grade}”的分值须在 0 至 100 之间。"})
        if self.group_weights:
            try:
                total = sum(Decimal(str(w)) for w in self.group_weights.values())
            except ArithmeticError:
                raise ValidationError({"group_weights": "群体权重须为数字。"}) from None
            if total != 1:
                raise ValidationError({"group_weights": "群体权重之和须等于 1。"})

    @property
    def is_frozen(self) -> bool:
        """From approval (审定) on, the year is read-only everywhere."""
        return self.phase in self.FROZEN_PHASES


class YearDepartment(models.Model):
    """A department taking part in a year, with its year-end headcount (年末在编人数)."""

    year = models.ForeignKey(
        AssessmentYear, verbose_name="年度", on_delete=models.CASCADE, related_name="year_departments"
    )
    department = models.ForeignKey(
        Department, verbose_name="部室", on_delete=models.PROTECT, related_name="year_entries"
    )
    headcount = models.PositiveIntegerField("年末在编人数")
    order = models.PositiveIntegerField("排序", default=0)

    history = HistoricalRecords(verbose_name="年度参评部室历史")

    class Meta:
        ordering = ["year", "order", "id"]
        verbose_name = "年度参评部室"
        verbose_name_plural = "年度参评部室"
        constraints = [
            models.UniqueConstraint(fields=["year", "department"], name="year_department_unique"),
            models.CheckConstraint(condition=models.Q(headcount__gte=1), name="year_department_headcount_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.year} · {self.department}（{self.headcount}人）"


class YearLeader(models.Model):
    year = models.ForeignKey(AssessmentYear, verbose_name="年度", on_delete=models.CASCADE, related_name="year_leaders")
    leader = models.ForeignKey(Leader, verbose_name="领导", on_delete=models.PROTECT, related_name="year_entries")
    order = models.PositiveIntegerField("排序", default=0)

    history = HistoricalRecords(verbose_name="年度领导历史")

    class Meta:
        ordering = ["year", "order", "id"]
        verbose_name = "年度领导"
        verbose_name_plural = "年度领导"
        constraints = [models.UniqueConstraint(fields=["year", "leader"], name="year_leader_unique")]

    def __str__(self) -> str:
        return f"{self.year} · {self.leader}"


class Supervision(models.Model):
    """A vice chair supervises (分管) a department in a year; a department has at most one."""

    year = models.ForeignKey(AssessmentYear, verbose_name="年度", on_delete=models.CASCADE, related_name="supervisions")
    leader = models.ForeignKey(Leader, verbose_name="分管副主席", on_delete=models.PROTECT, related_name="supervisions")
    department = models.ForeignKey(
        Department, verbose_name="部室", on_delete=models.PROTECT, related_name="supervisions"
    )

    history = HistoricalRecords(verbose_name="分管关系历史")

    class Meta:
        ordering = ["year", "leader__order", "department__order"]
        verbose_name = "分管关系"
        verbose_name_plural = "分管关系"
        constraints = [models.UniqueConstraint(fields=["year", "department"], name="supervision_one_per_department")]

    def __str__(self) -> str:
        return f"{self.year} · {self.leader} 分管 {self.department}"


class DemocraticScore(models.Model):
    """A democratic-evaluation score entered directly (or computed from an imported year's ballots)."""

    year = models.ForeignKey(
        AssessmentYear, verbose_name="年度", on_delete=models.CASCADE, related_name="democratic_scores"
    )
    department = models.ForeignKey(
        Department, verbose_name="部室", on_delete=models.PROTECT, related_name="democratic_scores"
    )
    score = models.DecimalField("民主测评得分", max_digits=5, decimal_places=2)

    history = HistoricalRecords(verbose_name="民主测评得分历史")

    class Meta:
        ordering = ["year", "department__order"]
        verbose_name = "民主测评得分"
        verbose_name_plural = "民主测评得分"
        constraints = [
            models.UniqueConstraint(fields=["year", "department"], name="democratic_score_unique"),
            models.CheckConstraint(condition=models.Q(score__gte=0, score__lte=100), name="democratic_score_range"),
        ]

    def __str__(self) -> str:
        return f"{self.year} · {self.department}：{self.score}"


class TieOrder(models.Model):
    """Leadership's ordering of one tie (docs/scoring.md §5), best first."""

    year = models.ForeignKey(AssessmentYear, verbose_name="年度", on_delete=models.CASCADE, related_name="tie_orders")
    reason = models.TextField("理由", blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="决定人",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField("决定时间", auto_now_add=True)

    history = HistoricalRecords(verbose_name="并列排序历史")

    class Meta:
        ordering = ["year", "id"]
        verbose_name = "并列排序"
        verbose_name_plural = "并列排序"

    def __str__(self) -> str:
        names = "、".join(e.department.name for e in self.entries.all())
        return f"{self.year} 并列排序：{names}"


class TieOrderEntry(models.Model):
    tie_order = models.ForeignKey(TieOrder, verbose_name="并列排序", on_delete=models.CASCADE, related_name="entries")
    department = models.ForeignKey(Department, verbose_name="部室", on_delete=models.PROTECT, related_name="+")
    position = models.PositiveIntegerField("名次顺序")

    history = HistoricalRecords(verbose_name="并列排序项历史")

    class Meta:
        ordering = ["tie_order", "position"]
        verbose_name = "并列排序项"
        verbose_name_plural = "并列排序项"
        constraints = [
            models.UniqueConstraint(fields=["tie_order", "department"], name="tie_entry_department_unique"),
            models.UniqueConstraint(fields=["tie_order", "position"], name="tie_entry_position_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.department}"


class DiscretionaryAward(models.Model):
    """八、其余对完成工作任务得分在90分以上的可酌情奖励: a per-person amount granted by leadership."""

    year = models.ForeignKey(
        AssessmentYear, verbose_name="年度", on_delete=models.CASCADE, related_name="discretionary_awards"
    )
    department = models.ForeignKey(Department, verbose_name="部室", on_delete=models.PROTECT, related_name="+")
    amount = models.DecimalField("人均金额（元）", max_digits=10, decimal_places=2)
    reason = models.TextField("理由", blank=True)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="决定人",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    granted_at = models.DateTimeField("决定时间", auto_now_add=True)

    history = HistoricalRecords(verbose_name="酌情奖励历史")

    class Meta:
        ordering = ["year", "department__order"]
        verbose_name = "酌情奖励"
        verbose_name_plural = "酌情奖励"
        constraints = [
            models.UniqueConstraint(fields=["year", "department"], name="discretionary_award_unique"),
            models.CheckConstraint(condition=models.Q(amount__gte=0), name="discretionary_award_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.year} · {self.department}：{self.amount} 元/人"


class Target(models.Model):
    """A target item (目标责任项目) allotted to one department for the year, with its points (应得分)."""

    year = models.ForeignKey(AssessmentYear, verbose_name="年度", on_delete=models.CASCADE, related_name="targets")
    department = models.ForeignKey(Department, verbose_name="部室", on_delete=models.PROTECT, related_name="targets")
    category = models.ForeignKey(RuleCategory, verbose_name="类别", on_delete=models.PROTECT, related_name="targets")
    code = models.CharField("目标代码", max_length=20)
    name = models.CharField("目标项目", max_length=200)
    points = models.DecimalField("应得分", max_digits=6, decimal_places=2)
    order = models.PositiveIntegerField("排序", default=0)

    history = HistoricalRecords(verbose_name="目标项目历史")

    class Meta:
        ordering = ["year", "order", "id"]
        verbose_name = "目标项目"
        verbose_name_plural = "目标项目"
        constraints = [
            models.UniqueConstraint(
                fields=["year", "code"],
                name="target_code_unique",
                violation_error_message="同一年度的目标代码不能重复。",
            ),
            models.CheckConstraint(
                condition=models.Q(points__gt=0),
                name="target_points_positive",
                violation_error_message="应得分须大于 0。",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}（{self.points.normalize():f}分）"

    def clean(self) -> None:
        if self.category_id and self.year_id and self.category.scheme_id != self.year.scheme_id:
            raise ValidationError({"category": "类别须属于本年度的考核方案。"})
