"""import_year / export_year: a year survives the round trip, and a bad file changes nothing."""

import json
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from hypothesis import HealthCheck, given, settings

from results.cache import year_result
from results.exchange import year_export, year_import
from reviews.models import LedgerRecord, RecordDepartment, TargetRecord
from scoring.cases import loads, parse_case, result_to_json, score_document
from scoring.catalogue import scheme_spec
from scoring.engine import ScoringError, score_year
from scoring.models import AssessmentYear, DemocraticScore, RuleCategory, Scheme, Target, YearDepartment
from tests.scoring.test_properties import years

CASES = Path(__file__).resolve().parents[1] / "data" / "cases"
VALID = sorted(p for p in CASES.glob("*.json") if not p.name.endswith(".expected.json"))
INVALID = sorted((CASES / "invalid").glob("*.json"))

pytestmark = pytest.mark.django_db


def counts() -> tuple[int, ...]:
    return (
        AssessmentYear.objects.count(),
        YearDepartment.objects.count(),
        LedgerRecord.objects.count(),
        RecordDepartment.objects.count(),
        DemocraticScore.objects.count(),
    )


@pytest.mark.parametrize("path", VALID, ids=[p.stem for p in VALID])
def test_import_export_score_equals_scoring_the_file(path):
    doc = loads(path.read_bytes())
    year = year_import(doc)
    exported = year_export(year)
    assert score_document(json.loads(json.dumps(exported), parse_float=str), scheme_spec) == score_document(
        doc, scheme_spec
    )
    assert result_to_json(year_result(year)) == score_document(doc, scheme_spec)


@pytest.mark.parametrize("path", INVALID, ids=[p.stem for p in INVALID])
def test_import_year_refuses_bad_file_and_changes_nothing(path):
    call_command("load_catalogue")
    before = counts()
    with pytest.raises(CommandError) as exc:
        call_command("import_year", str(path))
    assert str(exc.value).startswith(f"{path}: ")
    assert counts() == before


def test_import_year_refuses_existing_year_without_replace(demo_year):
    before = counts()
    with pytest.raises(CommandError, match="2023年度已存在"):
        call_command("import_year", str(VALID[0]))
    assert counts() == before


def test_import_year_with_bad_date_leaves_nothing(tmp_path):
    doc = json.loads(VALID[0].read_text(encoding="utf-8"))
    doc["records"][-1]["date"] = "2023-13-40"
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    call_command("load_catalogue")
    before = counts()
    with pytest.raises(CommandError, match=r"records\[17\]\.date"):
        call_command("import_year", str(bad))
    assert counts() == before


def test_export_year_command_writes_the_case(demo_year, tmp_path):
    target = tmp_path / "2023.json"
    call_command("export_year", "2023", "-o", str(target), stderr=StringIO())
    doc = json.loads(target.read_text(encoding="utf-8"))
    assert doc["format"] == "kaohe-case/1"
    assert len(doc["records"]) == 32
    assert doc["records"][0]["date"] == "2023-05-31"


def test_pending_records_are_not_scored_nor_exported(demo_year):
    record = LedgerRecord.objects.filter(year=demo_year, rule__code="D1").get()
    before = year_result(demo_year).department("经济工作部").review_score
    record.status = LedgerRecord.Status.PENDING
    record.save()
    assert year_result(demo_year).department("经济工作部").review_score == before + 5
    assert all(r["rule"] != "D1" for r in year_export(demo_year)["records"])


def _case_from_input(data) -> dict:
    records = []
    for r in data.records:
        item = {
            "rule": r.rule,
            "departments" if len(r.departments) > 1 else "department": (
                list(r.departments) if len(r.departments) > 1 else r.departments[0]
            ),
            "quantity": r.quantity,
        }
        if r.points is not None:
            item["points"] = str(r.points)
        if r.level:
            item["level"] = r.level
        if r.reason:
            item["reason"] = r.reason
        records.append(item)
    doc = {
        "format": "kaohe-case/1",
        "year": 2023,
        "departments": [{"name": d.name, "headcount": d.headcount} for d in data.departments],
        "records": records,
    }
    if data.democratic_scores is not None:
        doc["democratic_scores"] = {k: str(v) for k, v in data.democratic_scores.items()}
    return doc


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(years())
def test_a_year_rescores_identically_after_export_and_import(db, data):
    doc = _case_from_input(data)
    expected = result_to_json(score_year(parse_case(doc, scheme_spec)))
    year = year_import(doc, replace=True)
    again = year_import(year_export(year), replace=True)
    assert result_to_json(year_result(again)) == expected


DEPARTMENTS = ["办公室", "组织部", "宣教调研室", "民管法工部", "生活保障部", "女职工部", "经济工作部"]


def _ballot(group: str, voter: str | None, grades: str, paper: bool = False) -> dict:
    """A ballot as the export writes it; `grades` holds one letter per department (优良般差, - for none)."""
    letters = {"优": "优秀", "良": "良好", "般": "一般", "差": "较差"}
    ratings = {name: letters[g] for name, g in zip(DEPARTMENTS, grades, strict=True) if g != "-"}
    return {"group": group, "voter_department": voter, "ratings": ratings, **({"paper": True} if paper else {})}


def test_export_keeps_each_ballot_whole_without_code_person_or_time(ballot_year):
    doc = year_export(ballot_year)

    # Six ballots as cast (conftest.ballot_year), sorted by content: group, rater's department, paper, grades.
    assert doc["ballots"] == [
        _ballot("机关全体人员", "办公室", "-良优良优良良"),
        _ballot("机关全体人员", "组织部", "优优良般优良良", paper=True),
        _ballot("基层工会干部代表", None, "优优良良良-般"),
        _ballot("基层工会干部代表", None, "优良优良优般良"),
        _ballot("基层工会干部代表", None, "良良优般优良良"),
        _ballot("基层工会干部代表", None, "良般良良优良差", paper=True),
    ]


def test_exported_ballots_rescore_and_reimport_to_the_same_scores(ballot_year):
    expected = result_to_json(year_result(ballot_year))
    doc = json.loads(json.dumps(year_export(ballot_year)), parse_float=str)

    assert result_to_json(score_year(parse_case(doc, scheme_spec))) == expected
    doc["year"] = 2030
    imported = year_import(doc)
    assert result_to_json(year_result(imported)) == {**expected, "year": 2030}


# --- inline schemes and targets (docs/scoring.md §7) ------------------------------------------------------


def county_doc(**changes):
    doc = loads((CASES / "07-county-targets.json").read_bytes())
    doc.update(changes)
    return doc


def test_import_creates_an_inline_scheme_with_its_caps_levels_and_targets():
    year = year_import(county_doc())
    scheme = Scheme.objects.get(pk=year.scheme_id)
    assert (scheme.code, scheme.name, str(scheme.full_score)) == ("county-2011", "县总工会各部办目标管理考核", "100.00")
    assert [(c.code, c.cap, c.bonus_cap) for c in scheme.categories.order_by("order")] == [
        ("W", None, None),
        ("J", Decimal("10.00"), None),
        ("B", None, Decimal("5.00")),
        ("V", None, None),
    ]
    assert [(level.code, level.name, str(level.points)) for level in scheme.rules.get(code="B1").levels.all()] == [
        ("省级", "省级", "5.00"),
        ("市级", "市级", "3.00"),
    ]
    assert list(year.targets.order_by("order").values_list("code", "department__name", "points"))[:2] == [
        ("BGS-1", "办公室", Decimal("40.00")),
        ("BGS-2", "办公室", Decimal("35.00")),
    ]
    assert sorted(
        TargetRecord.objects.filter(year=year).values_list("target__code", "points", "not_started", "reason")
    ) == [
        ("BGS-1", Decimal("5.00"), False, "信息报送少于计划20篇"),
        ("BGS-2", Decimal("20.00"), False, "上半年未建成"),
        ("BGS-2", Decimal("20.00"), False, "下半年仍未建成"),
        ("XCB-1", Decimal("2.50"), False, "竞赛总结延迟上报"),
        ("ZZB-2", None, True, "立项工作全年未开展"),
    ]


def test_export_writes_the_scheme_inline_and_another_year_reuses_it():
    first = year_import(county_doc())
    exported = json.loads(json.dumps(year_export(first)), parse_float=str)
    assert exported["scheme"]["code"] == "county-2011"
    assert exported["scheme"]["categories"][1] == {"code": "J", "name": "机关管理", "cap": "10.00"}
    second = year_import({**exported, "year": 2012})
    assert second.scheme_id == first.scheme_id
    assert Scheme.objects.filter(code="county-2011").count() == 1


def test_import_refuses_a_different_scheme_under_an_existing_code_and_changes_nothing():
    year_import(county_doc())
    changed = county_doc(year=2012)
    changed["scheme"]["categories"][1]["cap"] = "12"
    before = (counts(), Target.objects.count(), TargetRecord.objects.count(), RuleCategory.objects.count())
    with pytest.raises(ScoringError) as exc:
        year_import(changed)
    assert (exc.value.place, exc.value.message) == (
        "scheme",
        "数据库中已有代码为 'county-2011' 的考核方案，但其类别或考核项目与文件中的不同（请改用新的方案代码）",
    )
    assert (counts(), Target.objects.count(), TargetRecord.objects.count(), RuleCategory.objects.count()) == before


def test_the_demo_year_exports_its_scheme_inline_and_reimports_onto_it(demo_year):
    exported = json.loads(json.dumps(year_export(demo_year)), parse_float=str)
    assert exported["scheme"]["code"] == "district-2023"
    assert exported["scheme"]["level_names"] == {"national": "全总", "provincial": "省总", "municipal": "市总"}
    copy = year_import({**exported, "year": 2030})
    assert copy.scheme_id == demo_year.scheme_id
    assert result_to_json(year_result(copy))["departments"] == result_to_json(year_result(demo_year))["departments"]
