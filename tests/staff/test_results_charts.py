"""The results page's charts come from the shared cache while the year's data is unchanged, and follow the data
the moment it changes: the cached charts are always those a fresh render gives."""

import re

import pytest
from django.core.cache import cache
from django.test import override_settings
from django.urls import reverse

from departments.models import Department
from reviews.services import ledger_record_create
from scoring.models import Rule

DUMMY = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}


def _charts(client) -> str:
    html = client.get(reverse("staff:results", args=[2023])).content.decode()
    return "".join(re.findall(r"<svg.*?</svg>", html, flags=re.S))


def _fresh_charts(client) -> str:
    with override_settings(CACHES=DUMMY):
        return _charts(client)


@pytest.mark.django_db
def test_results_charts_are_cached_per_data_version(client, cast, demo_year):
    client.force_login(cast["lead"])
    cache.clear()

    first = _charts(client)
    assert first.count("<svg") == 2
    assert _charts(client) == first == _fresh_charts(client)

    office = Department.objects.get(name="办公室")
    ledger_record_create(
        year=demo_year, rule=Rule.objects.get(scheme=demo_year.scheme, code="T1"), departments=[office]
    )

    changed = _charts(client)
    assert changed != first  # 办公室 lost 5 points: its bar moved
    assert changed == _fresh_charts(client)
