"""The rule catalogue: schemes as data (fixtures/schemes/*.json), loaded into the database and into the core."""

from __future__ import annotations

import json
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import DatabaseError, transaction

from departments.models import Department
from scoring import engine
from scoring.models import AssessmentYear, Rule, RuleCategory, Scheme

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


def spec_from_document(doc: dict[str, Any]) -> engine.SchemeSpec:
    rules = {}
    for rule in doc["rules"]:
        levels = {level: _dec(rule.get(f"points_{level}")) for level in engine.LEVELS}
        rules[rule["code"]] = engine.RuleSpec(
            code=rule["code"],
            category=rule["category"],
            kind=rule["kind"],
            text=rule["text"],
            points=_dec(rule.get("points")),
            max_points=_dec(rule.get("max_points")),
            level_points={k: v for k, v in levels.items() if v is not None},
            annual=rule.get("annual", False),
            halve_when_shared=rule.get("halve_when_shared", False),
            reason_required=rule.get("reason_required", False),
        )
    categories = tuple((c["code"], c["name"]) for c in doc["categories"])
    return engine.SchemeSpec(code=doc["code"], categories=categories, rules=rules)


def spec_from_db(scheme: Scheme) -> engine.SchemeSpec:
    """The core's view of a scheme stored in the database (one query for rules and their categories)."""
    rules = list(scheme.rules.select_related("category").order_by("category__order", "order", "id"))
    categories: dict[str, tuple[int, str]] = {}
    specs = {}
    for rule in rules:
        categories.setdefault(rule.category.code, (rule.category.order, rule.category.name))
        specs[rule.code] = engine.RuleSpec(
            code=rule.code,
            category=rule.category.code,
            kind=rule.kind,
            text=rule.text,
            points=rule.points,
            max_points=rule.max_points,
            level_points=rule.level_points(),
            annual=rule.annual,
            halve_when_shared=rule.halve_when_shared,
            reason_required=rule.reason_required,
        )
    ordered = sorted(categories.items(), key=lambda item: item[1][0])
    return engine.SchemeSpec(
        code=scheme.code, categories=tuple((code, name) for code, (_, name) in ordered), rules=specs
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
        scheme, _ = Scheme.objects.update_or_create(
            code=code,
            defaults={
                "name": doc["name"],
                "regulation_title": doc.get("regulation_title", ""),
                "description": doc.get("description", ""),
            },
        )
        categories = {}
        for order, cat in enumerate(doc["categories"], start=1):
            categories[cat["code"]], _ = RuleCategory.objects.update_or_create(
                scheme=scheme, code=cat["code"], defaults={"name": cat["name"], "order": order}
            )
        for order, rule in enumerate(doc["rules"], start=1):
            obj, _ = Rule.objects.update_or_create(
                scheme=scheme,
                code=rule["code"],
                defaults={
                    "category": categories[rule["category"]],
                    "kind": rule["kind"],
                    "text": rule["text"],
                    "unit": rule.get("unit", ""),
                    "points": _dec(rule.get("points")),
                    "max_points": _dec(rule.get("max_points")),
                    "points_national": _dec(rule.get("points_national")),
                    "points_provincial": _dec(rule.get("points_provincial")),
                    "points_municipal": _dec(rule.get("points_municipal")),
                    "annual": rule.get("annual", False),
                    "halve_when_shared": rule.get("halve_when_shared", False),
                    "reason_required": rule.get("reason_required", False),
                    "recorder_label": rule.get("recorder_label", ""),
                    "order": order,
                },
            )
            offices = []
            for office_order, name in enumerate(rule.get("recorders", []), start=1):
                office, _ = Department.objects.get_or_create(name=name, defaults={"order": office_order})
                offices.append(office)
            obj.recorder_offices.set(offices)
        loaded.append(code)
    return loaded


def builtin_scheme_spec(code: str) -> engine.SchemeSpec | None:
    """A shipped scheme by code, without the database."""
    doc = builtin_schemes().get(code)
    return spec_from_document(doc) if doc else None


def scheme_is_locked(scheme: Scheme) -> bool:
    """A scheme used by an approved (frozen) year keeps its rules: a past year must always re-score to the
    same numbers. A new year's scheme is a copy (`scheme_copy`), changed."""

    frozen = AssessmentYear.FROZEN_PHASES
    return scheme.years.filter(phase__in=frozen).exists()


@transaction.atomic
def scheme_copy(*, scheme: Scheme, code: str | None = None, name: str | None = None) -> Scheme:
    """A copy of a scheme with all its categories and rules, for a new year to edit."""

    if code is None:
        n = 1
        while Scheme.objects.filter(code=f"{scheme.code}-copy{n}").exists():
            n += 1
        code = f"{scheme.code}-copy{n}"
    copy = Scheme.objects.create(
        code=code,
        name=name or f"{scheme.name}（副本）",
        regulation_title=scheme.regulation_title,
        description=scheme.description,
    )
    categories = {}
    for category in scheme.categories.all():
        old_pk = category.pk
        category.pk = None
        category.scheme = copy
        category.save()
        categories[old_pk] = category
    for rule in scheme.rules.prefetch_related("recorder_offices"):
        offices = list(rule.recorder_offices.all())
        rule._prefetched_objects_cache = {}  # type: ignore[attr-defined]  # else set() sees the original's offices
        rule.pk = None
        rule.scheme = copy
        rule.category = categories[rule.category_id]
        rule.save()
        rule.recorder_offices.set(offices)
    return copy


def scheme_document(scheme: Scheme) -> dict[str, Any]:
    """The scheme's rules as a document in the shape of fixtures/schemes/*.json (read by spec_from_document)."""

    def text(value: Decimal | None) -> str | None:
        return None if value is None else str(value)

    rules = list(scheme.rules.select_related("category").order_by("category__order", "order", "id"))
    categories = list(scheme.categories.order_by("order", "id").values("code", "name"))
    return {
        "code": scheme.code,
        "name": scheme.name,
        "regulation_title": scheme.regulation_title,
        "categories": categories,
        "rules": [
            {
                "code": r.code,
                "category": r.category.code,
                "kind": r.kind,
                "text": r.text,
                "unit": r.unit,
                "points": text(r.points),
                "max_points": text(r.max_points),
                "points_national": text(r.points_national),
                "points_provincial": text(r.points_provincial),
                "points_municipal": text(r.points_municipal),
                "annual": r.annual,
                "halve_when_shared": r.halve_when_shared,
                "reason_required": r.reason_required,
                "recorder_label": r.recorder_label,
            }
            for r in rules
        ],
    }
