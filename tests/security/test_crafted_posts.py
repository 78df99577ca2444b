"""A crafted POST for another department changes nothing: refused on the server, whatever the page showed.

Each case has a control: the same data posted by the rightful user does change something, so the data
itself is valid and the refusal comes from the permission check.
"""

import pytest
from django.apps import apps
from django.test import Client

from departments.models import Department
from reviews.models import LedgerRecord
from scoring.models import Rule


def _row_counts() -> dict[str, int]:
    skip = {"sessions.session", "axes.accessattempt", "axes.accesslog", "admin.logentry"}
    return {
        m._meta.label_lower: m._base_manager.count()
        for m in apps.get_models()
        if m._meta.managed and m._meta.label_lower not in skip
    }


def _changed(before: dict[str, int], after: dict[str, int]) -> dict[str, int]:
    return {label: after[label] - before[label] for label in before if after[label] != before[label]}


def _post(cast, role: str, url: str, data: dict):
    client = Client()
    client.force_login(cast[role])
    return client.post(url, data)


@pytest.fixture
def claim_data(demo_year):
    rule = Rule.objects.get(scheme=demo_year.scheme, code="B1")
    return {"rule": rule.pk, "level": "national", "title": "全国模范职工之家"}


@pytest.mark.usefixtures("self_assessment_year")  # 自评: the phase allows the write, only access refuses it
@pytest.mark.parametrize("intruder", ["head_bgs", "head_nzgb", "vice_li", "outsider", "vice_zhao"])
def test_crafted_claim_for_other_department_changes_nothing(demo_year, cast, claim_data, intruder):
    zzb = Department.objects.get(name="组织部").pk
    url = f"/2023/dept/{zzb}/self/claims/"
    before = _row_counts()

    response = _post(cast, intruder, url, claim_data)

    assert response.status_code in (403, 404)
    assert _changed(before, _row_counts()) == {}

    # Control: the department's own head may add exactly this claim.
    control = _post(cast, "head_zzb", url, claim_data)
    assert control.status_code == 302
    assert _changed(before, _row_counts()) == {"workplans.selfassessment": 1, "workplans.bonusclaim": 1}


@pytest.mark.usefixtures("self_assessment_year")  # 自评: the phase allows the write, only access refuses it
@pytest.mark.parametrize("intruder", ["head_bgs", "vice_li", "outsider", "reviewer_bgs"])
def test_crafted_self_assessment_for_other_department_changes_nothing(demo_year, cast, intruder):
    zzb = Department.objects.get(name="组织部").pk
    url = f"/2023/dept/{zzb}/self/"
    before = _row_counts()

    response = _post(cast, intruder, url, {"summary": "篡改的自评总结"})

    assert response.status_code in (403, 404)
    assert _changed(before, _row_counts()) == {}


@pytest.mark.parametrize("intruder", ["reviewer_bgs", "reviewer_xjdys", "reviewer_mgfgb"])
def test_crafted_admin_delete_outside_own_categories_changes_nothing(demo_year, cast, intruder):

    record = LedgerRecord.objects.filter(year=demo_year, rule__code="T2").first()  # 组织部's category T
    url = f"/admin/reviews/ledgerrecord/{record.pk}/delete/"
    before = _row_counts()

    response = _post(cast, intruder, url, {"post": "yes"})

    assert response.status_code == 403
    assert _changed(before, _row_counts()) == {}

    # Control: the 组织部 reviewer, who records category T, may delete it.
    control = _post(cast, "reviewer_zzb", url, {"post": "yes"})
    assert control.status_code == 302
    assert not LedgerRecord.objects.filter(pk=record.pk).exists()
