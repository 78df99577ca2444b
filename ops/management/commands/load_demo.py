from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from ops.demo import DEMO_SCHEMES, demo_load
from scoring.catalogue import DEFAULT_SCHEME


class Command(BaseCommand):
    help = (
        "载入示例数据（示例组织、示例年度及各角色示例账号）。可重复运行。仅限开发环境（KAOHE_DEBUG=true）。"
        "默认为区总工会 2023 年度（district-2023，评分阶段）及 2022 年度（已审定并通报，供历年对比）；"
        "--scheme county-2011 载入县总工会 2011 年度目标管理示例。"
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--scheme",
            choices=DEMO_SCHEMES,
            default=DEFAULT_SCHEME,
            help="示例数据的考核方案：district-2023（默认，区总工会 2023 年度）或 county-2011（县总工会 2011 年度）。",
        )

    def handle(self, *args, **options):
        if not settings.DEBUG:
            # The demo accounts, the superuser `admin` among them, have passwords printed in the README.
            raise CommandError("示例数据的账号使用公开的演示密码，只能在开发环境（KAOHE_DEBUG=true）载入。")
        done = demo_load(options["scheme"], previous=True)
        self.stdout.write("已载入：" + "、".join(done) if done else "示例数据已存在。")
