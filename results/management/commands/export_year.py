import json
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from results.exchange import year_export
from scoring.models import AssessmentYear


class Command(BaseCommand):
    help = "把一个考核年度导出为 kaohe-case/1 格式的 JSON（存档、模拟测算）。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("year", type=int)
        parser.add_argument("-o", "--output", metavar="FILE", help="输出文件（默认输出到屏幕）")

    def handle(self, *args: Any, year: int, output: str | None, **options: Any) -> None:
        try:
            obj = AssessmentYear.objects.select_related("scheme").get(year=year)
        except AssessmentYear.DoesNotExist:
            raise CommandError(f"没有{year}年度") from None
        text = json.dumps(year_export(obj), ensure_ascii=False, indent=2) + "\n"
        if output:
            with open(output, "w", encoding="utf-8") as f:
                f.write(text)
            self.stderr.write(f"已导出{year}年度到 {output}")
        else:
            sys.stdout.write(text)
