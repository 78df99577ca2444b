import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from ballots import codes as ballot_codes
from ballots import selectors, services
from ballots.models import Ballot, BallotCode, BallotRating, Round


def _all_good(departments) -> dict[int, str]:
    return {d.pk: "优秀" for d in departments.values()}


def test_codes_generate_gives_unambiguous_codes_stored_only_as_hashes(grassroots_group):
    codes = services.codes_generate(group=grassroots_group, count=20)

    assert len(set(codes)) == 20
    for code in codes:
        assert len(code) == 9 and code[4] == "-"
        assert set(code.replace("-", "")) <= set(ballot_codes.CODE_ALPHABET)
        assert not set(code) & set("01OIL")
    stored = set(BallotCode.objects.values_list("code_hash", flat=True))
    assert stored == {ballot_codes.code_hash(c) for c in codes}
    assert not any(c.replace("-", "") in h.upper() for c in codes for h in stored)


def test_codes_generate_staff_group_requires_department(staff_group):
    with pytest.raises(ValidationError):
        services.codes_generate(group=staff_group, count=1)


def test_ballot_cast_code_works_once(grassroots_group, departments):
    [code] = services.codes_generate(group=grassroots_group, count=1)

    services.ballot_cast(code=code.lower().replace("-", " "), ratings=_all_good(departments))

    assert Ballot.objects.count() == 1
    assert BallotRating.objects.count() == 7
    assert BallotCode.objects.get().used is True
    with pytest.raises(ballot_codes.BallotRefused) as refused:
        services.ballot_cast(code=code, ratings=_all_good(departments))
    assert refused.value.message == ballot_codes.MSG_USED
    assert Ballot.objects.count() == 1
    assert BallotRating.objects.count() == 7


def test_ballot_cast_unknown_code_refused_without_ballot(grassroots_group, departments):
    services.codes_generate(group=grassroots_group, count=3)

    for wrong in ["ABCD-EFGH", "0000-0000", "short", ""]:
        with pytest.raises(ballot_codes.BallotRefused) as refused:
            services.ballot_cast(code=wrong, ratings=_all_good(departments))
        assert refused.value.message == ballot_codes.MSG_UNKNOWN
    assert Ballot.objects.count() == 0
    assert BallotCode.objects.filter(used=True).count() == 0


def test_ballot_cast_closed_round_refused_without_ballot(ballot_round, grassroots_group, departments):
    [code] = services.codes_generate(group=grassroots_group, count=1)
    services.round_close(round=ballot_round)

    with pytest.raises(ballot_codes.BallotRefused) as refused:
        services.ballot_cast(code=code, ratings=_all_good(departments))

    assert refused.value.message == ballot_codes.MSG_CLOSED
    assert Ballot.objects.count() == 0
    assert BallotCode.objects.get().used is False


def test_ballot_cast_after_closing_time_refused(ballot_round, grassroots_group, departments):
    [code] = services.codes_generate(group=grassroots_group, count=1)
    later = ballot_round.closes_at + datetime.timedelta(seconds=1)

    with pytest.raises(ballot_codes.BallotRefused) as refused:
        services.ballot_cast(code=code, ratings=_all_good(departments), now=later)

    assert refused.value.message == ballot_codes.MSG_CLOSED
    assert Ballot.objects.count() == 0


def test_ballot_cast_voided_batch_refused(grassroots_group, departments):
    [code] = services.codes_generate(group=grassroots_group, count=1)
    batch = grassroots_group.batches.get()

    assert services.batch_void(batch=batch) == 1
    with pytest.raises(ballot_codes.BallotRefused):
        services.ballot_cast(code=code, ratings=_all_good(departments))
    assert Ballot.objects.count() == 0


def test_ballot_cast_unknown_grade_refused_and_code_unspent(grassroots_group, departments):
    [code] = services.codes_generate(group=grassroots_group, count=1)

    with pytest.raises(ValidationError):
        services.ballot_cast(code=code, ratings={departments["办公室"].pk: "极好"})

    assert Ballot.objects.count() == 0
    assert BallotCode.objects.get().used is False


def test_ballot_cast_staff_code_carries_department_and_abstentions_store_nothing(staff_group, departments):
    [code] = services.codes_generate(group=staff_group, department=departments["办公室"], count=1)
    ratings = {d.pk: None for d in departments.values()} | {departments["组织部"].pk: "良好"}

    services.ballot_cast(code=code, ratings=ratings)

    ballot = Ballot.objects.get()
    assert (ballot.group, ballot.voter_department, ballot.paper) == (staff_group, departments["办公室"], False)
    assert list(ballot.ratings.values_list("department__name", "grade")) == [("组织部", "良好")]


def test_ballot_form_departments_leaves_out_own_department(staff_group, departments):
    [code] = services.codes_generate(group=staff_group, department=departments["女职工部"], count=1)

    shown = selectors.ballot_form_departments(check=selectors.code_check(code))

    assert [d.name for d in shown] == ["办公室", "组织部", "宣教调研室", "民管法工部", "生活保障部", "经济工作部"]


def test_round_open_sets_year_to_ballots_with_group_weights(ballot_round, demo_year):
    demo_year.refresh_from_db()

    assert demo_year.democratic_source == "ballots"
    assert demo_year.group_weights == {"机关全体人员": "0.6", "基层工会干部代表": "0.4"}
    assert Round.objects.get().is_open


def test_round_open_refuses_weights_not_summing_to_one(demo_year):
    with pytest.raises(ValidationError):
        services.round_open(
            year=demo_year,
            title="x",
            closes_at=timezone.now() + datetime.timedelta(days=1),
            groups=[services.GroupSpec("甲", 3, Decimal("0.5")), services.GroupSpec("乙", 3, Decimal("0.4"))],
        )
    assert Round.objects.count() == 0


def test_round_close_frozen_year_refused(ballot_round, demo_year):
    demo_year.phase = "approved"
    demo_year.save(update_fields=["phase"])
    ballot_round.refresh_from_db()

    with pytest.raises(ValidationError):
        services.round_close(round=ballot_round)
    assert Round.objects.get().is_open
