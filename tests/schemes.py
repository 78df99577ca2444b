"""A small scheme of another 机关 (docs/scoring.md §7) for tests of what must not name the district scheme's codes:
no T-rules, a bonus category coded E and a veto category coded X. Built with `scoring.catalogue.scheme_create`,
as the catalogue and `import_year` build a scheme."""

import copy

from scoring.catalogue import scheme_create
from scoring.models import Scheme

SMALL_SCHEME = {
    "code": "county-small",
    "name": "县总工会各部办目标管理考核（小）",
    "categories": [
        {"code": "J", "name": "机关管理", "cap": "10"},
        {"code": "E", "name": "表彰奖励"},
        {"code": "X", "name": "一票否决"},
    ],
    "rules": [
        {
            "code": "J1",
            "category": "J",
            "kind": "deduction",
            "points": "3",
            "text": "部室年度工作任务因自身原因未按计划完成",
            "unit": "每项",
            "recorders": ["办公室"],
            "recorder_label": "办公室",
        },
        {
            "code": "J2",
            "category": "J",
            "kind": "discretionary",
            "max_points": "1.5",
            "text": "工作失误，酌情扣分",
            "reason_required": True,
            "recorders": ["办公室"],
        },
        {
            "code": "E1",
            "category": "E",
            "kind": "bonus",
            "levels": {"省级": "5", "市级": "3"},
            "text": "工作受上级表彰",
        },
        {"code": "X1", "category": "X", "kind": "veto", "text": "发生重大责任事故"},
    ],
}


def small_scheme_document(**changes) -> dict:
    doc = copy.deepcopy(SMALL_SCHEME)
    doc.update(changes)
    return doc


def small_scheme(**changes) -> Scheme:
    """The small scheme in the database; `plan_shortfall_rule="J1"` makes J1 its plan shortfall rule."""
    return scheme_create(small_scheme_document(**changes))
