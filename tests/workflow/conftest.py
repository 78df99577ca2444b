"""Fixtures for the year's procedure: the demo year brought to 公示, ready for objections and decisions."""

import datetime
from decimal import Decimal

import pytest

from reviews.models import LedgerRecord
from scoring.models import AssessmentYear, DemocraticScore
from workflow import services

Phase = AssessmentYear.Phase


def year_to(year: AssessmentYear, phase: str, by) -> None:
    """Walk the year forward, one step at a time, up to `phase` (before approval)."""
    while services.OPEN_PHASES.index(year.phase) < services.OPEN_PHASES.index(phase):
        nxt = services.OPEN_PHASES[services.OPEN_PHASES.index(year.phase) + 1]
        services.year_phase_move(year, nxt, by, publicity_start=datetime.date(2024, 1, 10), publicity_days=5)


def office_s2(year: AssessmentYear) -> LedgerRecord:
    """办公室's S2 record (−0.5): withdrawing it lifts 办公室 to 106.00, level with 生活保障部."""
    return LedgerRecord.objects.get(year=year, rule__code="S2", record_departments__department__name="办公室")


@pytest.fixture
def tie_ready_year(demo_year, cast):
    """The demo year with 办公室's democratic score at 90.00, so that withdrawing its S2 record makes a tie
    with 生活保障部 (106.00 / 90.00 / 102.80) across the 一等奖/二等奖 boundary."""
    DemocraticScore.objects.filter(year=demo_year, department__name="办公室").update(score=Decimal("90.00"))
    return demo_year


@pytest.fixture
def publicity_year(tie_ready_year, cast):
    year_to(tie_ready_year, Phase.PUBLICITY, cast["lead"])
    return tie_ready_year


@pytest.fixture
def approvable_year(demo_year, cast):
    """The demo year (no tie) in 公示, nothing open: leadership may approve it."""
    year_to(demo_year, Phase.PUBLICITY, cast["lead"])
    return demo_year


@pytest.fixture
def approved_year(approvable_year, cast):
    services.year_approve(approvable_year, datetime.date(2024, 1, 20), "党组会纪要〔2024〕2号", cast["leader_wang"])
    return approvable_year
