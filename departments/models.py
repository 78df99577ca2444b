"""Departments (部室), leaders (主席/副主席) and the roles of the people who use Kaohe."""

from django.conf import settings
from django.db import models


class Department(models.Model):
    name = models.CharField("名称", max_length=50, unique=True)
    order = models.PositiveIntegerField("排序", default=0)
    is_active = models.BooleanField("在用", default=True)

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
