"""A stored ballot cannot be linked to its code or to a person (民主测评 is anonymous)."""

from ballots import services
from ballots.models import Ballot, BallotCode, BallotRating

LINKING_WORDS = ("code", "user", "ip", "addr", "agent", "session", "time", "date", "created", "cast", "at")


def _field_names(model) -> list[str]:
    return [f.name for f in model._meta.get_fields()] + [f.attname for f in model._meta.concrete_fields]


def test_ballot_fields_hold_nothing_linking_to_code_user_request_or_time():
    for model in (Ballot, BallotRating):
        names = _field_names(model)
        assert [n for n in names if any(word in n.lower().split("_") for word in LINKING_WORDS)] == []
    assert {f.name for f in Ballot._meta.concrete_fields} == {"id", "group", "voter_department", "paper"}
    assert {f.name for f in BallotRating._meta.concrete_fields} == {"id", "ballot", "department", "grade"}


def test_ballot_ids_are_random_not_sequential():
    assert Ballot._meta.pk.get_internal_type() == "UUIDField"
    assert BallotRating._meta.pk.get_internal_type() == "UUIDField"


def test_ballot_code_keeps_only_used_flag():
    assert {f.name for f in BallotCode._meta.concrete_fields} == {"id", "batch", "code_hash", "used"}
    assert not any(f.related_model in (Ballot, BallotRating) for f in BallotCode._meta.get_fields())


def test_ballot_cast_stores_no_link_between_code_and_ballot(grassroots_group, departments):
    codes = services.codes_generate(group=grassroots_group, count=2)

    services.ballot_cast(code=codes[1], ratings={departments["办公室"].pk: "优秀"})

    ballot = Ballot.objects.get()
    row = Ballot.objects.filter(pk=ballot.pk).values().get()
    assert set(row) == {"id", "group_id", "voter_department_id", "paper"}
    assert sorted(BallotCode.objects.values_list("used", flat=True)) == [False, True]
