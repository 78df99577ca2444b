"""In-app notices of a user's worklist (notices.worklist): one row per new item, and one reminder per item and
deadline shortly before the deadline. Both are sent by e-mail once (`emailed_at`); the unique constraints make
`manage.py send_reminders` idempotent."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from scoring.models import AssessmentYear


class Notice(models.Model):
    class Kind(models.TextChoices):
        ITEM = "item", "新待办"
        REMINDER = "reminder", "到期提醒"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="用户", on_delete=models.CASCADE, related_name="notices"
    )
    year = models.ForeignKey(AssessmentYear, verbose_name="年度", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField("类型", max_length=10, choices=Kind.choices, default=Kind.ITEM)
    # The worklist item's stable key (notices.worklist.Item.key), e.g. "report:3:5".
    key = models.CharField("待办标识", max_length=200)
    deadline = models.DateField("截止日期", null=True, blank=True)
    title = models.CharField("内容", max_length=300)
    url = models.CharField("链接", max_length=500)
    created_at = models.DateTimeField("通知时间", default=timezone.now)
    read_at = models.DateTimeField("已读时间", null=True, blank=True)
    emailed_at = models.DateTimeField("邮件发送时间", null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "通知"
        verbose_name_plural = "通知"
        indexes = [models.Index(fields=["user", "read_at"], name="notice_user_unread")]
        constraints = [
            models.UniqueConstraint(fields=["user", "kind", "key", "deadline"], name="notice_once_per_deadline"),
            models.UniqueConstraint(
                fields=["user", "kind", "key"],
                condition=models.Q(deadline__isnull=True),
                name="notice_once_without_deadline",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.title}"

    @property
    def is_read(self) -> bool:
        return self.read_at is not None
