"""Import and export a year as a `kaohe-case/1` document (archive, restore, what-if).

import → export → score gives the same result as scoring the file. A bad document is refused with the
same one-line errors as `score_case`, and nothing of it reaches the database.
"""

from __future__ import annotations

import dataclasses
import datetime
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from ballots.selectors import ballots_whole
from departments.models import Department, Leader
from kaohe.db import statistics_refresh
from results.loader import year_input
from results.revisions import one_change_per_year, year_data_changed
from reviews.models import LedgerRecord, RecordDepartment, TargetRecord
from scoring import engine
from scoring.cases import FORMAT, date_parse, parse_case
from scoring.catalogue import catalogue_load, scheme_create, scheme_document, scheme_spec, spec_from_db
from scoring.engine import ScoringError
from scoring.models import (
    AssessmentYear,
    DemocraticScore,
    DiscretionaryAward,
    Rule,
    Scheme,
    Supervision,
    Target,
    TieOrder,
    TieOrderEntry,
    YearDepartment,
    YearLeader,
)


def _text(value: Decimal) -> str:
    return format(value.normalize(), "f") if value == value.to_integral() else format(value, "f")


def year_export(year: AssessmentYear) -> dict[str, Any]:
    """The year as a kaohe-case/1 document (confirmed records only: pending ones do not count yet)."""

    data = year_input(year)
    s = data.settings
    doc: dict[str, Any] = {
        "format": FORMAT,
        "year": data.year,
        "scheme": scheme_document(year.scheme),
        "title": str(year),
        "exported_at": timezone.localtime().isoformat(timespec="seconds"),
        "settings": {
            "review_weight": _text(s.review_weight),
            "democratic_weight": _text(s.democratic_weight),
            "first_prize_count": s.first_prize_count,
            "first_prize_per_capita": _text(s.first_prize_per_capita),
            "second_prize_count": s.second_prize_count,
            "second_prize_per_capita": _text(s.second_prize_per_capita),
            "discretionary_threshold": _text(s.discretionary_threshold),
            "grade_points": {g: _text(p) for g, p in s.grade_points.items()},
            "group_weights": None if s.group_weights is None else {g: _text(w) for g, w in s.group_weights.items()},
            "exclude_own_department": s.exclude_own_department,
        },
        "departments": [{"name": d.name, "headcount": d.headcount} for d in data.departments],
        "leaders": [
            {"name": x.name, "role": x.role, **({"supervises": list(x.supervises)} if x.supervises else {})}
            for x in data.leaders
        ],
    }
    details = {
        r.pk: r
        for r in LedgerRecord.objects.filter(pk__in=[rec.key for rec in data.records]).select_related("recorded_by")
    }
    records = []
    for rec in data.records:
        item: dict[str, Any] = {"rule": rec.rule}
        if len(rec.departments) == 1:
            item["department"] = rec.departments[0]
        else:
            item["departments"] = list(rec.departments)
        if rec.quantity != 1:
            item["quantity"] = rec.quantity
        if rec.points is not None:
            item["points"] = _text(rec.points)
        if rec.level:
            item["level"] = rec.level
        if rec.exempt:
            item["exempt"] = True
        if rec.reason:
            item["reason"] = rec.reason
        detail = details[rec.key]
        item["date"] = detail.date.isoformat()
        if detail.description:
            item["description"] = detail.description
        if detail.recorded_by is not None:
            item["recorded_by"] = detail.recorded_by.get_username()
        records.append(item)
    if data.targets:
        doc["targets"] = [
            {
                "code": t.code,
                "department": t.department,
                "category": t.category,
                "name": t.name,
                "points": _text(t.points),
            }
            for t in data.targets
        ]
        target_details = {r.pk: r for r in TargetRecord.objects.filter(year=year).select_related("recorded_by")}
        for target_record in data.target_records:
            target_detail = target_details[target_record.key]
            entry: dict[str, Any] = {"target": target_record.target}
            if target_record.not_started:
                entry["not_started"] = True
            else:
                entry["points"] = _text(target_record.points or engine.ZERO)
            entry["reason"] = target_record.reason
            entry["date"] = target_detail.date.isoformat()
            if target_detail.description:
                entry["description"] = target_detail.description
            if target_detail.recorded_by is not None:
                entry["recorded_by"] = target_detail.recorded_by.get_username()
            records.append(entry)
    doc["records"] = records
    if data.democratic_scores is not None:
        doc["democratic_scores"] = {name: _text(score) for name, score in data.democratic_scores.items()}
    if data.ballots is not None:
        # Each ballot whole, with every grade it gave (the core's input has them counted per grade instead).
        doc["ballots"] = [
            {
                "group": b.group,
                "voter_department": b.voter_department,
                "ratings": b.ratings,
                **({"paper": True} if b.paper else {}),
            }
            for b in ballots_whole(year=year)
        ]
    if data.discretionary_awards:
        doc["discretionary_awards"] = {name: _text(a) for name, a in data.discretionary_awards.items()}
    if data.tie_order:
        doc["tie_order"] = [list(group) for group in data.tie_order]
    return doc


def year_import(doc: Any, *, replace: bool = False, by: User | None = None) -> AssessmentYear:
    """Create a year from a kaohe-case/1 document. Raises ScoringError and changes nothing on a bad one."""
    parsed = parse_case(doc, scheme_spec)
    engine.score_year(parsed)  # refuses what only the scored year can tell (ties, discretionary awards)
    with transaction.atomic(), one_change_per_year():
        catalogue_load()
        scheme = _scheme_of(doc.get("scheme"), parsed.scheme)
        existing = AssessmentYear.objects.filter(year=parsed.year).first()
        if existing is not None:
            if not replace:
                raise ScoringError("year", f"{parsed.year}年度已存在（如需覆盖，请使用 --replace）")
            if existing.is_frozen:
                raise ScoringError("year", f"{parsed.year}年度已审定，数据只读，不能覆盖")
            _year_clear(existing)
        return _year_create(parsed, doc, scheme, existing, by)


def _scheme_of(given: Any, spec: engine.SchemeSpec) -> Scheme:
    """The scheme a document names, or the one it carries inline: created when new, used when the database holds
    the same scheme under its code, refused when it holds a different one."""
    scheme = Scheme.objects.filter(code=spec.code).first()
    if not isinstance(given, dict):
        if scheme is None:
            raise ScoringError("scheme", f"数据库中没有考核方案 {spec.code!r}")
        return scheme
    if scheme is None:
        return scheme_create(given)
    if not _same_scoring(spec_from_db(scheme), spec):
        raise ScoringError(
            "scheme",
            f"数据库中已有代码为 {spec.code!r} 的考核方案，但其类别或考核项目与文件中的不同（请改用新的方案代码）",
        )
    return scheme


def _same_scoring(a: engine.SchemeSpec, b: engine.SchemeSpec) -> bool:
    """Whether two schemes score every year alike (names shown on pages aside)."""

    def scoring_only(spec: engine.SchemeSpec) -> engine.SchemeSpec:
        rules = {code: dataclasses.replace(rule, level_names={}) for code, rule in spec.rules.items()}
        return dataclasses.replace(spec, name="", levels=(), rules=rules)

    return scoring_only(a) == scoring_only(b)


def _year_clear(year: AssessmentYear) -> None:

    LedgerRecord.objects.filter(year=year).delete()
    TargetRecord.objects.filter(year=year).delete()
    for related in (Target, YearDepartment, YearLeader, Supervision, DemocraticScore, DiscretionaryAward, TieOrder):
        related.objects.filter(year=year).delete()


def _year_create(
    parsed: engine.YearInput,
    doc: dict[str, Any],
    scheme: Scheme,
    year: AssessmentYear | None,
    by: User | None,
) -> AssessmentYear:

    s = parsed.settings
    fields = {
        "scheme": scheme,
        "review_weight": s.review_weight,
        "democratic_weight": s.democratic_weight,
        "first_prize_count": s.first_prize_count,
        "first_prize_per_capita": s.first_prize_per_capita,
        "second_prize_count": s.second_prize_count,
        "second_prize_per_capita": s.second_prize_per_capita,
        "discretionary_threshold": s.discretionary_threshold,
        "grade_points": {g: _text(p) for g, p in s.grade_points.items()},
        "group_weights": None if s.group_weights is None else {g: _text(w) for g, w in s.group_weights.items()},
        "exclude_own_department": s.exclude_own_department,
        "democratic_source": (
            AssessmentYear.DemocraticSource.SCORES
            if parsed.holds_democratic_evaluation
            else AssessmentYear.DemocraticSource.NONE
        ),
    }
    if isinstance(doc.get("title"), str) and doc["title"].strip():
        fields["title"] = doc["title"].strip()[:200]
    if year is None:
        year = AssessmentYear.objects.create(year=parsed.year, **fields)
    else:
        for key, value in fields.items():
            setattr(year, key, value)
        year.save()

    departments = {}
    for order, dept in enumerate(parsed.departments, start=1):
        departments[dept.name], _ = Department.objects.get_or_create(name=dept.name, defaults={"order": order})
        YearDepartment.objects.create(
            year=year, department=departments[dept.name], headcount=dept.headcount, order=order
        )
    for order, item in enumerate(parsed.leaders, start=1):
        leader, _ = Leader.objects.update_or_create(name=item.name, defaults={"role": item.role})
        YearLeader.objects.create(year=year, leader=leader, order=order)
        for name in item.supervises:
            Supervision.objects.create(year=year, leader=leader, department=departments[name])

    rules = {r.code: r for r in Rule.objects.filter(scheme=scheme)}
    raw_records = doc.get("records", [])
    records = []
    for rec in parsed.records:
        record = LedgerRecord(
            year=year,
            rule=rules[rec.rule],
            quantity=rec.quantity,
            points=rec.points,
            level=rec.level or "",
            exempt=rec.exempt,
            reason=rec.reason,
            recorded_by=by,
        )
        _details_copy(record, raw_records[rec.key], rec.key)
        records.append(record)
    records = bulk_create_with_history(records, LedgerRecord, default_user=by)
    # bulk_create_with_history returns objects with primary keys on SQLite and PostgreSQL.
    links = [
        RecordDepartment(
            record=record, department=departments[name], year=year, rule=record.rule, annual=record.rule.annual
        )
        for record, rec in zip(records, parsed.records, strict=True)
        for name in rec.departments
    ]
    bulk_create_with_history(links, RecordDepartment, default_user=by)
    statistics_refresh(LedgerRecord, RecordDepartment)

    categories = {c.code: c for c in scheme.categories.all()}
    targets = {}
    for order, item in enumerate(parsed.targets, start=1):
        targets[item.code] = Target.objects.create(
            year=year,
            department=departments[item.department],
            category=categories[item.category],
            code=item.code,
            name=item.name,
            points=item.points,
            order=order,
        )
    target_records = []
    for target_record in parsed.target_records:
        entry = TargetRecord(
            year=year,
            target=targets[target_record.target],
            points=target_record.points,
            not_started=target_record.not_started,
            reason=target_record.reason,
            recorded_by=by,
        )
        _details_copy(entry, raw_records[target_record.key], target_record.key)
        target_records.append(entry)
    bulk_create_with_history(target_records, TargetRecord, default_user=by)

    scores: dict[str, Decimal | None] = {}
    if parsed.democratic_scores is not None:
        scores = dict(parsed.democratic_scores)
    elif parsed.ballots is not None:
        # Until a year's ballots are kept as ballots, an imported year's ballots become its democratic scores.
        scores, _ = engine.democratic_from_ballots(parsed.settings, tuple(departments), parsed.ballots)
    DemocraticScore.objects.bulk_create(
        DemocraticScore(year=year, department=departments[name], score=engine.round2(score))
        for name, score in scores.items()
        if score is not None
    )
    DiscretionaryAward.objects.bulk_create(
        DiscretionaryAward(year=year, department=departments[name], amount=amount, granted_by=by)
        for name, amount in parsed.discretionary_awards.items()
    )
    for group in parsed.tie_order:
        tie = TieOrder.objects.create(year=year, decided_by=by, reason="导入")
        TieOrderEntry.objects.bulk_create(
            TieOrderEntry(tie_order=tie, department=departments[name], position=i)
            for i, name in enumerate(group, start=1)
        )
    year_data_changed(year=year)  # the bulk inserts above send no signals
    return year


def _date(value: Any, place: str) -> datetime.date | None:
    return None if value is None else date_parse(value, place)


def _details_copy(record: LedgerRecord | TargetRecord, raw: dict[str, Any], key: int) -> None:
    """A record's description and date as the document gives them (informational keys of kaohe-case/1)."""
    record.description = str(raw.get("description", ""))[:5000]
    date = _date(raw.get("date"), f"records[{key}].date")
    if date is not None:
        record.date = date
