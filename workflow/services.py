"""The year's procedure (七、考核程序) as services: phases, 公示 and objections, leadership's decisions,
approval with its snapshot, re-opening and announcement.

Views, admin and tests call these functions; each checks the acting user's right, the year's phase and
the freeze, and leaves a row on record.
"""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Iterable, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

import access
from departments.models import Department
from kaohe.files import evidence_check
from results.exchange import year_export
from results.loader import year_input
from reviews.models import LedgerRecord
from reviews.selectors import target_allotment_problems
from reviews.services import ledger_record_delete, ledger_record_update, year_ensure_writable
from scoring import engine
from scoring.cases import parse_case, result_to_json
from scoring.catalogue import scheme_document, spec_from_document
from scoring.models import AssessmentYear, DiscretionaryAward, Rule, TieOrder, TieOrderEntry
from scoring.phases import (  # noqa: F401 (the rules live there, where the ledger asks too; re-exported)
    OPEN_PHASES,
    PHASE_ACTIONS,
    PHASE_ORDER,
    year_allows,
    year_refusal,
    year_require,
)
from workflow.models import Approval, Objection, ObjectionFile, PhaseTransition, Publicity, Reopening
from workflow.signals import year_announced

Phase = AssessmentYear.Phase

DEFAULT_PUBLICITY_DAYS = 5


def _locked(year: AssessmentYear) -> AssessmentYear:
    """Re-read the year under a row lock so that two steps of the procedure never interleave."""
    fresh = AssessmentYear.objects.select_for_update().select_related("scheme").get(pk=year.pk)
    year.phase, year.results_published = fresh.phase, fresh.results_published
    return fresh


def _set_phase(year: AssessmentYear, locked: AssessmentYear, to: str, by, note: str = "") -> PhaseTransition:
    transition = PhaseTransition.objects.create(
        year=locked, from_phase=locked.phase, to_phase=to, moved_by=by, note=note[:200]
    )
    locked.phase = to
    locked._history_user = by  # type: ignore[attr-defined]  # the history names who moved the year, from a command too
    fields = ["phase"]
    if to in {Phase.PUBLICITY, Phase.ANNOUNCED}:
        locked.results_published = True
        fields.append("results_published")
    locked.save(update_fields=fields)
    year.phase, year.results_published = locked.phase, locked.results_published
    return transition


# ---------------------------------------------------------------------------------------------------------
# Phases


@transaction.atomic
def year_phase_move(
    year: AssessmentYear,
    to: str,
    by,
    *,
    publicity_days: int = DEFAULT_PUBLICITY_DAYS,
    publicity_start: datetime.date | None = None,
) -> PhaseTransition:
    """Move the year one step forward or back. Approval, announcement and re-opening have their own
    services, since each needs more than a click."""
    if not access.may_move_phase(by):
        raise PermissionDenied("只有考核小组组长或领导可以变更考核阶段。")
    locked = _locked(year)
    current = locked.phase
    if to not in PHASE_ORDER:
        raise ValidationError("未知的考核阶段。")
    if to == current:
        raise ValidationError(f"{locked}已处于“{Phase(to).label}”阶段。")
    if to == Phase.APPROVED:
        raise ValidationError("审定须在审定页面记录党组会审定。")
    if to == Phase.ANNOUNCED:
        raise ValidationError("通报须在审定后由领导发布。")
    if locked.is_frozen and to != Phase.ARCHIVED:
        raise ValidationError(f"{locked}已审定，只能由系统管理员重新开启。")
    if to == Phase.ARCHIVED and current != Phase.ANNOUNCED:
        raise ValidationError("只有已通报的年度可以归档。")
    if not locked.is_frozen and abs(OPEN_PHASES.index(to) - OPEN_PHASES.index(current)) != 1:
        raise ValidationError(
            f"只能前进或后退一个阶段（当前为“{Phase(current).label}”，不能直接变为“{Phase(to).label}”）。"
        )
    note = ""
    if to == Phase.PUBLICITY:
        if publicity_days < 1:
            raise ValidationError("公示天数须至少为 1 天。")
        publicity = Publicity.objects.create(
            year=locked, start=publicity_start or timezone.localdate(), days=publicity_days, started_by=by
        )
        note = f"公示 {publicity.start:%Y-%m-%d} 起 {publicity.days} 天"
    return _set_phase(year, locked, to, by, note)


def publicity_current(year: AssessmentYear) -> Publicity | None:
    return year.publicities.order_by("-created_at", "-id").first()


def publicity_running(year: AssessmentYear, today: datetime.date | None = None) -> Publicity | None:
    """The year's 公示 while it still runs (today is not past its last day), else None."""
    publicity = publicity_current(year) if year.phase == Phase.PUBLICITY else None
    if publicity is None or (today or timezone.localdate()) > publicity.end:
        return None
    return publicity


def publicity_running_message(publicity: Publicity) -> str:
    end = publicity.end
    return f"公示期至{end.year}年{end.month}月{end.day}日结束，尚未期满；如仍要审定，请勾选此项。"


MEETING_DATE_FUTURE = "党组会日期不能晚于今天。"


# ---------------------------------------------------------------------------------------------------------
# Objections (异议)


def record_as_dict(record: LedgerRecord) -> dict[str, Any]:
    """A record's scoring values, as kept on an objection before and after its answer."""
    return {
        "id": record.pk,
        "rule": record.rule.code,
        "departments": sorted(record.record_departments.values_list("department__name", flat=True)),
        "date": record.date.isoformat(),
        "quantity": record.quantity,
        "points": None if record.points is None else str(record.points),
        "level": record.level,
        "exempt": record.exempt,
        "reason": record.reason,
        "status": record.status,
    }


def _scores_of(year: AssessmentYear, names: Iterable[str]) -> dict[str, dict[str, str | int | None]]:
    result = engine.score_year(year_input(year))
    scores = {}
    for name in names:
        try:
            d = result.department(name)
        except KeyError:
            continue
        scores[name] = {
            "review_score": str(d.review_score),
            "final_score": None if d.final_score is None else str(d.final_score),
            "rank": d.rank,
            "award": d.award,
        }
    return scores


def objection_file_check(upload: UploadedFile) -> str:
    """The upload's content type, checked by its content (not its name) and size, as for ledger evidence."""
    return evidence_check(upload)


@transaction.atomic
def objection_raise(
    *, record: LedgerRecord, reason: str, by, files: Sequence[UploadedFile] = (), today: datetime.date | None = None
) -> Objection:
    """A department head objects to a record of the department during 公示."""
    year = record.year
    locked = _locked(year)
    year_ensure_writable(locked)
    record_departments = set(record.record_departments.values_list("department_id", flat=True))
    departments = [d for d in access.headed_departments(by) if d.pk in record_departments]
    if not departments:
        raise PermissionDenied("只能对本部室的台帐记录提出异议。")
    year_require(locked, "objection")
    publicity = publicity_current(locked)
    today = today or timezone.localdate()
    if publicity is None or not publicity.is_open_on(today):
        raise ValidationError("公示期已结束，不能再提出异议。")
    if not reason.strip():
        raise ValidationError({"reason": "请填写异议理由。"})
    if Objection.objects.filter(record=record, department=departments[0], status=Objection.Status.OPEN).exists():
        raise ValidationError("本部室对这条记录的异议尚未答复，不能重复提出。")
    kinds = [objection_file_check(f) for f in files]
    objection = Objection.objects.create(
        year=locked,
        record=record,
        department=departments[0],
        publicity=publicity,
        reason=reason.strip(),
        raised_by=by,
        record_before=record_as_dict(record),
    )
    for upload, kind in zip(files, kinds, strict=True):
        ObjectionFile.objects.create(
            objection=objection, **ObjectionFile.upload_fields(upload, content_type=kind, uploaded_by=by)
        )
    return objection


ADJUSTABLE = ("quantity", "points", "level", "exempt", "reason")


def _adjusted_values(record: LedgerRecord, values: dict[str, Any]) -> dict[str, Any]:
    unknown = set(values) - set(ADJUSTABLE)
    if unknown:
        raise ValidationError(f"不能调整的字段：{'、'.join(sorted(unknown))}")
    new = {name: getattr(record, name) for name in ADJUSTABLE}
    new.update(values)
    try:
        new["quantity"] = int(new["quantity"])
    except (TypeError, ValueError):
        raise ValidationError({"quantity": "数量须为正整数"}) from None
    if new["points"] in ("", None):
        new["points"] = None
    else:
        try:
            new["points"] = Decimal(str(new["points"]))
        except InvalidOperation:
            raise ValidationError({"points": "分值须为数字"}) from None
    new["level"] = new["level"] or ""
    new["exempt"] = bool(new["exempt"])
    new["reason"] = (new["reason"] or "").strip()
    return new


@transaction.atomic
def objection_answer(
    *, objection: Objection, decision: str, answer: str, by, values: dict[str, Any] | None = None
) -> Objection:
    """The reviewer of the record's category answers: 维持 keeps the record, 撤销 deletes it (its history
    stays in the audit trail and on the objection), 调整 changes its values under the ledger's rules."""
    objection = Objection.objects.select_for_update().get(pk=objection.pk)
    locked = _locked(objection.year)
    year_ensure_writable(locked)
    if not objection.is_open:
        raise ValidationError("该异议已答复。")
    record = objection.record
    if record is not None and not access.may_record_rule(by, record.rule):
        raise PermissionDenied("只有负责该考核项目的考核小组成员或组长可以答复。")
    if record is None and not access.may_record_rule(by, _rule_of(objection)):
        raise PermissionDenied("只有负责该考核项目的考核小组成员或组长可以答复。")
    if decision not in Objection.Decision.values:
        raise ValidationError({"decision": "请选择答复结论（维持 / 撤销 / 调整）。"})
    if not answer.strip():
        raise ValidationError({"answer": "请填写答复理由。"})
    if record is None and decision != Objection.Decision.MAINTAIN:
        raise ValidationError("该记录已被撤销，只能维持。")

    names = objection.record_before.get("departments", [])
    before = _scores_of(locked, names)
    after_record: dict[str, Any] | None = objection.record_before
    # A record withdrawn since can only be maintained (refused above otherwise).
    if decision == Objection.Decision.WITHDRAW and record is not None:
        ledger_record_delete(record=record)  # the audit trail keeps it; so does the objection (record_before)
        objection.record = None
        after_record = None
    elif decision == Objection.Decision.ADJUST and record is not None:
        new = _adjusted_values(record, values or {})
        departments = list(Department.objects.filter(record_links__record=record).order_by("order", "id"))
        if all(getattr(record, k) == v for k, v in new.items()):
            raise ValidationError("调整后的数值与原记录相同；如不改变记录，请选择“维持”。")
        record = ledger_record_update(
            record=record,
            expected_version=record.version,
            rule=record.rule,
            departments=departments,
            date=record.date,
            description=record.description,
            **new,
        )
        after_record = record_as_dict(record)
    elif record is not None:
        after_record = record_as_dict(record)
    cleared = _decisions_revalidate(locked)
    after = _scores_of(locked, names)

    objection.status = Objection.Status.ANSWERED
    objection.decision = decision
    objection.answer = answer.strip()
    objection.answered_by = by
    objection.answered_at = timezone.now()
    objection.record_after = after_record
    objection.effect = {name: {"before": before.get(name), "after": after.get(name)} for name in names}
    if cleared:
        objection.effect["decisions_cleared"] = cleared
    objection.save()
    return objection


def _decisions_revalidate(year: AssessmentYear) -> list[str]:
    """After a record changes, a tie order or a discretionary award may no longer fit the scores (the tie is
    gone, the department fell below the threshold). Such a decision is removed, and leadership decides again;
    what was removed is returned for the record."""
    cleared: list[str] = []
    for _ in range(year.tie_orders.count() + year.discretionary_awards.count() + 1):
        data = year_input(year)
        try:
            engine.score_year(data)
            return cleared
        except engine.ScoringError as exc:
            if exc.place.startswith("tie_order["):
                names = data.tie_order[int(exc.place.split("[")[1].split("]")[0])]
                TieOrder.objects.filter(year=year, entries__department__name__in=names).distinct().delete()
                cleared.append(f"并列排序（{'、'.join(names)}）已失效，须重新排序")
            elif exc.place.startswith("discretionary_awards."):
                name = exc.place.split(".", 1)[1]
                DiscretionaryAward.objects.filter(year=year, department__name=name).delete()
                cleared.append(f"{name}的酌情奖励已失效，须重新决定")
            else:
                raise ValidationError(exc.message) from None
    return cleared


def _rule_of(objection: Objection):

    return Rule.objects.get(scheme=objection.year.scheme, code=objection.record_before["rule"])


def objections_open(year: AssessmentYear):
    return Objection.objects.filter(year=year, status=Objection.Status.OPEN)


# ---------------------------------------------------------------------------------------------------------
# Leadership's decisions (docs/scoring.md §5)


def _decision_guard(year: AssessmentYear, by) -> AssessmentYear:
    if not access.may_decide(by):
        raise PermissionDenied("只有领导可以作出此项决定。")
    locked = _locked(year)
    year_ensure_writable(locked)
    year_require(locked, "decision")
    return locked


def _score_checked(year: AssessmentYear) -> engine.YearResult:
    try:
        return engine.score_year(year_input(year))
    except engine.ScoringError as exc:
        raise ValidationError(exc.message) from None


@transaction.atomic
def tie_order_set(year: AssessmentYear, departments: Sequence[Department | str], reason: str, by) -> TieOrder:
    """Leadership orders one whole tie, best first; the ordered departments get consecutive ranks."""
    locked = _decision_guard(year, by)
    if not reason.strip():
        raise ValidationError({"reason": "请填写排序理由。"})
    names = [d if isinstance(d, str) else d.name for d in departments]
    by_name = {d.name: d for d in Department.objects.filter(year_entries__year=locked, name__in=names)}
    missing = [n for n in names if n not in by_name]
    if missing:
        raise ValidationError(f"未知部室：{'、'.join(missing)}")
    if len(set(names)) != len(names) or len(names) < 2:
        raise ValidationError("并列排序须列出该组并列的全部部室（至少两个），且不能重复。")
    # A new order of the same tie replaces the old one.
    TieOrder.objects.filter(year=locked, entries__department__name__in=names).distinct().delete()
    tie = TieOrder.objects.create(year=locked, reason=reason.strip(), decided_by=by)
    TieOrderEntry.objects.bulk_create(
        TieOrderEntry(tie_order=tie, department=by_name[name], position=i) for i, name in enumerate(names, start=1)
    )
    _score_checked(locked)  # the one core refuses a group that is not exactly one whole tie
    return tie


@transaction.atomic
def discretionary_award_grant(
    year: AssessmentYear, department: Department, amount: Decimal | str, reason: str, by
) -> DiscretionaryAward:
    """八、其余对完成工作任务得分在90分以上的可酌情奖励: a per-person amount (0 grants nothing)."""
    locked = _decision_guard(year, by)
    try:
        amount = Decimal(str(amount).strip())
    except InvalidOperation:
        raise ValidationError({"amount": "金额须为数字。"}) from None
    if not amount.is_finite() or amount < 0 or amount != amount.quantize(engine.CENT):
        raise ValidationError({"amount": "金额须为不小于 0 的数，最多两位小数。"})
    amount = amount.quantize(engine.CENT)
    if not reason.strip():
        raise ValidationError({"reason": "请填写奖励理由。"})
    data = year_input(locked)
    trial = dataclasses.replace(data, discretionary_awards={**data.discretionary_awards, department.name: amount})
    try:
        engine.score_year(trial)
    except engine.ScoringError as exc:
        raise ValidationError({"amount": exc.message}) from None
    award, _ = DiscretionaryAward.objects.update_or_create(
        year=locked,
        department=department,
        defaults={"amount": amount, "reason": reason.strip(), "granted_by": by, "granted_at": timezone.now()},
    )
    return award


# ---------------------------------------------------------------------------------------------------------
# Approval (审定), snapshot, re-opening, announcement


def snapshot_input(snapshot: dict[str, Any]) -> engine.YearInput:
    """The snapshot's case, parsed with the SNAPSHOT's rules (never the live scheme, which may be edited)."""
    scheme = spec_from_document(snapshot["scheme"])
    return parse_case(snapshot["case"], lambda code: scheme if code == scheme.code else None)


def year_snapshot_result(year: AssessmentYear | Approval) -> engine.YearResult:
    """Re-score an approved year from its snapshot: the same numbers whatever happened to the scheme since."""
    approval = year if isinstance(year, Approval) else approval_current(year)
    if approval is None:
        raise ValidationError(f"{year}尚未审定。")
    return engine.score_year(snapshot_input(approval.snapshot))


def approval_current(year: AssessmentYear) -> Approval | None:
    return Approval.objects.filter(year=year, superseded_at__isnull=True).first()


def approval_blockers(year: AssessmentYear, result: engine.YearResult | None = None) -> list[str]:
    """Why the year cannot be approved yet (empty when it can)."""
    problems = []
    if year.phase != Phase.PUBLICITY:
        problems.append(f"审定须在公示阶段进行（当前为“{year.get_phase_display()}”）。")
    count = objections_open(year).count()
    if count:
        problems.append(f"尚有 {count} 条异议未答复。")
    result = result or _score_checked(year)
    if result.incomplete:
        problems.append(f"以下部室得分不完整：{'、'.join(result.incomplete)}。")
    for tie in result.ties:
        problems.append(f"并列待排序：{'、'.join(tie)}。")
    # docs/scoring.md §7: an approved year's snapshot is a case, which refuses an allotment that does not sum.
    problems.extend(f"目标项目：{problem}" for problem in target_allotment_problems(year))
    return problems


@transaction.atomic
def year_approve(
    year: AssessmentYear,
    meeting_date: datetime.date,
    minutes_ref: str,
    by,
    *,
    before_publicity_end: bool = False,
    today: datetime.date | None = None,
) -> Approval:
    """Record the party-group meeting's approval; store the snapshot; freeze the year.

    The meeting has been held (its date is not after today). While the 公示 still runs (today is not past its
    last day), approval needs `before_publicity_end`: the leader's explicit word that it goes ahead anyway."""

    if not access.may_decide(by):
        raise PermissionDenied("只有领导可以记录审定。")
    locked = _locked(year)
    year_ensure_writable(locked)
    if not minutes_ref.strip():
        raise ValidationError({"minutes_ref": "请填写会议纪要编号。"})
    if meeting_date is None:
        raise ValidationError({"meeting_date": "请填写党组会日期。"})
    today = today or timezone.localdate()
    if meeting_date > today:
        raise ValidationError({"meeting_date": MEETING_DATE_FUTURE})
    early = publicity_running(locked, today)
    if early is not None and not before_publicity_end:
        raise ValidationError({"confirm_early": publicity_running_message(early)})
    result = _score_checked(locked)
    problems = approval_blockers(locked, result)
    if problems:
        raise ValidationError(problems)
    snapshot = {
        "case": year_export(locked),
        "scheme": scheme_document(locked.scheme),
        "result": result_to_json(result),
    }
    # The snapshot must re-score to exactly what was approved; refuse rather than freeze a different story.
    if result_to_json(engine.score_year(snapshot_input(snapshot))) != snapshot["result"]:
        raise ValidationError("审定快照重新计算的结果与当前结果不一致，请联系系统管理员。")
    approval = Approval.objects.create(
        year=locked,
        meeting_date=meeting_date,
        minutes_ref=minutes_ref.strip(),
        approved_by=by,
        snapshot=snapshot,
    )
    _set_phase(year, locked, Phase.APPROVED, by, f"党组会 {meeting_date:%Y-%m-%d}，{approval.minutes_ref}")
    return approval


@transaction.atomic
def year_reopen(year: AssessmentYear, reason: str, by) -> Reopening:
    """An administrator re-opens an approved year (back to 公示); the old approval stays, superseded."""
    if not access.may_reopen(by):
        raise PermissionDenied("只有系统管理员可以重新开启已审定的年度。")
    locked = _locked(year)
    if not locked.is_frozen:
        raise ValidationError(f"{locked}尚未审定，无需重新开启。")
    if not reason.strip():
        raise ValidationError({"reason": "请填写重新开启的理由。"})
    approval = approval_current(locked)
    if approval is None:  # approved outside the procedure (e.g. set in the admin): nothing to supersede
        raise ValidationError(f"{locked}没有有效的审定记录。")
    approval.superseded_at = timezone.now()
    approval.save(update_fields=["superseded_at"])
    reopening = Reopening.objects.create(
        year=locked, approval=approval, reason=reason.strip(), reopened_by=by, from_phase=locked.phase
    )
    _set_phase(year, locked, Phase.PUBLICITY, by, f"重新开启：{reason.strip()}")
    return reopening


@transaction.atomic
def year_announce(year: AssessmentYear, by) -> Approval:
    """通报: publish the approved results to everyone, department heads included."""
    if not access.may_decide(by):
        raise PermissionDenied("只有领导可以发布通报。")
    locked = _locked(year)
    if locked.phase != Phase.APPROVED:
        raise ValidationError("只有已审定、尚未通报的年度可以发布通报。")
    approval = approval_current(locked)
    if approval is None:
        raise ValidationError(f"{locked}没有有效的审定记录。")
    approval.announced_at = timezone.now()
    approval.announced_by = by
    approval.save(update_fields=["announced_at", "announced_by"])
    _set_phase(year, locked, Phase.ANNOUNCED, by)
    year_announced.send(sender=Approval, year=year, approval=approval, by=by)  # freezes the 通报
    return approval
