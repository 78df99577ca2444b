"""Bad input never crashes (hypothesis): malformed kaohe-case/1 documents give a ScoringError (or a
CommandError from score_case), never another exception, and a refused import leaves the database as it was."""

import contextlib
import copy
import io
import json
from pathlib import Path

import pytest
from django.apps import apps
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scoring import engine
from scoring.cases import loads, parse_case
from scoring.catalogue import scheme_spec
from scoring.engine import ScoringError

REPO_CASES = Path(__file__).resolve().parents[1] / "data" / "cases"
# The valid worked cases of docs/scoring.md: the seeds of the mutations below.
CASES = [
    loads(path.read_bytes()) for path in sorted(REPO_CASES.glob("*.json")) if not path.name.endswith(".expected.json")
]

scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**30), max_value=10**30)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.decimals(allow_nan=False, allow_infinity=False)
    | st.decimals(min_value=-1000, max_value=1000, places=2)
    | st.text(max_size=12)
    | st.sampled_from(["办公室", "组织部", "T3", "S1", "B1", "V1", "national", "优秀", "kaohe-case/1", "", "1e999"])
)
json_values = st.recursive(
    scalars,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=12,
)
FIELD_NAMES = [
    "format",
    "year",
    "scheme",
    "settings",
    "departments",
    "records",
    "ballots",
    "leaders",
    "democratic_scores",
    "discretionary_awards",
    "tie_order",
    "rule",
    "department",
    "quantity",
    "points",
    "level",
    "exempt",
    "reason",
    "headcount",
    "name",
    "ratings",
    "group",
]


def _paths(value, prefix=()):
    yield prefix
    if isinstance(value, dict):
        for key, child in value.items():
            yield from _paths(child, (*prefix, key))
    elif isinstance(value, list):
        for i, child in enumerate(value):
            yield from _paths(child, (*prefix, i))


@st.composite
def mutated_cases(draw):
    """A worked case with a few random changes: a value replaced, a key dropped, a key added."""
    doc = copy.deepcopy(draw(st.sampled_from(CASES)))
    for _ in range(draw(st.integers(1, 3))):
        path = draw(st.sampled_from(list(_paths(doc))))
        if not path:
            continue
        parent = doc
        for step in path[:-1]:
            parent = parent[step]
        action = draw(st.sampled_from(["replace", "drop", "add"]))
        if action == "replace":
            parent[path[-1]] = draw(json_values)
        elif action == "drop":
            del parent[path[-1]]
        elif isinstance(parent, dict):
            parent[draw(st.sampled_from(FIELD_NAMES) | st.text(max_size=6))] = draw(json_values)
        else:
            parent.append(draw(json_values))
    return doc


def _score(doc) -> None:
    engine.score_year(parse_case(doc, scheme_spec))


# scheme_spec reads the catalogue from the database.
pytestmark = pytest.mark.django_db


def test_worked_cases_are_there_to_mutate():
    assert len(CASES) == 7, "tests/data/cases holds the seven valid worked cases"


@settings(max_examples=100, deadline=None)
@given(json_values)
def test_parse_case_random_json_raises_only_scoring_error(doc):
    with contextlib.suppress(ScoringError):
        _score(doc)


@settings(max_examples=100, deadline=None)
@given(mutated_cases())
def test_parse_case_mutated_cases_raise_only_scoring_error(doc):
    with contextlib.suppress(ScoringError):
        _score(doc)


@settings(max_examples=60, deadline=None)
@given(st.binary(max_size=200) | st.text(max_size=200).map(str.encode))
def test_loads_garbage_raises_only_scoring_error(raw):
    with contextlib.suppress(ScoringError):
        _score(loads(raw))


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(doc=mutated_cases())
def test_score_case_command_gives_command_error_only(tmp_path, doc):
    path = tmp_path / "case.json"
    path.write_text(json.dumps(doc, ensure_ascii=False, default=str), encoding="utf-8")
    try:
        call_command("score_case", str(path), stdout=io.StringIO())
    except CommandError as exc:
        assert str(exc).startswith(f"{path}: ")


def test_score_case_command_refuses_invalid_cases(tmp_path):
    invalid = sorted((REPO_CASES / "invalid").glob("*.json"))
    assert len(invalid) == 20, "tests/data/cases/invalid holds the twenty invalid cases"
    for path in invalid:
        with pytest.raises(CommandError):
            call_command("score_case", str(path), stdout=io.StringIO())


def _row_counts() -> dict[str, int]:
    return {m._meta.label_lower: m._base_manager.count() for m in apps.get_models() if m._meta.managed}


@pytest.fixture
def import_year():
    year_import = pytest.importorskip("results.exchange").year_import
    return year_import


@pytest.mark.django_db
@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(doc=mutated_cases() | json_values)
def test_import_year_bad_documents_refused_and_database_unchanged(import_year, doc):
    with transaction.atomic():
        before = _row_counts()
        try:
            import_year(doc)
        except ScoringError:
            assert _row_counts() == before
        # A mutation may leave a valid document; it imports. Either way, undo for the next example.
        transaction.set_rollback(True)


@pytest.mark.django_db
def test_import_year_refuses_bad_record_after_good_ones_and_writes_nothing(import_year):
    doc = copy.deepcopy(next(d for d in CASES if d.get("records")))
    doc["records"].append({"rule": "T3", "department": doc["departments"][0]["name"], "points": "-1"})
    before = _row_counts()

    with pytest.raises(ScoringError):
        import_year(doc)

    assert _row_counts() == before


# Numbers beyond what a real year holds are refused with a ScoringError (they would overflow Decimal's
# 28 digits or the database columns).
HUGE_VALUES = [
    pytest.param(lambda d: d["departments"][0].__setitem__("headcount", 10**40), id="headcount-1e40"),
    pytest.param(
        lambda d: d.setdefault("settings", {}).__setitem__("first_prize_per_capita", "1e30"), id="per-capita-1e30"
    ),
    pytest.param(
        lambda d: d.setdefault("discretionary_awards", {}).__setitem__(d["departments"][0]["name"], "1e30"),
        id="award-1e30",
    ),
]


@pytest.mark.parametrize("change", HUGE_VALUES)
def test_parse_case_huge_numbers_give_scoring_error(change):
    doc = copy.deepcopy(CASES[0])
    change(doc)

    with pytest.raises(ScoringError):
        _score(doc)


def test_import_year_huge_headcount_refused_and_database_unchanged(import_year):
    doc = copy.deepcopy(CASES[0])
    doc["departments"][0]["headcount"] = 10**22
    before = _row_counts()

    with pytest.raises(ScoringError):
        import_year(doc)

    assert _row_counts() == before
