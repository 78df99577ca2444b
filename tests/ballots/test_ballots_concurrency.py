"""One vote per code under concurrent submits. Runs on SQLite and, with `make test-postgres`, on PostgreSQL."""

import datetime
import threading
from collections import Counter
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from ballots import codes as ballot_codes
from ballots import selectors, services
from ballots.models import Ballot, BallotCode, BallotRating

THREADS = 8


def _round_with_one_code(demo_year) -> tuple[str, list]:
    round_ = services.round_open(
        year=demo_year,
        title="并发测试",
        closes_at=timezone.now() + datetime.timedelta(days=1),
        groups=[services.GroupSpec("基层工会干部代表", 30, Decimal("1"))],
    )
    [code] = services.codes_generate(group=round_.groups.get(), count=1)
    return code, selectors.ballot_departments(year=demo_year)


def _run_together(target, n: int) -> list:
    barrier = threading.Barrier(n)
    results: list = [None] * n

    def run(i: int) -> None:
        try:
            barrier.wait()
            results[i] = target()
        except Exception as error:  # the test inspects every outcome
            results[i] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


@pytest.mark.django_db(transaction=True)
def test_ballot_cast_same_code_from_many_threads_makes_one_ballot(democratic_year):
    code, departments = _round_with_one_code(democratic_year)
    ratings = {d.pk: "良好" for d in departments}

    def cast():
        services.ballot_cast(code=code, ratings=ratings)
        return "ok"

    results = _run_together(cast, THREADS)

    assert results.count("ok") == 1
    refusals = [r for r in results if r != "ok"]
    assert all(isinstance(r, ballot_codes.BallotRefused) and r.message == ballot_codes.MSG_USED for r in refusals)
    assert Ballot.objects.count() == 1
    assert BallotRating.objects.count() == len(departments)
    assert BallotCode.objects.get().used is True


@pytest.mark.django_db(transaction=True)
def test_vote_view_same_code_parallel_requests_make_one_ballot(democratic_year):
    code, departments = _round_with_one_code(democratic_year)
    post = {"code": code, "step": "submit"} | {f"d{d.pk}": "优秀" for d in departments}

    def submit():
        return Client().post("/vote/", post).status_code

    statuses = _run_together(submit, THREADS)

    assert Counter(statuses) == {302: 1, 400: THREADS - 1}
    assert Ballot.objects.count() == 1
    assert BallotRating.objects.count() == len(departments)
