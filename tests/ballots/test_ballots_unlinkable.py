"""Once a round closes, nothing the database keeps about a ballot row tells when it was cast: not its id, not
its physical place (PostgreSQL's ctid, SQLite's rowid), not the transaction that wrote it (PostgreSQL's xmin),
which was also the transaction that spent its code."""

import itertools

import pytest
from django.db import connection

from ballots import services
from ballots.models import Ballot, BallotCode

GRADES = ["优秀", "良好", "一般", "较差"]
CAST = 12


def _cast_signed_ballots(group, departments) -> list[tuple[str, str]]:
    """Cast CAST ballots, each with its own grades for 办公室 and 组织部 (its signature), in this order."""
    codes = services.codes_generate(group=group, count=CAST)
    signatures = list(itertools.product(GRADES, GRADES))[:CAST]
    for code, (office, organisation) in zip(codes, signatures, strict=True):
        services.ballot_cast(
            code=code, ratings={departments["办公室"].pk: office, departments["组织部"].pk: organisation}
        )
    return signatures


def _signatures_in(order_by: str) -> list[tuple[str, str]]:
    """The ballots' signatures in the database's own order of the rows (`order_by`: rowid or ctid)."""
    ballots = {b.pk: b for b in Ballot.objects.prefetch_related("ratings__department")}
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id FROM {Ballot._meta.db_table} ORDER BY {order_by}")
        ids = [Ballot._meta.pk.to_python(row[0]) for row in cursor.fetchall()]
    signed = []
    for pk in ids:
        grades = {r.department.name: r.grade for r in ballots[pk].ratings.all()}
        signed.append((grades["办公室"], grades["组织部"]))
    return signed


def _physical_order() -> str:
    return "ctid" if connection.vendor == "postgresql" else "rowid"


def test_closing_the_round_shuffles_the_ballots_physical_order(ballot_round, grassroots_group, departments):
    cast = _cast_signed_ballots(grassroots_group, departments)
    assert _signatures_in(_physical_order()) == cast  # what the rewrite has to undo
    ids_before = set(Ballot.objects.values_list("pk", flat=True))

    services.round_close(round=ballot_round)

    stored = _signatures_in(_physical_order())
    assert sorted(stored) == sorted(cast)  # the same ballots, whole
    assert stored != cast  # 1 chance in 12! that a fair shuffle gives the casting order back
    assert ids_before & set(Ballot.objects.values_list("pk", flat=True)) == set()
    assert BallotCode.objects.filter(used=True).count() == CAST


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_closing_the_round_leaves_no_transaction_id_that_links_a_ballot_to_its_code(
    ballot_round, grassroots_group, departments
):
    _cast_signed_ballots(grassroots_group, departments)

    def xmins(sql: str) -> set[str]:
        with connection.cursor() as cursor:
            cursor.execute(sql)
            return {row[0] for row in cursor.fetchall()}

    ballots_sql = f"SELECT xmin::text FROM {Ballot._meta.db_table}"
    codes_sql = f"SELECT xmin::text FROM {BallotCode._meta.db_table} WHERE used"
    assert len(xmins(ballots_sql)) == CAST  # each ballot written by the transaction that spent its code
    assert xmins(ballots_sql) == xmins(codes_sql)

    services.round_close(round=ballot_round)

    # Every ballot and every spent code now carries one and the same transaction id: the closing one.
    assert len(xmins(ballots_sql)) == 1
    assert xmins(ballots_sql) == xmins(codes_sql)
