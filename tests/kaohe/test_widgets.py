"""Every date and datetime input of the product renders its value in the form its widget takes: ISO for the
browser's own pickers, whatever the page's language, and ISO in the admin's text inputs too."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from ballots.forms import RoundForm
from reviews.models import LedgerRecord
from workflow.forms import ApprovalForm
from workplans.forms import PlanItemForm


def _input(html: str, name: str) -> str:
    [tag] = re.findall(rf'<input[^>]*name="{name}"[^>]*>', html)
    return tag


@pytest.mark.parametrize(
    ("form", "name", "expected"),
    [
        (
            PlanItemForm(initial={"due_date": datetime.date(2023, 3, 20)}),
            "due_date",
            ('type="date"', 'value="2023-03-20"'),
        ),
        (
            ApprovalForm(initial={"meeting_date": datetime.date(2024, 1, 5)}),
            "meeting_date",
            ('type="date"', 'value="2024-01-05"'),
        ),
        (
            RoundForm(initial={"closes_at": timezone.make_aware(datetime.datetime(2023, 12, 20, 17, 30))}),
            "closes_at",
            ('type="datetime-local"', 'value="2023-12-20T17:30"'),
        ),
    ],
)
def test_date_pickers_get_iso_values(form, name, expected):
    tag = _input(str(form[name]), name)

    for part in expected:
        assert part in tag


def test_admin_date_input_is_iso_and_reads_back(client, cast, demo_year):
    record = LedgerRecord.objects.filter(year=demo_year).order_by("pk").first()
    client.force_login(cast["admin"])

    page = client.get(reverse("admin:reviews_ledgerrecord_change", args=[record.pk])).content.decode()

    assert f'value="{record.date:%Y-%m-%d}"' in _input(page, "date")
    # The admin's calendar writes the first input format: the same form.
    catalog = client.get(reverse("admin:jsi18n")).content.decode()
    assert re.search(r'"DATE_INPUT_FORMATS": \[\s*"%Y-%m-%d",', catalog)
