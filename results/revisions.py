"""Which writes change a year's score: each gives the year a new `data_version`, the key of the cached result.

`results.cache.year_scored` keeps the last scored years in memory keyed by (year, data_version), so a page
of a 200,000-record year costs one small query instead of a full re-score. That is only right if every write
to anything `year_input` reads gives the year a new version:

- model saves and deletes (the admin, services, fixtures) are caught by the receivers below;
- writes that send no signal (`QuerySet.update`, `bulk_create`, raw SQL) must call `year_data_changed`
  themselves, in the same transaction.

The test settings turn on `KAOHE_SCORING_CACHE_CHECK`: every cache hit is re-scored from scratch and compared,
so a write path that forgets to mark its year fails the test that exercises it.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from django.db import models
from django.db.models import Q
from django.db.models.signals import m2m_changed, post_delete, post_save

from ballots.models import Ballot, BallotRating, RaterGroup, Round
from departments.models import Department, Leader
from reviews.models import LedgerRecord, RecordDepartment, TargetRecord
from scoring.models import (
    AssessmentYear,
    DemocraticScore,
    DiscretionaryAward,
    Rule,
    RuleCategory,
    Scheme,
    Supervision,
    Target,
    TieOrder,
    TieOrderEntry,
    YearDepartment,
    YearLeader,
)

_batch = threading.local()


def year_data_changed(*, year: AssessmentYear | int | None = None, years: Q | None = None) -> None:
    """Give a year (or every year matching `years`) a new data version: its cached score is stale."""
    if year is not None:
        years = Q(pk=year.pk if isinstance(year, AssessmentYear) else year)
    if years is None:
        raise TypeError("year_data_changed needs a year or a filter of years")
    pending = getattr(_batch, "pending", None)
    if pending is not None:
        pending.add(years)
        return
    AssessmentYear.objects.filter(years).update(data_version=uuid.uuid4())


@contextmanager
def one_change_per_year() -> Iterator[None]:
    """Within the block, collect the years to mark and mark each once at the end (bulk writes: deleting a
    year's 200,000 records would otherwise send one UPDATE per deleted row). Use inside the transaction."""
    if getattr(_batch, "pending", None) is not None:  # nested: the outer block marks
        yield
        return
    _batch.pending = set()
    try:
        yield
        pending = _batch.pending
    finally:
        _batch.pending = None
    for years in pending:
        AssessmentYear.objects.filter(years).update(data_version=uuid.uuid4())


# What each model's row changes: a function from the saved or deleted instance to the years to mark.
YearsOf = Callable[[Any], Q]


def _by_year(instance: Any) -> Q:
    return Q(pk=instance.year_id)


def _by_scheme(instance: Any) -> Q:
    return Q(scheme_id=instance.scheme_id)


def _by_tie_order(instance: Any) -> Q:
    return Q(tie_orders__pk=instance.tie_order_id)


def _every_year_with_department(instance: Any) -> Q:
    return Q(year_departments__department_id=instance.pk)


def _every_year_with_leader(instance: Any) -> Q:
    return Q(year_leaders__leader_id=instance.pk)


def _closed_round_of_group(group_id: Any) -> Q:
    # Ballots count only once their round is closed (ballots.selectors.ballots_for_scoring): votes cast in
    # an open round leave the cached score alone.

    return Q(ballot_round__groups__pk=group_id, ballot_round__status=Round.Status.CLOSED)


def _watched() -> dict[type[models.Model], YearsOf]:

    return {
        YearDepartment: _by_year,
        YearLeader: _by_year,
        Supervision: _by_year,
        DemocraticScore: _by_year,
        DiscretionaryAward: _by_year,
        TieOrder: _by_year,
        TieOrderEntry: _by_tie_order,
        Scheme: lambda scheme: Q(scheme_id=scheme.pk),
        RuleCategory: _by_scheme,
        Rule: _by_scheme,
        Department: _every_year_with_department,
        Leader: _every_year_with_leader,
        LedgerRecord: _by_year,
        RecordDepartment: _by_year,
        Target: _by_year,
        TargetRecord: _by_year,
        Round: _by_year,
        RaterGroup: lambda group: Q(ballot_round__pk=group.round_id),
        Ballot: lambda ballot: _closed_round_of_group(ballot.group_id),
        BallotRating: lambda rating: _closed_round_of_group(
            Ballot.objects.filter(pk=rating.ballot_id).values("group_id")[:1]
        ),
    }


def _year_saved(sender: type, instance: AssessmentYear, raw: bool = False, **kwargs: Any) -> None:
    # Settings (weights, prizes, democratic source...) are read from the year row itself.
    if not raw:
        year_data_changed(year=instance)


def _receiver(years_of: YearsOf) -> Callable[..., None]:
    def receiver(sender: type, instance: Any, raw: bool = False, **kwargs: Any) -> None:
        if raw:  # loaddata: the fixture brings its own rows, and maybe not yet the year they point to
            return
        year_data_changed(years=years_of(instance))

    return receiver


def _links_changed(sender: type, instance: Any, action: str, **kwargs: Any) -> None:
    # LedgerRecord.departments through RecordDepartment: `.add()` / `.remove()` / `.clear()`.
    if action in {"post_add", "post_remove", "post_clear"}:
        if isinstance(instance, LedgerRecord):
            year_data_changed(year=instance.year_id)
        else:  # reverse side: a department's records
            year_data_changed(years=_every_year_with_department(instance))


def connect() -> None:
    """Called once from ResultsConfig.ready()."""

    post_save.connect(_year_saved, sender=AssessmentYear, dispatch_uid="kaohe-year-saved")
    for model, years_of in _watched().items():
        receiver = _receiver(years_of)
        uid = f"kaohe-data-version-{model._meta.label_lower}"
        post_save.connect(receiver, sender=model, weak=False, dispatch_uid=f"{uid}-save")
        post_delete.connect(receiver, sender=model, weak=False, dispatch_uid=f"{uid}-delete")
    m2m_changed.connect(_links_changed, sender=LedgerRecord.departments.through, dispatch_uid="kaohe-links")
