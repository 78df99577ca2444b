from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from ops.demo import demo_load


class Command(BaseCommand):
    help = "载入示例数据（示例组织、2023年度及各角色示例账号）。可重复运行。仅限开发环境（KAOHE_DEBUG=true）。"

    def handle(self, *args, **options):
        if not settings.DEBUG:
            # The demo accounts, the superuser `admin` among them, have passwords printed in the README.
            raise CommandError("示例数据的账号使用公开的演示密码，只能在开发环境（KAOHE_DEBUG=true）载入。")
        done = demo_load()
        self.stdout.write("已载入：" + "、".join(done) if done else "示例数据已存在。")
