"""The scheme designer (admin: 考核方案): a whole scheme — categories, rules, bonus levels — on one page, in one
save; read-only once an approved year uses it; copied for a new year through a page asking its code and name."""

from decimal import Decimal

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.exceptions import ValidationError
from django.urls import reverse

from departments.models import Department
from ops.demo import DEMO_PASSWORD
from results.cache import year_result
from scoring import admin as scoring_admin
from scoring.admin import levels_format, levels_parse
from scoring.cases import scheme_parse
from scoring.catalogue import scheme_copy, spec_from_db
from scoring.models import AssessmentYear, Rule, RuleCategory, RuleLevel, Scheme
from tests.admin_forms import change_page_post
from tests.browser import BROWSER_MARKS, SHOTS, chromium
from tests.conftest import year_in_phase

ADD = reverse("admin:scoring_scheme_add")
BAD_LEVEL = "写法有误：每个级别写成“名称=分值”或“代码:名称=分值”，级别之间用分号“；”隔开。"
IN_USE = "已有记录使用，不能删除或更改代码；可以修改其名称和分值。"
NO_LEVELS = "加分项目须至少设定一个加分级别，如：全总=10；省总=8；市总=5。"
CHANGELIST = reverse("admin:scoring_scheme_changelist")


def _change(scheme) -> str:
    return reverse("admin:scoring_scheme_change", args=[scheme.pk])


def _rows(prefix: str, rows: list[dict], initial: int = 0) -> dict:
    data = {
        f"{prefix}-TOTAL_FORMS": str(len(rows)),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }
    for i, row in enumerate(rows):
        data.update({f"{prefix}-{i}-{name}": value for name, value in row.items()})
    return data


def _county_post(office: Department, **changes) -> dict:
    """A whole new scheme in one POST: two categories with caps, a deduction, a discretionary rule, a bonus with
    two levels and a veto. `changes` replace single values, e.g. `**{"rules-0-points": ""}`."""

    categories = [
        {"code": "J", "name": "基础工作", "cap": "20", "bonus_cap": "", "order": "1"},
        {"code": "B", "name": "加分项目", "cap": "", "bonus_cap": "5", "order": "2"},
    ]
    rules = [
        {
            "code": "J1",
            "category_code": "J",
            "kind": "deduction",
            "order": "1",
            "text": "未按时报送材料",
            "unit": "每次",
            "points": "2",
            "recorder_offices": [str(office.pk)],
            "recorder_label": "办公室",
        },
        {
            "code": "J2",
            "category_code": "J",
            "kind": "discretionary",
            "order": "2",
            "text": "工作质量不高，酌情扣分",
            "unit": "每项",
            "max_points": "3",
            "reason_required": "on",
        },
        {
            "code": "B1",
            "category_code": "B",
            "kind": "bonus",
            "order": "1",
            "text": "工作获上级表彰",
            "unit": "每项",
            "levels_text": "national:全国=10；省级=6.5",
            "halve_when_shared": "on",
        },
        {"code": "V1", "category_code": "J", "kind": "veto", "order": "3", "text": "发生重大责任事故"},
    ]
    data = {
        "code": "county-2024",
        "name": "2024年县总工会各部办目标管理考核实施办法",
        "regulation_title": "县总工会各部办目标管理考核实施办法",
        "description": "",
        "full_score": "100",
        **_rows("categories", categories),
        **_rows("rules", rules),
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


# The same scheme as an inline scheme document (docs/scoring.md §7).
COUNTY_DOCUMENT = {
    "code": "county-2024",
    "name": "2024年县总工会各部办目标管理考核实施办法",
    "full_score": "100",
    "level_names": {"national": "全国", "省级": "省级"},
    "categories": [
        {"code": "J", "name": "基础工作", "cap": "20"},
        {"code": "B", "name": "加分项目", "bonus_cap": "5"},
    ],
    "rules": [
        {"code": "J1", "category": "J", "kind": "deduction", "text": "未按时报送材料", "points": "2"},
        {
            "code": "J2",
            "category": "J",
            "kind": "discretionary",
            "text": "工作质量不高，酌情扣分",
            "max_points": "3",
            "reason_required": True,
        },
        {"code": "V1", "category": "J", "kind": "veto", "text": "发生重大责任事故"},
        {
            "code": "B1",
            "category": "B",
            "kind": "bonus",
            "text": "工作获上级表彰",
            "levels": {"national": "10", "省级": "6.5"},
            "halve_when_shared": True,
        },
    ],
}


@pytest.fixture
def admin_client(client, cast):
    client.force_login(cast["admin"])
    return client


@pytest.fixture
def office(demo_year):
    return Department.objects.get(name="办公室")


def _inline_errors(response, model) -> list[dict]:
    [formset] = [f.formset for f in response.context["inline_admin_formsets"] if f.opts.model is model]
    return [form.errors for form in formset.forms]


def _nothing_saved() -> bool:
    return (
        not Scheme.objects.filter(code="county-2024").exists()
        and not RuleCategory.objects.filter(scheme__code="county-2024").exists()
    )


def test_a_whole_new_scheme_is_made_in_one_save(admin_client, office):
    response = admin_client.post(ADD, _county_post(office))

    assert response.status_code == 302, response.context and response.context["errors"]
    scheme = Scheme.objects.get(code="county-2024")
    assert response["Location"] == CHANGELIST
    assert (scheme.name, scheme.regulation_title, scheme.description, scheme.full_score) == (
        "2024年县总工会各部办目标管理考核实施办法",
        "县总工会各部办目标管理考核实施办法",
        "",
        Decimal("100.00"),
    )
    assert list(scheme.categories.values_list("code", "name", "cap", "bonus_cap", "order")) == [
        ("J", "基础工作", Decimal("20.00"), None, 1),
        ("B", "加分项目", None, Decimal("5.00"), 2),
    ]
    fields = [
        "code",
        "category__code",
        "category__scheme__code",
        "kind",
        "text",
        "unit",
        "points",
        "max_points",
        "annual",
        "halve_when_shared",
        "reason_required",
        "recorder_label",
        "order",
    ]
    assert list(Rule.objects.filter(scheme=scheme).order_by("code").values_list(*fields)) == [
        ("B1", "B", "county-2024", "bonus", "工作获上级表彰", "每项", None, None, False, True, False, "", 1),
        ("J1", "J", "county-2024", "deduction", "未按时报送材料", "每次", Decimal("2.00"), None, False, False, False,
         "办公室", 1),
        ("J2", "J", "county-2024", "discretionary", "工作质量不高，酌情扣分", "每项", None, Decimal("3.00"), False,
         False, True, "", 2),
        ("V1", "J", "county-2024", "veto", "发生重大责任事故", "", None, None, False, False, False, "", 3),
    ]  # fmt: skip
    levels = RuleLevel.objects.filter(rule__scheme=scheme)
    assert list(levels.values_list("rule__code", "code", "name", "points", "order")) == [
        ("B1", "national", "全国", Decimal("10.00"), 1),
        ("B1", "省级", "省级", Decimal("6.50"), 2),
    ]
    offices = {rule.code: [d.name for d in rule.recorder_offices.all()] for rule in scheme.rules.all()}
    assert offices == {"J1": ["办公室"], "J2": [], "B1": [], "V1": []}


def test_a_designed_scheme_scores_as_its_inline_document(admin_client, office):
    admin_client.post(ADD, _county_post(office))

    assert spec_from_db(Scheme.objects.get(code="county-2024")) == scheme_parse(COUNTY_DOCUMENT)


def test_the_rule_rows_of_a_new_scheme_offer_no_other_schemes_categories(admin_client):
    page = admin_client.get(ADD)

    [rules] = [f.formset for f in page.context["inline_admin_formsets"] if f.opts.model is Rule]
    assert rules.empty_form.fields["category_code"].choices == [("", "---------")]
    assert "category" not in rules.empty_form.fields


def test_the_rule_rows_offer_the_categories_the_page_submits(admin_client, office):
    response = admin_client.post(ADD, _county_post(office, **{"rules-3-category_code": "T"}))

    assert _inline_errors(response, Rule)[3] == {
        "category_code": ["类别“T”不在本方案的考核类别中：请从上方“考核类别”中选择，或先添加该类别。"]
    }
    [rules] = [f.formset for f in response.context["inline_admin_formsets"] if f.opts.model is Rule]
    offered = [("", "---------"), ("J", "J 基础工作"), ("B", "B 加分项目")]
    assert rules.forms[0].fields["category_code"].choices == offered
    assert _nothing_saved()


@pytest.mark.parametrize(
    ("changes", "row", "expected"),
    [
        ({"rules-0-points": ""}, 0, {"points": ["固定扣分项目须设定每单位分值。"]}),
        ({"rules-1-max_points": ""}, 1, {"max_points": ["酌情扣分项目须设定扣分上限。"]}),
        ({"rules-2-levels_text": ""}, 2, {"levels_text": [NO_LEVELS]}),
        (
            {"rules-2-levels_text": "全国=10，省级=6"},
            2,
            {"levels_text": [f"“全国=10，省级=6”{BAD_LEVEL}"]},
        ),
        ({"rules-2-levels_text": "全国=十"}, 2, {"levels_text": ["级别“全国”的分值“十”不是数字。"]}),
        ({"rules-3-points": "1"}, 3, {"points": ["“否决”项目不填每单位分值，请留空。"]}),
        ({"rules-0-levels_text": "全国=1"}, 0, {"levels_text": ["“固定扣分”项目不填加分级别及分值，请留空。"]}),
        ({"rules-0-max_points": "1"}, 0, {"max_points": ["“固定扣分”项目不填酌情扣分上限，请留空。"]}),
        ({"rules-0-points": "-2"}, 0, {"points": ["分值不能为负数（扣分项目的分值写正数）。"]}),
        ({"rules-3-code": "J1"}, 3, {"code": ["项目代码“J1”重复。"]}),
        ({"rules-3-category_code": ""}, 3, {"category_code": ["请选择所属类别。"]}),
    ],
    ids=[
        "deduction-points",
        "discretionary-max",
        "bonus-levels",
        "levels-comma",
        "levels-number",
        "veto-points",
        "deduction-levels",
        "deduction-max",
        "negative-points",
        "rule-code-twice",
        "no-category",
    ],
)
def test_a_bad_rule_is_refused_next_to_its_field_and_nothing_is_saved(admin_client, office, changes, row, expected):
    response = admin_client.post(ADD, _county_post(office, **changes))

    assert response.status_code == 200
    errors = _inline_errors(response, Rule)
    assert errors[row] == expected
    assert [e for i, e in enumerate(errors) if i != row] == [{}, {}, {}]
    assert _nothing_saved()


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"categories-1-code": "J"}, [{}, {"code": ["类别代码“J”重复。"]}]),
        ({"categories-0-cap": "-1"}, [{"cap": ["扣分上限不能为负数。"]}, {}]),
        ({"categories-1-bonus_cap": "-0.5"}, [{}, {"bonus_cap": ["加分上限不能为负数。"]}]),
    ],
    ids=["code-twice", "negative-cap", "negative-bonus-cap"],
)
def test_a_bad_category_is_refused_next_to_its_field_and_nothing_is_saved(admin_client, office, changes, expected):
    response = admin_client.post(ADD, _county_post(office, **changes))

    assert response.status_code == 200
    assert _inline_errors(response, RuleCategory) == expected
    assert _nothing_saved()


def test_a_scheme_without_categories_is_refused(admin_client):
    data = {
        "code": "empty-2024",
        "name": "空方案",
        "full_score": "100",
        **_rows("categories", []),
        **_rows("rules", []),
    }

    response = admin_client.post(ADD, data)

    [categories] = [f.formset for f in response.context["inline_admin_formsets"] if f.opts.model is RuleCategory]
    assert categories.non_form_errors() == ["方案至少须有一个考核类别。"]
    assert not Scheme.objects.filter(code="empty-2024").exists()


def test_a_full_score_of_zero_is_refused(admin_client, office):
    response = admin_client.post(ADD, _county_post(office, full_score="0"))

    assert response.context["adminform"].form.errors == {"full_score": ["满分须大于 0。"]}
    assert _nothing_saved()


def _rule_row(data: dict, code: str) -> str:
    [prefix] = [key.removesuffix("-code") for key, value in data.items() if key.startswith("rules-") and value == code]
    return prefix


def test_the_district_schemes_page_shows_its_levels_and_saves_unchanged(admin_client, demo_year):
    scheme = demo_year.scheme
    levels = RuleLevel.objects.filter(rule__scheme=scheme)
    before = list(levels.values_list("pk", "rule__code", "code", "name", "points"))
    data = change_page_post(admin_client.get(_change(scheme)))

    response = admin_client.post(_change(scheme), data)

    assert response.status_code == 302
    assert data[f"{_rule_row(data, 'B3')}-levels_text"] == "national:全总=12；provincial:省总=10；municipal:市总=8"
    assert data[f"{_rule_row(data, 'T1')}-category_code"] == "T"
    assert data[f"{_rule_row(data, 'T1')}-levels_text"] == ""
    after = list(levels.values_list("pk", "rule__code", "code", "name", "points"))
    assert after == before
    assert len(after) == 9


def test_a_rules_levels_are_changed_in_its_row_keeping_their_codes(admin_client, demo_year):
    scheme = demo_year.scheme
    national = RuleLevel.objects.get(rule__scheme=scheme, rule__code="B1", code="national")
    data = change_page_post(admin_client.get(_change(scheme)))
    data[f"{_rule_row(data, 'B1')}-levels_text"] = "全总=12；provincial:省总=9"

    response = admin_client.post(_change(scheme), data)

    assert response.status_code == 302
    levels = RuleLevel.objects.filter(rule__scheme=scheme, rule__code="B1")
    assert list(levels.values_list("pk", "code", "name", "points", "order")) == [
        (national.pk, "national", "全总", Decimal("12.00"), 1),
        (levels.get(code="provincial").pk, "provincial", "省总", Decimal("9.00"), 2),
    ]


def test_a_years_score_follows_its_schemes_levels_changed_in_the_designer(admin_client, demo_year):
    def bonuses() -> Decimal:
        [department] = [d for d in year_result(demo_year).departments if d.name == "宣教调研室"]
        return department.bonuses

    scheme = demo_year.scheme
    before = bonuses()
    data = change_page_post(admin_client.get(_change(scheme)))
    data[f"{_rule_row(data, 'B1')}-levels_text"] = "national:全总=12；provincial:省总=8；municipal:市总=5"

    admin_client.post(_change(scheme), data)

    assert (before, bonuses()) == (Decimal("10"), Decimal("12"))


def test_a_level_that_records_use_keeps_its_code(admin_client, demo_year):
    scheme = demo_year.scheme
    data = change_page_post(admin_client.get(_change(scheme)))
    row = _rule_row(data, "B1")
    data[f"{row}-levels_text"] = "全国总工会=10；省总=8"  # a new name without its code: national would go

    response = admin_client.post(_change(scheme), data)
    [errors] = [e for e in _inline_errors(response, Rule) if e]
    data[f"{row}-levels_text"] = "national:全国总工会=10；省总=8"
    saved = admin_client.post(_change(scheme), data)

    assert errors == {"levels_text": [f"级别“全总”（代码 national）{IN_USE}"]}
    assert saved.status_code == 302
    levels = RuleLevel.objects.filter(rule__scheme=scheme, rule__code="B1")
    assert list(levels.values_list("code", "name", "points")) == [
        ("national", "全国总工会", Decimal("10.00")),
        ("provincial", "省总", Decimal("8.00")),
    ]


def test_a_bonus_rule_with_records_keeps_its_kind(admin_client, demo_year):
    scheme = demo_year.scheme
    data = change_page_post(admin_client.get(_change(scheme)))
    row = _rule_row(data, "B2")
    data.update({f"{row}-kind": "deduction", f"{row}-levels_text": "", f"{row}-points": "1"})

    response = admin_client.post(_change(scheme), data)

    [errors] = [e for e in _inline_errors(response, Rule) if e]
    assert errors == {
        "levels_text": [
            f"级别“省总”（代码 provincial）{IN_USE}",
            f"级别“市总”（代码 municipal）{IN_USE}",
        ]
    }
    assert scheme.rules.get(code="B2").kind == "bonus"


def test_the_whole_page_is_saved_in_one_transaction(admin_client, office, monkeypatch):
    def broken(rule, levels):
        raise RuntimeError("levels not written")

    monkeypatch.setattr(scoring_admin, "levels_write", broken)

    with pytest.raises(RuntimeError):
        admin_client.post(ADD, _county_post(office))

    assert _nothing_saved() and not Rule.objects.filter(scheme__code="county-2024").exists()


def test_a_rule_moves_to_a_category_added_in_the_same_save(admin_client, demo_year):
    scheme = demo_year.scheme
    page = admin_client.get(_change(scheme))
    data = change_page_post(page)
    total = int(data["categories-TOTAL_FORMS"])
    data["categories-TOTAL_FORMS"] = total + 1
    data.update(
        {f"categories-{total}-code": "N", f"categories-{total}-name": "新类别", f"categories-{total}-order": "10"}
    )
    data[f"{_rule_row(data, 'C1')}-category_code"] = "N"

    response = admin_client.post(_change(scheme), data)

    assert response.status_code == 302
    rule = scheme.rules.select_related("category").get(code="C1")
    assert (rule.category.code, rule.category.name, rule.category.scheme_id) == ("N", "新类别", scheme.pk)


def test_a_category_with_rules_is_not_deleted(admin_client, demo_year):
    scheme = demo_year.scheme
    data = change_page_post(admin_client.get(_change(scheme)))
    [row] = [key.removesuffix("-code") for key, value in data.items() if key.startswith("categories-") and value == "C"]
    data[f"{row}-DELETE"] = "on"

    response = admin_client.post(_change(scheme), data)

    [categories] = [f.formset for f in response.context["inline_admin_formsets"] if f.opts.model is RuleCategory]
    assert categories.non_form_errors() == [
        "删除 考核类别 C 文明机关建设 将需要删除以下受保护的相关对象: 考核项目 C1 机关考核小组不定期组织巡查，"
        "发现违反档案管理、内务管理、办…"
    ]
    assert [e for e in _inline_errors(response, Rule) if e] == [
        {"category_code": ["类别“C”不在本方案的考核类别中：请从上方“考核类别”中选择，或先添加该类别。"]}
    ]
    assert scheme.categories.filter(code="C").exists()


def test_a_scheme_used_by_an_approved_year_is_read_only(admin_client, demo_year):
    scheme = demo_year.scheme
    data = change_page_post(admin_client.get(_change(scheme)))
    data[f"{_rule_row(data, 'B1')}-levels_text"] = "national:全总=99"
    data[f"{_rule_row(data, 'S2')}-points"] = "9"
    data["categories-0-cap"] = "5"
    year_in_phase(demo_year, AssessmentYear.Phase.APPROVED)

    page = admin_client.get(_change(scheme))
    response = admin_client.post(_change(scheme), data)

    body = page.content.decode()
    assert page.status_code == 200
    assert 'name="rules-0-levels_text"' not in body and 'name="categories-0-cap"' not in body
    assert "national:全总=10；provincial:省总=8；municipal:市总=5" in body
    assert "该方案已用于审定（或已通报、归档）的年度，只能查看，不能修改" in body
    assert response.status_code == 403
    assert str(scheme.rules.get(code="S2").points) == "0.50"
    assert list(RuleLevel.objects.filter(rule__scheme=scheme, rule__code="B1").values_list("points", flat=True)) == [
        Decimal("10.00"),
        Decimal("8.00"),
        Decimal("5.00"),
    ]
    assert RuleCategory.objects.filter(scheme=scheme, cap__isnull=False).count() == 0


def _copy_post(scheme, **fields) -> dict:
    return {"action": "copy_schemes", ACTION_CHECKBOX_NAME: [scheme.pk], **fields}


def test_copying_a_scheme_asks_for_the_next_years_code_and_name(admin_client, demo_year):
    response = admin_client.post(CHANGELIST, {**_copy_post(demo_year.scheme), "index": "0"})

    form = response.context["form"]
    body = response.content.decode()
    assert response.status_code == 200
    assert (form["code"].value(), form["name"].value()) == (
        "district-2024",
        "2024年区总工会机关各部室创先争优绩效考核实施办法",
    )
    assert "其 9 个考核类别、27 个考核项目" in body
    assert not Scheme.objects.filter(code="district-2024").exists()


def test_copying_a_scheme_refuses_a_code_in_use(admin_client, demo_year):
    response = admin_client.post(
        CHANGELIST, _copy_post(demo_year.scheme, apply="1", **{"copy-code": "district-2023", "copy-name": "新方案"})
    )

    assert response.status_code == 200
    assert response.context["form"].errors == {"code": ["方案代码“district-2023”已被使用，请换一个。"]}
    assert sorted(Scheme.objects.values_list("code", flat=True)) == ["county-2011", "district-2023"]


def test_copying_a_scheme_on_confirmation(admin_client, demo_year):
    year_in_phase(demo_year, AssessmentYear.Phase.ARCHIVED)  # a locked scheme is copied all the same

    response = admin_client.post(
        CHANGELIST,
        _copy_post(demo_year.scheme, apply="1", **{"copy-code": "district-2024", "copy-name": "2024年度考核方案"}),
    )

    copy = Scheme.objects.get(code="district-2024")
    assert response.status_code == 302 and response["Location"] == _change(copy)
    assert (copy.name, copy.rules.count(), copy.categories.count()) == ("2024年度考核方案", 27, 9)
    assert spec_from_db(copy).rules == spec_from_db(demo_year.scheme).rules
    assert admin_client.get(_change(copy)).context["has_change_permission"] is True


def test_copying_two_schemes_at_once_is_refused(admin_client, demo_year):
    other = Scheme.objects.create(code="other-2023", name="另一方案")

    response = admin_client.post(
        CHANGELIST, {"action": "copy_schemes", ACTION_CHECKBOX_NAME: [demo_year.scheme.pk, other.pk], "index": "0"},
        follow=True,
    )  # fmt: skip

    assert [str(m) for m in response.context["messages"]] == ["请只勾选一个方案进行复制。"]
    assert sorted(Scheme.objects.values_list("code", flat=True)) == ["county-2011", "district-2023", "other-2023"]


def test_the_standalone_rule_page_refuses_a_bonus_rule_without_levels(admin_client, demo_year):
    rule = demo_year.scheme.rules.get(code="B2")
    url = reverse("admin:scoring_rule_change", args=[rule.pk])
    data = change_page_post(admin_client.get(url))
    for i in range(3):
        data[f"levels-{i}-DELETE"] = "on"

    response = admin_client.post(url, data)

    [levels] = [f.formset for f in response.context["inline_admin_formsets"]]
    assert levels.non_form_errors() == ["加分项目须至少设定一个加分级别。"]
    assert rule.levels.count() == 3


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("全总=10；省总=8；市总=5", [("全总", "全总", "10"), ("省总", "省总", "8"), ("市总", "市总", "5")]),
        ("national:全总=10;provincial：省总＝8.5\n", [("national", "全总", "10"), ("provincial", "省总", "8.5")]),
        ("  ", []),
    ],
)
def test_levels_are_read_from_their_line(text, expected):
    assert [(c, n, str(p)) for c, n, p in levels_parse(text)] == expected


@pytest.mark.parametrize(
    ("text", "messages"),
    [
        ("全总10", [f"“全总10”{BAD_LEVEL}"]),
        (":全总=10", [f"“:全总=10”{BAD_LEVEL}"]),
        ("全总=-1", ["级别“全总”的分值不能为负数（加分项目的分值写正数）。"]),
        ("全总=1.005", ["级别“全总”的分值最多两位小数。"]),
        ("全总=10000", ["级别“全总”的分值不能超过 9999.99。"]),
        ("全总=NaN", ["级别“全总”的分值“NaN”不是数字。"]),
        ("全总=10；全总=8", ["级别代码“全总”重复。"]),
        ("a:全总=10；b:全总=8", ["级别名称“全总”重复。"]),
        ("my code:全总=10", ["级别代码“my code”须不含空格，且最多 20 个字符。"]),
        ("全总=x；省总=-2", ["级别“全总”的分值“x”不是数字。", "级别“省总”的分值不能为负数（加分项目的分值写正数）。"]),
    ],
)
def test_a_bad_levels_line_is_refused_with_every_mistake(text, messages):
    with pytest.raises(ValidationError) as refused:
        levels_parse(text)

    assert refused.value.messages == messages


def test_levels_keep_the_code_of_a_level_of_the_same_name():
    assert levels_parse("全总=12；县总=3", {"全总": "national"}) == [
        ("national", "全总", Decimal("12")),
        ("县总", "县总", Decimal("3")),
    ]


def test_levels_are_written_as_they_are_read():
    levels = [
        RuleLevel(code="national", name="全总", points=Decimal("10.00")),
        RuleLevel(code="县总", name="县总", points=Decimal("2.50")),
    ]

    assert levels_format(levels) == "national:全总=10；县总=2.5"


@BROWSER_MARKS[0]
@BROWSER_MARKS[1]
@pytest.mark.django_db(transaction=True)
def test_a_new_scheme_is_designed_in_the_browser(live_server, demo_year):
    SHOTS.mkdir(parents=True, exist_ok=True)
    with chromium() as browser:
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(live_server.url + reverse("admin:login"))
        page.fill("#id_username", "admin")
        page.fill("#id_password", DEMO_PASSWORD)
        page.click("input[type=submit]")
        page.goto(live_server.url + ADD)
        page.fill("#id_code", "county-2024")
        page.fill("#id_name", "2024年县总工会各部办目标管理考核实施办法")
        page.click("#categories-group .add-row a")
        page.fill("#id_categories-0-code", "J")
        page.fill("#id_categories-0-name", "基础工作")
        page.fill("#id_categories-0-cap", "20")
        page.click("#categories-group .add-row a")
        page.fill("#id_categories-1-code", "X")
        page.fill("#id_categories-1-name", "加分项目")
        page.click("#rules-group .add-row a")
        page.fill("#id_rules-0-code", "B1")
        offered = page.eval_on_selector_all("#id_rules-0-category_code option", "os => os.map(o => o.textContent)")
        page.select_option("#id_rules-0-category_code", "X")
        page.fill("#id_categories-1-code", "B")  # renamed: the rule stays in it
        before_kind = [page.is_visible(f"#id_rules-0-{name}") for name in ("points", "max_points", "levels_text")]
        page.select_option("#id_rules-0-kind", "bonus")
        bonus_fields = [page.is_visible(f"#id_rules-0-{name}") for name in ("points", "max_points", "levels_text")]
        page.fill("#id_rules-0-text", "工作获上级表彰")
        page.fill("#id_rules-0-levels_text", "national:全国=10；省级=6.5")
        page.screenshot(path=str(SHOTS / "scheme-designer-add.png"), full_page=True)
        with page.expect_navigation():
            page.click("input[name=_continue]")
        page.screenshot(path=str(SHOTS / "scheme-designer-saved.png"), full_page=True)
        page.goto(live_server.url + _change(demo_year.scheme))
        page.screenshot(path=str(SHOTS / "scheme-designer-district.png"), full_page=True)

    assert offered == ["---------", "J 基础工作", "X 加分项目"]
    assert (before_kind, bonus_fields) == ([True, True, True], [False, False, True])
    rule = Rule.objects.select_related("category").get(scheme__code="county-2024", code="B1")
    assert (rule.category.code, rule.category.name) == ("B", "加分项目")
    assert list(rule.levels.values_list("code", "name", "points")) == [
        ("national", "全国", Decimal("10.00")),
        ("省级", "省级", Decimal("6.50")),
    ]


def test_the_plan_shortfall_rule_is_chosen_among_the_schemes_own_fixed_deductions(client, cast, demo_year):
    client.force_login(cast["admin"])
    other = scheme_copy(scheme=demo_year.scheme, code="district-2099", name="2099年方案")
    response = client.get(reverse("admin:scoring_scheme_change", args=[demo_year.scheme_id]))

    field = response.context["adminform"].form.fields["plan_shortfall_rule"]
    own = Rule.objects.filter(scheme=demo_year.scheme, kind=Rule.Kind.DEDUCTION)
    assert set(field.queryset) == set(own)
    assert not field.queryset.filter(scheme=other).exists()
    assert response.context["adminform"].form.initial["plan_shortfall_rule"] == own.get(code="T4").pk
