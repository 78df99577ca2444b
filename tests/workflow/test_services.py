import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from departments.models import Department
from results.cache import year_result
from reviews.models import LedgerRecord
from scoring.cases import result_to_json
from scoring.models import AssessmentYear, DemocraticScore, DiscretionaryAward, Rule, TieOrder
from tests.workflow.conftest import office_s2
from workflow import services
from workflow.models import Approval, Objection, PhaseTransition, Reopening

Phase = AssessmentYear.Phase
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _office_i1(year):
    return LedgerRecord.objects.get(year=year, rule__code="I1", record_departments__department__name="办公室")


def test_year_walks_every_phase_with_objection_tie_and_discretionary_award(tie_ready_year, cast):
    year = tie_ready_year
    year.phase = Phase.PREPARING
    year.save()
    for to in [Phase.RUNNING, Phase.SELF_ASSESSMENT, Phase.SCORING, Phase.DEMOCRATIC]:
        services.year_phase_move(year, to, cast["lead"])
    services.year_phase_move(
        year, Phase.PUBLICITY, cast["lead"], publicity_start=datetime.date.today(), publicity_days=5
    )
    assert year.phase == Phase.PUBLICITY and year.results_published is True

    # 公示: 办公室's head objects to its S2 record; the 办公室 reviewer withdraws it.
    record = office_s2(year)
    objection = services.objection_raise(
        record=record,
        reason="当天经批准外出办理公务，并非迟到",
        by=cast["head_bgs"],
        files=[SimpleUploadedFile("批件.pdf", PDF)],
    )
    assert services.approval_blockers(year) == ["尚有 1 条异议未答复。"]
    with pytest.raises(ValidationError):
        services.year_approve(year, datetime.date(2024, 1, 20), "纪要1号", cast["leader_wang"])
    services.objection_answer(
        objection=objection, decision="withdraw", answer="核实属公务外出", by=cast["reviewer_bgs"]
    )
    objection.refresh_from_db()
    assert objection.record is None
    assert not LedgerRecord.objects.filter(pk=record.pk).exists()
    assert objection.record_before["rule"] == "S2"
    assert objection.record_after is None
    assert objection.effect["办公室"]["before"]["review_score"] == "105.50"
    assert objection.effect["办公室"]["after"]["review_score"] == "106.00"
    assert objection.effect["办公室"]["after"]["award"] == "pending"

    # Now 办公室 and 生活保障部 tie across the first-prize boundary.
    result = year_result(year)
    assert result.ties == (("办公室", "生活保障部"),)
    assert services.approval_blockers(year) == ["并列待排序：办公室、生活保障部。"]
    services.tie_order_set(year, ["办公室", "生活保障部"], "办公室全年获省级表彰", cast["leader_wang"])
    result = year_result(year)
    assert [(d.name, d.rank, d.award) for d in result.departments[:3]] == [
        ("宣教调研室", 1, "none"),
        ("办公室", 2, "first"),
        ("生活保障部", 3, "second"),
    ]

    # Discretionary award for 经济工作部 (94.48 ≥ 90, no prize).
    services.discretionary_award_grant(
        year, Department.objects.get(name="经济工作部"), "500", "信访工作突出", cast["leader_wang"]
    )
    assert year_result(year).department("经济工作部").total == Decimal("2000.00")

    after_publicity = datetime.date.today() + datetime.timedelta(days=5)
    approval = services.year_approve(
        year, datetime.date(2024, 1, 20), "党组会纪要〔2024〕2号", cast["leader_wang"], today=after_publicity
    )
    assert year.phase == Phase.APPROVED and year.is_frozen
    assert approval.snapshot["result"]["ties"] == []
    assert approval.snapshot["case"]["tie_order"] == [["办公室", "生活保障部"]]
    assert approval.snapshot["case"]["discretionary_awards"] == {"经济工作部": "500"}
    by_name = {d["name"]: d for d in approval.snapshot["result"]["departments"]}
    assert by_name["办公室"]["award"] == "first" and by_name["办公室"]["total"] == "12000.00"
    assert by_name["经济工作部"]["award"] == "discretionary"

    services.year_announce(year, cast["leader_wang"])
    assert year.phase == Phase.ANNOUNCED
    services.year_phase_move(year, Phase.ARCHIVED, cast["lead"])
    year.refresh_from_db()
    assert year.phase == Phase.ARCHIVED
    assert list(PhaseTransition.objects.filter(year=year).values_list("to_phase", flat=True)) == [
        "running",
        "self_assessment",
        "scoring",
        "democratic",
        "publicity",
        "approved",
        "announced",
        "archived",
    ]
    assert PhaseTransition.objects.filter(year=year, to_phase="approved").get().moved_by == cast["leader_wang"]


def test_year_phase_move_refuses_skipping_and_wrong_users(demo_year, cast):
    with pytest.raises(ValidationError):
        services.year_phase_move(demo_year, Phase.PUBLICITY, cast["lead"])
    with pytest.raises(ValidationError):
        services.year_phase_move(demo_year, Phase.APPROVED, cast["lead"])
    for user in ("head_bgs", "reviewer_bgs", "vice_li", "outsider"):
        with pytest.raises(PermissionDenied):
            services.year_phase_move(demo_year, Phase.DEMOCRATIC, cast[user])
    services.year_phase_move(demo_year, Phase.SELF_ASSESSMENT, cast["leader_wang"])  # one step back
    demo_year.refresh_from_db()
    assert demo_year.phase == Phase.SELF_ASSESSMENT
    assert PhaseTransition.objects.filter(year=demo_year).count() == 1


def test_objection_answer_adjust_changes_values_and_score(publicity_year, cast):
    record = _office_i1(publicity_year)
    objection = services.objection_raise(
        record=record, reason="只有一次", by=cast["head_bgs"], today=datetime.date(2024, 1, 12)
    )
    services.objection_answer(
        objection=objection, decision="adjust", answer="核实为一次", by=cast["reviewer_bgs"], values={"quantity": 1}
    )
    record.refresh_from_db()
    objection.refresh_from_db()
    assert record.quantity == 1
    assert objection.record_before["quantity"] == 2 and objection.record_after["quantity"] == 1
    assert objection.effect["办公室"]["before"]["review_score"] == "105.50"
    assert objection.effect["办公室"]["after"]["review_score"] == "106.50"
    assert year_result(publicity_year).department("办公室").review_score == Decimal("106.50")


def test_objection_answer_maintain_keeps_record(publicity_year, cast):
    record = office_s2(publicity_year)
    objection = services.objection_raise(
        record=record, reason="异议", by=cast["head_bgs"], today=datetime.date(2024, 1, 14)
    )
    services.objection_answer(objection=objection, decision="maintain", answer="有签到表为证", by=cast["lead"])
    objection.refresh_from_db()
    assert objection.decision == "maintain" and objection.record_after == objection.record_before
    assert objection.effect["办公室"]["before"] == objection.effect["办公室"]["after"]


def test_objection_raise_refused_for_other_department_and_after_period(publicity_year, cast):
    record = office_s2(publicity_year)
    with pytest.raises(PermissionDenied):
        services.objection_raise(record=record, reason="x", by=cast["head_zzb"], today=datetime.date(2024, 1, 12))
    with pytest.raises(ValidationError, match="公示期已结束"):
        services.objection_raise(record=record, reason="x", by=cast["head_bgs"], today=datetime.date(2024, 1, 15))
    with pytest.raises(ValidationError):
        services.objection_raise(
            record=record,
            reason="x",
            by=cast["head_bgs"],
            today=datetime.date(2024, 1, 12),
            files=[SimpleUploadedFile("a.exe", b"MZ\x90\x00" + b"\x00" * 100)],
        )
    assert Objection.objects.count() == 0


def test_objection_answer_refused_for_reviewer_of_other_category(publicity_year, cast):
    objection = services.objection_raise(
        record=office_s2(publicity_year), reason="x", by=cast["head_bgs"], today=datetime.date(2024, 1, 12)
    )
    for user in ("reviewer_zzb", "head_bgs", "leader_wang"):
        with pytest.raises(PermissionDenied):
            services.objection_answer(objection=objection, decision="withdraw", answer="y", by=cast[user])
    objection.refresh_from_db()
    assert objection.is_open


def test_objection_withdraw_clears_decision_that_no_longer_fits(publicity_year, cast):
    objection = services.objection_raise(
        record=office_s2(publicity_year), reason="x", by=cast["head_bgs"], today=datetime.date(2024, 1, 12)
    )
    services.objection_answer(objection=objection, decision="withdraw", answer="y", by=cast["reviewer_bgs"])
    services.tie_order_set(publicity_year, ["生活保障部", "办公室"], "理由", cast["leader_wang"])
    # A second objection, against 办公室's I1, lifts it above 生活保障部: the tie (and its order) is gone.
    record = _office_i1(publicity_year)
    second = services.objection_raise(record=record, reason="x", by=cast["head_bgs"], today=datetime.date(2024, 1, 12))
    services.objection_answer(
        objection=second, decision="adjust", answer="y", by=cast["reviewer_bgs"], values={"quantity": 1}
    )
    second.refresh_from_db()
    assert second.effect["decisions_cleared"] == ["并列排序（生活保障部、办公室）已失效，须重新排序"]
    assert TieOrder.objects.filter(year=publicity_year).count() == 0
    assert year_result(publicity_year).department("办公室").rank == 2


def test_tie_order_set_refuses_a_group_that_is_not_a_tie(publicity_year, cast):
    with pytest.raises(ValidationError, match="不是一组完整的并列部室"):
        services.tie_order_set(publicity_year, ["办公室", "组织部"], "理由", cast["leader_wang"])
    assert TieOrder.objects.count() == 0
    with pytest.raises(PermissionDenied):
        services.tie_order_set(publicity_year, ["办公室", "组织部"], "理由", cast["lead"])


def test_discretionary_award_grant_refuses_ineligible_department(publicity_year, cast):
    with pytest.raises(ValidationError, match="不符合酌情奖励条件"):
        services.discretionary_award_grant(
            publicity_year, Department.objects.get(name="女职工部"), "300", "理由", cast["leader_wang"]
        )
    with pytest.raises(ValidationError):
        services.discretionary_award_grant(
            publicity_year, Department.objects.get(name="经济工作部"), "1.234", "理由", cast["leader_wang"]
        )
    assert DiscretionaryAward.objects.filter(year=publicity_year).count() == 0


def test_year_approve_refused_outside_publicity_and_for_non_leadership(demo_year, approvable_year, cast):
    with pytest.raises(PermissionDenied):
        services.year_approve(approvable_year, datetime.date(2024, 1, 20), "1号", cast["lead"])
    services.year_phase_move(approvable_year, Phase.DEMOCRATIC, cast["lead"])
    with pytest.raises(ValidationError, match="审定须在公示阶段进行"):
        services.year_approve(approvable_year, datetime.date(2024, 1, 20), "1号", cast["leader_wang"])
    assert Approval.objects.count() == 0


def test_year_reopen_supersedes_approval_and_reapproval_makes_new_snapshot(approved_year, cast):
    first = services.approval_current(approved_year)
    with pytest.raises(PermissionDenied):
        services.year_reopen(approved_year, "数据有误", cast["leader_wang"])
    reopening = services.year_reopen(approved_year, "经济工作部人数有误", cast["admin"])
    assert approved_year.phase == Phase.PUBLICITY and not approved_year.is_frozen
    first.refresh_from_db()
    assert first.superseded_at is not None and reopening.approval == first
    second = services.year_approve(approved_year, datetime.date(2024, 2, 1), "纪要3号", cast["leader_wang"])
    assert second.pk != first.pk
    assert list(Approval.objects.filter(year=approved_year, superseded_at__isnull=True)) == [second]
    assert Reopening.objects.get().reason == "经济工作部人数有误"


def test_year_snapshot_result_rescores_identically_after_scheme_edit(approved_year, cast):

    before = services.approval_current(approved_year).snapshot["result"]
    # Next year's scheme edit: S1 now costs 3 points, I1 2 points.
    Rule.objects.filter(scheme=approved_year.scheme, code="S1").update(points=Decimal("3"))
    Rule.objects.filter(scheme=approved_year.scheme, code="I1").update(points=Decimal("2"))
    assert year_result(approved_year).department("办公室").review_score == Decimal("101.50")  # the live scheme
    again = result_to_json(services.year_snapshot_result(approved_year))
    assert again == before
    assert {d["name"]: d["review_score"] for d in again["departments"]}["办公室"] == "105.50"


def test_year_approve_refused_while_department_incomplete(approvable_year, cast):

    DemocraticScore.objects.filter(year=approvable_year, department__name="女职工部").delete()
    with pytest.raises(ValidationError) as err:
        services.year_approve(approvable_year, datetime.date(2024, 1, 20), "1号", cast["leader_wang"])
    assert err.value.messages == ["以下部室得分不完整：女职工部。"]


def test_year_allows_follows_phase(demo_year):
    assert services.year_allows(demo_year, "ledger") is True
    assert services.year_allows(demo_year, "self_assessment") is False
    demo_year.phase = Phase.APPROVED
    assert services.year_allows(demo_year, "ledger") is False


def test_approve_refuses_a_future_meeting_date(approvable_year, cast):
    with pytest.raises(ValidationError) as refused:
        services.year_approve(
            approvable_year,
            datetime.date(2024, 1, 21),
            "纪要1号",
            cast["leader_wang"],
            today=datetime.date(2024, 1, 20),
        )

    assert refused.value.message_dict == {"meeting_date": ["党组会日期不能晚于今天。"]}
    assert approvable_year.phase == Phase.PUBLICITY


def test_approve_before_the_publicity_ends_only_when_confirmed(approvable_year, cast):
    # 公示 2024-01-10 for 5 days: the last day is 2024-01-14.
    with pytest.raises(ValidationError) as refused:
        services.year_approve(
            approvable_year,
            datetime.date(2024, 1, 14),
            "纪要1号",
            cast["leader_wang"],
            today=datetime.date(2024, 1, 14),
        )
    approval = services.year_approve(
        approvable_year,
        datetime.date(2024, 1, 14),
        "纪要1号",
        cast["leader_wang"],
        today=datetime.date(2024, 1, 14),
        before_publicity_end=True,
    )

    assert refused.value.message_dict == {
        "confirm_early": ["公示期至2024年1月14日结束，尚未期满；如仍要审定，请勾选此项。"]
    }
    assert approval.meeting_date == datetime.date(2024, 1, 14)
