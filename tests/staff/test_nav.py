"""The navigation bar offers only what the user may open (the server checks again on every page)."""

import pytest
from django.test import Client


@pytest.mark.parametrize(
    "who,offered",
    [("vice_li", False), ("head_bgs", True), ("lead", True), ("leader_wang", True), ("outsider", False)],
)
def test_nav_offers_procedure_only_to_those_who_may_open_it(cast, who, offered):
    client = Client()
    client.force_login(cast[who])
    home = client.get("/")
    assert ('href="/workflow/"' in home.content.decode()) is offered
    assert client.get("/workflow/").status_code == (200 if offered else 403)
