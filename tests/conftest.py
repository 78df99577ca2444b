"""Shared fixtures: the demo year and the fixed cast of users (one per role) for permission tests."""

import datetime
import os
from decimal import Decimal

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from ballots import services as ballots
from departments.models import Department
from ops.demo import COUNTY_USERS, DEMO_USERS, demo_load
from scoring.models import AssessmentYear

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright + live_server


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix, tmp_path_factory):
    """On SQLite the test database is a file in this worker's temporary folder, opened as the app opens its own
    (WAL, busy timeout, kaohe/settings.py), so concurrent requests in tests behave as they do for users: readers
    never wait and writers queue. Django's default in-memory test database shares one cache with table locks,
    which refuse a concurrent reader at once ("database table is locked")."""

    database = settings.DATABASES["default"]
    if database["ENGINE"] == "django.db.backends.sqlite3":
        database.setdefault("TEST", {})["NAME"] = str(tmp_path_factory.mktemp("db") / "test.sqlite3")


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _scoring_cache_checked(settings):
    """Every cached score a test reads is re-scored and compared: a write path that forgets to mark its year
    (results/revisions.py) fails the test that exercises it with StaleScoreError."""
    settings.KAOHE_SCORING_CACHE_CHECK = True


@pytest.fixture
def demo_year(db):
    """The demo year 2023 (fixtures/demo/2023.json) with its users; returns the AssessmentYear."""

    demo_load()
    return AssessmentYear.objects.select_related("scheme").get(year=2023)


@pytest.fixture
def demo_years(db):
    """The demo as `load_demo` loads it: 2023 (评分) and the year before, 2022 (approved and announced, scheme
    district-2022); returns the two AssessmentYears, oldest first."""

    demo_load(previous=True)
    return list(AssessmentYear.objects.select_related("scheme").filter(year__in=[2022, 2023]).order_by("year"))


@pytest.fixture
def cast(demo_year):
    """Users by key: the demo accounts (see ops.demo.DEMO_USERS) plus "outsider" with no role."""

    User = get_user_model()
    users = {u.username: u for u in User.objects.filter(username__in=[row[0] for row in DEMO_USERS])}
    users["outsider"], _ = User.objects.get_or_create(username="outsider", defaults={"first_name": "无角色用户"})
    return users


@pytest.fixture
def county_year(db):
    """The county demo year 2011 (scheme county-2011, fixtures/demo/county-2011.json: target items) with its users;
    returns the AssessmentYear."""

    demo_load("county-2011")
    return AssessmentYear.objects.select_related("scheme").get(year=2011)


@pytest.fixture
def county_cast(county_year):
    """The county demo's users by user name (see ops.demo.COUNTY_USERS)."""

    User = get_user_model()
    return {u.username: u for u in User.objects.filter(username__in=[row[0] for row in COUNTY_USERS])}


def year_in_phase(year, phase):
    """TEST SHORTCUT: put the year straight into `phase` with a queryset update (no PhaseTransition, no 公示
    record, no checks), so that a test can write what the phase rules (scoring.phases) allow only there, e.g.
    a self-assessment in 自评 or a ballot in 民主测评. The real move is workflow.services.year_phase_move.
    Updates the given instance too; returns it."""

    AssessmentYear.objects.filter(pk=year.pk).update(phase=phase)
    year.phase = phase
    return year


@pytest.fixture
def self_assessment_year(demo_year):
    """The demo year put in 自评 (test shortcut, see year_in_phase): self-assessments may be written."""

    return year_in_phase(demo_year, AssessmentYear.Phase.SELF_ASSESSMENT)


@pytest.fixture
def democratic_year(demo_year):
    """The demo year put in 民主测评 (test shortcut, see year_in_phase): ballots may be cast and entered."""

    return year_in_phase(demo_year, AssessmentYear.Phase.DEMOCRATIC)


@pytest.fixture
def migrate_to(transactional_db):
    """For tests of data migrations: `migrate_to(("app", "0002_name"), ...)` applies or unapplies migrations up
    to those and returns the apps of that state (its historical models). The test is transactional (migrations
    change the schema); at its end the database is migrated back to the latest state."""

    def migrate(*targets):
        executor = MigrationExecutor(connection)
        executor.migrate(list(targets))
        return executor.loader.project_state(list(targets)).apps

    yield migrate
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.fixture
def ballot_year(democratic_year):
    """The demo year with a closed round of six ballots: four of grassroots cadres (one on paper, one abstaining
    on 女职工部) and two of 机关 staff (办公室 online, which is not offered its own department; 组织部 on paper,
    which grades its own department too, not counted). 27 + 12 = 39 grades count."""
    names = ["办公室", "组织部", "宣教调研室", "民管法工部", "生活保障部", "女职工部", "经济工作部"]
    depts = {d.name: d for d in Department.objects.filter(name__in=names)}
    round_ = ballots.round_open(
        year=democratic_year,
        title="2023年度民主测评",
        closes_at=timezone.now() + datetime.timedelta(days=7),
        groups=[
            ballots.GroupSpec("机关全体人员", 29, Decimal("0.6"), True),
            ballots.GroupSpec("基层工会干部代表", 30, Decimal("0.4"), False),
        ],
    )
    staff, grassroots = round_.groups.get(name="机关全体人员"), round_.groups.get(name="基层工会干部代表")

    def grades(*values, skip=()):
        return {depts[n].pk: g for n, g in zip(names, values, strict=True) if n not in skip}

    for ratings in (
        grades("优秀", "良好", "优秀", "良好", "优秀", "一般", "良好"),
        grades("良好", "良好", "优秀", "一般", "优秀", "良好", "良好"),
        grades("优秀", "优秀", "良好", "良好", "良好", None, "一般"),
    ):
        [code] = ballots.codes_generate(group=grassroots, count=1)
        ballots.ballot_cast(code=code, ratings=ratings)
    ballots.paper_ballot_add(
        round=round_,
        group=grassroots,
        voter_department=None,
        ratings=grades("良好", "一般", "良好", "良好", "优秀", "良好", "较差"),
    )
    [code] = ballots.codes_generate(group=staff, department=depts["办公室"], count=1)
    ballots.ballot_cast(
        code=code, ratings=grades(None, "良好", "优秀", "良好", "优秀", "良好", "良好", skip={"办公室"})
    )
    ballots.paper_ballot_add(
        round=round_,
        group=staff,
        voter_department=depts["组织部"],
        ratings=grades("优秀", "优秀", "良好", "一般", "优秀", "良好", "良好"),
    )
    ballots.round_close(round=round_)
    return democratic_year
