"""What each role may do follows the year's phase (scoring/phases.py, `PHASE_ACTIONS`).

For every kind of write and every phase, one test tries the real service and the real page POST: where
PHASE_ACTIONS allows it the write happens (exactly the expected rows); elsewhere both refuse with the Chinese
reason naming the phase and nothing in the database changes. The phase is set with the test shortcut
`year_in_phase`; the walk through the real moves is in test_services.py and the browser tests.
"""

import datetime

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from ballots import codes as ballots_codes
from ballots import selectors as ballots_selectors
from ballots import services as ballots
from ballots.models import Ballot, BallotCode, CodeBatch, Round
from departments.models import Department
from reviews import services as ledger
from reviews.models import LedgerRecord
from scoring import phases
from scoring.models import AssessmentYear, DiscretionaryAward, Rule
from tests.conftest import year_in_phase
from tests.reviews.conftest import add_post
from workflow import services as workflow
from workflow.models import Objection, Publicity
from workplans import services as workplans
from workplans.models import MonthlyReport, SelfAssessment

Phase = AssessmentYear.Phase
EVERY_PHASE = [Phase(p) for p in phases.PHASE_ORDER]


def _row_counts() -> dict[str, int]:
    skip = {"sessions.session", "axes.accessattempt", "axes.accesslog", "admin.logentry"}
    return {
        m._meta.label_lower: m._base_manager.count()
        for m in apps.get_models()
        if m._meta.managed and m._meta.label_lower not in skip
    }


def _changed(before: dict[str, int]) -> dict[str, int]:
    after = _row_counts()
    return {label: after[label] - before[label] for label in before if after[label] != before[label]}


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _allowed(action: str, phase: str) -> bool:
    return phase in phases.PHASE_ACTIONS[action]  # never a frozen phase (test_phase_actions_...)


def _refusal(year: AssessmentYear, action: str) -> str:
    message = phases.year_refusal(year, action)
    assert message is not None
    return message


def _dept(name: str) -> Department:
    return Department.objects.get(name=name)


# --- the rules themselves -----------------------------------------------------------------------------------


def test_phase_actions_name_known_phases_and_frozen_allows_nothing():
    assert set(phases.PHASE_ACTIONS) == set(phases.ACTION_WORDING)
    for allowed in phases.PHASE_ACTIONS.values():
        assert allowed <= set(phases.OPEN_PHASES)
        assert not allowed & {Phase.APPROVED, Phase.ANNOUNCED, Phase.ARCHIVED}
    assert [*phases.OPEN_PHASES, Phase.APPROVED, Phase.ANNOUNCED, Phase.ARCHIVED] == phases.PHASE_ORDER


def test_workflow_services_reexport_the_one_set_of_rules():
    assert workflow.PHASE_ACTIONS is phases.PHASE_ACTIONS
    assert workflow.OPEN_PHASES is phases.OPEN_PHASES
    assert workflow.year_allows is phases.year_allows


@pytest.mark.parametrize(
    ("action", "phase", "message"),
    [
        ("self_assessment", Phase.SCORING, "当前阶段为「评分」，自评仅在「自评」阶段可以填写。"),
        (
            "monthly_report",
            Phase.PREPARING,
            "当前阶段为「准备」，月度计划和小结仅在「进行中」至「评分」阶段可以填写和审阅。",
        ),
        (
            "ballot_setup",
            Phase.PUBLICITY,
            "当前阶段为「公示」，民主测评的设置和测评码仅在「评分」和「民主测评」阶段可以管理。",
        ),
        ("ballot", Phase.SCORING, "当前阶段为「评分」，民主测评投票和纸质票录入仅在「民主测评」阶段可以进行。"),
        ("objection", Phase.DEMOCRATIC, "当前阶段为「民主测评」，异议仅在「公示」阶段可以提出。"),
        ("decision", Phase.SCORING, "当前阶段为「评分」，并列排序和酌情奖励仅在「公示」阶段可以决定。"),
        (
            "ledger",
            Phase.APPROVED,
            "2023年度机关各部室创先争优绩效考核已审定，数据只读（当前阶段为「审定」，考核台帐仅在「准备」至「公示」"
            "阶段可以修改）。如需修改，请由系统管理员重新开启该年度。",
        ),
    ],
)
def test_year_refusal_names_the_phase_and_where_it_is_allowed(demo_year, action, phase, message):
    year_in_phase(demo_year, phase)

    assert phases.year_refusal(demo_year, action) == message
    with pytest.raises(phases.PhaseRefused) as refused:
        phases.year_require(demo_year, action)
    assert refused.value.messages == [message]
    assert isinstance(refused.value, ValidationError)


def test_year_refusal_is_none_where_allowed(demo_year):
    for phase in phases.PHASE_ORDER:
        year_in_phase(demo_year, phase)
        for action in phases.PHASE_ACTIONS:
            assert (phases.year_refusal(demo_year, action) is None) == _allowed(action, phase), (action, phase)


# --- ledger: every phase before 审定 --------------------------------------------------------------------------


@pytest.mark.parametrize("phase", EVERY_PHASE)
def test_ledger_write_follows_phase(demo_year, cast, phase):
    year = year_in_phase(demo_year, phase)
    rule = Rule.objects.get(scheme=year.scheme, code="S2")
    allowed = _allowed("ledger", phase)

    before = _row_counts()
    if allowed:
        ledger.ledger_record_create(year=year, rule=rule, departments=[_dept("组织部")], recorded_by=cast["lead"])
        assert _changed(before) == {
            "reviews.ledgerrecord": 1,
            "reviews.recorddepartment": 1,
            "reviews.historicalledgerrecord": 1,
            "reviews.historicalrecorddepartment": 1,
        }
    else:
        with pytest.raises(ValidationError) as refused:
            ledger.ledger_record_create(year=year, rule=rule, departments=[_dept("组织部")])
        assert refused.value.messages == [_refusal(year, "ledger")]
        assert _changed(before) == {}

    before = _row_counts()
    response = _client(cast["lead"]).post(
        reverse("admin:reviews_ledgerrecord_add"), add_post(year, rule, [_dept("女职工部")])
    )
    if allowed:
        assert response.status_code == 302
        assert _changed(before)["reviews.ledgerrecord"] == 1
    else:
        assert response.status_code == 200  # the form comes back with the reason
        assert response.context["adminform"].form.errors == {"__all__": [f"{year}已审定，数据只读。"]}
        assert _changed(before) == {}


def test_ledger_record_create_allowed_in_publicity_refused_when_frozen(demo_year, cast):
    rule = Rule.objects.get(scheme=demo_year.scheme, code="S2")
    year_in_phase(demo_year, Phase.PUBLICITY)
    record = ledger.ledger_record_create(year=demo_year, rule=rule, departments=[_dept("组织部")])
    assert LedgerRecord.objects.filter(pk=record.pk).exists()

    for phase in (Phase.APPROVED, Phase.ANNOUNCED):
        year_in_phase(demo_year, phase)
        count = LedgerRecord.objects.count()
        with pytest.raises(ledger.YearFrozenError, match="已审定，数据只读"):
            ledger.ledger_record_create(year=demo_year, rule=rule, departments=[_dept("组织部")])
        assert LedgerRecord.objects.count() == count


# --- monthly plans and summaries: 进行中, 自评, 评分 ------------------------------------------------------------


@pytest.mark.parametrize("phase", EVERY_PHASE)
def test_monthly_report_follows_phase(demo_year, cast, phase):
    year = year_in_phase(demo_year, phase)
    bgs, zzb = _dept("办公室"), _dept("组织部")
    draft = MonthlyReport.objects.create(year=year, department=zzb, month=5)  # a draft from an earlier phase
    allowed = _allowed("monthly_report", phase)

    before = _row_counts()
    save = {
        "report": draft,
        "summary_text": "五月小结",
        "plan_text": "",
        "plan_items": [],
        "outcomes": {},
        "submit": False,
        "user": cast["head_zzb"],
    }
    if allowed:
        workplans.report_save(**save)
        workplans.report_get_or_create(year=year, department=zzb, month=6)
        assert _changed(before) == {"workplans.monthlyreport": 1}
        draft.refresh_from_db()
        assert draft.summary_text == "五月小结"
    else:
        for attempt in (
            lambda: workplans.report_save(**save),
            lambda: workplans.report_get_or_create(year=year, department=zzb, month=6),
        ):
            with pytest.raises(ValidationError) as refused:
                attempt()
            assert refused.value.messages == [_refusal(year, "monthly_report")]
        assert _changed(before) == {}
        draft.refresh_from_db()
        assert draft.summary_text == ""

    url = reverse("workplans:report", args=[2023, bgs.pk, 7])
    page = _client(cast["head_bgs"]).get(url).content.decode()
    assert ("保存草稿" in page) is allowed
    before = _row_counts()
    response = _client(cast["head_bgs"]).post(
        url,
        {
            "action": "save",
            "summary_text": "七月小结",
            "plan_text": "",
            "plan-TOTAL_FORMS": "0",
            "plan-INITIAL_FORMS": "0",
        },
    )
    if allowed:
        assert response.status_code == 302
        assert _changed(before) == {"workplans.monthlyreport": 1}
        assert MonthlyReport.objects.get(department=bgs, month=7).summary_text == "七月小结"
    else:
        assert response.status_code == 403
        assert _refusal(year, "monthly_report") in response.content.decode()
        assert _changed(before) == {}


def test_monthly_summary_refused_in_preparing(client, demo_year, cast):
    year_in_phase(demo_year, Phase.PREPARING)
    bgs = _dept("办公室")
    client.force_login(cast["head_bgs"])
    url = reverse("workplans:report", args=[2023, bgs.pk, 6])

    page = client.get(url).content.decode()
    response = client.post(
        url,
        {
            "action": "submit",
            "summary_text": "六月小结",
            "plan_text": "",
            "plan-TOTAL_FORMS": "0",
            "plan-INITIAL_FORMS": "0",
        },
    )

    message = "当前阶段为「准备」，月度计划和小结仅在「进行中」至「评分」阶段可以填写和审阅。"
    assert message in page and "保存草稿" not in page
    assert response.status_code == 403
    assert message in response.content.decode()
    assert not MonthlyReport.objects.exists()


# --- self-assessment: 自评 only ------------------------------------------------------------------------------


@pytest.mark.parametrize("phase", EVERY_PHASE)
def test_self_assessment_follows_phase(demo_year, cast, phase):
    year = year_in_phase(demo_year, phase)
    bgs = _dept("办公室")
    b1 = Rule.objects.get(scheme=year.scheme, code="B1")
    earlier = SelfAssessment.objects.create(year=year, department=_dept("女职工部"))  # a draft begun in 自评
    allowed = _allowed("self_assessment", phase)

    before = _row_counts()
    attempts = [
        lambda: workplans.self_assessment_get_or_create(year=year, department=_dept("组织部")),
        lambda: workplans.self_assessment_save(
            assessment=earlier, summary="总结", declarations=[], submit=False, user=cast["head_nzgb"]
        ),
        lambda: workplans.bonus_claim_add(
            assessment=earlier, rule=b1, level="national", title="全国模范职工之家", shared_with=[]
        ),
    ]
    if allowed:
        for attempt in attempts:
            attempt()
        assert _changed(before) == {"workplans.selfassessment": 1, "workplans.bonusclaim": 1}
    else:
        for attempt in attempts:
            with pytest.raises(ValidationError) as refused:
                attempt()
            assert refused.value.messages == [_refusal(year, "self_assessment")]
        assert _changed(before) == {}

    head = _client(cast["head_bgs"])
    page = head.get(reverse("workplans:self", args=[2023, bgs.pk])).content.decode()
    assert ("保存草稿" in page) is allowed
    before = _row_counts()
    saved = head.post(reverse("workplans:self", args=[2023, bgs.pk]), {"summary": "全年总结", "action": "save"})
    claimed = head.post(
        reverse("workplans:claim_add", args=[2023, bgs.pk]),
        {"rule": b1.pk, "level": "national", "title": "全国模范职工之家"},
    )
    if allowed:
        assert (saved.status_code, claimed.status_code) == (302, 302)
        assert _changed(before) == {"workplans.selfassessment": 1, "workplans.bonusclaim": 1}
        assert SelfAssessment.objects.get(department=bgs).summary == "全年总结"
    else:
        assert (saved.status_code, claimed.status_code) == (403, 403)
        assert _refusal(year, "self_assessment") in saved.content.decode()
        assert _refusal(year, "self_assessment") in claimed.content.decode()
        assert _changed(before) == {}


def test_self_assessment_refused_in_scoring_allowed_in_self_assessment(client, demo_year, cast):
    bgs = _dept("办公室")
    client.force_login(cast["head_bgs"])
    url = reverse("workplans:self", args=[2023, bgs.pk])

    refused = client.post(url, {"summary": "全年总结", "action": "save"})
    year_in_phase(demo_year, Phase.SELF_ASSESSMENT)
    saved = client.post(url, {"summary": "全年总结", "action": "save"})

    assert demo_year.phase == Phase.SELF_ASSESSMENT
    assert refused.status_code == 403
    assert "当前阶段为「评分」，自评仅在「自评」阶段可以填写。" in refused.content.decode()
    assert saved.status_code == 302
    assert SelfAssessment.objects.get(department=bgs).summary == "全年总结"


# --- democratic evaluation: setting up in 评分 and 民主测评, ballots in 民主测评 ---------------------------------


def _round_kwargs(year):
    return {
        "year": year,
        "title": "2023年度民主测评",
        "closes_at": timezone.now() + datetime.timedelta(days=7),
        "groups": ballots.default_groups(year=year),
    }


@pytest.mark.parametrize("phase", EVERY_PHASE)
def test_ballot_setup_follows_phase(demo_year, cast, phase):
    year = year_in_phase(demo_year, phase)
    allowed = _allowed("ballot_setup", phase)

    before = _row_counts()
    if allowed:
        round_ = ballots.round_open(**_round_kwargs(year))
        ballots.codes_generate(group=round_.groups.get(by_department=False), count=2)
        assert _changed(before) == {
            "ballots.round": 1,
            "ballots.ratergroup": 2,
            "ballots.codebatch": 1,
            "ballots.ballotcode": 2,
            "ballots.historicalround": 1,
            "ballots.historicalratergroup": 2,
            "scoring.historicalassessmentyear": 1,  # the year's democratic source follows the round
        }
        # Undone, so that the page below may open the year's one round.
        BallotCode.objects.all().delete()
        CodeBatch.objects.all().delete()
        Round.objects.all().delete()
    else:
        with pytest.raises(ValidationError) as refused:
            ballots.round_open(**_round_kwargs(year))
        assert refused.value.messages == [_refusal(year, "ballot_setup")]
        assert _changed(before) == {}

    lead = _client(cast["lead"])
    index = lead.get(reverse("ballots:index")).content.decode()
    assert (reverse("ballots:open", args=[2023]) in index) is allowed
    closes = (timezone.localtime() + datetime.timedelta(days=3)).strftime("%Y-%m-%dT%H:%M")
    before = _row_counts()
    response = lead.post(
        reverse("ballots:open", args=[2023]),
        {
            "title": "2023年度民主测评",
            "closes_at": closes,
            "groups-TOTAL_FORMS": "1",
            "groups-INITIAL_FORMS": "0",
            "groups-0-name": "基层工会干部代表",
            "groups-0-planned_count": "30",
        },
    )
    if allowed:
        assert response.status_code == 302
        assert _changed(before) == {
            "ballots.round": 1,
            "ballots.ratergroup": 1,
            "ballots.historicalround": 1,
            "ballots.historicalratergroup": 1,
            "scoring.historicalassessmentyear": 1,
        }
    else:
        assert response.status_code == 200
        assert _refusal(year, "ballot_setup") in response.content.decode()
        assert _changed(before) == {}


@pytest.fixture
def codes_in_scoring(demo_year):
    """A round opened in 评分 (where the lead prepares it) with three unused codes of 基层工会干部代表."""
    year_in_phase(demo_year, Phase.SCORING)
    round_ = ballots.round_open(**_round_kwargs(demo_year))
    group = round_.groups.get(by_department=False)
    return round_, group, ballots.codes_generate(group=group, count=3)


@pytest.mark.parametrize("phase", EVERY_PHASE)
def test_ballot_follows_phase(demo_year, cast, codes_in_scoring, phase):
    round_, group, codes = codes_in_scoring
    year = year_in_phase(demo_year, phase)  # round_.year is this same instance
    departments = ballots_selectors.ballot_departments(year=year)
    grades = {d.pk: "优秀" for d in departments}
    allowed = _allowed("ballot", phase)
    voter_message = ballots_codes.MSG_FROZEN if year.is_frozen else ballots_codes.msg_phase(year)

    before = _row_counts()
    if allowed:
        ballots.ballot_cast(code=codes[0], ratings=grades)
        ballots.paper_ballot_add(round=round_, group=group, voter_department=None, ratings=grades)
        assert _changed(before) == {"ballots.ballot": 2, "ballots.ballotrating": 2 * len(departments)}
    else:
        with pytest.raises(ballots_codes.BallotRefused) as refused:
            ballots.ballot_cast(code=codes[0], ratings=grades)
        assert refused.value.message == voter_message
        with pytest.raises(ValidationError) as paper_refused:
            ballots.paper_ballot_add(round=round_, group=group, voter_department=None, ratings=grades)
        assert paper_refused.value.messages == [_refusal(year, "ballot")]
        assert _changed(before) == {}
        assert BallotCode.objects.filter(used=True).count() == 0

    before = _row_counts()
    voted = Client().post("/vote/", {"code": codes[1], "step": "submit"} | {f"d{pk}": g for pk, g in grades.items()})
    paper = _client(cast["lead"]).post(
        reverse("ballots:paper", args=[2023]),
        {"group": group.pk, "voter_department": ""} | {f"d{pk}": g for pk, g in grades.items()},
    )
    if allowed:
        assert (voted.status_code, paper.status_code) == (302, 302)
        assert _changed(before) == {"ballots.ballot": 2, "ballots.ballotrating": 2 * len(departments)}
    else:
        assert voted.status_code == 400  # the code page again, with the reason: not an error page
        assert voter_message in voted.content.decode()
        assert paper.status_code == 200
        assert _refusal(year, "ballot") in paper.content.decode()
        assert _changed(before) == {}
        assert BallotCode.objects.filter(used=True).count() == 0


def test_vote_refused_outside_democratic_with_chinese_page_code_kept(client, demo_year, codes_in_scoring):
    _round, _group, codes = codes_in_scoring  # the year is in 评分

    entered = client.post("/vote/", {"code": codes[0]})
    year_in_phase(demo_year, Phase.DEMOCRATIC)
    opened = client.post("/vote/", {"code": codes[0]})

    assert entered.status_code == 400
    page = entered.content.decode()
    assert "当前考核阶段为「评分」，网上测评仅在「民主测评」阶段开放，现在不能投票。" in page
    assert "请输入测评码" in page  # the code page again, not an error page
    assert BallotCode.objects.filter(used=True).count() == 0
    assert Ballot.objects.count() == 0
    assert opened.status_code == 200  # the same code now opens the ballot: it was not spent


# --- 公示: objections and leadership's decisions --------------------------------------------------------------


@pytest.mark.parametrize("phase", EVERY_PHASE)
def test_objection_follows_phase(demo_year, cast, phase):
    year = year_in_phase(demo_year, phase)
    Publicity.objects.create(year=year, start=timezone.localdate(), days=5, started_by=cast["lead"])
    office = LedgerRecord.objects.filter(year=year, record_departments__department__name="办公室").order_by("pk")
    first, second = office[0], office[1]
    allowed = _allowed("objection", phase)

    before = _row_counts()
    if allowed:
        workflow.objection_raise(record=first, reason="数量有误", by=cast["head_bgs"])
        assert _changed(before) == {"workflow.objection": 1}
    else:
        with pytest.raises(ValidationError) as refused:
            workflow.objection_raise(record=first, reason="数量有误", by=cast["head_bgs"])
        frozen = year.is_frozen
        assert refused.value.messages == [phases.year_refusal(year, "ledger" if frozen else "objection")]
        assert _changed(before) == {}

    head = _client(cast["head_bgs"])
    listing = head.get(reverse("workflow:objections", args=[2023])).content.decode()
    assert (phases.year_refusal(year, "objection") or "本部室台帐记录") in listing
    before = _row_counts()
    response = head.post(reverse("workflow:objection_new", args=[2023, second.pk]), {"reason": "日期有误"})
    if allowed:
        assert response.status_code == 302
        assert _changed(before) == {"workflow.objection": 1}
    else:
        assert response.status_code == 403
        assert _refusal(year, "objection") in response.content.decode()
        assert _changed(before) == {}
    assert Objection.objects.count() == (2 if allowed else 0)


@pytest.mark.parametrize("phase", EVERY_PHASE)
def test_decision_follows_phase(demo_year, cast, phase):
    year = year_in_phase(demo_year, phase)
    allowed = _allowed("decision", phase)
    wang = cast["leader_wang"]

    before = _row_counts()
    if allowed:
        workflow.discretionary_award_grant(year, _dept("经济工作部"), "500", "信访工作突出", wang)
        assert _changed(before) == {"scoring.discretionaryaward": 1, "scoring.historicaldiscretionaryaward": 1}
    else:
        with pytest.raises(ValidationError) as refused:
            workflow.discretionary_award_grant(year, _dept("经济工作部"), "500", "信访工作突出", wang)
        frozen = year.is_frozen
        assert refused.value.messages == [phases.year_refusal(year, "ledger" if frozen else "decision")]
        assert _changed(before) == {}

    leader = _client(wang)
    page = leader.get(reverse("workflow:approval", args=[2023])).content.decode()
    assert ("核定</button>" in page) is allowed
    before = _row_counts()
    response = leader.post(
        reverse("workflow:approval_award", args=[2023]),
        {"department": "民管法工部", "amount": "300", "reason": "维权工作突出"},
        follow=True,
    )
    assert response.status_code == 200
    if allowed:
        assert _changed(before) == {"scoring.discretionaryaward": 1, "scoring.historicaldiscretionaryaward": 1}
        assert str(DiscretionaryAward.objects.get(department__name="民管法工部").amount) == "300.00"
    else:
        frozen = year.is_frozen
        assert phases.year_refusal(year, "ledger" if frozen else "decision") in response.content.decode()
        assert _changed(before) == {}
