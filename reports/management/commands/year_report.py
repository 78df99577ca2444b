"""manage.py year_report YEAR --pdf FILE --xlsx FILE --notice FILE: the same files as the reports page and the
通报 download."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from reports.notice import notice_pdf
from reports.pdf import build_pdf
from reports.xlsx import build_xlsx
from scoring.models import AssessmentYear


class Command(BaseCommand):
    help = "生成年度考核结果报告（PDF）、工作簿（Excel）和通报（PDF），与下载的文件相同。"

    def add_arguments(self, parser):
        parser.add_argument("year", type=int, help="考核年度，如 2023")
        parser.add_argument("--pdf", metavar="FILE", help="年度考核结果报告 PDF 的输出文件")
        parser.add_argument("--xlsx", metavar="FILE", help="年度考核结果 Excel 工作簿的输出文件")
        parser.add_argument("--notice", metavar="FILE", help="通报 PDF 的输出文件（已审定的年度）")

    def handle(self, *args, year: int, pdf: str | None, xlsx: str | None, notice: str | None, **options):

        if not pdf and not xlsx and not notice:
            raise CommandError("请至少指定 --pdf、--xlsx 或 --notice 之一")
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
        if notice:
            try:
                data = notice_pdf(obj)
            except ValidationError as exc:
                raise CommandError("；".join(exc.messages)) from None
            with open(notice, "wb") as stream:
                stream.write(data)
            self.stdout.write(f"已写入 {notice}")
