"""The rule catalogue: schemes as data (fixtures/schemes/*.json), loaded into the database and into the core."""

from __future__ import annotations

import json
import re
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import DatabaseError, transaction

from departments.models import Department
from scoring import cases, engine
from scoring.models import AssessmentYear, Rule, RuleCategory, RuleLevel, Scheme

SCHEMES_DIR = Path(settings.BASE_DIR) / "fixtures" / "schemes"
DEFAULT_SCHEME = "district-2023"


def _dec(value: str | None) -> Decimal | None:
    return None if value is None else Decimal(value)


@cache
def builtin_schemes() -> dict[str, dict[str, Any]]:
    """The scheme documents shipped in fixtures/schemes, by code."""
    docs = {}
    for path in sorted(SCHEMES_DIR.glob("*.json")):
        doc = json.loads(path.read_text(encoding="utf-8"))
        docs[doc["code"]] = doc
    return docs


LEGACY_LEVELS = (("national", "全总"), ("provincial", "省总"), ("municipal", "市总"))


def spec_from_document(doc: dict[str, Any]) -> engine.SchemeSpec:
    """A scheme document (the inline scheme of docs/scoring.md §7) as the core's scheme.

    Documents written before bonus levels were the scheme's own data (approval snapshots of earlier years)
    give a bonus rule's points as `points_national`/`points_provincial`/`points_municipal`: they are read as
    those three levels."""
    if any(key.startswith("points_") for rule in doc.get("rules", []) for key in rule):
        doc = {**doc, "level_names": dict(LEGACY_LEVELS), "rules": [_legacy_rule(rule) for rule in doc["rules"]]}
    return cases.scheme_parse(doc)


def _legacy_rule(rule: dict[str, Any]) -> dict[str, Any]:
    levels = {code: rule[f"points_{code}"] for code, _ in LEGACY_LEVELS if rule.get(f"points_{code}") is not None}
    plain = {k: v for k, v in rule.items() if not k.startswith("points_") and v is not None}
    return {**plain, "levels": levels} if rule["kind"] == engine.KIND_BONUS else plain


def spec_from_db(scheme: Scheme) -> engine.SchemeSpec:
    """The core's view of a scheme stored in the database (three queries: categories, rules, levels)."""
    categories = list(scheme.categories.order_by("order", "id"))
    by_pk = {c.pk: c.code for c in categories}
    rules = list(scheme.rules.order_by("category__order", "order", "id").prefetch_related("levels"))
    specs = {}
    levels: dict[str, str] = {}
    for rule in rules:
        for level in rule.levels.all():
            levels.setdefault(level.code, level.name)
        specs[rule.code] = engine.RuleSpec(
            code=rule.code,
            category=by_pk[rule.category_id],
            kind=rule.kind,
            text=rule.text,
            points=rule.points,
            max_points=rule.max_points,
            level_points=rule.level_points(),
            level_names=dict(rule.level_choices()),
            annual=rule.annual,
            halve_when_shared=rule.halve_when_shared,
            reason_required=rule.reason_required,
        )
    return engine.SchemeSpec(
        code=scheme.code,
        categories=tuple((c.code, c.name) for c in categories),
        rules=specs,
        name=scheme.name,
        full_score=scheme.full_score,
        caps={c.code: c.cap for c in categories if c.cap is not None},
        bonus_caps={c.code: c.bonus_cap for c in categories if c.bonus_cap is not None},
        levels=tuple(levels.items()),
    )


def scheme_spec(code: str) -> engine.SchemeSpec | None:
    """A scheme by code: the database's (it may have been edited for a new year), else the shipped one."""

    try:
        scheme = Scheme.objects.filter(code=code).first()
    except DatabaseError:  # no database yet (score_case on a fresh checkout): use the shipped catalogue
        scheme = None
    if scheme is not None:
        return spec_from_db(scheme)
    return builtin_scheme_spec(code)


@transaction.atomic
def catalogue_load() -> list[str]:
    """Load every shipped scheme that the database does not hold yet. Idempotent: a scheme already in the
    database is left alone, since the review group may have edited it in the admin."""

    loaded = []
    for code, doc in builtin_schemes().items():
        if Scheme.objects.filter(code=code).exists():
            continue
        scheme_create(doc)
        loaded.append(code)
    return loaded


@transaction.atomic
def scheme_create(doc: dict[str, Any]) -> Scheme:
    """A scheme document (checked by `spec_from_document`) as a new scheme in the database, with its
    categories, rules and bonus levels. `recorders` name the offices that record a rule, and
    `plan_shortfall_rule` (optional) the code of the fixed deduction that a monthly plan item not done for the
    department's own reasons suggests. A refused document raises `ScoringError` and writes nothing."""

    spec = spec_from_document(doc)
    scheme = Scheme.objects.create(
        code=spec.code,
        name=spec.name,
        regulation_title=doc.get("regulation_title", ""),
        description=doc.get("description", ""),
        full_score=spec.full_score,
    )
    categories = {}
    for order, (cat_code, cat_name) in enumerate(spec.categories, start=1):
        categories[cat_code] = RuleCategory.objects.create(
            scheme=scheme,
            code=cat_code,
            name=cat_name,
            order=order,
            cap=spec.caps.get(cat_code),
            bonus_cap=spec.bonus_caps.get(cat_code),
        )
    level_names = dict(spec.levels)
    extras = {rule["code"]: rule for rule in doc["rules"]}
    for order, rule in enumerate(spec.rules.values(), start=1):
        extra = extras[rule.code]
        obj = Rule.objects.create(
            scheme=scheme,
            code=rule.code,
            category=categories[rule.category],
            kind=rule.kind,
            text=rule.text,
            unit=extra.get("unit", ""),
            points=rule.points,
            max_points=rule.max_points,
            annual=rule.annual,
            halve_when_shared=rule.halve_when_shared,
            reason_required=rule.reason_required,
            recorder_label=extra.get("recorder_label", ""),
            order=order,
        )
        RuleLevel.objects.bulk_create(
            RuleLevel(rule=obj, code=level, name=level_names.get(level, level), points=points, order=i)
            for i, (level, points) in enumerate(rule.level_points.items(), start=1)
        )
        offices = []
        for office_order, name in enumerate(extra.get("recorders", []), start=1):
            office, _ = Department.objects.get_or_create(name=name, defaults={"order": office_order})
            offices.append(office)
        obj.recorder_offices.set(offices)
    shortfall = doc.get("plan_shortfall_rule")
    if shortfall is not None:
        named = scheme.rules.filter(code=shortfall).first() if isinstance(shortfall, str) else None
        problem = f"未知考核项目 {shortfall!r}" if named is None else scheme.plan_shortfall_problem(named)
        if problem:
            raise engine.ScoringError("scheme.plan_shortfall_rule", problem)
        scheme.plan_shortfall_rule = named
        scheme.save(update_fields=["plan_shortfall_rule"])
    return scheme


def builtin_scheme_spec(code: str) -> engine.SchemeSpec | None:
    """A shipped scheme by code, without the database."""
    doc = builtin_schemes().get(code)
    return spec_from_document(doc) if doc else None


def scheme_is_locked(scheme: Scheme) -> bool:
    """A scheme used by an approved (frozen) year keeps its rules: a past year must always re-score to the
    same numbers. A new year's scheme is a copy (`scheme_copy`), changed."""

    frozen = AssessmentYear.FROZEN_PHASES
    return scheme.years.filter(phase__in=frozen).exists()


# A year in a scheme's code or name (district-2023, 2023年…): a copy for the next year names that year.
_YEAR = re.compile(r"(?<!\d)(?:19|20)\d{2}(?!\d)")


def _year_bumped(text: str) -> str | None:
    """`text` with its last year one later, or None when it names no year."""
    found = list(_YEAR.finditer(text))
    if not found:
        return None
    last = found[-1]
    return f"{text[: last.start()]}{int(last.group()) + 1}{text[last.end() :]}"


def scheme_copy_names(scheme: Scheme) -> tuple[str, str]:
    """The code and name a copy of `scheme` for the next year is offered: the year in them one later
    (district-2023 → district-2024, 2023年… → 2024年…); without a year, `-copy` and （副本）. The code is one
    no scheme uses yet (`-2`, `-3`… appended when needed)."""

    longest = Scheme._meta.get_field("code").max_length or 50
    base = _year_bumped(scheme.code) or f"{scheme.code}-copy"
    code, n = base[:longest], 1
    while Scheme.objects.filter(code=code).exists():
        n += 1
        code = f"{base[: longest - len(str(n)) - 1]}-{n}"
    return code, _year_bumped(scheme.name) or f"{scheme.name}（副本）"


@transaction.atomic
def scheme_copy(*, scheme: Scheme, code: str | None = None, name: str | None = None) -> Scheme:
    """A copy of a scheme with all its categories, rules and bonus levels, for a new year to edit; by default
    named for the next year (`scheme_copy_names`)."""

    default_code, default_name = scheme_copy_names(scheme)
    code = code or default_code
    name = name or default_name
    copy = Scheme.objects.create(
        code=code,
        name=name,
        regulation_title=scheme.regulation_title,
        description=scheme.description,
        full_score=scheme.full_score,
    )
    shortfall_pk = scheme.plan_shortfall_rule_id
    categories = {}
    for category in scheme.categories.all():
        old_pk = category.pk
        category.pk = None
        category.scheme = copy
        category.save()
        categories[old_pk] = category
    for rule in scheme.rules.prefetch_related("recorder_offices", "levels"):
        offices = list(rule.recorder_offices.all())
        levels = list(rule.levels.all())
        rule._prefetched_objects_cache = {}  # type: ignore[attr-defined]  # else set() sees the original's offices
        old_pk = rule.pk
        rule.pk = None
        rule.scheme = copy
        rule.category = categories[rule.category_id]
        rule.save()
        if old_pk == shortfall_pk:  # the copy names its own rule
            copy.plan_shortfall_rule = rule
            copy.save(update_fields=["plan_shortfall_rule"])
        rule.recorder_offices.set(offices)
        for level in levels:
            level.pk = None
            level.rule = rule
        RuleLevel.objects.bulk_create(levels)
    return copy


def scheme_document(scheme: Scheme) -> dict[str, Any]:
    """The scheme as a document: the inline scheme of docs/scoring.md §7 (read by `spec_from_document`), with
    the product's own keys (regulation title, plan shortfall rule, units, recorder offices) that scoring
    ignores."""

    def text(value: Decimal | None) -> str | None:
        return None if value is None else str(value)

    rules = list(
        scheme.rules.select_related("category")
        .prefetch_related("levels", "recorder_offices")
        .order_by("category__order", "order", "id")
    )
    level_names: dict[str, str] = {}
    for rule in rules:
        for level in rule.levels.all():
            level_names.setdefault(level.code, level.name)
    documents = []
    for r in rules:
        fields: dict[str, Any] = {"code": r.code, "category": r.category.code, "kind": r.kind, "text": r.text}
        if r.kind == Rule.Kind.DEDUCTION:
            fields["points"] = text(r.points)
        elif r.kind == Rule.Kind.DISCRETIONARY:
            fields["max_points"] = text(r.max_points)
        elif r.kind == Rule.Kind.BONUS:
            fields["levels"] = {level.code: str(level.points) for level in r.levels.all()}
        documents.append(
            {
                **fields,
                "annual": r.annual,
                "halve_when_shared": r.halve_when_shared,
                "reason_required": r.reason_required,
                "unit": r.unit,
                "recorders": [office.name for office in r.recorder_offices.all()],
                "recorder_label": r.recorder_label,
            }
        )
    categories = []
    for category in scheme.categories.order_by("order", "id"):
        entry: dict[str, Any] = {"code": category.code, "name": category.name}
        if category.cap is not None:
            entry["cap"] = str(category.cap)
        if category.bonus_cap is not None:
            entry["bonus_cap"] = str(category.bonus_cap)
        categories.append(entry)
    return {
        "code": scheme.code,
        "name": scheme.name,
        "regulation_title": scheme.regulation_title,
        "description": scheme.description,
        "full_score": str(scheme.full_score),
        "plan_shortfall_rule": next((r.code for r in rules if r.pk == scheme.plan_shortfall_rule_id), None),
        "level_names": level_names,
        "categories": categories,
        "rules": documents,
    }
