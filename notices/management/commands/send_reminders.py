"""`manage.py send_reminders`: the notices of every user's new worklist items, reminders before the monthly and
phase deadlines, and one e-mail per user with what is new. Run by a timer (e.g. daily); idempotent."""

from django.core.management.base import BaseCommand

from notices.services import reminders_send


class Command(BaseCommand):
    help = "生成待办通知和到期提醒，并发送邮件（可重复运行，不会重复发送）。"

    def handle(self, *args, **options):
        run = reminders_send()
        self.stdout.write(f"新通知 {run.notices} 条，发送邮件 {run.emails} 封。")
        if run.failed:
            self.stderr.write(f"{run.failed} 封邮件发送失败（见日志），下次运行时重发。")
