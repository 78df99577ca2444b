"""manage.py soak [--users 20] [--seconds 60] [--postgres] [--topology two] — the load test of `make soak`
(docs/security.md). `--topology two`: two gunicorn instances behind nginx sharing one Redis and the database.

Runs in a child process against a fresh database, like `manage.py bench`: a temporary SQLite file, or with
--postgres a new database on the server of DATABASE_URL. The child (bench/soak.py) prints the summary table
and writes its figures as JSON; any violation of the invariants makes the command fail (exit status 1).
SOAK_SECONDS and SOAK_USERS in the environment set the defaults (a quick run: SOAK_SECONDS=10).
"""

from __future__ import annotations

import json
import os
import tempfile
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from tools.bench import server
from tools.bench.soak import soak_run


class Command(BaseCommand):
    help = "压力测试：多个用户同时浏览、修改台帐、投票，检查无错误、测评票恰好计入一次、修改或保存或有提示地被拒绝。"
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("--users", type=int, default=int(os.environ.get("SOAK_USERS", 20)), help="并发用户数")
        parser.add_argument("--seconds", type=float, default=float(os.environ.get("SOAK_SECONDS", 60)), help="压测秒数")
        parser.add_argument(
            "--postgres", action="store_true", help="在 DATABASE_URL 所指的 PostgreSQL 上新建数据库测试"
        )
        parser.add_argument("--workers", type=int, default=4, help="gunicorn 进程数（两台主机时每台）")
        parser.add_argument(
            "--topology",
            choices=["one", "two"],
            default="one",
            help="one：一个 gunicorn；two：两个 gunicorn 经 nginx 轮询，共用 Redis 与数据库",
        )
        parser.add_argument("--results", help="把结果写入此 JSON 文件")
        parser.add_argument("--run", action="store_true", help="（内部）在当前数据库中运行")

    def handle(self, *args, users, seconds, workers, topology, postgres, results, run, **options):
        if users < 4:
            raise CommandError("--users 至少为 4（浏览、两人修改同一记录、投票）")
        if run:
            result = soak_run(users=users, seconds=seconds, workers=workers, topology=topology, out=self.stdout)
            if results:
                Path(results).write_text(json.dumps(result, ensure_ascii=False, indent=1), encoding="utf-8")
            if result["violations"]:
                raise CommandError(f"压力测试发现 {len(result['violations'])} 处问题")
            return
        with tempfile.TemporaryDirectory(prefix="kaohe-soak-") as tmp:
            env, drop = server.child_environment(tmp, database="kaohe_soak", postgres=postgres)
            out = Path(results) if results else Path(tmp) / "results.json"
            args = [
                "soak", "--run", "--users", str(users), "--seconds", str(seconds), "--workers", str(workers),
                "--topology", topology, "--results", str(out.resolve()),
            ]  # fmt: skip
            started = time.monotonic()
            status = server.run_child(args, env, drop)
            self.stdout.write(f"压力测试用时 {time.monotonic() - started:.0f} 秒（含准备）")
            if status != 0:
                raise CommandError(f"压力测试未通过（退出码 {status}）")
