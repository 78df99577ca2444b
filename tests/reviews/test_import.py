"""Excel import of the ledger: all or nothing, every bad row reported with its number; template and export."""

import datetime
import io
from urllib.parse import quote

from django.contrib.admin import helpers
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from departments.models import Department
from reviews.ledger_xlsx import HEADERS
from reviews.models import LedgerRecord, RecordDepartment


def _workbook(rows) -> io.BytesIO:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "台帐"
    sheet.append(HEADERS)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    out.seek(0)
    out.name = "台帐.xlsx"
    return out


def _import(client, demo_year, rows):
    return client.post(reverse("admin:reviews_ledgerrecord_import"), {"year": demo_year.pk, "file": _workbook(rows)})


D = datetime.date(2023, 4, 1)


def test_import_good_file_creates_every_row(client, cast, demo_year):
    client.force_login(cast["reviewer_bgs"])
    before = LedgerRecord.objects.count()

    response = _import(
        client,
        demo_year,
        [
            [D, "女职工部", "S2", 2, None, None, "否", None, "例会迟到"],
            [D, "女职工部、经济工作部", "B1", 1, "省总", None, None, None, "共同获表彰"],
            ["2023-05-06", "办公室", "I1", 1, None, None, "是", "会议延期，非部室原因", None],
        ],
    )

    assert response.status_code == 302
    assert LedgerRecord.objects.count() == before + 3
    own = LedgerRecord.objects.get(rule__code="I1", description="", reason="会议延期，非部室原因")
    assert (own.exempt, own.status, own.recorded_by) == (True, LedgerRecord.Status.PENDING, cast["reviewer_bgs"])


def test_import_bad_file_imports_nothing_and_reports_every_bad_row(client, cast, demo_year):
    client.force_login(cast["reviewer_bgs"])
    before = LedgerRecord.objects.count()

    response = _import(
        client,
        demo_year,
        [
            [D, "女职工部", "S2", 1, None, None, None, None, None],  # row 2: good
            [D, "不存在部", "S2", 1, None, None, None, None, None],  # row 3
            [D, "女职工部", "T1", 1, None, None, None, None, None],  # row 4: not 办公室's rule
            ["昨天", "女职工部", "S1", 1, None, None, None, None, None],  # row 5
            [D, "女职工部", "S1", "两", None, None, None, None, None],  # row 6
            [D, "女职工部", "S1", 1, None, None, "是", None, None],  # row 7: exempt without reason
            [D, "女职工部、经济工作部", "S1", 1, None, None, None, None, None],  # row 8
            [D, "女职工部", "B1", 1, None, None, None, None, None],  # row 9: no level
            [D, "女职工部", "ZZ9", 1, None, None, None, None, None],  # row 10
            [datetime.date(2022, 1, 5), "女职工部", "S1", 1, None, None, None, None, None],  # row 11
        ],
    )

    assert response.status_code == 200
    assert LedgerRecord.objects.count() == before
    errors = {e.row: e.message for e in response.context["errors"]}
    assert sorted(errors) == [3, 4, 5, 6, 7, 8, 9, 10, 11]
    assert errors[3] == "未知部室：不存在部"
    assert errors[4] == "您无权录入 T1（负责录入：组织部）"
    assert errors[5] == "日期“昨天”无效，应为 YYYY-MM-DD"
    assert errors[6] == "数量“两”须为正整数"
    assert errors[7] == "免于扣分须填写理由"
    assert errors[8] == "S1 不是加分项目，只能针对一个部室"
    assert errors[9] == "B1 为加分项目，须选择级别（全总/省总/市总）"
    assert errors[10] == "未知项目代码“ZZ9”"
    assert errors[11] == "日期 2022-01-05 不在 2023 年度内"
    assert "未导入任何记录" in response.content.decode()


def test_import_refuses_annual_item_twice_in_file(client, cast, demo_year):
    LedgerRecord.objects.filter(rule__code="G2").delete()
    client.force_login(cast["reviewer_xjdys"])

    response = _import(
        client,
        demo_year,
        [
            [D, "女职工部", "G2", 1, None, None, None, None, None],
            [D, "女职工部", "G2", 1, None, None, None, None, None],
        ],
    )

    assert {e.row: e.message for e in response.context["errors"]} == {3: "G2 为年度项目，女职工部在本文件中出现多次"}
    assert LedgerRecord.objects.filter(rule__code="G2").count() == 0


def test_import_refuses_wrong_headers_and_non_excel(client, cast, demo_year):
    client.force_login(cast["lead"])
    before = LedgerRecord.objects.count()
    junk = io.BytesIO(b"not a workbook")
    junk.name = "x.xlsx"

    bad_file = client.post(reverse("admin:reviews_ledgerrecord_import"), {"year": demo_year.pk, "file": junk})

    assert [e.message for e in bad_file.context["errors"]] == ["文件不是有效的 Excel 工作簿（.xlsx）。"]
    assert LedgerRecord.objects.count() == before


def test_import_template_download_has_headers_and_rule_sheet(client, cast, demo_year):
    client.force_login(cast["reviewer_zzb"])

    response = client.get(reverse("admin:reviews_ledgerrecord_template", args=[demo_year.pk]))

    assert response.status_code == 200
    assert response["Content-Disposition"] == "attachment; filename*=utf-8''" + quote("2023年度台帐导入模板.xlsx")
    workbook = load_workbook(io.BytesIO(response.content))
    assert [c.value for c in workbook["台帐"][1]] == HEADERS
    codes = [row[0] for row in workbook["项目代码说明"].iter_rows(min_row=2, values_only=True)]
    assert codes[:4] == ["T1", "T2", "T3", "T4"]
    assert len(codes) == 27


def test_export_filtered_changelist(client, cast, demo_year):
    client.force_login(cast["reviewer_mgfgb"])
    expected = LedgerRecord.objects.filter(rule__code="B1").count()

    response = client.get(reverse("admin:reviews_ledgerrecord_export") + "?q=B1")

    assert response["Content-Disposition"] == "attachment; filename*=utf-8''" + quote("2023年度考核台帐.xlsx")
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["说明", "台帐"]
    rows = list(workbook["台帐"].iter_rows(min_row=2, values_only=True))
    assert len(rows) == expected
    assert {row[2] for row in rows} == {"B1"}


def _export_selected(client, records):
    with CaptureQueriesContext(connection) as queries:
        response = client.post(
            reverse("admin:reviews_ledgerrecord_changelist"),
            {"action": "export_xlsx", helpers.ACTION_CHECKBOX_NAME: [r.pk for r in records]},
        )
    rows = list(load_workbook(io.BytesIO(response.content))["台帐"].iter_rows(min_row=2, values_only=True))
    return rows, len(queries)


def test_export_action_lists_each_records_departments_in_a_constant_number_of_queries(client, cast, demo_year):
    # The action's queryset is the changelist's: the admin's prefetch of links and departments.
    client.force_login(cast["reviewer_bgs"])
    records = list(LedgerRecord.objects.filter(year=demo_year).order_by("-date", "-pk"))
    shared = [r for r in records if r.record_departments.count() > 1]
    assert shared, "the demo year has a record shared by several departments"
    links = RecordDepartment.objects.order_by("pk")
    expected = {r.pk: "、".join(links.filter(record=r).values_list("department__name", flat=True)) for r in records}

    _export_selected(client, records[:1])  # the first request of the session reads what later ones keep
    few_rows, few_queries = _export_selected(client, records[:2])
    rows, queries = _export_selected(client, records)

    assert len(few_rows) == 2 and len(rows) == len(records)
    assert sorted(row[1] for row in rows) == sorted(expected.values())
    assert queries == few_queries


def test_import_refused_for_department_head(client, cast, demo_year):
    client.force_login(cast["head_bgs"])

    response = _import(client, demo_year, [[D, "女职工部", "S2", 1, None, None, None, None, None]])

    assert response.status_code == 302
    assert not LedgerRecord.objects.filter(description="例会迟到").exists()


def test_import_refuses_a_department_outside_the_year_and_a_points_value_that_is_not_a_number(client, cast, demo_year):
    Department.objects.create(name="未参加部", order=99)
    client.force_login(cast["lead"])
    before = LedgerRecord.objects.count()

    response = _import(
        client,
        demo_year,
        [
            [D, "未参加部", "S2", 1, None, None, None, None, None],  # row 2
            [D, "女职工部", "T3", 1, None, "NaN", None, "延迟", None],  # row 3
            [D, "女职工部", "S2", 1, None, None, None, None, None],  # row 4: good
        ],
    )

    assert response.status_code == 200
    assert LedgerRecord.objects.count() == before
    errors = {e.row: e.message for e in response.context["errors"]}
    assert errors == {2: "未参加部未参加本年度考核", 3: "分值须为数字"}


def test_import_refuses_a_formula_without_a_computed_value(client, cast, demo_year):
    # openpyxl, like any program but a spreadsheet, writes formulas without their results.
    client.force_login(cast["reviewer_bgs"])
    before = LedgerRecord.objects.count()

    response = _import(client, demo_year, [[D, "女职工部", "S2", "=1+1", None, None, None, None, None]])

    assert response.status_code == 200
    assert LedgerRecord.objects.count() == before
    assert [(e.row, e.message) for e in response.context["errors"]] == [
        (2, "“数量”列是没有计算结果的公式 =1+1，请在 Excel 中重新计算后保存，或粘贴为数值")
    ]


def test_import_refuses_more_rows_than_the_limit_whole(client, cast, demo_year, settings):
    settings.KAOHE_IMPORT_MAX_ROWS = 3
    client.force_login(cast["reviewer_bgs"])
    before = LedgerRecord.objects.count()

    response = _import(client, demo_year, [[D, "女职工部", "S2", 1, None, None, None, None, None]] * 4)

    assert response.status_code == 200
    assert LedgerRecord.objects.count() == before
    assert [(e.row, e.message) for e in response.context["errors"]] == [(5, "文件超过 3 行记录，请分批导入。")]


def test_import_refuses_a_file_over_the_size_limit_before_reading_it(client, cast, demo_year, settings):
    settings.KAOHE_IMPORT_MAX_BYTES = 1024 * 1024
    client.force_login(cast["reviewer_bgs"])
    big = io.BytesIO(b"PK" + b"\0" * (1024 * 1024))
    big.name = "台帐.xlsx"

    response = client.post(reverse("admin:reviews_ledgerrecord_import"), {"year": demo_year.pk, "file": big})

    assert response.status_code == 200
    assert response.context["form"].errors["file"] == ["文件超过 1 MB，请分批导入。"]


def _template(client, year) -> io.BytesIO:
    data = io.BytesIO(client.get(reverse("admin:reviews_ledgerrecord_template", args=[year.pk])).content)
    data.name = "台帐导入模板.xlsx"
    return data


def test_template_as_downloaded_imports_nothing(client, cast, demo_year):
    client.force_login(cast["lead"])
    before = LedgerRecord.objects.count()

    response = client.post(
        reverse("admin:reviews_ledgerrecord_import"), {"year": demo_year.pk, "file": _template(client, demo_year)}
    )

    assert [(e.row, e.message) for e in response.context["errors"]] == [(2, "文件中没有台帐记录")]
    assert LedgerRecord.objects.count() == before


def test_template_filled_in_imports_only_the_rows_written(client, cast, demo_year):
    client.force_login(cast["lead"])
    template = load_workbook(_template(client, demo_year))
    template["台帐"].append([D, "女职工部", "S1", 1, "", "", "否", "", "例会缺席"])
    filled = io.BytesIO()
    template.save(filled)
    filled.seek(0)
    filled.name = "台帐.xlsx"
    before = LedgerRecord.objects.count()

    response = client.post(reverse("admin:reviews_ledgerrecord_import"), {"year": demo_year.pk, "file": filled})

    assert response.status_code == 302
    assert list(LedgerRecord.objects.order_by("-pk").values_list("rule__code", "description")[:1]) == [
        ("S1", "例会缺席")
    ]
    assert LedgerRecord.objects.count() == before + 1
