"""The case format `kaohe-case/1` (docs/scoring.md §6): parse a document into a `YearInput`, and results to JSON.

Parsing refuses a bad document whole with one `ScoringError` naming the place. Numbers are read straight
into `Decimal` (`json.loads(text, parse_float=Decimal)`), never through float.
"""

from __future__ import annotations

import dataclasses
import datetime
import json
import re
from collections.abc import Callable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from scoring import engine
from scoring.engine import ScoringError

FORMAT = "kaohe-case/1"
CENT = engine.CENT
TOP_KEYS = {
    "format",
    "year",
    "scheme",
    "settings",
    "departments",
    "leaders",
    "records",
    "democratic_scores",
    "ballots",
    "discretionary_awards",
    "tie_order",
    "targets",
    # informational, written by export_year
    "title",
    "federation",
    "exported_at",
}
RECORD_KEYS = {
    "department",
    "departments",
    "rule",
    "quantity",
    "points",
    "level",
    "exempt",
    "reason",
    "target",
    "not_started",
    # informational, written by export_year
    "date",
    "description",
    "recorded_by",
}
SETTING_KEYS = {
    "review_weight",
    "democratic_weight",
    "first_prize_count",
    "first_prize_per_capita",
    "second_prize_count",
    "second_prize_per_capita",
    "discretionary_threshold",
    "grade_points",
    "group_weights",
    "exclude_own_department",
}

TARGET_RECORD_KEYS = {"target", "points", "not_started", "reason", "date", "description", "recorded_by"}
SCHEME_KEYS = {"code", "name", "full_score", "categories", "rules", "level_names"}
# Kept in a scheme document for the product (fixtures/schemes, export_year); scoring ignores them.
SCHEME_INFO_KEYS = {"regulation_title", "description", "settings", "plan_shortfall_rule"}
CATEGORY_KEYS = {"code", "name", "cap", "bonus_cap"}
RULE_KEYS = {
    "code",
    "category",
    "kind",
    "text",
    "points",
    "max_points",
    "levels",
    "annual",
    "halve_when_shared",
    "reason_required",
}
RULE_INFO_KEYS = {"unit", "recorders", "recorder_label"}
KIND_FIELDS = {  # which points field each kind of rule takes
    engine.KIND_DEDUCTION: "points",
    engine.KIND_DISCRETIONARY: "max_points",
    engine.KIND_BONUS: "levels",
    engine.KIND_VETO: None,
}
TARGET_KEYS = {"code", "department", "category", "name", "points"}

SchemeLookup = Callable[[str], "engine.SchemeSpec | None"]


@engine.gc_paused
def loads(text: str | bytes) -> Any:
    """JSON with every non-integer number as an exact Decimal."""
    try:
        return json.loads(text, parse_float=Decimal)
    except (ValueError, RecursionError) as exc:
        raise ScoringError("", f"不是有效的 JSON：{exc}") from None


# --- small readers that fail with the place ------------------------------------------------------------


# Bounds that no real year reaches and that keep every figure within the database's columns and exact
# Decimal arithmetic (28 significant digits).
MAX_COUNT = 100_000
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
MAX_MAGNITUDE = Decimal("99999999.99")


def _int(value: Any, place: str, *, minimum: int | None = None, maximum: int = MAX_COUNT) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ScoringError(place, "须为整数")
    if minimum is not None and value < minimum:
        raise ScoringError(place, f"须不小于 {minimum}")
    if value > maximum:
        raise ScoringError(place, f"须不大于 {maximum}")
    return int(value)


def _decimal(
    value: Any, place: str, *, cents: bool = False, low: Decimal | None = None, high: Decimal | None = None
) -> Decimal:
    if isinstance(value, bool):
        raise ScoringError(place, "须为数字")
    if isinstance(value, int | Decimal):
        number = Decimal(value)
    elif isinstance(value, str):
        try:
            number = Decimal(value.strip())
        except InvalidOperation:
            raise ScoringError(place, f"“{value}”不是数字") from None
    else:
        raise ScoringError(place, "须为数字")
    if not number.is_finite() or abs(number) > MAX_MAGNITUDE:
        raise ScoringError(place, "须为有限数字，且绝对值不超过 99999999.99")
    exponent = number.as_tuple().exponent
    if number != 0 and isinstance(exponent, int) and exponent < -10:
        raise ScoringError(place, "小数位数过多")
    if cents and number != number.quantize(engine.CENT):
        raise ScoringError(place, "最多两位小数")
    if low is not None and number < low:
        raise ScoringError(place, f"须不小于 {low}")
    if high is not None and number > high:
        raise ScoringError(place, f"须不大于 {high}")
    return number


def _str(value: Any, place: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ScoringError(place, "须为非空文字")
    return value


def _object(value: Any, place: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ScoringError(place, "须为对象（{...}）")
    return value


def _list(value: Any, place: str) -> list[Any]:
    if not isinstance(value, list):
        raise ScoringError(place, "须为列表（[...]）")
    return value


def _known_keys(obj: dict[str, Any], allowed: set[str], place: str, what: str) -> None:
    unknown = sorted(set(obj) - allowed)
    if unknown:
        prefix = f"{place}." if place else ""
        raise ScoringError(f"{prefix}{unknown[0]}", f"未知{what}")


# --- the document ----------------------------------------------------------------------------------------


@engine.gc_paused
def parse_case(data: Any, scheme_lookup: SchemeLookup) -> engine.YearInput:
    """Validate a `kaohe-case/1` document and build the core's input. Raises `ScoringError`."""
    doc = _object(data, "")
    _known_keys(doc, TOP_KEYS, "", "字段")
    if doc.get("format") != FORMAT:
        raise ScoringError("format", f"格式标记须为 {FORMAT!r}，而不是 {doc.get('format')!r}")
    year = _int(doc.get("year"), "year", minimum=1, maximum=9999)
    scheme_code = doc.get("scheme", "district-2023")
    shipped = scheme_lookup(scheme_code) if isinstance(scheme_code, str) else None
    if isinstance(scheme_code, dict):
        scheme = scheme_parse(scheme_code)
    elif shipped is None:
        raise ScoringError("scheme", f"未知考核方案 {scheme_code!r}")
    else:
        scheme = shipped

    settings = _parse_settings(doc.get("settings", {}))
    departments = _parse_departments(doc.get("departments"))
    names = {d.name for d in departments}
    leaders = _parse_leaders(doc.get("leaders", []), names)
    targets = _parse_targets(doc.get("targets", []), scheme, departments)
    records, target_records = _parse_records(doc.get("records", []), scheme, names, targets)

    if "democratic_scores" in doc and "ballots" in doc:
        raise ScoringError("ballots", "democratic_scores 与 ballots 不能同时给出")
    democratic_scores = None
    if "democratic_scores" in doc:
        raw = _object(doc["democratic_scores"], "democratic_scores")
        democratic_scores = {}
        for name, value in raw.items():
            place = f"democratic_scores.{name}"
            if name not in names:
                raise ScoringError(place, "未知部室")
            democratic_scores[name] = _decimal(value, place, low=engine.ZERO, high=engine.BASE_SCORE)
    ballots = None
    if "ballots" in doc:
        ballots = _parse_ballots(doc["ballots"], settings, names)

    awards = {}
    for name, value in _object(doc.get("discretionary_awards", {}), "discretionary_awards").items():
        place = f"discretionary_awards.{name}"
        if name not in names:
            raise ScoringError(place, "未知部室")
        awards[name] = _decimal(value, place, cents=True, low=engine.ZERO)

    tie_order = []
    for i, group in enumerate(_list(doc.get("tie_order", []), "tie_order")):
        place = f"tie_order[{i}]"
        members = _list(group, place)
        if len(members) < 2:
            raise ScoringError(place, "并列排序须列出该组并列的全部部室（至少两个）")
        for j, name in enumerate(members):
            if not isinstance(name, str) or name not in names:
                raise ScoringError(f"{place}[{j}]", f"未知部室 {name!r}")
        tie_order.append(tuple(members))

    return engine.YearInput(
        year=year,
        scheme=scheme,
        departments=departments,
        settings=settings,
        leaders=leaders,
        records=records,
        democratic_scores=democratic_scores,
        ballots=ballots,
        discretionary_awards=awards,
        tie_order=tuple(tie_order),
        targets=targets,
        target_records=target_records,
    )


def scheme_parse(raw: Any, place: str = "scheme") -> engine.SchemeSpec:
    """An inline scheme (docs/scoring.md §7), checked whole: also the format of fixtures/schemes/*.json."""
    doc = _object(raw, place)
    _known_keys(doc, SCHEME_KEYS | SCHEME_INFO_KEYS, place, "字段")
    code = _str(doc.get("code"), f"{place}.code").strip()
    name = _str(doc.get("name"), f"{place}.name").strip()
    full_score = engine.BASE_SCORE
    if "full_score" in doc:
        full_score = _decimal(doc["full_score"], f"{place}.full_score", cents=True, low=CENT)

    categories: list[tuple[str, str]] = []
    caps: dict[str, Decimal] = {}
    bonus_caps: dict[str, Decimal] = {}
    items = _list(doc.get("categories"), f"{place}.categories")
    if not items:
        raise ScoringError(f"{place}.categories", "至少须有一个考核类别")
    for i, item in enumerate(items):
        where = f"{place}.categories[{i}]"
        item = _object(item, where)
        _known_keys(item, CATEGORY_KEYS, where, "字段")
        cat_code = _str(item.get("code"), f"{where}.code").strip()
        if cat_code in dict(categories):
            raise ScoringError(f"{where}.code", f"类别代码“{cat_code}”重复")
        categories.append((cat_code, _str(item.get("name"), f"{where}.name").strip()))
        for key, caps_of in (("cap", caps), ("bonus_cap", bonus_caps)):
            if item.get(key) is not None:
                caps_of[cat_code] = _decimal(item[key], f"{where}.{key}", cents=True, low=engine.ZERO)

    level_names = {
        _str(level, f"{place}.level_names"): _str(label, f"{place}.level_names.{level}")
        for level, label in _object(doc.get("level_names", {}), f"{place}.level_names").items()
    }
    levels: dict[str, str] = {}
    rules: dict[str, engine.RuleSpec] = {}
    for i, item in enumerate(_list(doc.get("rules"), f"{place}.rules")):
        rule = _parse_rule(item, f"{place}.rules[{i}]", dict(categories), level_names)
        if rule.code in rules:
            raise ScoringError(f"{place}.rules[{i}].code", f"项目代码“{rule.code}”重复")
        rules[rule.code] = rule
        for level in rule.level_points:
            levels.setdefault(level, level_names.get(level, level))
    return engine.SchemeSpec(
        code=code,
        categories=tuple(categories),
        rules=rules,
        name=name,
        full_score=full_score,
        caps=caps,
        bonus_caps=bonus_caps,
        levels=tuple(levels.items()),
    )


def _parse_rule(raw: Any, place: str, categories: Mapping[str, str], level_names: Mapping[str, str]) -> engine.RuleSpec:
    item = _object(raw, place)
    _known_keys(item, RULE_KEYS | RULE_INFO_KEYS, place, "字段")
    code = _str(item.get("code"), f"{place}.code").strip()
    category = item.get("category")
    if not isinstance(category, str) or category not in categories:
        raise ScoringError(f"{place}.category", f"未知考核类别 {category!r}")
    kind = item.get("kind")
    if not isinstance(kind, str) or kind not in KIND_FIELDS:
        raise ScoringError(f"{place}.kind", f"未知项目类型 {kind!r}（应为 deduction、discretionary、bonus 或 veto）")
    for key in {"points", "max_points", "levels"} - {KIND_FIELDS[kind]}:
        if item.get(key) is not None:
            raise ScoringError(f"{place}.{key}", f"{kind} 类项目不能设定 {key}")
    wanted = KIND_FIELDS[kind]
    if wanted is not None and item.get(wanted) is None:
        raise ScoringError(f"{place}.{wanted}", f"{kind} 类项目须设定 {wanted}")
    points = max_points = None
    level_points: dict[str, Decimal] = {}
    if kind == engine.KIND_DEDUCTION:
        points = _decimal(item["points"], f"{place}.points", cents=True, low=engine.ZERO)
    elif kind == engine.KIND_DISCRETIONARY:
        max_points = _decimal(item["max_points"], f"{place}.max_points", cents=True, low=engine.ZERO)
    elif kind == engine.KIND_BONUS:
        levels = _object(item["levels"], f"{place}.levels")
        if not levels:
            raise ScoringError(f"{place}.levels", "加分项目须至少设定一个级别的分值")
        for level, value in levels.items():
            _str(level, f"{place}.levels")
            level_points[level] = _decimal(value, f"{place}.levels.{level}", cents=True, low=engine.ZERO)
    flags = {}
    for key in ("annual", "halve_when_shared", "reason_required"):
        flags[key] = item.get(key, False)
        if not isinstance(flags[key], bool):
            raise ScoringError(f"{place}.{key}", "须为 true 或 false")
    text = item.get("text", "")
    if not isinstance(text, str):
        raise ScoringError(f"{place}.text", "须为文字")
    return engine.RuleSpec(
        code=code,
        category=category,
        kind=kind,
        text=text,
        points=points,
        max_points=max_points,
        level_points=level_points,
        level_names={code: level_names.get(code, code) for code in level_points},
        annual=flags["annual"],
        halve_when_shared=flags["halve_when_shared"],
        reason_required=flags["reason_required"],
    )


def _parse_targets(
    raw: Any, scheme: engine.SchemeSpec, departments: tuple[engine.DepartmentInput, ...]
) -> tuple[engine.TargetInput, ...]:
    """The year's target items (docs/scoring.md §7): every department has some, summing to the full score."""
    items = _list(raw, "targets")
    if not items:
        return ()
    names = {d.name for d in departments}
    scored = set(scheme.score_categories)
    result: list[engine.TargetInput] = []
    seen: set[str] = set()
    for i, item in enumerate(items):
        place = f"targets[{i}]"
        item = _object(item, place)
        _known_keys(item, TARGET_KEYS, place, "字段")
        code = _str(item.get("code"), f"{place}.code").strip()
        if code in seen:
            raise ScoringError(f"{place}.code", f"目标项目代码“{code}”重复")
        seen.add(code)
        department = item.get("department")
        if not isinstance(department, str) or department not in names:
            raise ScoringError(f"{place}.department", f"未知部室 {department!r}")
        category = item.get("category")
        if not isinstance(category, str) or category not in dict(scheme.categories):
            raise ScoringError(f"{place}.category", f"未知考核类别 {category!r}")
        if category not in scored:
            raise ScoringError(f"{place}.category", f"类别“{category}”只有否决项目，不能设立目标项目")
        name = _str(item.get("name"), f"{place}.name").strip()
        points = _decimal(item.get("points"), f"{place}.points", cents=True)
        if points <= 0:
            raise ScoringError(f"{place}.points", "应得分须大于 0")
        result.append(engine.TargetInput(code, department, category, name, points))
    problems = engine.target_allotment_problems(scheme.full_score, (d.name for d in departments), result)
    if problems:
        raise ScoringError("targets", problems[0][1])
    return tuple(result)


def _parse_settings(raw: Any) -> engine.Settings:
    raw = _object(raw, "settings")
    _known_keys(raw, SETTING_KEYS, "settings", "设置项")
    defaults = engine.Settings()
    values: dict[str, Any] = {}
    for key in ("review_weight", "democratic_weight"):
        if key in raw:
            values[key] = _decimal(raw[key], f"settings.{key}", low=engine.ZERO, high=Decimal(1))
    for key in ("first_prize_count", "second_prize_count"):
        if key in raw:
            values[key] = _int(raw[key], f"settings.{key}", minimum=0)
    for key in ("first_prize_per_capita", "second_prize_per_capita"):
        if key in raw:
            values[key] = _decimal(raw[key], f"settings.{key}", cents=True, low=engine.ZERO)
    if "discretionary_threshold" in raw:
        values["discretionary_threshold"] = _decimal(raw["discretionary_threshold"], "settings.discretionary_threshold")
    if "exclude_own_department" in raw:
        if not isinstance(raw["exclude_own_department"], bool):
            raise ScoringError("settings.exclude_own_department", "须为 true 或 false")
        values["exclude_own_department"] = raw["exclude_own_department"]
    if "grade_points" in raw:
        grades = _object(raw["grade_points"], "settings.grade_points")
        if not grades:
            raise ScoringError("settings.grade_points", "须至少有一个等次")
        values["grade_points"] = {
            _str(g, "settings.grade_points"): _decimal(
                p, f"settings.grade_points.{g}", low=engine.ZERO, high=engine.BASE_SCORE
            )
            for g, p in grades.items()
        }
    if raw.get("group_weights") is not None:
        weights = _object(raw["group_weights"], "settings.group_weights")
        parsed = {
            _str(g, "settings.group_weights"): _decimal(w, f"settings.group_weights.{g}", low=engine.ZERO)
            for g, w in weights.items()
        }
        if sum(parsed.values(), engine.ZERO) != 1:
            raise ScoringError("settings.group_weights", "各群体权重之和须等于 1")
        values["group_weights"] = parsed
    review = values.get("review_weight", defaults.review_weight)
    democratic = values.get("democratic_weight", defaults.democratic_weight)
    if review + democratic != 1:
        raise ScoringError("settings", f"权重之和须等于 1（现为 {review} + {democratic}）")
    return dataclasses.replace(defaults, **values)


def _parse_departments(raw: Any) -> tuple[engine.DepartmentInput, ...]:
    items = _list(raw, "departments")
    if not items:
        raise ScoringError("departments", "至少须有一个部室")
    seen: set[str] = set()
    result = []
    for i, item in enumerate(items):
        place = f"departments[{i}]"
        item = _object(item, place)
        _known_keys(item, {"name", "headcount"}, place, "字段")
        name = _str(item.get("name"), f"{place}.name")
        if name in seen:
            raise ScoringError(f"{place}.name", f"部室“{name}”重复")
        seen.add(name)
        headcount = _int(item.get("headcount"), f"{place}.headcount", minimum=1)
        result.append(engine.DepartmentInput(name, headcount))
    return tuple(result)


def _parse_leaders(raw: Any, names: set[str]) -> tuple[engine.LeaderInput, ...]:
    items = _list(raw, "leaders")
    result = []
    seen: set[str] = set()
    supervised: dict[str, str] = {}
    for i, item in enumerate(items):
        place = f"leaders[{i}]"
        item = _object(item, place)
        _known_keys(item, {"name", "role", "supervises"}, place, "字段")
        name = _str(item.get("name"), f"{place}.name")
        if name in seen:
            raise ScoringError(f"{place}.name", f"领导“{name}”重复")
        seen.add(name)
        role = item.get("role")
        if role not in (engine.ROLE_CHAIR, engine.ROLE_VICE_CHAIR):
            raise ScoringError(f"{place}.role", f"未知职务 {role!r}（应为 chair 或 vice_chair）")
        supervises: tuple[str, ...] = ()
        if role == engine.ROLE_VICE_CHAIR:
            depts = _list(item.get("supervises", []), f"{place}.supervises")
            if not depts:
                raise ScoringError(f"{place}.supervises", "副主席须至少分管一个部室")
            for j, dept in enumerate(depts):
                if not isinstance(dept, str) or dept not in names:
                    raise ScoringError(f"{place}.supervises[{j}]", f"未知部室 {dept!r}")
                if dept in supervised:
                    raise ScoringError(f"{place}.supervises[{j}]", f"部室“{dept}”已由{supervised[dept]}分管")
                supervised[dept] = name
            supervises = tuple(depts)
        elif item.get("supervises"):
            raise ScoringError(f"{place}.supervises", "只有副主席分管部室")
        result.append(engine.LeaderInput(name, role, supervises))
    chairs = [leader for leader in result if leader.role == engine.ROLE_CHAIR]
    if len(chairs) > 1:
        raise ScoringError("leaders", "只能有一位主席")
    if chairs and not any(leader.role == engine.ROLE_VICE_CHAIR for leader in result):
        raise ScoringError("leaders", "主席按副主席的平均奖核发，须至少有一位副主席")
    return tuple(result)


def date_parse(value: Any, place: str) -> datetime.date:
    """A date written YYYY-MM-DD that exists in the calendar (no 2023-02-30)."""
    if not isinstance(value, str) or not ISO_DATE.fullmatch(value):
        raise ScoringError(place, f"日期格式应为 YYYY-MM-DD，而不是 {value!r}")
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise ScoringError(place, f"日期 {value} 不存在") from None


def _parse_records(
    raw: Any, scheme: engine.SchemeSpec, names: set[str], targets: tuple[engine.TargetInput, ...] = ()
) -> tuple[tuple[engine.RecordInput, ...], tuple[engine.TargetRecordInput, ...]]:
    # A province-scale year has some 200,000 records in a few hundred shapes: the same rule, quantity, level,
    # exemption and reason, for a different department. A shape is checked once (`_parse_record`); the
    # records after it only check their department. Records that give points or several departments, and any
    # value of an unexpected type, always take the full check, so every error is the one it would be alone.
    items = _list(raw, "records")
    checked: dict[tuple[Any, ...], engine.RuleSpec] = {}
    result = []
    annual_seen: set[tuple[str, str]] = set()
    dates_seen: set[str] = set()
    target_records: list[engine.TargetRecordInput] = []
    targets_by_code = {t.code: t for t in targets}
    for i, item in enumerate(items):
        if type(item) is dict and "target" in item:
            target_records.append(_parse_target_record(i, item, targets_by_code))
            if "date" in item:
                date_parse(item["date"], f"records[{i}].date")
            continue
        rule = None
        if (
            type(item) is dict
            and "department" in item
            and "departments" not in item
            and "points" not in item
            and RECORD_KEYS.issuperset(item)
        ):
            get = item.get
            quantity, exempt = get("quantity", 1), get("exempt", False)
            if type(quantity) is int and type(exempt) is bool:
                shape = (get("rule"), quantity, get("level"), exempt, get("reason", ""))
                try:
                    rule = checked.get(shape)
                except TypeError:  # a list or an object where text belongs: the full check says where
                    rule = None
        if rule is None:
            rule, record = _parse_record(i, item, scheme.rules, names)
            if record.points is None and "department" in item:
                checked[(record.rule, record.quantity, record.level, record.exempt, record.reason)] = rule
        else:
            name = item["department"]
            if type(name) is not str or name not in names:
                raise ScoringError(f"records[{i}].department", f"未知部室 {name!r}")
            # positionally: rule, departments, quantity, points, level, exempt, reason, key
            record = engine.RecordInput(rule.code, (name,), quantity, None, shape[2], exempt, shape[4], i)
        if "date" in item:
            when = item["date"]
            if type(when) is not str or when not in dates_seen:  # a year has at most 366 distinct dates
                date_parse(when, f"records[{i}].date")
                dates_seen.add(when)
        if rule.annual:
            for name in record.departments:
                if (name, rule.code) in annual_seen:
                    raise ScoringError(f"records[{i}]", f"{rule.code} 为年度项目，部室“{name}”本年度已有一条记录")
                annual_seen.add((name, rule.code))
        result.append(record)
    return tuple(result), tuple(target_records)


def _parse_target_record(
    i: int, item: dict[str, Any], targets: Mapping[str, engine.TargetInput]
) -> engine.TargetRecordInput:
    place = f"records[{i}]"
    _known_keys(item, TARGET_RECORD_KEYS, place, "字段（目标项目的记录只能有 target、points、not_started、reason）")
    code = item["target"]
    points = item.get("points")
    if points is not None:
        points = _decimal(points, f"{place}.points")
    reason = item.get("reason", "")
    if not isinstance(reason, str):
        raise ScoringError(f"{place}.reason", "须为文字")
    record = engine.TargetRecordInput(
        code if isinstance(code, str) else repr(code), points, item.get("not_started", False), reason, i
    )
    problems = engine.target_record_problems(targets.get(record.target), record)
    if problems:
        field_name, message = problems[0]
        raise ScoringError(f"{place}.{field_name}", message)
    return record


def _parse_record(
    i: int, item: Any, rules: Mapping[str, engine.RuleSpec], names: set[str]
) -> tuple[engine.RuleSpec, engine.RecordInput]:
    """Check one record whole, and build it; the error names the record's place ("records[12].level")."""
    if not isinstance(item, dict):
        raise ScoringError(f"records[{i}]", "须为对象（{...}）")
    if not RECORD_KEYS.issuperset(item):
        _known_keys(item, RECORD_KEYS, f"records[{i}]", "字段")
    code = item.get("rule")
    rule = rules.get(code) if isinstance(code, str) else None
    if rule is None:
        raise ScoringError(f"records[{i}].rule", f"未知考核项目 {code!r}")
    if "department" in item:
        if "departments" in item:
            raise ScoringError(f"records[{i}]", "须给出 department 或 departments 之一")
        departments = (item["department"],)
    elif "departments" in item:
        departments = tuple(_list(item["departments"], f"records[{i}].departments"))
        if rule.kind != engine.KIND_BONUS:
            raise ScoringError(f"records[{i}].departments", f"{rule.code} 不是加分项目，只能针对一个部室")
    else:
        raise ScoringError(f"records[{i}]", "须给出 department 或 departments 之一")
    for name in departments:
        if not isinstance(name, str) or name not in names:
            raise ScoringError(f"records[{i}].department", f"未知部室 {name!r}")
    quantity = item.get("quantity", 1)
    if isinstance(quantity, bool) or not isinstance(quantity, int):
        raise ScoringError(f"records[{i}].quantity", "数量须为正整数")
    if quantity > MAX_COUNT:
        raise ScoringError(f"records[{i}].quantity", f"数量须不大于 {MAX_COUNT}")
    points = item.get("points")
    if points is not None:
        points = _decimal(points, f"records[{i}].points")
    level = item.get("level")
    if level is not None and not isinstance(level, str):
        raise ScoringError(f"records[{i}].level", f"未知级别 {level!r}")
    exempt = item.get("exempt", False)
    if not isinstance(exempt, bool):
        raise ScoringError(f"records[{i}].exempt", "须为 true 或 false")
    reason = item.get("reason", "")
    if not isinstance(reason, str):
        raise ScoringError(f"records[{i}].reason", "须为文字")
    # positionally: rule, departments, quantity, points, level, exempt, reason, key
    record = engine.RecordInput(rule.code, departments, quantity, points, level, exempt, reason, i)
    problems = engine.record_problems(rule, record)
    if problems:
        field_name, message = problems[0]
        raise ScoringError(f"records[{i}].{field_name}", message)
    return rule, record


def _parse_ballots(raw: Any, settings: engine.Settings, names: set[str]) -> tuple[engine.BallotInput, ...]:
    result = []
    for i, item in enumerate(_list(raw, "ballots")):
        place = f"ballots[{i}]"
        item = _object(item, place)
        _known_keys(item, {"group", "voter_department", "ratings", "paper"}, place, "字段")
        group = _str(item.get("group"), f"{place}.group")
        if settings.group_weights is not None and group not in settings.group_weights:
            raise ScoringError(f"{place}.group", f"测评人群体“{group}”未设定权重")
        voter = item.get("voter_department")
        if voter is not None and (not isinstance(voter, str) or voter not in names):
            raise ScoringError(f"{place}.voter_department", f"未知部室 {voter!r}")
        if not isinstance(item.get("paper", False), bool):
            raise ScoringError(f"{place}.paper", "须为 true 或 false")
        ratings = _object(item.get("ratings", {}), f"{place}.ratings")
        for dept, grade in ratings.items():
            if dept not in names:
                raise ScoringError(f"{place}.ratings.{dept}", "未知部室")
            if grade is not None and (not isinstance(grade, str) or grade not in settings.grade_points):
                raise ScoringError(f"{place}.ratings.{dept}", f"未知等次 {grade!r}")
        result.append(engine.BallotInput(group=group, voter_department=voter, ratings=dict(ratings)))
    return tuple(result)


# --- results ---------------------------------------------------------------------------------------------


def _money(value: Decimal | None) -> str | None:
    return None if value is None else str(engine.round2(value))


def result_to_json(result: engine.YearResult) -> dict[str, Any]:
    """The `score_case` output (docs/scoring.md §6): decimals as strings with two decimals, unknown as null."""
    return {
        "year": result.year,
        "departments": [
            {
                "name": d.name,
                "headcount": d.headcount,
                "deductions": _money(d.deductions),
                "bonuses": _money(d.bonuses),
                "review_score": _money(d.review_score),
                "democratic_score": _money(d.democratic_score),
                "final_score": _money(d.final_score),
                "vetoed": d.vetoed,
                "veto_rules": list(d.veto_rules),
                "rank": d.rank,
                "award": d.award,
                "per_capita": _money(d.per_capita),
                "total": _money(d.total),
                "discretionary_eligible": d.discretionary_eligible,
                "by_category": {code: _money(d.by_category[code]) for code, _ in result.categories},
                **(
                    {
                        "targets": [
                            {"code": t.code, "points": _money(t.points), "earned": _money(t.earned)} for t in d.targets
                        ]
                    }
                    if result.has_targets
                    else {}
                ),
            }
            for d in result.departments
        ],
        "leaders": [{"name": x.name, "role": x.role, "award": _money(x.award)} for x in result.leaders],
        "ties": [list(t) for t in result.ties],
        "incomplete": list(result.incomplete),
    }


@engine.gc_paused
def score_document(data: Any, scheme_lookup: SchemeLookup) -> dict[str, Any]:
    """Parse, score and serialise one case document."""
    return result_to_json(engine.score_year(parse_case(data, scheme_lookup), explain=False))
