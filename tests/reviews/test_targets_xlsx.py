"""Excel import of target items (目标管理): the template, all or nothing with every bad row listed, the
per-department sum against the full score, the ledger import's limits, and who may import."""

import io
from decimal import Decimal
from urllib.parse import quote

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from openpyxl import Workbook, load_workbook

from departments.models import Department, Role
from kaohe.xlsx import SheetRowsError
from reviews.models import TargetRecord
from reviews.targets_xlsx import HEADERS, targets_import
from scoring.catalogue import catalogue_load
from scoring.models import AssessmentYear, Scheme, Target
from tests.conftest import year_in_phase
from tests.factories import DepartmentFactory, UserFactory, YearFactory

IMPORT = "/admin/scoring/target/import/"


@pytest.fixture
def year(db):
    """A county year in 进行中 with three departments and no targets yet."""
    catalogue_load()
    return YearFactory(
        year=2012, scheme=Scheme.objects.get(code="county-2011"), departments=["办公室", "组织部", "宣传部"]
    )


@pytest.fixture
def lead(db):
    return UserFactory(username="tlead", role=Role.REVIEW_LEAD, is_staff=True)


def _workbook(rows, *, title="目标项目", headers=HEADERS) -> io.BytesIO:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    out.seek(0)
    out.name = "目标项目.xlsx"
    return out


GOOD = [
    ["办公室", "BGS-1", "W", "全年信息宣传任务", 40],
    ["办公室", "BGS-2", "目标任务", "职工书屋建设", "35"],
    ["办公室", "BGS-3", "W 目标任务", "机关后勤保障", 25],
    ["组织部", "ZZB-1", "W", "基层工会组建", 60.5],
    ["组织部", "ZZB-2", "w", "农民工入会集中行动", "39.50"],
    ["宣传部", "XCB-1", "J", "宣传阵地管理", 100],
]


def _post(client, year, rows, **kwargs):
    return client.post(IMPORT, {"year": year.pk, "file": _workbook(rows, **kwargs)})


def test_import_creates_every_target_in_order(year, lead):
    before = AssessmentYear.objects.values_list("data_version", flat=True).get(pk=year.pk)
    client = Client()
    client.force_login(lead)

    response = _post(client, year, GOOD)

    assert response.status_code == 302
    assert response["Location"] == f"/admin/scoring/target/?year__id__exact={year.pk}"
    rows = list(
        Target.objects.filter(year=year)
        .order_by("order")
        .values_list("department__name", "code", "category__code", "name", "points", "order")
    )
    assert rows == [
        ("办公室", "BGS-1", "W", "全年信息宣传任务", Decimal("40.00"), 1),
        ("办公室", "BGS-2", "W", "职工书屋建设", Decimal("35.00"), 2),
        ("办公室", "BGS-3", "W", "机关后勤保障", Decimal("25.00"), 3),
        ("组织部", "ZZB-1", "W", "基层工会组建", Decimal("60.50"), 4),
        ("组织部", "ZZB-2", "W", "农民工入会集中行动", Decimal("39.50"), 5),
        ("宣传部", "XCB-1", "J", "宣传阵地管理", Decimal("100.00"), 6),
    ]
    assert AssessmentYear.objects.values_list("data_version", flat=True).get(pk=year.pk) != before
    page = client.get(response["Location"])
    assert [str(m) for m in page.context["messages"]] == ["已导入 6 个目标项目。"]
    assert page.context["allotment_problems"] == []


def test_import_of_a_bad_file_imports_nothing_and_lists_every_bad_row(year, lead):
    Target.objects.create(
        year=year,
        department=year.year_departments.get(department__name="宣传部").department,
        category=year.scheme.categories.get(code="W"),
        code="XCB-1",
        name="已录入",
        points=Decimal("30"),
    )
    rows = [
        ["办公室", "BGS-1", "W", "全年信息宣传任务", 40],  # 2: fine, but 办公室 sums to 70
        ["工会", "GH-1", "W", "x", 10],  # 3
        ["办公室", "BGS-2", "X", "x", 10],  # 4
        ["办公室", "BGS-3", "V", "x", 10],  # 5: veto-only category
        ["办公室", "BGS-1", "W", "x", 10],  # 6: duplicate in the file
        ["宣传部", "XCB-1", "W", "x", 70],  # 7: taken in the year
        ["组织部", "ZZB-1", "W", "x", 0],  # 8
        ["组织部", "ZZB-2", "W", "x", "33.333"],  # 9
        ["组织部", "ZZB-3", "W", "x", "很多"],  # 10
        [None, None, None, None, None],  # an empty row is skipped
        ["组织部", "", "W", "", 5],  # 12
    ]
    client = Client()
    client.force_login(lead)

    response = _post(client, year, rows)

    assert response.status_code == 200
    assert response.context["errors"] == [
        (2, "办公室目标项目应得分合计 70，须等于满分 100（本文件第 2、4、5、6 行）"),
        (3, "部室“工会”未参加2012年度"),
        (4, "未知类别“X”（应为 W 目标任务、J 机关管理、B 加分项目）"),
        (5, "类别“V 否决项目”只有否决项目，不能设立目标项目"),
        (6, "目标代码“BGS-1”与第 2 行重复"),
        (7, "目标代码“XCB-1”在2012年度已使用"),  # 宣传部: 30 entered + 70 = 100, no sum error
        (8, "应得分须大于 0"),
        (8, "组织部目标项目应得分合计 38.333，须等于满分 100（本文件第 8、9、12 行）"),
        (9, "应得分最多两位小数"),
        (10, "应得分“很多”不是数字"),
        (12, "须填写目标代码；须填写目标项目名称"),
    ]
    assert Target.objects.filter(year=year).count() == 1
    html = response.content.decode()
    assert "以下各行有误，未导入任何目标项目" in html and "导入失败：11 处错误" in html


def test_import_reports_a_department_whose_entered_and_imported_targets_exceed_the_full_score(year, lead):
    Target.objects.create(
        year=year,
        department=year.year_departments.get(department__name="办公室").department,
        category=year.scheme.categories.get(code="W"),
        code="BGS-0",
        name="已录入",
        points=Decimal("100"),
    )

    with pytest.raises(SheetRowsError) as exc:
        targets_import(year=year, data=_workbook([["办公室", "BGS-1", "W", "新增", 5]]).getvalue(), user=lead)

    assert exc.value.errors == [
        (2, "办公室目标项目应得分合计 105，须等于满分 100（本文件第 2 行，另有已录入的目标项目 100 分）")
    ]


@pytest.mark.parametrize(
    ("rows", "kwargs", "errors"),
    [
        ([], {"headers": ["部室", "代码"]}, [(1, "表头须为：部室、目标代码、类别、目标项目、应得分")]),
        ([], {}, [(2, "文件中没有目标项目")]),
        (
            [["办公室", "BGS-1", "W", "x", "=40+60"]],
            {},
            [(2, "“应得分”列是没有计算结果的公式 =40+60，请在 Excel 中重新计算后保存，或粘贴为数值")],
        ),
    ],
)  # fmt: skip
def test_import_refuses_a_file_whole(year, lead, rows, kwargs, errors):
    with pytest.raises(SheetRowsError) as exc:
        targets_import(year=year, data=_workbook(rows, **kwargs).getvalue(), user=lead)

    assert exc.value.errors == errors
    assert Target.objects.filter(year=year).count() == 0


def test_import_stays_within_the_ledger_imports_limits(year, lead, settings):
    settings.KAOHE_IMPORT_MAX_ROWS = 2
    with pytest.raises(SheetRowsError) as rows:
        targets_import(year=year, data=_workbook(GOOD[:3]).getvalue(), user=lead)
    settings.KAOHE_IMPORT_MAX_BYTES = 1 << 20
    with pytest.raises(SheetRowsError) as size:
        targets_import(year=year, data=b"x" * ((1 << 20) + 1), user=lead)
    with pytest.raises(SheetRowsError) as garbage:
        targets_import(year=year, data=b"not a workbook", user=lead)

    assert rows.value.errors == [(4, "文件超过 2 行记录，请分批导入。")]
    assert size.value.errors == [(0, "文件超过 1 MB，请分批导入。")]
    assert garbage.value.errors == [(0, "文件不是有效的 Excel 工作簿（.xlsx）。")]


def test_import_into_a_frozen_year_is_refused(year, lead):
    year_in_phase(year, AssessmentYear.Phase.APPROVED)

    with pytest.raises(ValidationError, match="已审定"):
        targets_import(year=year, data=_workbook(GOOD).getvalue(), user=lead)
    assert Target.objects.filter(year=year).count() == 0


def test_only_who_may_enter_targets_may_import(year, lead):
    reviewer = UserFactory(
        username="treviewer", role=Role.REVIEWER, role__department=DepartmentFactory(name="组织部"), is_staff=True
    )
    head = UserFactory(username="thead", role=Role.DEPARTMENT_HEAD, role__department=DepartmentFactory(name="办公室"))
    admin = UserFactory(username="tadmin", is_staff=True, is_superuser=True)
    answers = {}
    for user in (reviewer, head, lead, admin):
        client = Client()
        client.force_login(user)
        answers[user.username] = (client.get(IMPORT).status_code, _post(client, year, GOOD).status_code)
    anonymous = Client().get(IMPORT)

    assert answers == {"treviewer": (403, 403), "thead": (403, 403), "tlead": (200, 302), "tadmin": (200, 200)}
    assert (anonymous.status_code, anonymous["Location"]) == (302, f"/admin/login/?next={IMPORT}")
    # The lead's import went in; the administrator's second one found every code taken.
    assert Target.objects.filter(year=year).count() == 6
    with pytest.raises(PermissionDenied):
        targets_import(year=year, data=_workbook(GOOD).getvalue(), user=reviewer)


def test_template_lists_the_years_departments_and_categories(year, lead):
    DepartmentFactory(name='=HYPERLINK("x")')
    year.year_departments.create(department=Department.objects.get(name='=HYPERLINK("x")'), headcount=1, order=4)
    client = Client()
    client.force_login(lead)

    response = client.get(f"/admin/scoring/target/import/template/{year.pk}/")

    assert response.status_code == 200
    assert response["Content-Disposition"] == "attachment; filename*=utf-8''" + quote(
        f"{year.year}年度目标项目导入模板.xlsx"
    )
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["目标项目", "示例", "部室和类别", "填写说明"]
    assert [c.value for c in workbook["目标项目"][1]] == HEADERS
    assert workbook["目标项目"].max_row == 1
    lists = [tuple(c.value for c in row) for row in workbook["部室和类别"].iter_rows(min_row=2)]
    assert lists == [
        ("办公室", None, "W", "目标任务"),
        ("组织部", None, "J", "机关管理"),
        ("宣传部", None, "B", "加分项目"),
        ('=HYPERLINK("x")', None, None, None),
    ]
    guarded = workbook["部室和类别"]["A5"]
    assert (guarded.data_type, guarded.quotePrefix) == ("s", True)
    sample = [tuple(c.value for c in row) for row in workbook["示例"].iter_rows(min_row=2)]
    assert sample == [("办公室", "BGS-1", "W", "全年信息宣传任务", 40), ("办公室", "BGS-2", "W", "职工书屋建设", 60)]


def test_the_filled_in_sample_imports(year, lead):
    client = Client()
    client.force_login(lead)
    template = load_workbook(io.BytesIO(client.get(f"/admin/scoring/target/import/template/{year.pk}/").content))
    sheet = template["目标项目"]
    for row in template["示例"].iter_rows(min_row=2, values_only=True):
        sheet.append(row)
    for name, code in (("组织部", "ZZB-1"), ("宣传部", "XCB-1")):
        sheet.append([name, code, "W", "全年工作", 100])
    out = io.BytesIO()
    template.save(out)

    created = targets_import(year=year, data=out.getvalue(), user=lead)

    assert [t.code for t in created] == ["BGS-1", "BGS-2", "ZZB-1", "XCB-1"]
    assert TargetRecord.objects.count() == 0
