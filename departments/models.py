"""Departments (部室), leaders (主席/副主席) and the roles of the people who use Kaohe."""

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords


class Department(models.Model):
    name = models.CharField("名称", max_length=50, unique=True)
    order = models.PositiveIntegerField("排序", default=0)
    is_active = models.BooleanField("在用", default=True)

    history = HistoricalRecords(verbose_name="部室历史")

    class Meta:
        ordering = ["order", "id"]
        verbose_name = "部室"
        verbose_name_plural = "部室"

    def __str__(self) -> str:
        return self.name


class Leader(models.Model):
    class Role(models.TextChoices):
        CHAIR = "chair", "主席"
        VICE_CHAIR = "vice_chair", "副主席"

    name = models.CharField("姓名", max_length=50, unique=True)
    role = models.CharField("职务", max_length=20, choices=Role.choices)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name="登录账号",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="leader",
    )
    order = models.PositiveIntegerField("排序", default=0)

    history = HistoricalRecords(verbose_name="领导历史")

    class Meta:
        ordering = ["order", "id"]
        verbose_name = "领导"
        verbose_name_plural = "领导"

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    """What a person does in Kaohe: each role sees and writes what the `access` package allows it."""

    DEPARTMENT_HEAD = "head", "部室负责人"
    REVIEWER = "reviewer", "考核小组成员"
    REVIEW_LEAD = "lead", "考核小组组长"
    VICE_CHAIR = "vice_chair", "分管副主席"
    LEADERSHIP = "leadership", "主席/党组"


class Membership(models.Model):
    """One role of one user. A head or a reviewer belongs to a department (the reviewer's office)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="用户", on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField("角色", max_length=20, choices=Role.choices)
    department = models.ForeignKey(
        Department,
        verbose_name="所在部室",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="memberships",
        help_text="部室负责人：所负责的部室；考核小组成员：所在科室（决定可录入的考核项目）。",
    )

    history = HistoricalRecords(verbose_name="角色分配历史")

    class Meta:
        verbose_name = "角色分配"
        verbose_name_plural = "角色分配"
        constraints = [
            models.UniqueConstraint(fields=["user", "role", "department"], name="membership_unique"),
            models.CheckConstraint(
                condition=~models.Q(role__in=["head", "reviewer"]) | models.Q(department__isnull=False),
                name="membership_head_reviewer_need_department",
            ),
        ]

    def __str__(self) -> str:
        where = f"（{self.department}）" if self.department_id else ""
        return f"{self.user} · {self.get_role_display()}{where}"


class Organisation(models.Model):
    """The organisation whose 机关 Kaohe assesses: its names and the fixed parts of the documents it issues.

    One row (`Organisation.current()`), edited in the admin. Every document reads its names from here; while it is
    not set up the documents print `UNSET_NAME` and the system check `kaohe.W001` warns in production.
    """

    SINGLETON_PK = 1
    UNSET_NAME = "（未设置组织名称）"

    full_name = models.CharField("组织全称", max_length=100, help_text="组织的正式全称：报告正文、署名和通报落款使用。")
    short_name = models.CharField("简称", max_length=50, blank=True, help_text="报告封面和页眉使用；留空则用全称。")
    issuer_mark = models.CharField(
        "发文机关标志",
        max_length=100,
        blank=True,
        help_text="通报版头的红色机关标志（发文机关全称或规范化简称）；留空则用全称。",
    )
    document_prefix = models.CharField(
        "发文字号代字", max_length=20, blank=True, help_text="如“区工发”：通报的发文字号为“区工发〔2024〕3号”。"
    )
    main_recipients = models.CharField(
        "主送机关", max_length=200, default="机关各部室", help_text="通报的主送机关，如“机关各部室”。"
    )
    copy_recipients = models.CharField(
        "抄送机关", max_length=300, blank=True, help_text="通报版记的抄送机关，多个用顿号分隔；留空则不印抄送。"
    )
    printing_office = models.CharField(
        "印发机关",
        max_length=100,
        blank=True,
        help_text="通报版记的印发机关，一般为发文机关的办公厅（室），如“某某区总工会办公室”；留空则用全称。",
    )

    history = HistoricalRecords(verbose_name="组织信息历史")

    class Meta:
        verbose_name = "组织信息"
        verbose_name_plural = "组织信息"
        constraints = [models.CheckConstraint(condition=models.Q(id=1), name="organisation_single_row")]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        self.pk = self.SINGLETON_PK  # there is one organisation: saving a new instance replaces it
        super().save(*args, **kwargs)

    @classmethod
    def current(cls) -> "Organisation":
        """The organisation, or an empty unsaved one while it is not set up."""
        return cls.objects.filter(pk=cls.SINGLETON_PK).first() or cls()

    @property
    def is_set_up(self) -> bool:
        return bool(self.full_name.strip())

    @property
    def name(self) -> str:
        """The full name, as documents print it."""
        return self.full_name.strip() or self.UNSET_NAME

    @property
    def masthead(self) -> str:
        """The name on a cover and in running headers."""
        return self.short_name.strip() or self.name

    @property
    def issuer(self) -> str:
        """The 发文机关标志 of the 通报."""
        return self.issuer_mark.strip() or self.name

    @property
    def printer(self) -> str:
        """The 印发机关 of the 通报's 版记."""
        return self.printing_office.strip() or self.name
