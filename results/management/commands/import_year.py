from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from results.exchange import year_import
from scoring.cases import loads
from scoring.engine import ScoringError


class Command(BaseCommand):
    help = "从 kaohe-case/1 格式的 JSON 导入一个考核年度。文件有误时整体拒绝，数据库不变。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", metavar="FILE")
        parser.add_argument("--replace", action="store_true", help="覆盖已存在（未审定）的同一年度")

    def handle(self, *args: Any, file: str, replace: bool, **options: Any) -> None:
        try:
            with open(file, "rb") as f:
                data = loads(f.read())
            year = year_import(data, replace=replace)
        except OSError as exc:
            raise CommandError(f"{file}: 无法读取文件：{exc.strerror}") from None
        except ScoringError as exc:
            raise CommandError(f"{file}: {exc}") from None
        self.stdout.write(f"已导入{year}：{year.year_departments.count()}个部室，{year.records.count()}条台帐记录")
