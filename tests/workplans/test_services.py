import datetime
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from departments.models import Department
from results.cache import year_result
from reviews.models import LedgerRecord
from scoring.models import AssessmentYear, Rule
from workplans import selectors, services
from workplans.models import ClaimEvidence, MonthlyReport, PlanItem


def _plan(year, department, user, month=5, items=(("劳动竞赛推进会", 6, 15),)):
    report = services.report_get_or_create(year=year, department=department, month=month)
    services.report_save(
        report=report,
        summary_text="",
        plan_text="",
        plan_items=[
            services.PlanItemData(title=t, content="", due_date=datetime.date(year.year, m, d)) for t, m, d in items
        ],
        outcomes={},
        submit=False,
        user=user,
    )
    return report


def _summarise(year, department, user, outcome, cause, month=6, submit=True):
    report = services.report_get_or_create(year=year, department=department, month=month)
    items = services.summary_items(report)
    services.report_save(
        report=report,
        summary_text="六月工作小结",
        plan_text="",
        plan_items=[],
        outcomes={i.pk: services.OutcomeData(outcome, cause, "人手不足") for i in items},
        submit=submit,
        user=user,
    )
    return report, items


def test_report_submit_makes_it_read_only_and_late(cast, demo_year):
    bgs = Department.objects.get(name="办公室")
    report = _plan(demo_year, bgs, cast["head_bgs"])

    report, _ = _summarise(demo_year, bgs, cast["head_bgs"], PlanItem.Outcome.DONE, "", month=5)

    report.refresh_from_db()
    assert report.status == "submitted"
    assert report.is_late is True  # 2023-05-31 has long passed
    with pytest.raises(ValidationError, match="已提交"):
        services.report_save(
            report=report, summary_text="x", plan_text="", plan_items=[], outcomes={}, submit=False, user=None
        )


def test_report_submit_needs_every_outcome(cast, demo_year):
    bgs = Department.objects.get(name="办公室")
    _plan(demo_year, bgs, cast["head_bgs"])
    june = services.report_get_or_create(year=demo_year, department=bgs, month=6)

    with pytest.raises(ValidationError, match="完成情况"):
        services.report_save(
            report=june, summary_text="", plan_text="", plan_items=[], outcomes={}, submit=True, user=None
        )


def test_report_plan_due_date_must_fall_in_next_month(cast, demo_year):
    bgs = Department.objects.get(name="办公室")

    with pytest.raises(ValidationError, match="2023年6月内"):
        _plan(demo_year, bgs, cast["head_bgs"], items=(("错月事项", 7, 1),))


def test_t4_confirm_creates_one_linked_record_and_costs_two_points(cast, demo_year):
    bgs = Department.objects.get(name="办公室")
    _plan(demo_year, bgs, cast["head_bgs"])
    _, items = _summarise(demo_year, bgs, cast["head_bgs"], PlanItem.Outcome.NOT_DONE, PlanItem.Cause.OWN)
    before = year_result(demo_year).department("办公室").review_score
    assert list(services.t4_suggestions(year=demo_year)) == items

    record = services.t4_confirm(item=items[0], user=cast["reviewer_zzb"])

    items[0].refresh_from_db()
    assert items[0].ledger_record == record
    assert record.rule.code == "T4"
    assert record.date == datetime.date(2023, 6, 30)
    assert list(record.departments.all()) == [bgs]
    assert year_result(demo_year).department("办公室").review_score == before - Decimal("2")
    assert list(services.t4_suggestions(year=demo_year)) == []
    with pytest.raises(ValidationError, match="至多记录一次"):
        services.t4_confirm(item=items[0], user=cast["reviewer_zzb"])
    assert LedgerRecord.objects.filter(plan_item__isnull=False).count() == 1


def test_t4_suggestion_needs_a_submitted_summary_and_own_cause(cast, demo_year):
    bgs = Department.objects.get(name="办公室")
    _plan(demo_year, bgs, cast["head_bgs"])
    _summarise(demo_year, bgs, cast["head_bgs"], PlanItem.Outcome.NOT_DONE, PlanItem.Cause.OWN, submit=False)
    assert list(services.t4_suggestions(year=demo_year)) == []

    zzb = Department.objects.get(name="组织部")
    _plan(demo_year, zzb, cast["head_zzb"])
    _summarise(demo_year, zzb, cast["head_zzb"], PlanItem.Outcome.NOT_DONE, PlanItem.Cause.FORCE_MAJEURE)
    assert list(services.t4_suggestions(year=demo_year)) == []


def test_t4_dismiss_needs_a_reason(cast, demo_year):
    bgs = Department.objects.get(name="办公室")
    _plan(demo_year, bgs, cast["head_bgs"])
    _, items = _summarise(demo_year, bgs, cast["head_bgs"], PlanItem.Outcome.NOT_DONE, PlanItem.Cause.OWN)

    with pytest.raises(ValidationError, match="理由"):
        services.t4_dismiss(item=items[0], reason="  ", user=cast["reviewer_zzb"])
    services.t4_dismiss(item=items[0], reason="已在 T1 中扣分", user=cast["reviewer_zzb"])

    items[0].refresh_from_db()
    assert items[0].t4_state == "dismissed"
    with pytest.raises(ValidationError):
        services.t4_confirm(item=items[0], user=cast["reviewer_zzb"])


def test_frozen_year_refuses_reports_and_t4(cast, demo_year):
    bgs = Department.objects.get(name="办公室")
    _plan(demo_year, bgs, cast["head_bgs"])
    _, items = _summarise(demo_year, bgs, cast["head_bgs"], PlanItem.Outcome.NOT_DONE, PlanItem.Cause.OWN)
    AssessmentYear.objects.filter(pk=demo_year.pk).update(phase=AssessmentYear.Phase.APPROVED)

    with pytest.raises(ValidationError, match="只读"):
        services.t4_confirm(item=items[0], user=cast["reviewer_zzb"])
    with pytest.raises(ValidationError, match="只读"):
        _plan(AssessmentYear.objects.get(pk=demo_year.pk), bgs, cast["head_bgs"], month=7, items=())


def test_self_result_scores_declarations_with_the_core(cast, self_assessment_year):
    demo_year = self_assessment_year
    bgs = Department.objects.get(name="办公室")
    zzb = Department.objects.get(name="组织部")
    assessment = services.self_assessment_get_or_create(year=demo_year, department=bgs)
    rules = {r.code: r for r in Rule.objects.filter(scheme=demo_year.scheme)}
    services.self_assessment_save(
        assessment=assessment,
        summary="全年工作总结",
        declarations=[
            services.DeclarationData(rules["S2"], 3, 1, None, "一次因公务"),
            services.DeclarationData(rules["T3"], 1, 0, Decimal("1.5"), "上级调整时间"),
        ],
        submit=False,
        user=cast["head_bgs"],
    )
    services.bonus_claim_add(
        assessment=assessment, rule=rules["B1"], level="provincial", title="省总表彰", shared_with=[zzb]
    )

    result = selectors.self_result(selectors.self_assessments(demo_year).get())

    # 100 − 2 × 0.5 (S2, one of three exempt) − 1.5 (T3) + 8 / 2 (B1 provincial, shared: halved)
    assert result.review_score == Decimal("101.50")
    assert result.by_category["S"] == Decimal("-1.0")
    assert result.by_category["B"] == Decimal("4")


def test_self_assessment_submit_is_final(cast, self_assessment_year):
    demo_year = self_assessment_year
    bgs = Department.objects.get(name="办公室")
    assessment = services.self_assessment_get_or_create(year=demo_year, department=bgs)
    with pytest.raises(ValidationError, match="自评总结"):
        services.self_assessment_save(assessment=assessment, summary="", declarations=[], submit=True, user=None)

    services.self_assessment_save(assessment=assessment, summary="总结", declarations=[], submit=True, user=None)

    assessment.refresh_from_db()
    assert assessment.is_submitted
    assert assessment.submitted_at <= timezone.now()
    with pytest.raises(ValidationError, match="已提交"):
        services.self_assessment_save(assessment=assessment, summary="改", declarations=[], submit=False, user=None)


def test_report_board_states(cast, demo_year):
    bgs = Department.objects.get(name="办公室")
    report = _plan(demo_year, bgs, cast["head_bgs"])
    MonthlyReport.objects.filter(pk=report.pk).update(
        status="submitted", submitted_at=timezone.make_aware(datetime.datetime(2023, 5, 30, 9))
    )

    [(dept, cells)] = selectors.report_board(demo_year, [bgs], [4, 5])

    assert dept == bgs
    assert [c.state for c in cells] == ["missing", "submitted"]


@pytest.mark.usefixtures("self_assessment_year")
def test_bonus_claim_delete_removes_its_evidence_files_after_commit(
    demo_year, cast, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.EVIDENCE_ROOT = tmp_path
    office = Department.objects.get(name="办公室")
    claim = services.bonus_claim_add(
        assessment=services.self_assessment_get_or_create(year=demo_year, department=office),
        rule=Rule.objects.get(scheme=demo_year.scheme, code="B2"),
        level="municipal",
        title="市总交流材料",
        shared_with=[],
    )
    paths = [
        Path(services.evidence_add(claim=claim, upload=SimpleUploadedFile(name, b"%PDF-1.4\n"), user=None).file.path)
        for name in ("通知.pdf", "名单.pdf")
    ]

    with django_capture_on_commit_callbacks() as callbacks:
        services.bonus_claim_delete(claim=claim)
    assert ClaimEvidence.objects.count() == 0
    assert [p.is_file() for p in paths] == [True, True]  # not yet: the deletion is not committed
    for callback in callbacks:
        callback()

    assert [p.exists() for p in paths] == [False, False]
