"""docs/scoring.md §7: category caps (扣完为止), target items (目标管理), inline schemes, in the core and the case
format. The worked case 07-county-targets is checked in test_cases; these check each rule on its own."""

import copy
import json
from decimal import Decimal
from pathlib import Path

import pytest

from scoring import engine
from scoring.cases import parse_case, result_to_json, scheme_parse
from scoring.catalogue import builtin_scheme_spec
from scoring.engine import ScoringError

CASES = Path(__file__).resolve().parents[1] / "data" / "cases"
COUNTY = json.loads((CASES / "07-county-targets.json").read_text(encoding="utf-8"))


def county(**changes):
    doc = copy.deepcopy(COUNTY)
    doc.update(changes)
    return doc


def scored(doc) -> dict:
    return {
        d["name"]: d for d in result_to_json(engine.score_year(parse_case(doc, builtin_scheme_spec)))["departments"]
    }


def refused(doc) -> tuple[str, str]:
    with pytest.raises(ScoringError) as exc:
        parse_case(doc, builtin_scheme_spec)
    return exc.value.place, exc.value.message


def small_scheme(**category_b):
    """One deduction category J (2 per unit) and one bonus category B (levels 甲 5 and 乙 3)."""
    return {
        "code": "small",
        "name": "小方案",
        "categories": [{"code": "J", "name": "管理", "cap": "10"}, {"code": "B", "name": "加分", **category_b}],
        "rules": [
            {"code": "J1", "category": "J", "kind": "deduction", "points": "2"},
            {"code": "B1", "category": "B", "kind": "bonus", "levels": {"甲": "5", "乙": "3"}},
        ],
    }


def small_case(records, scheme=None):
    return {
        "format": "kaohe-case/1",
        "year": 2011,
        "scheme": scheme or small_scheme(),
        "departments": [{"name": "办公室", "headcount": 2}],
        "records": records,
    }


# --- caps ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("quantity", "deductions", "review"),
    [(4, "8.00", "92.00"), (5, "10.00", "90.00"), (6, "10.00", "90.00"), (50, "10.00", "90.00")],
)
def test_category_cap_counts_its_deductions_up_to_the_cap(quantity, deductions, review):
    dept = scored(small_case([{"department": "办公室", "rule": "J1", "quantity": quantity}]))["办公室"]
    assert (dept["deductions"], dept["by_category"]["J"], dept["review_score"]) == (
        deductions,
        f"-{deductions}",
        review,
    )


def test_bonus_cap_counts_bonuses_up_to_the_cap_and_an_uncapped_category_counts_all():
    records = [
        {"department": "办公室", "rule": "B1", "level": "甲"},
        {"department": "办公室", "rule": "B1", "level": "乙"},
    ]
    capped = scored(small_case(records, small_scheme(bonus_cap="6")))["办公室"]
    free = scored(small_case(records))["办公室"]
    assert (capped["bonuses"], capped["by_category"]["B"], capped["review_score"]) == ("6.00", "6.00", "106.00")
    assert (free["bonuses"], free["by_category"]["B"], free["review_score"]) == ("8.00", "8.00", "108.00")


def test_a_category_with_deductions_and_bonuses_caps_each_apart():
    scheme = small_scheme()
    scheme["categories"][0].update(cap="4", bonus_cap="1")
    scheme["rules"].append({"code": "J9", "category": "J", "kind": "bonus", "levels": {"甲": "3"}})
    records = [
        {"department": "办公室", "rule": "J1", "quantity": 3},
        {"department": "办公室", "rule": "J9", "level": "甲"},
    ]
    result = engine.score_year(parse_case(small_case(records, scheme), builtin_scheme_spec))
    dept = result.departments[0]
    assert (dept.deductions, dept.bonuses, dept.by_category["J"], dept.review_score) == (
        Decimal("4"),
        Decimal("1"),
        Decimal("-3"),
        Decimal("97"),
    )
    assert dept.capped == {"J": (Decimal("6"), Decimal("3"))}


def test_zero_cap_counts_nothing():
    scheme = small_scheme()
    scheme["categories"][0]["cap"] = "0"
    dept = scored(small_case([{"department": "办公室", "rule": "J1", "quantity": 3}], scheme))["办公室"]
    assert (dept["deductions"], dept["review_score"]) == ("0.00", "100.00")


def test_full_score_is_where_the_review_score_starts():
    scheme = small_scheme()
    scheme["full_score"] = "120"
    dept = scored(small_case([{"department": "办公室", "rule": "J1"}], scheme))["办公室"]
    assert dept["review_score"] == "118.00"


# --- targets ---------------------------------------------------------------------------------------------


def test_targets_earned_and_shortfall_per_item():
    depts = scored(COUNTY)
    office = depts["办公室"]
    # BGS-2: 20 + 20 recorded on 35 allotted: 扣完为止 at 35, not 40.
    assert office["targets"] == [
        {"code": "BGS-1", "points": "40.00", "earned": "35.00"},
        {"code": "BGS-2", "points": "35.00", "earned": "0.00"},
        {"code": "BGS-3", "points": "25.00", "earned": "25.00"},
    ]
    assert office["by_category"]["W"] == "-40.00"
    # 组织部's ZZB-2 was not started: all its 40 points are lost.
    assert depts["组织部"]["targets"][1] == {"code": "ZZB-2", "points": "40.00", "earned": "0.00"}


def test_target_results_keep_what_was_recorded():
    result = engine.score_year(parse_case(COUNTY, builtin_scheme_spec))
    bgs2 = result.department("办公室").targets[1]
    assert (bgs2.code, bgs2.name, bgs2.deducted, bgs2.earned, bgs2.shortfall, bgs2.not_started) == (
        "BGS-2",
        "职工书屋建设",
        Decimal("40"),
        Decimal("0"),
        Decimal("35"),
        False,
    )
    zzb2 = result.department("组织部").targets[1]
    assert (zzb2.deducted, zzb2.not_started, zzb2.earned) == (Decimal("0"), True, Decimal("0"))


def test_target_shortfalls_count_under_their_categorys_cap():
    doc = county()
    doc["scheme"]["categories"][0]["cap"] = "30"
    depts = scored(doc)
    assert (depts["办公室"]["by_category"]["W"], depts["办公室"]["review_score"]) == ("-30.00", "67.00")
    # The items still show what each lost.
    assert [t["earned"] for t in depts["办公室"]["targets"]] == ["35.00", "0.00", "25.00"]


def test_target_records_explain_the_department():
    result = engine.score_year(parse_case(COUNTY, builtin_scheme_spec))
    lines = [(line.rule, line.points, line.target) for line in result.department("组织部").lines if line.target]
    assert lines == [("ZZB-2", Decimal("-40"), True)]


def test_a_year_without_targets_prints_no_targets_key():
    out = result_to_json(engine.score_year(parse_case(small_case([]), builtin_scheme_spec)))
    assert "targets" not in out["departments"][0]


def test_the_district_scheme_is_unchanged_by_section_7():
    district = builtin_scheme_spec("district-2023")
    assert district is not None
    assert (district.full_score, dict(district.caps), dict(district.bonus_caps)) == (Decimal("100"), {}, {})
    assert district.score_categories == ("T", "S", "P", "G", "I", "C", "D", "B")
    assert district.levels == (("national", "全总"), ("provincial", "省总"), ("municipal", "市总"))


# --- refused whole ---------------------------------------------------------------------------------------


def _targets_without(code):
    return [t for t in COUNTY["targets"] if t["code"] != code]


def _with_record(record):
    return county(records=[*COUNTY["records"], record])


@pytest.mark.parametrize(
    ("doc", "place", "message"),
    [
        (county(targets=_targets_without("XCB-2")), "targets", "部室“宣传部”各目标项目应得分合计 50，须等于满分 100"),
        (
            county(targets=[t for t in COUNTY["targets"] if t["department"] != "宣传部"]),
            "targets",
            "部室“宣传部”没有目标项目（设有目标项目的年度，每个部室都须有）",
        ),
        (
            county(targets=[*COUNTY["targets"], {**COUNTY["targets"][0], "points": "1"}]),
            "targets[7].code",
            "目标项目代码“BGS-1”重复",
        ),
        (
            county(targets=[{**COUNTY["targets"][0], "category": "X"}, *COUNTY["targets"][1:]]),
            "targets[0].category",
            "未知考核类别 'X'",
        ),
        (
            county(targets=[{**COUNTY["targets"][0], "category": "V"}, *COUNTY["targets"][1:]]),
            "targets[0].category",
            "类别“V”只有否决项目，不能设立目标项目",
        ),
        (
            county(targets=[{**COUNTY["targets"][0], "points": "0"}, *COUNTY["targets"][1:]]),
            "targets[0].points",
            "应得分须大于 0",
        ),
        (
            county(targets=[{**COUNTY["targets"][0], "department": "工会"}, *COUNTY["targets"][1:]]),
            "targets[0].department",
            "未知部室 '工会'",
        ),
        (_with_record({"target": "BGS-1", "points": "0", "reason": "x"}), "records[11].points", "扣分须大于 0"),
        (_with_record({"target": "BGS-1", "points": "-1", "reason": "x"}), "records[11].points", "扣分须大于 0"),
        (_with_record({"target": "BGS-1", "points": "1.005", "reason": "x"}), "records[11].points", "分值最多两位小数"),
        (_with_record({"target": "BGS-1", "points": "1"}), "records[11].reason", "目标项目扣分须填写理由"),
        (
            _with_record({"target": "BGS-1", "reason": "x"}),
            "records[11].points",
            "须填写扣分分值，或注明立项工作没有开展",
        ),
        (
            _with_record({"target": "BGS-1", "not_started": "yes", "reason": "x"}),
            "records[11].not_started",
            "须为 true 或 false",
        ),
        (
            _with_record({"target": "BGS-1", "rule": "J1", "points": "1", "reason": "x"}),
            "records[11].rule",
            "未知字段（目标项目的记录只能有 target、points、not_started、reason）",
        ),
    ],
)
def test_bad_targets_are_refused_whole(doc, place, message):
    assert refused(doc) == (place, message)


def test_a_target_record_needs_a_year_with_targets():
    doc = small_case([{"target": "BGS-1", "points": "1", "reason": "x"}])
    assert refused(doc) == ("records[0].target", "未知目标项目“BGS-1”")


def _scheme_with(**changes):
    scheme = copy.deepcopy(COUNTY["scheme"])
    for key, value in changes.items():
        scheme[key] = value
    return scheme


RULES = COUNTY["scheme"]["rules"]
CATEGORIES = COUNTY["scheme"]["categories"]


@pytest.mark.parametrize(
    ("scheme", "place", "message"),
    [
        (
            _scheme_with(categories=[*CATEGORIES, {"code": "W", "name": "又一个"}]),
            "scheme.categories[4].code",
            "类别代码“W”重复",
        ),
        (_scheme_with(rules=[*RULES, {**RULES[0]}]), "scheme.rules[4].code", "项目代码“J1”重复"),
        (_scheme_with(rules=[{**RULES[0], "category": "Q"}]), "scheme.rules[0].category", "未知考核类别 'Q'"),
        (
            _scheme_with(categories=[{**CATEGORIES[1], "cap": "-1"}, *CATEGORIES[2:]]),
            "scheme.categories[0].cap",
            "须不小于 0",
        ),
        (
            _scheme_with(categories=[{**CATEGORIES[2], "bonus_cap": "-0.5"}]),
            "scheme.categories[0].bonus_cap",
            "须不小于 0",
        ),
        (
            _scheme_with(rules=[{**RULES[0], "kind": "penalty"}]),
            "scheme.rules[0].kind",
            "未知项目类型 'penalty'（应为 deduction、discretionary、bonus 或 veto）",
        ),
        (
            _scheme_with(rules=[{**RULES[0], "levels": {"甲": "1"}}]),
            "scheme.rules[0].levels",
            "deduction 类项目不能设定 levels",
        ),
        (
            _scheme_with(rules=[{**RULES[2], "levels": {}}]),
            "scheme.rules[0].levels",
            "加分项目须至少设定一个级别的分值",
        ),
        (
            _scheme_with(rules=[{k: v for k, v in RULES[0].items() if k != "points"}]),
            "scheme.rules[0].points",
            "deduction 类项目须设定 points",
        ),
        (_scheme_with(full_score="0"), "scheme.full_score", "须不小于 0.01"),
        (_scheme_with(colour="red"), "scheme.colour", "未知字段"),
        (_scheme_with(categories=[]), "scheme.categories", "至少须有一个考核类别"),
    ],
)
def test_bad_inline_schemes_are_refused_whole(scheme, place, message):
    with pytest.raises(ScoringError) as exc:
        scheme_parse(scheme)
    assert (exc.value.place, exc.value.message) == (place, message)


def test_a_bonus_level_the_rule_does_not_define_is_refused():
    doc = _with_record({"department": "办公室", "rule": "B1", "level": "national"})
    assert refused(doc) == ("records[11].level", "未知级别“national”")


def test_target_allotment_problems_name_each_department_in_order():
    targets = [
        engine.TargetInput("A-1", "甲", "W", "一", Decimal("60")),
        engine.TargetInput("A-2", "甲", "W", "二", Decimal("35.50")),
        engine.TargetInput("C-1", "丙", "W", "三", Decimal("100.00")),
    ]

    problems = engine.target_allotment_problems(Decimal("100"), ["甲", "乙", "丙"], targets)

    assert problems == [
        ("甲", "部室“甲”各目标项目应得分合计 95.5，须等于满分 100"),
        ("乙", "部室“乙”没有目标项目（设有目标项目的年度，每个部室都须有）"),
    ]
    assert engine.target_allotment_problems(Decimal("100"), ["甲"], []) == []


def test_target_problems_check_one_item_by_field():
    scheme = scheme_parse(COUNTY["scheme"])

    def problems(**changes):
        values = {"code": "X-1", "department": "甲", "category": "W", "name": "项目", "points": Decimal("10")}
        values.update(changes)
        return engine.target_problems(scheme, engine.TargetInput(**values))

    assert problems() == []
    assert problems(category="V") == [("category", "类别“V 否决项目”只有否决项目，不能设立目标项目")]
    assert problems(category="Q") == [("category", "未知考核类别“Q”")]
    assert problems(points=Decimal("0")) == [("points", "应得分须大于 0")]
    assert problems(points=Decimal("1.234")) == [("points", "应得分最多两位小数")]
    assert problems(points=Decimal("NaN")) == [("points", "应得分须为数字")]
    assert problems(code="", name=" ") == [("code", "须填写目标代码"), ("name", "须填写目标项目名称")]
