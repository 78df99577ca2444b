"""manage.py year_report YEAR [--dir DIR] [--pdf FILE] [--xlsx FILE] [--notice FILE] [--account FILE]: the same
files as the reports page, the 通报 download and the review group's year-end account.

Without --pdf, --xlsx or --notice the report and the workbook are written into DIR (default: the current
directory) under the names the downloads have (reports.services.report_filename): 2023年度考核报告.pdf and
2023年度考核结果.xlsx."""

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from reports.account import review_account_pdf
from reports.models import ReportBuild
from reports.notice import notice_pdf
from reports.pdf import build_pdf
from reports.services import report_filename
from reports.xlsx import build_xlsx
from scoring.models import AssessmentYear


class Command(BaseCommand):
    help = "生成年度考核报告（PDF）、考核结果工作簿（Excel）和通报（PDF），与下载的文件及文件名相同。"

    def add_arguments(self, parser):
        parser.add_argument("year", type=int, help="考核年度，如 2023")
        parser.add_argument(
            "--dir", metavar="DIR", default=".", help="输出目录（按下载文件名写入报告和工作簿），默认当前目录"
        )
        parser.add_argument("--pdf", metavar="FILE", help="只写年度考核报告 PDF，写到此文件")
        parser.add_argument("--xlsx", metavar="FILE", help="只写考核结果 Excel 工作簿，写到此文件")
        parser.add_argument("--notice", metavar="FILE", help="只写通报 PDF（已审定的年度），写到此文件")
        parser.add_argument("--account", metavar="FILE", help="只写考核小组年终考核情况 PDF，写到此文件")

    def handle(
        self,
        *args,
        year: int,
        dir: str,
        pdf: str | None,
        xlsx: str | None,
        notice: str | None,
        account: str | None,
        **options,
    ):

        try:
            obj = AssessmentYear.objects.select_related("scheme").get(year=year)
        except AssessmentYear.DoesNotExist:
            raise CommandError(f"没有 {year} 年度") from None
        if not pdf and not xlsx and not notice and not account:
            folder = Path(dir)
            if not folder.is_dir():
                raise CommandError(f"输出目录不存在：{folder}")
            pdf = str(folder / report_filename(obj, ReportBuild.Kind.YEAR_PDF))
            xlsx = str(folder / report_filename(obj, ReportBuild.Kind.YEAR_XLSX))
        if pdf:
            with open(pdf, "wb") as stream:
                stream.write(build_pdf(obj))
            self.stdout.write(f"已写入 {pdf}")
        if xlsx:
            with open(xlsx, "wb") as stream:
                build_xlsx(obj, stream)
            self.stdout.write(f"已写入 {xlsx}")
        if notice:
            try:
                data = notice_pdf(obj)
            except ValidationError as exc:
                raise CommandError("；".join(exc.messages)) from None
            with open(notice, "wb") as stream:
                stream.write(data)
            self.stdout.write(f"已写入 {notice}")
        if account:
            with open(account, "wb") as stream:
                stream.write(review_account_pdf(obj))
            self.stdout.write(f"已写入 {account}")
