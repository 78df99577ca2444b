from django.core.management.base import BaseCommand

from ops.demo import DEMO_PASSWORD, DEMO_SCHEMES, demo_users
from scoring.catalogue import DEFAULT_SCHEME


class Command(BaseCommand):
    help = "列出示例账号（--scheme county-2011：县总工会示例的账号）。"

    def add_arguments(self, parser):
        parser.add_argument("--scheme", choices=DEMO_SCHEMES, default=DEFAULT_SCHEME)

    def handle(self, *args, **options):
        self.stdout.write(f"示例账号（密码均为 {DEMO_PASSWORD}）：")
        for username, _, _, _, description in demo_users(options["scheme"]):
            self.stdout.write(f"  {username:<16} {description}")
