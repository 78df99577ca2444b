from django.core.management.base import BaseCommand

from ops.demo import DEMO_PASSWORD, DEMO_USERS


class Command(BaseCommand):
    help = "列出示例账号。"

    def handle(self, *args, **options):
        self.stdout.write(f"示例账号（密码均为 {DEMO_PASSWORD}）：")
        for username, _, _, _, description in DEMO_USERS:
            self.stdout.write(f"  {username:<16} {description}")
