"""Demo data: the organisation, a demo year and one user per role of `departments.models.Role`, for one of two
schemes: the district's (`district-2023`, the default: the 2023 year of fixtures/demo/2023.json) or the county's
target management (`county-2011`: the 2011 year of fixtures/demo/county-2011.json, docs/scoring.md §7). The two
demos have their own departments, leaders and accounts (the superuser `admin` aside), so both can be loaded
into one database."""

from __future__ import annotations

import datetime
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction

from departments.models import Department, Leader, Membership, Organisation, Role
from results.exchange import year_import
from reviews.models import LedgerRecord, TargetRecord
from scoring.cases import loads
from scoring.catalogue import DEFAULT_SCHEME, catalogue_load
from scoring.models import AssessmentYear, Rule, Scheme
from workflow.services import year_announce, year_approve, year_phase_move

DEMO_PASSWORD = "kaohe-demo-2023"
DEMO_YEAR_FILE = Path(settings.BASE_DIR) / "fixtures" / "demo" / "2023.json"
# The year before, scored with its own scheme (district-2022), approved and announced: what trends compare with.
DEMO_PREVIOUS_YEAR = 2022
DEMO_PREVIOUS_YEAR_FILE = Path(settings.BASE_DIR) / "fixtures" / "demo" / "2022.json"
DEMO_PREVIOUS_PUBLICITY = datetime.date(2023, 1, 9)
DEMO_PREVIOUS_MEETING = (datetime.date(2023, 1, 20), "党组会议纪要〔2023〕2号")
DEMO_ORGANISATION = {
    "full_name": "某某区总工会",
    "short_name": "某某区总工会",
    "issuer_mark": "某某区总工会文件",
    "document_prefix": "区工发",
    "main_recipients": "机关各部室",
    "copy_recipients": "某某市总工会",
    "printing_office": "某某区总工会办公室",
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


COUNTY_SCHEME = "county-2011"
COUNTY_YEAR = 2011
COUNTY_YEAR_FILE = Path(settings.BASE_DIR) / "fixtures" / "demo" / "county-2011.json"
COUNTY_ORGANISATION = {
    "full_name": "某某县总工会",
    "short_name": "某某县总工会",
    "issuer_mark": "某某县总工会文件",
    "document_prefix": "县工发",
    "main_recipients": "各部办",
    "copy_recipients": "某某市总工会",
    "printing_office": "某某县总工会办公室",
}
# The office that records the county's 机关管理 (J) and 加分项目 (B) in the demo (the shipped scheme leaves them to
# the 目标考核领导小组, that is the review lead; an installation assigns its own offices in the admin).
COUNTY_RECORDER_OFFICE = "综合办公室"
COUNTY_USERS = [
    ("admin", "系统管理员", None, None, "系统管理员（全部权限）"),
    ("county_lead", "孙组长", Role.REVIEW_LEAD, None, "县总·目标考核领导小组组长（分解目标项目、导入、全部录入）"),
    (
        "county_reviewer",
        "综合办公室考核员",
        Role.REVIEWER,
        "综合办公室",
        "县总·考核小组成员·综合办公室（J 机关管理、B 加分项目；目标项目扣分）",
    ),
    ("county_head_bgs", "综合办公室主任", Role.DEPARTMENT_HEAD, "综合办公室", "县总·部办负责人·综合办公室"),
    ("county_head_jcb", "基层工作部部长", Role.DEPARTMENT_HEAD, "基层工作部", "县总·部办负责人·基层工作部"),
    ("county_head_xjb", "宣传教育部部长", Role.DEPARTMENT_HEAD, "宣传教育部", "县总·部办负责人·宣传教育部"),
    ("county_head_jjb", "经济技术部部长", Role.DEPARTMENT_HEAD, "经济技术部", "县总·部办负责人·经济技术部"),
    ("county_head_flb", "法律保障部部长", Role.DEPARTMENT_HEAD, "法律保障部", "县总·部办负责人·法律保障部"),
    ("county_head_ngw", "女职工委员会主任", Role.DEPARTMENT_HEAD, "女职工委员会", "县总·部办负责人·女职工委员会"),
    (
        "county_vice_chen",
        "陈副主席",
        Role.VICE_CHAIR,
        "陈副主席",
        "县总·分管副主席（综合办公室、基层工作部、宣传教育部）",
    ),
    (
        "county_vice_wu",
        "吴副主席",
        Role.VICE_CHAIR,
        "吴副主席",
        "县总·分管副主席（经济技术部、法律保障部、女职工委员会）",
    ),
    ("county_chair_liu", "刘主席", Role.LEADERSHIP, "刘主席", "县总·主席/党组"),
]
DEMO_SCHEMES = (DEFAULT_SCHEME, COUNTY_SCHEME)


def demo_users(scheme: str = DEFAULT_SCHEME) -> list[tuple]:
    """The demo accounts of a scheme's demo (username, full name, role, department or leader, description)."""
    return COUNTY_USERS if scheme == COUNTY_SCHEME else DEMO_USERS


@transaction.atomic
def demo_load(scheme: str = DEFAULT_SCHEME, *, previous: bool = False) -> list[str]:
    """Load the demo year of `scheme` (if absent) and its demo users (created or reset). Idempotent. With
    `previous`, the district's demo also gets the year before (2022), approved and announced."""

    if scheme == COUNTY_SCHEME:
        return _county_demo_load()
    if scheme != DEFAULT_SCHEME:
        raise ValueError(f"没有方案 {scheme!r} 的示例数据（可选：{'、'.join(DEMO_SCHEMES)}）")
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
        _demo_recorders_set(year, lead="lead")
    if previous:
        done.extend(_demo_previous_load())
    return done


def _demo_previous_load() -> list[str]:
    """The district's 2022 year (fixtures/demo/2022.json, its own scheme district-2022), taken through the year's
    procedure by the demo's review lead and chair: scored, 公示, approved by the party group and announced."""
    if AssessmentYear.objects.filter(year=DEMO_PREVIOUS_YEAR).exists():
        return []
    year = year_import(loads(DEMO_PREVIOUS_YEAR_FILE.read_bytes()))
    Scheme.objects.filter(pk=year.scheme_id).update(regulation_title=DEMO_REGULATION)
    _demo_recorders_set(year, lead="lead")
    users = get_user_model().objects
    lead, chair = users.get(username="lead"), users.get(username="leader_wang")
    Phase = AssessmentYear.Phase
    for phase in (Phase.RUNNING, Phase.SELF_ASSESSMENT, Phase.SCORING, Phase.DEMOCRATIC):
        year_phase_move(year, phase, lead)
    year_phase_move(year, Phase.PUBLICITY, lead, publicity_start=DEMO_PREVIOUS_PUBLICITY)
    meeting, minutes = DEMO_PREVIOUS_MEETING
    year_approve(year, meeting, minutes, chair)
    year_announce(year, chair)
    return [f"{DEMO_PREVIOUS_YEAR}年度示例数据（已审定并通报）"]


def _county_demo_load() -> list[str]:
    """The county demo: the 2011 year of the scheme county-2011 with each department's target items (100 points
    each), records against them (deductions, one 扣完为止, one not started), 机关管理 and bonus records, in 评分;
    its accounts; 综合办公室 as the recorder office of the J and B rules."""
    done = []
    catalogue_load()
    if not Organisation.objects.exists():
        Organisation.objects.create(**COUNTY_ORGANISATION)
        done.append(f"示例组织“{COUNTY_ORGANISATION['full_name']}”")
    year = None
    if not AssessmentYear.objects.filter(year=COUNTY_YEAR).exists():
        year = year_import(loads(COUNTY_YEAR_FILE.read_bytes()))
        year.phase = AssessmentYear.Phase.SCORING
        year.save(update_fields=["phase"])
        office = Department.objects.get(name=COUNTY_RECORDER_OFFICE)
        for rule in Rule.objects.filter(scheme_id=year.scheme_id, category__code__in=["J", "B"]):
            rule.recorder_offices.set([office])
            rule.recorder_label = office.name
            rule.save(update_fields=["recorder_label"])
        done.append(f"{COUNTY_YEAR}年度县总工会目标管理示例数据")
    done.extend(demo_users_ensure(COUNTY_USERS))
    if year is not None:
        _demo_recorders_set(year, lead="county_lead")
        reviewer = get_user_model().objects.get(username="county_reviewer")
        TargetRecord.objects.filter(year=year).update(recorded_by=reviewer)
        TargetRecord.history.filter(year_id=year.pk).update(recorded_by=reviewer)
    return done


def _demo_recorders_set(year, *, lead: str) -> None:
    """Each demo record as entered by the reviewer of the office responsible for its rule (十、考核组织),
    or by the review lead (the account `lead`), so that the demo shows who entered every point."""

    reviewers = {
        m.department_id: m.user
        for m in Membership.objects.filter(role=Role.REVIEWER).select_related("user").order_by("id")
    }
    lead_user = get_user_model().objects.filter(username=lead).first()
    for record in (
        LedgerRecord.objects.filter(year=year).select_related("rule").prefetch_related("rule__recorder_offices")
    ):
        offices = [o.pk for o in record.rule.recorder_offices.all() if o.pk in reviewers]
        user = reviewers[offices[0]] if offices else lead_user
        LedgerRecord.objects.filter(pk=record.pk).update(recorded_by=user)
        LedgerRecord.history.filter(id=record.pk).update(recorded_by=user)  # its history starts so too


def demo_users_ensure(users: list[tuple] | None = None) -> list[str]:
    """The demo accounts `users` (the district demo's unless given), created or reset to the demo password."""
    User = get_user_model()
    created = []
    for username, full_name, role, where, _ in users if users is not None else DEMO_USERS:
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
