"""Refusals of docs/scoring.md §6 that the invalid cases (tests/data/cases/invalid) do not show, each naming its
place."""

import copy
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scoring.cases import _parse_record, _parse_records, loads, parse_case
from scoring.catalogue import builtin_scheme_spec as scheme_spec
from scoring.engine import ScoringError, score_year

BASE = {
    "format": "kaohe-case/1",
    "year": 2023,
    "departments": [{"name": "甲", "headcount": 3}, {"name": "乙", "headcount": 2}],
    "leaders": [{"name": "王", "role": "chair"}, {"name": "李", "role": "vice_chair", "supervises": ["甲"]}],
    "records": [{"department": "甲", "rule": "S1"}],
}


def refused(change) -> str:
    doc = copy.deepcopy(BASE)
    change(doc)
    with pytest.raises(ScoringError) as exc:
        score_year(parse_case(doc, scheme_spec))
    return exc.value.place


@pytest.mark.parametrize(
    "change,place",
    [
        (lambda d: d.update(scheme="nope"), "scheme"),
        (lambda d: d.update(year="2023"), "year"),
        (lambda d: d.update(year=2023.5), "year"),
        (lambda d: d.update(settings={"colour": 1}), "settings.colour"),
        (lambda d: d["departments"].append({"name": "甲", "headcount": 1}), "departments[2].name"),
        (lambda d: d["leaders"].append({"name": "钱", "role": "mayor"}), "leaders[2].role"),
        (lambda d: d["leaders"].append({"name": "钱", "role": "chair"}), "leaders"),
        (
            lambda d: d["leaders"].append({"name": "钱", "role": "vice_chair", "supervises": []}),
            "leaders[2].supervises",
        ),
        (
            lambda d: d["leaders"].append({"name": "钱", "role": "vice_chair", "supervises": ["甲"]}),
            "leaders[2].supervises[0]",
        ),
        (lambda d: d.update(leaders=[{"name": "王", "role": "chair"}]), "leaders"),
        (
            lambda d: d["records"].append({"department": "甲", "rule": "S1", "exempt": "yes", "reason": "x"}),
            "records[1].exempt",
        ),
        (
            lambda d: d["records"].append({"department": "甲", "rule": "V1", "exempt": True, "reason": "x"}),
            "records[1].exempt",
        ),
        (lambda d: d["records"].append({"department": "甲", "rule": "V1", "quantity": 2}), "records[1].quantity"),
        (lambda d: d["records"].append({"department": "甲", "rule": "S1", "quantity": 1.5}), "records[1].quantity"),
        (
            lambda d: d["records"].append({"departments": ["甲", "甲"], "rule": "B1", "level": "national"}),
            "records[1].departments",
        ),
        (lambda d: d.update(democratic_scores={"甲": "100.5"}), "democratic_scores.甲"),
        (lambda d: d.update(democratic_scores={"甲": 90}, ballots=[]), "ballots"),
        (lambda d: d.update(settings={"group_weights": {"机关": "0.5"}}), "settings.group_weights"),
        (
            lambda d: d.update(
                settings={"group_weights": {"机关": "1"}}, ballots=[{"group": "基层", "ratings": {"甲": "优秀"}}]
            ),
            "ballots[0].group",
        ),
        (
            lambda d: d.update(ballots=[{"group": "基层", "ratings": {"甲": "优秀"}, "paper": "yes"}]),
            "ballots[0].paper",
        ),
        (lambda d: d.update(discretionary_awards={"甲": "100.005"}), "discretionary_awards.甲"),
        (lambda d: d.update(tie_order=[["甲", "乙", "丙"]]), "tie_order[0][2]"),
        (lambda d: d["records"][0].update(date="2023-02-30"), "records[0].date"),
        (lambda d: d["records"].append({"department": "乙", "rule": "S1", "date": "20230301"}), "records[1].date"),
        (lambda d: d["records"].append({"department": "乙", "rule": "S1", "date": 20230301}), "records[1].date"),
        (lambda d: d["records"].append({"department": "乙", "rule": "S1", "date": ["2023-03-01"]}), "records[1].date"),
    ],
)
def test_parse_case_refuses_with_place(change, place):
    assert refused(change) == place


def test_a_whole_ballot_counts_every_grade_it_gives():
    doc = copy.deepcopy(BASE)
    doc["ballots"] = [
        {"group": "基层", "voter_department": None, "ratings": {"甲": "优秀", "乙": "一般"}, "paper": True},
        {"group": "基层", "voter_department": "甲", "ratings": {"甲": "较差", "乙": "良好"}},
    ]
    result = score_year(parse_case(doc, scheme_spec))
    assert result.department("甲").democratic_score == Decimal("100.00")  # own department's grade not counted
    assert result.department("乙").democratic_score == Decimal("77.50")


def test_loads_reads_numbers_as_exact_decimals():
    assert loads('{"a": 0.1}')["a"] == Decimal("0.1")


def test_given_democratic_scores_are_rounded_half_up():
    doc = copy.deepcopy(BASE)
    doc["democratic_scores"] = {"甲": "88.125", "乙": 90}
    result = score_year(parse_case(doc, scheme_spec))
    assert result.department("甲").democratic_score == Decimal("88.13")


# --- records checked by shape ------------------------------------------------------------------------------
# `_parse_records` checks a record's shape (rule, quantity, level, exemption, reason) once and, for the records
# after it with the same shape, only their department. The result and the first error must be exactly those of
# checking every record whole, whatever the order and however the records are wrong.

NAMES = {"甲", "乙"}
ABSENT = object()
FIELD_VALUES = {
    "department": ["甲", "乙", "丙", ["甲"], ABSENT],
    "departments": [ABSENT, ABSENT, ABSENT, ["甲", "乙"], ["甲"]],
    "rule": ["S1", "S1", "B1", "G1", "T3", "V5", "ZZ", 1],
    "quantity": [ABSENT, ABSENT, 1, 2, True, Decimal("1.5"), "1", 100_001],
    "level": [ABSENT, ABSENT, "national", "municipal", "x", ["x"], 1, None],
    "exempt": [ABSENT, ABSENT, False, True, 0, 1],
    "reason": [ABSENT, ABSENT, "", "理由", " ", {"a": 1}],
    "points": [ABSENT, ABSENT, ABSENT, None, Decimal("1.5"), Decimal("1.50"), "2"],
    "colour": [ABSENT, ABSENT, ABSENT, ABSENT, ABSENT, "red"],
}


@st.composite
def raw_records(draw):
    fields = {key: draw(st.sampled_from(values)) for key, values in FIELD_VALUES.items()}
    return {key: value for key, value in fields.items() if value is not ABSENT}


def one_by_one(items, scheme):
    """The reference: every record checked whole, then the annual rule (docs/scoring.md §3)."""
    records, annual_seen = [], set()
    for i, item in enumerate(items):
        rule, record = _parse_record(i, item, scheme.rules, NAMES)
        for name in record.departments if rule.annual else ():
            if (name, rule.code) in annual_seen:
                raise ScoringError(f"records[{i}]", f"{rule.code} 为年度项目，部室“{name}”本年度已有一条记录")
            annual_seen.add((name, rule.code))
        records.append(record)
    return tuple(records)


def outcome(parse, items, scheme):
    try:
        return parse(items, scheme)
    except ScoringError as exc:
        return (exc.place, exc.message)


@settings(max_examples=400, deadline=None)
@given(st.lists(raw_records(), max_size=12), st.integers(0, 3))
def test_records_checked_by_shape_as_if_each_were_checked_whole(items, repeats):
    scheme = scheme_spec("district-2023")
    # Valid records first, so that later records meet shapes already checked.
    items = [
        {"department": "甲", "rule": "S1"},
        {"department": "乙", "rule": "B1", "level": "national"},
    ] * repeats + items
    expected = outcome(one_by_one, items, scheme)
    # Compared by repr: 1 == True and Decimal("1.5") == Decimal("1.50"), but a record must keep what it was given.
    assert repr(outcome(lambda items, scheme: _parse_records(items, scheme, NAMES)[0], items, scheme)) == repr(expected)


@pytest.mark.parametrize(
    "bad,place,message",
    [
        ({"department": "丙", "rule": "S1"}, "records[2].department", "未知部室 '丙'"),
        ({"department": ["甲"], "rule": "S1"}, "records[2].department", "未知部室 ['甲']"),
        (
            {"department": "甲", "departments": ["乙"], "rule": "S1"},
            "records[2]",
            "须给出 department 或 departments 之一",
        ),
        ({"department": "甲", "rule": "S1", "quantity": True}, "records[2].quantity", "数量须为正整数"),
        ({"department": "甲", "rule": "S1", "exempt": 0}, "records[2].exempt", "须为 true 或 false"),
        ({"department": "甲", "rule": "S1", "level": ["x"]}, "records[2].level", "未知级别 ['x']"),
        ({"department": "甲", "rule": "S1", "colour": 1}, "records[2].colour", "未知字段"),
        ({"department": "甲", "rule": "S1", "points": "1"}, "records[2].points", "S1 分值固定，不能填写分值"),
    ],
)
def test_a_bad_record_after_good_ones_of_its_shape_is_refused_as_alone(bad, place, message):
    doc = copy.deepcopy(BASE)
    doc["records"] = [{"department": "甲", "rule": "S1"}, {"department": "乙", "rule": "S1"}, bad]
    with pytest.raises(ScoringError) as exc:
        parse_case(doc, scheme_spec)
    assert (exc.value.place, exc.value.message) == (place, message)


def test_an_annual_record_repeated_is_refused_on_its_second():
    doc = copy.deepcopy(BASE)
    doc["records"] = [
        {"department": "甲", "rule": "G1"},
        {"department": "乙", "rule": "G1"},
        {"department": "甲", "rule": "G1"},
    ]
    with pytest.raises(ScoringError) as exc:
        parse_case(doc, scheme_spec)
    assert (exc.value.place, exc.value.message) == ("records[2]", "G1 为年度项目，部室“甲”本年度已有一条记录")


def test_a_record_date_that_does_not_exist_is_refused_by_score_case_and_import_year_alike():
    doc = copy.deepcopy(BASE)
    doc["records"][0]["date"] = "2023-02-30"

    with pytest.raises(ScoringError) as exc:
        parse_case(doc, scheme_spec)

    assert str(exc.value) == "records[0].date: 日期 2023-02-30 不存在"
