"""The rule catalogue: loaded as data, copied for a new year, locked once a year using it is approved."""

import json
from decimal import Decimal
from pathlib import Path

import pytest
from django.test import Client

from results.exchange import _same_scoring
from scoring.cases import scheme_parse
from scoring.catalogue import catalogue_load, scheme_copy, scheme_copy_names, scheme_is_locked, spec_from_db
from scoring.models import AssessmentYear, Rule, Scheme

pytestmark = pytest.mark.django_db

CASES = Path(__file__).resolve().parents[1] / "data" / "cases"


def test_catalogue_load_is_idempotent_and_keeps_admin_edits():
    catalogue_load()
    Rule.objects.filter(code="S2").update(points="0.8")
    catalogue_load()
    # Every shipped scheme: district-2023 (27 rules) and county-2011 (4 rules, the worked county case's).
    assert sorted(Scheme.objects.values_list("code", flat=True)) == ["county-2011", "district-2023"]
    assert Rule.objects.filter(scheme__code="district-2023").count() == 27
    assert Rule.objects.filter(scheme__code="county-2011").count() == 4
    assert str(Rule.objects.get(code="S2").points) == "0.80"


def test_catalogue_matches_scoring_md():
    catalogue_load()
    rules = {
        r.code: r
        for r in Rule.objects.filter(scheme__code="district-2023")
        .select_related("category")
        .prefetch_related("recorder_offices")
    }
    assert (rules["T3"].kind, str(rules["T3"].max_points), rules["T3"].reason_required) == (
        "discretionary",
        "3.00",
        True,
    )
    assert rules["B3"].level_choices() == [("national", "全总"), ("provincial", "省总"), ("municipal", "市总")]
    assert {k: str(v) for k, v in rules["B3"].level_points().items()} == {
        "national": "12.00",
        "provincial": "10.00",
        "municipal": "8.00",
    }
    assert [r.halve_when_shared for r in (rules["B1"], rules["B2"], rules["B3"])] == [True, False, False]
    assert sorted(c for c, r in rules.items() if r.annual) == ["G1", "G2", "G3"]
    assert sorted(d.name for d in rules["P1"].recorder_offices.all()) == ["民管法工部", "生活保障部"]
    assert [d.name for d in rules["G2"].recorder_offices.all()] == ["宣教调研室"]
    assert rules["D1"].recorder_offices.count() == 0 and rules["V5"].reason_required


def test_county_scheme_is_loaded_with_caps_levels_and_a_category_for_targets_only():
    catalogue_load()
    scheme = Scheme.objects.get(code="county-2011")
    categories = [(c.code, c.name, c.cap, c.bonus_cap) for c in scheme.categories.order_by("order")]
    assert [(code, name, cap and str(cap), bonus and str(bonus)) for code, name, cap, bonus in categories] == [
        ("W", "目标任务", None, None),
        ("J", "机关管理", "10.00", None),
        ("B", "加分项目", None, "5.00"),
        ("V", "否决项目", None, None),
    ]
    assert (scheme.full_score, scheme.regulation_title) == (Decimal("100.00"), "县总工会各部办目标管理考核实施办法")
    rules = {r.code: r for r in scheme.rules.prefetch_related("levels", "recorder_offices")}
    assert sorted(rules) == ["B1", "J1", "J2", "V1"]
    assert {k: str(v) for k, v in rules["B1"].level_points().items()} == {"省级": "5.00", "市级": "3.00"}
    assert scheme.categories.get(code="W").rules.count() == 0
    assert spec_from_db(scheme).score_categories == ("W", "J", "B")
    # No recorder office: the 目标考核领导小组 (the review lead) records; loading it creates no department.
    assert [r.recorder_offices.count() for r in rules.values()] == [0] * 4
    assert rules["J1"].recorder_label == "目标考核领导小组"


def test_county_scheme_scores_as_the_worked_county_case():
    """The shipped county scheme is the worked county case's (case 07 carries it inline): importing the case uses
    the shipped one."""
    catalogue_load()
    case = json.loads((CASES / "07-county-targets.json").read_text(encoding="utf-8"))
    assert _same_scoring(spec_from_db(Scheme.objects.get(code="county-2011")), scheme_parse(case["scheme"]))


def test_scheme_copy_copies_every_rule_and_office():
    catalogue_load()
    original = Scheme.objects.get(code="district-2023")
    copy = scheme_copy(scheme=original)
    assert (copy.code, copy.name) == ("district-2024", "2024年区总工会机关各部室创先争优绩效考核实施办法")
    assert copy.rules.count() == 27 and copy.categories.count() == 9
    assert [d.name for d in copy.rules.get(code="T1").recorder_offices.all()] == ["组织部"]
    assert copy.rules.get(code="T1").category.scheme == copy


def test_scheme_of_an_approved_year_is_locked_in_the_admin(demo_year, cast):
    scheme = demo_year.scheme
    rule = scheme.rules.get(code="S2")
    client = Client()
    client.force_login(cast["admin"])
    url = f"/admin/scoring/rule/{rule.pk}/change/"
    assert scheme_is_locked(scheme) is False
    demo_year.phase = AssessmentYear.Phase.APPROVED
    demo_year.save()
    assert scheme_is_locked(scheme) is True
    response = client.post(url, {"code": "S2", "text": "x", "points": "9"})
    assert response.status_code == 403
    rule.refresh_from_db()
    assert str(rule.points) == "0.50"


@pytest.mark.parametrize(
    ("code", "name", "taken", "expected"),
    [
        ("district-2023", "2023年考核方案", [], ("district-2024", "2024年考核方案")),
        ("county-2019-v2", "县总2019—2020年度方案", [], ("county-2020-v2", "县总2019—2021年度方案")),
        ("county", "县总考核方案", [], ("county-copy", "县总考核方案（副本）")),
        ("county", "县总考核方案", ["county-copy", "county-copy-2"], ("county-copy-3", "县总考核方案（副本）")),
        ("district-2023", "2023年考核方案", ["district-2024"], ("district-2024-2", "2024年考核方案")),
        ("x-20234", "第12023号", [], ("x-20234-copy", "第12023号（副本）")),
    ],
)
def test_a_copy_is_named_for_the_next_year(code, name, taken, expected):
    scheme = Scheme.objects.create(code=code, name=name)
    for other in taken:
        Scheme.objects.create(code=other, name=other)

    assert scheme_copy_names(scheme) == expected
    assert (scheme_copy(scheme=scheme).code, scheme_copy(scheme=scheme, code="given", name="给定").name) == (
        expected[0],
        "给定",
    )
