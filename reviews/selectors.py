"""Read-side queries of the ledger shared by the pages that list a department's records (the admin breakdown,
the staff department page): plain rows in three queries, no model instances, no per-row URL resolving; and what
is wrong with a year's allotment of target items, for the pages that list them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Count, Max

from kaohe.files import file_summary
from kaohe.links import pk_url
from reviews.models import Evidence, LedgerRecord, RecordDepartment, TargetRecord, person_label
from scoring import engine
from scoring.catalogue import spec_from_db
from scoring.models import AssessmentYear, Rule


@dataclass(frozen=True, slots=True)
class RecordRow:
    pk: int
    date: date
    rule: Rule
    quantity: int
    reason: str
    description: str
    status: str
    recorder: str  # reviews.models.person_label
    evidence: tuple[tuple[str, str, str], ...]  # (file name, download URL, "PDF，1.2 MB"), in upload order

    @property
    def is_pending(self) -> bool:
        return self.status == LedgerRecord.Status.PENDING

    @property
    def status_label(self) -> str:
        return LedgerRecord.Status(self.status).label


def record_rows(year, department) -> dict[int, RecordRow]:
    """Every record (pending ones too) of `department` in `year`, by primary key, in date order."""
    # The year is asked of the department's links, not of the records: with it on the records SQLite walks the
    # whole year in date order (index record_year_date_id_desc) instead of looking up these records (48 → 1 ms).
    ledger = LedgerRecord.objects.filter(
        pk__in=RecordDepartment.objects.filter(year=year, department=department).values("record_id")
    )
    fields = (
        "pk", "date", "rule_id", "quantity", "reason", "description", "status",
        "recorded_by__first_name", "recorded_by__last_name", "recorded_by__username",
    )  # fmt: skip
    records = list(ledger.order_by("date", "pk").values_list(*fields))
    rules = Rule.objects.in_bulk({record[2] for record in records})
    evidence_url = pk_url("reviews:evidence")
    files: dict[int, list[tuple[str, str, str]]] = {}
    for record_id, pk, name, content_type, size in Evidence.objects.filter(record__in=ledger.values("pk")).values_list(
        "record_id", "pk", "original_name", "content_type", "size"
    ):
        files.setdefault(record_id, []).append((name, evidence_url(pk), file_summary(content_type, size)))
    rows = {}
    for pk, day, rule_id, quantity, reason, description, status, first, last, username in records:
        rows[pk] = RecordRow(
            pk, day, rules[rule_id], quantity, reason, description, status,
            person_label(first, last, username), tuple(files.get(pk, ())),
        )  # fmt: skip
    return rows


def evidence_version(year, department) -> str:
    """What changes whenever an evidence file of the department's records in `year` is added or removed (their
    count and newest id): with the year's data version, the key of a page that lists the files, since an upload
    changes no score and so no data version. One query."""
    ledger = RecordDepartment.objects.filter(year=year, department=department).values("record_id")
    files = Evidence.objects.filter(record__in=ledger).aggregate(n=Count("pk"), last=Max("pk"))
    return f"{files['n']}-{files['last'] or 0}"


@dataclass(frozen=True, slots=True)
class TargetRecordRow:
    """A record on one of a department's target items (docs/scoring.md §7), as its pages list it."""

    pk: int
    date: date
    target: str  # the target's code
    name: str  # the target's name
    points: Decimal | None  # deducted; None when the item was not started
    not_started: bool
    reason: str
    description: str
    recorder: str  # reviews.models.person_label


def target_record_rows(year, department=None) -> dict[int, TargetRecordRow]:
    """Every record on `department`'s target items in `year` (on every department's without one), by primary
    key, in date order (one query)."""
    fields = (
        "pk", "date", "target__code", "target__name", "points", "not_started", "reason", "description",
        "recorded_by__first_name", "recorded_by__last_name", "recorded_by__username",
    )  # fmt: skip
    rows = TargetRecord.objects.filter(year=year).order_by("date", "pk")
    if department is not None:
        rows = rows.filter(target__department=department)
    return {
        pk: TargetRecordRow(
            pk, day, code, name, points, not_started, reason, description, person_label(first, last, username)
        )
        for pk, day, code, name, points, not_started, reason, description, first, last, username in rows.values_list(
            *fields
        )
    }


def target_allotment_problems(year: AssessmentYear) -> list[str]:
    """What is wrong with the year's target items as a whole, in Chinese, one message each (empty when the
    year has none or all is well): the departments whose allotted points do not sum to the scheme's full score
    or that have none (`engine.target_allotment_problems`), then the items the core cannot score and leaves out
    (`results.loader.year_input`): of a department that no longer takes part, or in a category that is not of
    the year's scheme or holds only veto rules. Three queries and the scheme's."""
    departments = list(year.year_departments.order_by("order", "id").values_list("department_id", "department__name"))
    taking_part = {pk for pk, _ in departments}
    spec = spec_from_db(year.scheme)
    scored = set(spec.score_categories)
    counted: list[engine.TargetInput] = []
    left_out: list[str] = []
    for code, department_id, department, scheme_id, category, name, points in year.targets.order_by(
        "order", "id"
    ).values_list(
        "code", "department_id", "department__name", "category__scheme_id", "category__code", "name", "points"
    ):
        if department_id not in taking_part:
            left_out.append(f"目标项目 {code} 的部室“{department}”未参加{year}，该项目不计分。")
        elif scheme_id != year.scheme_id or category not in scored:
            left_out.append(f"目标项目 {code} 的类别“{category}”不是本年度考核方案中可计分的类别，该项目不计分。")
        else:
            counted.append(engine.TargetInput(code, department, category, name, points))
    names = [name for _, name in departments]
    if not counted and not left_out:
        return []
    allotment = [f"{message}。" for _, message in engine.target_allotment_problems(spec.full_score, names, counted)]
    return allotment + left_out
