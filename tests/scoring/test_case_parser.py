"""Refusals of SCORING.md §6 that the shared invalid cases do not show, each naming its place."""

import copy
from decimal import Decimal

import pytest

from scoring.cases import loads, parse_case
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
        (lambda d: d.update(discretionary_awards={"甲": "100.005"}), "discretionary_awards.甲"),
        (lambda d: d.update(tie_order=[["甲", "乙", "丙"]]), "tie_order[0][2]"),
    ],
)
def test_parse_case_refuses_with_place(change, place):
    assert refused(change) == place


def test_loads_reads_numbers_as_exact_decimals():
    assert loads('{"a": 0.1}')["a"] == Decimal("0.1")


def test_given_democratic_scores_are_rounded_half_up():
    doc = copy.deepcopy(BASE)
    doc["democratic_scores"] = {"甲": "88.125", "乙": 90}
    result = score_year(parse_case(doc, scheme_spec))
    assert result.department("甲").democratic_score == Decimal("88.13")
