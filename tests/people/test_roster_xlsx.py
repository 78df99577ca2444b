"""The roster's Excel exchange: a bad workbook refused whole with its row numbers, a good one imported row by row,
the export imported back unchanged, the template's drop-down lists."""

import io

import pytest
from openpyxl import load_workbook

from kaohe.xlsx import SheetRowsError
from people.models import Person
from people.xlsx import HEADERS, roster_export, roster_import, roster_template
from tests.people.conftest import workbook_bytes

FIELDS = ("name", "department__name", "position", "phone", "email", "is_active", "username", "account_role")


def _people():
    return list(Person.objects.order_by("department__order", "order", "id").values_list(*FIELDS))


GOOD = [
    ("张明", "办公室", "主任", "0571-88001234", "zhangming@example.org", "是", "zhangming", "部室负责人"),
    ("李华", "办公室", "科员", 13800000001, "", "", "", ""),
    ("王芳", "组织部", "副部长", "", "wangfang@example.org", "否", "wangfang", "考核小组成员"),
]


def test_roster_import_good_workbook_imports_every_row(departments):
    imported = roster_import(workbook_bytes(*GOOD))

    assert (imported.added, imported.updated) == (3, 0)
    assert _people() == [
        ("张明", "办公室", "主任", "0571-88001234", "zhangming@example.org", True, "zhangming", "head"),
        ("李华", "办公室", "科员", "13800000001", "", True, "", ""),
        ("王芳", "组织部", "副部长", "", "wangfang@example.org", False, "wangfang", "reviewer"),
    ]


def test_roster_import_refuses_bad_workbook_whole_with_row_numbers(departments):
    Person.objects.create(name="赵强", department=departments["组织部"], username="zhaoqiang")
    data = workbook_bytes(
        ("张明", "办公室", "主任", "", "", "是", "", ""),
        ("", "办公室", "科长助理", "电话号", "not-an-email", "也许", "bad name!", "组长"),
        ("张明", "办公室", "", "", "", "", "", ""),
        ("钱七", "宣传部", "", "", "", "", "", ""),
        ("孙八", "旧科室", "", "", "", "", "zhaoqiang", ""),
    )

    with pytest.raises(SheetRowsError) as raised:
        roster_import(data)

    assert raised.value.errors == [
        (
            3,
            "未填写姓名；"
            "职务“科长助理”无效，应为 部长 / 副部长 / 主任 / 副主任 / 调研员 / 主任科员 / "
            "副主任科员 / 科员 / 办事员 / 工勤人员 / 其他；"
            "电话“电话号”无效，只能含数字、空格和 + - ( )；"
            "电子邮箱“not-an-email”无效；"
            "在职“也许”应为 是 或 否；"
            "登录名“bad name!”无效，只能含字母、数字和 @/./+/-/_；"
            "账号角色“组长”无效，应为 部室负责人 / 考核小组成员 / 考核小组组长 / 分管副主席 / 主席/党组",
        ),
        (4, "办公室的张明与第 2 行重复"),
        (5, "未知部室“宣传部”"),
        (6, "登录名 zhaoqiang 已由名册中的其他人员使用"),
    ]
    assert _people() == [("赵强", "组织部", "", "", "", True, "zhaoqiang", "")]


def test_roster_import_refuses_a_login_name_held_by_another_person(departments):
    Person.objects.create(name="赵强", department=departments["组织部"], username="zhaoqiang")

    with pytest.raises(SheetRowsError) as raised:
        roster_import(workbook_bytes(("张明", "办公室", "", "", "", "", "zhaoqiang", "")))

    assert raised.value.errors == [(2, "登录名 zhaoqiang 已由名册中的其他人员使用")]
    assert Person.objects.count() == 1


def test_roster_import_refuses_wrong_headers_and_empty_file(departments):
    with pytest.raises(SheetRowsError) as wrong:
        roster_import(workbook_bytes(("张明", "办公室"), headers=["姓名", "部门"]))
    with pytest.raises(SheetRowsError) as empty:
        roster_import(workbook_bytes())

    assert wrong.value.errors == [(1, f"表头须为：{'、'.join(HEADERS)}")]
    assert empty.value.errors == [(2, "文件中没有人员")]


def test_roster_import_refuses_more_rows_than_allowed(departments, settings):
    settings.KAOHE_IMPORT_MAX_ROWS = 2
    rows = [(f"人员{i}", "办公室", "", "", "", "", "", "") for i in range(3)]

    with pytest.raises(SheetRowsError) as raised:
        roster_import(workbook_bytes(*rows))

    assert raised.value.errors == [(4, "文件超过 2 行记录，请分批导入。")]
    assert Person.objects.count() == 0


def test_roster_import_updates_people_of_same_department_and_name(departments):
    roster_import(workbook_bytes(*GOOD))

    imported = roster_import(workbook_bytes(("李华", "办公室", "副主任", "", "lihua@example.org", "否", "lihua", "")))

    assert (imported.added, imported.updated) == (0, 1)
    assert Person.objects.get(name="李华").is_active is False
    assert [p[0] for p in _people()] == ["张明", "李华", "王芳"]
    assert Person.objects.values_list("name", "username").get(name="李华") == ("李华", "lihua")


def test_roster_export_imports_back_unchanged(departments):
    roster_import(workbook_bytes(*GOOD, ("孙八", "旧科室", "其他", "", "", "否", "", "")))
    before = _people()
    exported = roster_export()

    Person.objects.all().delete()
    imported = roster_import(exported)

    assert (imported.added, imported.updated) == (4, 0)
    assert _people() == before
    assert before[-1] == ("孙八", "旧科室", "其他", "", "", False, "", "")
    again = roster_import(roster_export())
    assert (again.added, again.updated) == (0, 4)
    assert _people() == before


def test_roster_export_guards_formula_text(departments):
    Person.objects.create(name="=HYPERLINK(1)", department=departments["办公室"])

    sheet = load_workbook(io.BytesIO(roster_export()))["名册"]

    assert (sheet["A2"].value, sheet["A2"].data_type, sheet["A2"].quotePrefix) == ("=HYPERLINK(1)", "s", True)


def test_roster_template_has_drop_down_lists(departments, settings):
    settings.KAOHE_IMPORT_MAX_ROWS = 500
    workbook = load_workbook(io.BytesIO(roster_template()))
    sheet = workbook["名册"]

    assert workbook.sheetnames == ["名册", "选项", "说明"]
    assert workbook["选项"].sheet_state == "hidden"
    assert [c.value for c in sheet[1]] == HEADERS
    assert sheet.max_row == 1
    assert sorted((str(v.sqref), v.formula1) for v in sheet.data_validations.dataValidation) == [
        ("B2:B501", "'选项'!$A$2:$A$3"),
        ("C2:C501", "'选项'!$B$2:$B$12"),
        ("F2:F501", "'选项'!$C$2:$C$3"),
        ("H2:H501", "'选项'!$D$2:$D$6"),
    ]
    options = workbook["选项"]
    assert [options.cell(row=r, column=1).value for r in range(1, 4)] == ["部室", "办公室", "组织部"]
    assert [options.cell(row=r, column=4).value for r in range(2, 7)] == [
        "部室负责人",
        "考核小组成员",
        "考核小组组长",
        "分管副主席",
        "主席/党组",
    ]
