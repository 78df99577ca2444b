"""Demo data: the organisation, the 2023 year of fixtures/demo/2023.json and one user per role of
`departments.models.Role`."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction

from departments.models import Department, Leader, Membership, Organisation, Role
from results.exchange import year_import
from reviews.models import LedgerRecord
from scoring.cases import loads
from scoring.catalogue import catalogue_load
from scoring.models import AssessmentYear, Scheme

DEMO_PASSWORD = "kaohe-demo-2023"
DEMO_YEAR_FILE = Path(settings.BASE_DIR) / "fixtures" / "demo" / "2023.json"
DEMO_ORGANISATION = {
    "full_name": "某某区总工会",
    "short_name": "某某区总工会",
    "issuer_mark": "某某区总工会文件",
    "document_prefix": "区工发",
    "main_recipients": "机关各部室",
    "copy_recipients": "某某市总工会",
}
DEMO_REGULATION = "某某区总工会机关各部室创先争优绩效考核实施办法"

# username, full name, role, department (or leader name for vice chairs), description
DEMO_USERS = [
    ("admin", "系统管理员", None, None, "系统管理员（全部权限）"),
    ("lead", "周组长", Role.REVIEW_LEAD, None, "考核小组组长"),
    ("reviewer_zzb", "组织部考核员", Role.REVIEWER, "组织部", "考核小组成员·组织部（T1–T4、G1）"),
    ("reviewer_bgs", "办公室考核员", Role.REVIEWER, "办公室", "考核小组成员·办公室（S、I、C、B）"),
    ("reviewer_mgfgb", "民管法工部考核员", Role.REVIEWER, "民管法工部", "考核小组成员·民管法工部（P）"),
    ("reviewer_shbzb", "生活保障部考核员", Role.REVIEWER, "生活保障部", "考核小组成员·生活保障部（P）"),
    ("reviewer_xjdys", "宣教调研室考核员", Role.REVIEWER, "宣教调研室", "考核小组成员·宣教调研室（G2、G3）"),
    ("head_bgs", "办公室主任", Role.DEPARTMENT_HEAD, "办公室", "部室负责人·办公室"),
    ("head_zzb", "组织部部长", Role.DEPARTMENT_HEAD, "组织部", "部室负责人·组织部"),
    ("head_xjdys", "宣教调研室主任", Role.DEPARTMENT_HEAD, "宣教调研室", "部室负责人·宣教调研室"),
    ("head_mgfgb", "民管法工部部长", Role.DEPARTMENT_HEAD, "民管法工部", "部室负责人·民管法工部"),
    ("head_shbzb", "生活保障部部长", Role.DEPARTMENT_HEAD, "生活保障部", "部室负责人·生活保障部"),
    ("head_nzgb", "女职工部部长", Role.DEPARTMENT_HEAD, "女职工部", "部室负责人·女职工部"),
    ("head_jjb", "经济工作部部长", Role.DEPARTMENT_HEAD, "经济工作部", "部室负责人·经济工作部"),
    ("vice_li", "李副主席", Role.VICE_CHAIR, "李副主席", "分管副主席（办公室、组织部、宣教调研室）"),
    (
        "vice_zhao",
        "赵副主席",
        Role.VICE_CHAIR,
        "赵副主席",
        "分管副主席（民管法工部、生活保障部、女职工部、经济工作部）",
    ),
    ("leader_wang", "王主席", Role.LEADERSHIP, "王主席", "主席/党组"),
]


@transaction.atomic
def demo_load() -> list[str]:
    """Load the demo year (if absent) and the demo users (created or reset). Idempotent."""

    done = []
    catalogue_load()
    if not Organisation.objects.exists():
        Organisation.objects.create(**DEMO_ORGANISATION)
        done.append(f"示例组织“{DEMO_ORGANISATION['full_name']}”")
    year = None
    if not AssessmentYear.objects.filter(year=2023).exists():
        year = year_import(loads(DEMO_YEAR_FILE.read_bytes()))
        year.phase = AssessmentYear.Phase.SCORING
        year.save(update_fields=["phase"])
        Scheme.objects.filter(pk=year.scheme_id).update(regulation_title=DEMO_REGULATION)
        done.append("2023年度示例数据")
    done.extend(demo_users_ensure())  # after the year: vice chairs' accounts link to its leaders
    if year is not None:
        _demo_recorders_set(year)
    return done


def _demo_recorders_set(year) -> None:
    """Each demo record as entered by the reviewer of the office responsible for its rule (十、考核组织),
    or by the review lead, so that the demo shows who entered every point."""

    reviewers = {
        m.department_id: m.user
        for m in Membership.objects.filter(role=Role.REVIEWER).select_related("user").order_by("id")
    }
    lead = Membership.objects.filter(role=Role.REVIEW_LEAD).select_related("user").first()
    for record in (
        LedgerRecord.objects.filter(year=year).select_related("rule").prefetch_related("rule__recorder_offices")
    ):
        offices = [o.pk for o in record.rule.recorder_offices.all() if o.pk in reviewers]
        user = reviewers[offices[0]] if offices else (lead.user if lead else None)
        LedgerRecord.objects.filter(pk=record.pk).update(recorded_by=user)


def demo_users_ensure() -> list[str]:
    User = get_user_model()
    created = []
    for username, full_name, role, where, _ in DEMO_USERS:
        user, is_new = User.objects.get_or_create(username=username)
        user.first_name = full_name
        user.is_staff = role in (None, Role.REVIEW_LEAD, Role.REVIEWER)
        user.is_superuser = role is None
        user.set_password(DEMO_PASSWORD)
        user.save()
        if is_new:
            created.append(username)
        if role is None:
            continue
        department = None
        if role in (Role.DEPARTMENT_HEAD, Role.REVIEWER):
            department, _ = Department.objects.get_or_create(name=where)
        if role in (Role.VICE_CHAIR, Role.LEADERSHIP):
            Leader.objects.filter(name=where).update(user=user)
        Membership.objects.get_or_create(user=user, role=role, department=department)
    return [f"示例账号 {name}" for name in created]
