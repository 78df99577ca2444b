"""The staff roster (人员名册): the people of the departments, apart from login accounts.

A person may have a login account (`user`), created from the roster (people.services.accounts_create) with the
account role the roster names; `must_change_password` sends that account to the password change page until the
person has chosen a password (people.middleware). The democratic evaluation counts its raters from the active
people of each department (`PersonQuerySet.active_counts`).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.db import models
from django.db.models import Count

from departments.models import Department, Role

# The positions the roster's drop-down offers (its import template lists them too).
POSITIONS = [
    "部长",
    "副部长",
    "主任",
    "副主任",
    "调研员",
    "主任科员",
    "副主任科员",
    "科员",
    "办事员",
    "工勤人员",
    "其他",
]


class PersonQuerySet(models.QuerySet):
    def active(self) -> PersonQuerySet:
        return self.filter(is_active=True)

    def active_counts(self, departments: Iterable[Department] | None = None) -> dict[int, int]:
        """Active people per department id (only the given departments, if any); a department without any is
        absent."""
        rows = self.active()
        if departments is not None:
            rows = rows.filter(department__in=list(departments))
        return dict(rows.values("department").annotate(n=Count("id")).values_list("department", "n"))


class Person(models.Model):
    class AccountRole(models.TextChoices):
        """The role an account created from the roster gets: a head heads, a reviewer's office is, the person's
        department."""

        DEPARTMENT_HEAD = Role.DEPARTMENT_HEAD.value, Role.DEPARTMENT_HEAD.label
        REVIEWER = Role.REVIEWER.value, Role.REVIEWER.label
        REVIEW_LEAD = Role.REVIEW_LEAD.value, Role.REVIEW_LEAD.label
        VICE_CHAIR = Role.VICE_CHAIR.value, Role.VICE_CHAIR.label
        LEADERSHIP = Role.LEADERSHIP.value, Role.LEADERSHIP.label

    name = models.CharField("姓名", max_length=50)
    department = models.ForeignKey(Department, verbose_name="部室", on_delete=models.PROTECT, related_name="people")
    position = models.CharField("职务", max_length=20, choices=[(p, p) for p in POSITIONS], blank=True)
    phone = models.CharField("电话", max_length=30, blank=True)
    email = models.EmailField("电子邮箱", blank=True)
    is_active = models.BooleanField("在职", default=True, help_text="不在职的人员不计入民主测评的应参评人数。")
    username = models.CharField(
        "登录名",
        max_length=150,
        blank=True,
        help_text="由名册创建登录账号时使用的用户名（字母、数字和 @/./+/-/_）。",
    )
    account_role = models.CharField(
        "账号角色", max_length=20, choices=AccountRole.choices, blank=True, help_text="由名册创建的账号获得的角色。"
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name="登录账号",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="person",
    )
    must_change_password = models.BooleanField(
        "须修改密码", default=False, help_text="账号首次登录后须先修改初始密码。"
    )
    order = models.PositiveIntegerField("排序", default=0)

    objects = PersonQuerySet.as_manager()

    class Meta:
        ordering = ["department__order", "department_id", "order", "id"]
        verbose_name = "人员"
        verbose_name_plural = "人员名册"
        constraints = [
            models.UniqueConstraint(fields=["department", "name"], name="person_department_name_unique"),
            models.UniqueConstraint(
                fields=["username"], condition=~models.Q(username=""), name="person_username_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.department}）"
