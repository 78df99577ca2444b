from django.core.management.base import BaseCommand

from ops.demo import demo_load


class Command(BaseCommand):
    help = "载入示例数据（2023年度及各角色示例账号）。可重复运行。"

    def handle(self, *args, **options):
        done = demo_load()
        self.stdout.write("已载入：" + "、".join(done) if done else "示例数据已存在。")
