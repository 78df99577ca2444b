"""Fixtures of the democratic evaluation: an open round of the demo year with its two rater groups."""

import datetime
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.utils import timezone

from ballots import selectors, services


@pytest.fixture(autouse=True)
def _clear_cache(request):
    """The throttle's counts start from nothing. The database cache needs no clearing (each test's transaction
    is rolled back); a Redis cache (KAOHE_REDIS_URL) does."""
    if "db" in request.fixturenames or "transactional_db" in request.fixturenames:
        request.getfixturevalue("db")
        cache.clear()
    yield


@pytest.fixture
def ballot_round(democratic_year):
    """An open round of 2023, the year in 民主测评 (where ballots may be cast): 机关全体人员 (codes by department,
    weight 0.6), 基层工会干部代表 (0.4)."""
    return services.round_open(
        year=democratic_year,
        title="2023年度民主测评",
        closes_at=timezone.now() + datetime.timedelta(days=7),
        groups=[
            services.GroupSpec("机关全体人员", 29, Decimal("0.6"), True),
            services.GroupSpec("基层工会干部代表", 30, Decimal("0.4"), False),
        ],
    )


@pytest.fixture
def staff_group(ballot_round):
    return ballot_round.groups.get(name="机关全体人员")


@pytest.fixture
def grassroots_group(ballot_round):
    return ballot_round.groups.get(name="基层工会干部代表")


@pytest.fixture
def departments(demo_year):
    return {d.name: d for d in selectors.ballot_departments(year=demo_year)}
