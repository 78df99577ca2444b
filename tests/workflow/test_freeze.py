"""After approval (审定) every write path refuses: admin, staff pages, imports, commands, services.
Each test tries one path on the approved demo year and asserts that nothing in the year changed."""

import datetime
import io
import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command
from django.urls import reverse

from ballots import services as ballots
from departments.models import Department
from results.exchange import year_export
from reviews import services as ledger
from reviews.models import LedgerRecord, RecordDepartment
from scoring.models import DemocraticScore, DiscretionaryAward, Rule, TieOrder, YearDepartment
from workflow import services
from workflow.models import Objection
from workplans.models import MonthlyReport, SelfAssessment


def _state(year) -> str:
    """Everything that makes up the year's numbers, as one comparable string."""

    records = list(
        LedgerRecord.objects.filter(year=year)
        .order_by("pk")
        .values_list("pk", "rule__code", "quantity", "points", "level", "exempt", "reason", "status", "version")
    )
    links = list(RecordDepartment.objects.filter(year=year).order_by("pk").values_list("record_id", "department_id"))
    scores = list(DemocraticScore.objects.filter(year=year).order_by("pk").values_list("department_id", "score"))
    heads = list(YearDepartment.objects.filter(year=year).order_by("pk").values_list("department_id", "headcount"))
    decisions = (TieOrder.objects.filter(year=year).count(), DiscretionaryAward.objects.filter(year=year).count())
    staff = (MonthlyReport.objects.filter(year=year).count(), SelfAssessment.objects.filter(year=year).count())
    year.refresh_from_db()
    return repr((records, links, scores, heads, decisions, staff, year.phase, Objection.objects.count()))


@pytest.fixture
def frozen(approved_year):
    return approved_year, _state(approved_year)


def _record(year, code="S2", department="办公室"):
    return LedgerRecord.objects.get(year=year, rule__code=code, record_departments__department__name=department)


# --- admin: ledger records -------------------------------------------------------------------------------


@pytest.mark.parametrize("user", ["admin", "lead", "reviewer_bgs"])
def test_frozen_admin_ledger_add_refused(client, frozen, cast, user):
    year, before = frozen
    client.force_login(cast[user])
    response = client.post(
        reverse("admin:reviews_ledgerrecord_add"),
        {
            "year": year.pk,
            "rule": Rule.objects.get(scheme=year.scheme, code="S2").pk,
            "target_departments": [Department.objects.get(name="组织部").pk],
            "date": "2023-12-20",
            "quantity": 1,
        },
    )
    assert response.status_code == 200  # the form comes back with the refusal
    assert response.context["adminform"].form.errors == {"__all__": [f"{year}已审定，数据只读。"]}
    assert _state(year) == before


@pytest.mark.parametrize("user", ["admin", "lead", "reviewer_bgs"])
def test_frozen_admin_ledger_change_refused(client, frozen, cast, user):
    year, before = frozen
    record = _record(year)
    client.force_login(cast[user])
    response = client.post(
        reverse("admin:reviews_ledgerrecord_change", args=[record.pk]),
        {
            "year": year.pk,
            "rule": record.rule_id,
            "target_departments": [record.departments.get().pk],
            "date": "2023-12-07",
            "quantity": 5,
            "version": record.version,
        },
    )
    assert response.status_code == 403
    assert _state(year) == before


@pytest.mark.parametrize("user", ["admin", "lead"])
def test_frozen_admin_ledger_delete_refused(client, frozen, cast, user):
    year, before = frozen
    record = _record(year)
    client.force_login(cast[user])
    assert (
        client.post(reverse("admin:reviews_ledgerrecord_delete", args=[record.pk]), {"post": "yes"}).status_code == 403
    )
    client.post(
        reverse("admin:reviews_ledgerrecord_changelist"),
        {"action": "delete_selected", "_selected_action": [record.pk], "post": "yes"},
    )
    assert _state(year) == before


def test_frozen_admin_ledger_history_revert_refused(client, frozen, cast):
    year, before = frozen
    record = _record(year)
    history = record.history.earliest()
    client.force_login(cast["admin"])
    response = client.post(
        reverse("admin:reviews_ledgerrecord_simple_history", args=[record.pk, history.history_id]),
        {
            "year": year.pk,
            "rule": record.rule_id,
            "target_departments": [record.departments.get().pk],
            "date": "2023-12-07",
            "quantity": 3,
            "version": record.version,
        },
    )
    assert response.status_code in (200, 403)
    assert _state(year) == before


def test_frozen_admin_ledger_import_refused(client, frozen, cast):
    year, before = frozen
    client.force_login(cast["lead"])
    template = client.get(reverse("admin:reviews_ledgerrecord_template", args=[year.pk])).content
    upload = io.BytesIO(template)
    upload.name = "台帐.xlsx"
    response = client.post(reverse("admin:reviews_ledgerrecord_import"), {"year": year.pk, "file": upload})
    assert response.status_code == 200
    assert "已审定，数据只读" in response.content.decode()
    assert _state(year) == before


# --- admin: the year's settings and decisions -------------------------------------------------------------


def test_frozen_admin_year_rows_refused(client, frozen, cast):
    year, before = frozen
    client.force_login(cast["admin"])
    score = DemocraticScore.objects.filter(year=year).first()
    assert (
        client.post(
            reverse("admin:scoring_democraticscore_change", args=[score.pk]),
            {"year": year.pk, "department": score.department_id, "score": "100"},
        ).status_code
        == 403
    )
    head = YearDepartment.objects.filter(year=year).first()
    assert (
        client.post(
            reverse("admin:scoring_yeardepartment_change", args=[head.pk]),
            {"year": year.pk, "department": head.department_id, "headcount": 60, "order": 1},
        ).status_code
        == 403
    )
    response = client.post(
        reverse("admin:scoring_discretionaryaward_add"),
        {"year": year.pk, "department": Department.objects.get(name="经济工作部").pk, "amount": "300", "reason": "x"},
    )
    assert response.status_code == 403  # decisions are never written in the admin (the approval screen makes them)
    assert (
        client.post(reverse("admin:scoring_assessmentyear_change", args=[year.pk]), {"phase": "publicity"}).status_code
        == 403
    )
    assert _state(year) == before


# --- staff pages ------------------------------------------------------------------------------------------


def test_frozen_staff_page_posts_refused(client, frozen, cast):
    year, before = frozen
    bgs = Department.objects.get(name="办公室")
    client.force_login(cast["head_bgs"])
    urls = [
        reverse("workplans:report", args=[2023, bgs.pk, 12]),
        reverse("workplans:self", args=[2023, bgs.pk]),
        reverse("workplans:claim_add", args=[2023, bgs.pk]),
    ]
    for url in urls:
        response = client.post(url, {"summary_text": "x", "plan_text": "y", "summary": "z", "action": "save"})
        assert response.status_code == 403, url
    assert _state(year) == before


def test_frozen_workflow_pages_refused(client, frozen, cast):
    year, before = frozen
    client.force_login(cast["leader_wang"])
    client.post(
        reverse("workflow:approval_award", args=[2023]), {"department": "经济工作部", "amount": "300", "reason": "x"}
    )
    client.post(reverse("workflow:approval_approve", args=[2023]), {"meeting_date": "2024-02-01", "minutes_ref": "y"})
    client.force_login(cast["lead"])
    client.post(reverse("workflow:move", args=[2023]), {"to": "publicity"})
    client.force_login(cast["head_bgs"])
    assert client.get(reverse("workflow:objection_new", args=[2023, _record(year).pk])).status_code == 403
    assert (
        client.post(reverse("workflow:objection_new", args=[2023, _record(year).pk]), {"reason": "x"}).status_code
        == 403
    )
    assert _state(year) == before


# --- imports, commands and services -----------------------------------------------------------------------


def test_frozen_import_year_command_refused(frozen, tmp_path):

    year, before = frozen
    doc = year_export(year)
    doc["departments"][0]["headcount"] = 60
    path = tmp_path / "2023.json"
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(CommandError, match="已审定"):
        call_command("import_year", str(path), "--replace")
    with pytest.raises(CommandError):
        call_command("import_year", str(path))
    assert _state(year) == before


def test_frozen_services_refused(frozen, cast):

    year, before = frozen
    record = _record(year)
    attempts = [
        lambda: ledger.ledger_record_create(year=year, rule=record.rule, departments=[record.departments.get()]),
        lambda: ledger.ledger_record_delete(record=record),
        lambda: ledger.ledger_record_update(
            record=record,
            expected_version=record.version,
            rule=record.rule,
            departments=list(record.departments.all()),
            date=record.date,
            quantity=4,
        ),
        lambda: services.tie_order_set(year, ["办公室", "组织部"], "x", cast["leader_wang"]),
        lambda: services.discretionary_award_grant(
            year, Department.objects.get(name="经济工作部"), "300", "x", cast["leader_wang"]
        ),
        lambda: services.objection_raise(record=record, reason="x", by=cast["head_bgs"]),
        lambda: services.year_phase_move(year, "publicity", cast["lead"]),
        lambda: services.year_approve(year, datetime.date(2024, 2, 1), "x", cast["leader_wang"]),
    ]
    for attempt in attempts:
        with pytest.raises((ValidationError, PermissionDenied)):
            attempt()
    assert _state(year) == before


def test_frozen_ballot_round_open_refused(frozen):

    year, before = frozen
    with pytest.raises(ValidationError):
        ballots.round_open(year=year, title="补充测评", closes_at=None, groups=ballots.default_groups(year=year))
    assert _state(year) == before
