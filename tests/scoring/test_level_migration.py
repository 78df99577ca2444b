"""Bonus levels moved from three columns of a rule to rows of its own (scoring migration 0004): every scheme scores
as before, and so does every year."""

import copy
import json
from pathlib import Path

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from scoring import engine
from scoring.cases import parse_case, result_to_json
from scoring.catalogue import builtin_schemes, spec_from_db, spec_from_document
from scoring.models import RuleLevel
from scoring.models import Scheme as CurrentScheme

CASES = Path(__file__).resolve().parents[1] / "data" / "cases"
DISTRICT_CASES = sorted(p for p in CASES.glob("0[1-6]-*.json") if not p.name.endswith(".expected.json"))
BEFORE = [
    ("scoring", "0003_scheme_regulation_title"),
    ("reviews", "0008_constraint_messages"),
    ("workplans", "0003_claimevidence_file_layout"),
]


def legacy_document() -> dict:
    """district-2023 as documents were written before levels were rows: points_national/provincial/municipal."""
    doc = copy.deepcopy(builtin_schemes()["district-2023"])
    doc.pop("level_names")
    doc.pop("full_score")
    for rule in doc["rules"]:
        for code, points in rule.pop("levels", {}).items():
            rule[f"points_{code}"] = points
    return doc


@pytest.mark.parametrize("path", DISTRICT_CASES, ids=[p.stem for p in DISTRICT_CASES])
def test_district_cases_score_alike_with_the_legacy_and_the_current_scheme(path):
    doc = json.loads(path.read_text(encoding="utf-8"))
    expected = json.loads(path.with_suffix("").with_suffix(".expected.json").read_text(encoding="utf-8"))
    legacy = spec_from_document(legacy_document())
    current = spec_from_document(builtin_schemes()["district-2023"])
    for scheme in (legacy, current):
        assert result_to_json(engine.score_year(parse_case(doc, lambda code, s=scheme: s))) == expected


@pytest.mark.django_db(transaction=True)
def test_migration_turns_level_columns_into_rows_with_the_same_codes():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    Scheme, Category, Rule = (old.get_model("scoring", name) for name in ("Scheme", "RuleCategory", "Rule"))
    doc = legacy_document()
    scheme = Scheme.objects.create(code="legacy-2023", name=doc["name"])
    categories = {
        c["code"]: Category.objects.create(scheme=scheme, code=c["code"], name=c["name"], order=i)
        for i, c in enumerate(doc["categories"], start=1)
    }
    for order, rule in enumerate(doc["rules"], start=1):
        Rule.objects.create(
            scheme=scheme,
            category=categories[rule["category"]],
            code=rule["code"],
            text=rule["text"],
            kind=rule["kind"],
            points=rule.get("points"),
            max_points=rule.get("max_points"),
            points_national=rule.get("points_national"),
            points_provincial=rule.get("points_provincial"),
            points_municipal=rule.get("points_municipal"),
            annual=rule.get("annual", False),
            halve_when_shared=rule.get("halve_when_shared", False),
            reason_required=rule.get("reason_required", False),
            order=order,
        )

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())  # through 0004, and on to today's models
    migrated = CurrentScheme.objects.get(code="legacy-2023")
    rows = list(
        RuleLevel.objects.filter(rule__scheme=migrated)
        .order_by("rule__order", "order")
        .values_list("rule__code", "code", "name", "points", "order")
    )
    assert [(r, c, n, str(p), o) for r, c, n, p, o in rows] == [
        ("B1", "national", "全总", "10.00", 1),
        ("B1", "provincial", "省总", "8.00", 2),
        ("B1", "municipal", "市总", "5.00", 3),
        ("B2", "national", "全总", "10.00", 1),
        ("B2", "provincial", "省总", "8.00", 2),
        ("B2", "municipal", "市总", "5.00", 3),
        ("B3", "national", "全总", "12.00", 1),
        ("B3", "provincial", "省总", "10.00", 2),
        ("B3", "municipal", "市总", "8.00", 3),
    ]
    spec = spec_from_db(migrated)
    shipped = spec_from_document(builtin_schemes()["district-2023"])
    assert {code: dict(rule.level_points) for code, rule in spec.rules.items()} == {
        code: dict(rule.level_points) for code, rule in shipped.rules.items()
    }
    assert (spec.full_score, spec.levels) == (shipped.full_score, shipped.levels)
