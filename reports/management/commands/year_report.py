"""manage.py year_report YEAR --pdf FILE --xlsx FILE: the same files as the reports page."""

from django.core.management.base import BaseCommand, CommandError

from reports.pdf import build_pdf
from reports.xlsx import build_xlsx
from scoring.models import AssessmentYear


class Command(BaseCommand):
    help = "生成年度考核结果报告（PDF）和工作簿（Excel），与报告下载页面的文件相同。"

    def add_arguments(self, parser):
        parser.add_argument("year", type=int, help="考核年度，如 2023")
        parser.add_argument("--pdf", metavar="FILE", help="年度考核结果报告 PDF 的输出文件")
        parser.add_argument("--xlsx", metavar="FILE", help="年度考核结果 Excel 工作簿的输出文件")

    def handle(self, *args, year: int, pdf: str | None, xlsx: str | None, **options):

        if not pdf and not xlsx:
            raise CommandError("请至少指定 --pdf 或 --xlsx 之一")
        try:
            obj = AssessmentYear.objects.select_related("scheme").get(year=year)
        except AssessmentYear.DoesNotExist:
            raise CommandError(f"没有 {year} 年度") from None
        if pdf:
            with open(pdf, "wb") as stream:
                stream.write(build_pdf(obj))
            self.stdout.write(f"已写入 {pdf}")
        if xlsx:
            with open(xlsx, "wb") as stream:
                build_xlsx(obj, stream)
            self.stdout.write(f"已写入 {xlsx}")
