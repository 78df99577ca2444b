"""变更记录: every change kept by django-simple-history (the ledger, year settings and phases, headcounts,
schemes and rules, decisions and scores, roles and supervisions), with who, when, before and after, newest
first; read-only, for the review lead and leadership (`access.may_read_history`).

The changes of many models are one list: a UNION of each history table's (id, date, kind) rows, filtered and
paginated by the database; the rows of a page are then read from their own tables."""

from __future__ import annotations

import dataclasses
import datetime
import json
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import models
from django.db.models import CharField, Q, Value
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

import access
from ballots.models import RaterGroup, Round
from departments.models import Department, Leader, Membership, Organisation
from reviews.models import LedgerRecord, RecordDepartment, TargetRecord
from scoring.models import (
    AssessmentYear,
    DemocraticScore,
    DiscretionaryAward,
    Rule,
    RuleCategory,
    RuleLevel,
    Scheme,
    Supervision,
    Target,
    TieOrder,
    TieOrderEntry,
    YearDepartment,
    YearLeader,
)

PER_PAGE = 50

# kind: (label, models)
KINDS: dict[str, tuple[str, tuple[type[models.Model], ...]]] = {
    "ledger": ("考核台帐", (LedgerRecord, RecordDepartment, TargetRecord)),
    "year": ("年度设置和阶段", (AssessmentYear, Round, RaterGroup)),
    "headcount": ("参评部室和人数", (YearDepartment,)),
    "scheme": ("方案和规则", (Scheme, RuleCategory, Rule, RuleLevel, Target)),
    "decision": ("决定和得分", (TieOrder, TieOrderEntry, DiscretionaryAward, DemocraticScore)),
    "role": ("角色、领导和分管", (Membership, Leader, YearLeader, Supervision, Department, Organisation)),
}
ACTIONS = {"+": "新增", "~": "修改", "-": "删除"}
HIDDEN_FIELDS = {"id", "version"}
# Fields some models leave without a verbose name (the ledger's record-department links copy their record's).
FIELD_NAMES = {"year": "年度", "rule": "考核项目", "annual": "年度项目"}


def _history(model: type[models.Model]) -> models.QuerySet:
    return model.history.all()  # type: ignore[attr-defined]  # django-simple-history's manager


def _ids(model: type[models.Model], **lookups: Any) -> models.QuerySet:
    """The ids of `model`'s rows, past ones included (from its history), matching `lookups`."""
    return _history(model).filter(**lookups).values("id")


def _for_year(model: type[models.Model], year: AssessmentYear) -> Q | None:
    """The filter of `model`'s history rows that belong to `year`; None: the model has no year."""
    if model is AssessmentYear:
        return Q(id=year.pk)
    if model is RaterGroup:
        return Q(round_id__in=_ids(Round, year_id=year.pk))
    if model is TieOrderEntry:
        return Q(tie_order_id__in=_ids(TieOrder, year_id=year.pk))
    if model is Scheme:
        return Q(id=year.scheme_id)
    if model in (RuleCategory, Rule):
        return Q(scheme_id=year.scheme_id)
    if model is RuleLevel:
        return Q(rule_id__in=_ids(Rule, scheme_id=year.scheme_id))
    if any(f.name == "year" for f in model._meta.fields):
        return Q(year_id=year.pk)
    return None


def _for_department(model: type[models.Model], department: Department) -> Q | None:
    """The filter of `model`'s history rows about `department`; None: the model names no department."""
    if model is Department:
        return Q(id=department.pk)
    if model is LedgerRecord:
        return Q(id__in=_history(RecordDepartment).filter(department_id=department.pk).values("record_id"))
    if model is TargetRecord:
        return Q(target_id__in=_ids(Target, department_id=department.pk))
    if any(f.name == "department" for f in model._meta.fields):
        return Q(department_id=department.pk)
    return None


@dataclasses.dataclass(frozen=True)
class Filters:
    year: AssessmentYear | None = None
    department: Department | None = None
    person: Any = None
    kind: str | None = None
    record: int | None = None  # one ledger record (with its departments)


def changes(filters: Filters) -> models.QuerySet:
    """(history_id, history_date, model label) of every matching change, newest first: one UNION query."""
    parts = []
    for kind, (_, kind_models) in KINDS.items():
        if filters.kind and kind != filters.kind:
            continue
        for model in kind_models:
            if filters.record is not None and model not in (LedgerRecord, RecordDepartment):
                continue
            wheres = [Q()]
            if filters.record is not None:
                wheres.append(Q(id=filters.record) if model is LedgerRecord else Q(record_id=filters.record))
            if filters.year is not None:
                wheres.append(_for_year(model, filters.year) or Q(pk__in=[]))
            if filters.department is not None:
                wheres.append(_for_department(model, filters.department) or Q(pk__in=[]))
            if filters.person is not None:
                wheres.append(Q(history_user=filters.person))
            where = Q()
            for w in wheres:
                where &= w
            parts.append(
                _history(model)
                .filter(where)
                .annotate(model_label=Value(model._meta.label_lower, output_field=CharField()))
                .values_list("history_id", "history_date", "model_label")
                .order_by()
            )
    if not parts:
        return _history(LedgerRecord).none().values_list("history_id", "history_date")
    first, *rest = parts
    return first.union(*rest, all=True).order_by("-history_date", "-history_id")


@dataclasses.dataclass(frozen=True)
class Change:
    field: str
    before: str
    after: str


@dataclasses.dataclass(frozen=True)
class Entry:
    when: datetime.datetime
    who: str
    kind: str
    what: str
    label: str
    action: str
    changes: list[Change]


def _model_kinds() -> dict[str, tuple[type[models.Model], str]]:
    return {m._meta.label_lower: (m, label) for label, ms in KINDS.values() for m in ms}


class _Names:
    """Shown values: choices by label, foreign keys by the row's name (past rows too), once per page."""

    def __init__(self) -> None:
        self.cache: dict[tuple[type[models.Model], Any], str] = {}

    def related(self, model: type[models.Model], pk: Any) -> str:
        key = (model, pk)
        if key not in self.cache:
            row = model._base_manager.filter(pk=pk).first()
            if row is None and hasattr(model, "history"):
                row = _history(model).filter(id=pk).order_by("-history_date").first()
            if row is not None and model is get_user_model():
                self.cache[key] = row.get_full_name() or row.get_username()  # type: ignore[attr-defined]
            else:
                self.cache[key] = str(row) if row is not None else f"#{pk}（已删除）"
        return self.cache[key]

    def value(self, field: models.Field | None, value: Any) -> str:
        if value is None or value == "":
            return "（空）"
        if isinstance(value, list):  # a many-to-many field: its rows as dicts of the through table
            return "、".join(self._many(field, value)) or "（空）"
        if field is not None and field.choices:
            return str(dict(field.flatchoices).get(value, value))
        if field is not None and field.is_relation and field.related_model is not None:
            return self.related(field.related_model, value)  # type: ignore[arg-type]
        if isinstance(value, bool):
            return "是" if value else "否"
        if isinstance(value, Decimal):
            return f"{value.normalize():f}"
        if isinstance(value, datetime.datetime):
            return f"{timezone.localtime(value) if timezone.is_aware(value) else value:%Y-%m-%d %H:%M:%S}"
        if isinstance(value, datetime.date):
            return value.isoformat()
        if isinstance(value, dict):
            return json.dumps(value, ensure_ascii=False)
        return str(value)

    def _many(self, field: models.Field | None, rows: list[dict[str, Any]]) -> list[str]:
        """The related rows' names, in the related model's own order (the departments' 排序)."""
        target = field.related_model if field is not None else None
        name = getattr(target, "_meta", None) and target._meta.model_name  # type: ignore[union-attr]
        if not name or any(name not in row for row in rows):
            return [str(row) for row in rows]
        pks = [row[name] for row in rows]
        ordered = list(target._base_manager.filter(pk__in=pks).values_list("pk", flat=True))  # type: ignore[union-attr]
        pks.sort(key=lambda pk: ordered.index(pk) if pk in ordered else len(ordered))
        return [self.related(target, pk) for pk in pks]  # type: ignore[arg-type]


def _field(model: type[models.Model], name: str) -> models.Field | None:
    try:
        return model._meta.get_field(name)  # type: ignore[return-value]
    except Exception:
        return None


def _name(field: models.Field | None, name: str) -> str:
    if field is None:
        return name
    verbose = str(field.verbose_name)
    return FIELD_NAMES.get(name, verbose) if verbose == name.replace("_", " ") else verbose


def _tracked(model: type[models.Model]) -> list[models.Field]:
    return [f for f in model._meta.concrete_fields if f.name not in HIDDEN_FIELDS]


def entries(rows: Iterable[tuple[int, datetime.datetime, str]]) -> list[Entry]:
    """The page's changes, each with its before and after values, in the order of `rows`."""
    rows = list(rows)
    kinds = _model_kinds()
    by_label: dict[str, list[int]] = {}
    for history_id, _, label in rows:
        by_label.setdefault(label, []).append(history_id)
    loaded = {}
    for label, ids in by_label.items():
        model = kinds[label][0]
        for h in _history(model).filter(history_id__in=ids).select_related("history_user"):
            loaded[(label, h.history_id)] = h
    names = _Names()
    result = []
    for history_id, _, label in rows:
        model, kind = kinds[label]
        h = loaded[(label, history_id)]
        fields = _tracked(model)
        found = []
        if h.history_type == "~":
            previous = h.prev_record
            if previous is not None:
                delta = h.diff_against(previous)
                for change in delta.changes:
                    field = _field(model, change.field)
                    if change.field in HIDDEN_FIELDS:
                        continue
                    found.append(
                        Change(
                            _name(field, change.field),
                            names.value(field, change.old),
                            names.value(field, change.new),
                        )
                    )
        else:
            for field in fields:
                if not hasattr(h, field.attname):  # a field the history does not keep (the year's data_version)
                    continue
                value = names.value(field, getattr(h, field.attname))
                before, after = ("—", value) if h.history_type == "+" else (value, "—")
                found.append(Change(_name(field, field.name), before, after))
        user = h.history_user
        result.append(
            Entry(
                when=h.history_date,
                who=(user.get_full_name() or user.get_username()) if user is not None else "（系统）",
                kind=kind,
                what=str(model._meta.verbose_name),
                label=_label(model, h),
                action=ACTIONS.get(h.history_type, h.history_type),
                changes=found,
            )
        )
    return result


def _label(model: type[models.Model], h: Any) -> str:
    if model is LedgerRecord:
        return f"#{h.id} {h.rule} {h.date}"
    try:
        return str(h.instance)
    except Exception:
        return f"#{h.id}"


def _people() -> models.QuerySet:
    """The people who made at least one change: the choices of the 操作人 filter."""
    made_changes = Q()
    for model, _ in _model_kinds().values():
        made_changes |= Q(pk__in=_history(model).filter(history_user__isnull=False).values("history_user_id"))
    return get_user_model().objects.filter(made_changes).order_by("username")


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


@login_required
def history(request: HttpRequest) -> HttpResponse:
    if not access.may_read_history(request.user):
        raise PermissionDenied("只有考核小组组长和领导可以查看变更记录。")
    get = request.GET
    years = list(AssessmentYear.objects.order_by("-year"))
    departments = list(Department.objects.order_by("order", "id"))
    people = list(_people())
    year_no, department_id, person_id = _int(get.get("year")), _int(get.get("department")), _int(get.get("person"))
    filters = Filters(
        year=next((y for y in years if y.year == year_no), None),
        department=next((d for d in departments if d.pk == department_id), None),
        person=next((p for p in people if p.pk == person_id), None),
        kind=get.get("kind") if get.get("kind") in KINDS else None,
        record=_int(get.get("record")),
    )
    page = Paginator(changes(filters), PER_PAGE).get_page(get.get("page"))
    query = get.copy()
    query.pop("page", None)
    context = {
        "page": page,
        "entries": entries(page.object_list),
        "filters": filters,
        "years": years,
        "departments": departments,
        "people": people,
        "kinds": [(code, label) for code, (label, _) in KINDS.items()],
        "query": query.urlencode(),
    }
    return render(request, "staff/history.html", context)
