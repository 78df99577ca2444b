"""The responsibility division (十、考核组织): each reviewer office × each rule category, via the form and
via a crafted POST to the admin."""

import pytest
from django.urls import reverse

from reviews.forms import LedgerRecordForm
from reviews.models import LedgerRecord
from reviews.services import ledger_record_create
from tests.reviews.conftest import add_post

# One rule per category (G split: G1 is 组织部's, G2/G3 宣教调研室's).
SAMPLE = ["T1", "S1", "P1", "G1", "G2", "I1", "C1", "D1", "B1", "V1"]
ALLOWED = {
    "reviewer_zzb": {"T1", "G1"},
    "reviewer_bgs": {"S1", "I1", "C1", "B1"},
    "reviewer_mgfgb": {"P1"},
    "reviewer_shbzb": {"P1"},
    "reviewer_xjdys": {"G2"},
    "lead": set(SAMPLE),
}
EXTRA = {"B1": {"level": "municipal"}}


@pytest.mark.parametrize("username", list(ALLOWED))
def test_form_offers_rule_only_within_division(cast, demo_year, username):
    form = LedgerRecordForm(user=cast[username], initial={"year": demo_year.pk})

    offered = set(form.fields["rule"].queryset.values_list("code", flat=True))

    assert offered & set(SAMPLE) == ALLOWED[username]


def test_form_offers_exact_rules_to_organisation_reviewer(cast, demo_year):
    form = LedgerRecordForm(user=cast["reviewer_zzb"], initial={"year": demo_year.pk})

    assert list(form.fields["rule"].queryset.values_list("code", flat=True)) == ["T1", "T2", "T3", "T4", "G1"]


@pytest.mark.parametrize("username", list(ALLOWED))
def test_admin_post_records_only_within_division(client, cast, demo_year, rules, depts, username):
    client.force_login(cast[username])
    # Clear 女职工部's records so that annual items (G1, G2) are free to record.
    LedgerRecord.objects.filter(record_departments__department=depts["女职工部"]).delete()
    outcome = {}
    for code in SAMPLE:
        before = LedgerRecord.objects.count()
        data = add_post(demo_year, rules[code], [depts["女职工部"]], **EXTRA.get(code, {}))

        response = client.post(reverse("admin:reviews_ledgerrecord_add"), data)

        created = LedgerRecord.objects.count() - before
        outcome[code] = (response.status_code, created)
        if response.status_code == 302:
            record = LedgerRecord.objects.latest("id")
            assert (record.rule.code, record.recorded_by, record.status) == (code, cast[username], "confirmed")
        else:
            assert "rule" in response.context["adminform"].form.errors

    assert outcome == {code: (302, 1) if code in ALLOWED[username] else (200, 0) for code in SAMPLE}


@pytest.mark.parametrize("username", ["head_bgs", "vice_li", "leader_wang", "outsider"])
def test_admin_post_refused_for_non_reviewers(client, cast, demo_year, rules, depts, username):
    client.force_login(cast[username])
    before = LedgerRecord.objects.count()

    response = client.post(
        reverse("admin:reviews_ledgerrecord_add"), add_post(demo_year, rules["S1"], [depts["女职工部"]])
    )

    assert response.status_code == 302  # not staff: sent to the admin login
    assert LedgerRecord.objects.count() == before


def test_reviewer_sees_all_records_but_changes_only_own_categories(client, cast, demo_year, rules, depts):
    s_record = ledger_record_create(year=demo_year, rule=rules["S1"], departments=[depts["女职工部"]])
    t_record = ledger_record_create(year=demo_year, rule=rules["T1"], departments=[depts["女职工部"]])
    client.force_login(cast["reviewer_zzb"])

    changelist = client.get(reverse("admin:reviews_ledgerrecord_changelist"))
    view_s = client.get(reverse("admin:reviews_ledgerrecord_change", args=[s_record.pk]))
    post_s = client.post(
        reverse("admin:reviews_ledgerrecord_change", args=[s_record.pk]),
        add_post(demo_year, rules["S1"], [depts["女职工部"]], quantity="3", version=str(s_record.version)),
    )
    delete_s = client.post(reverse("admin:reviews_ledgerrecord_delete", args=[s_record.pk]), {"post": "yes"})
    post_t = client.post(
        reverse("admin:reviews_ledgerrecord_change", args=[t_record.pk]),
        add_post(demo_year, rules["T1"], [depts["女职工部"]], quantity="2", version=str(t_record.version)),
    )

    assert changelist.status_code == 200
    assert changelist.context["cl"].result_count == LedgerRecord.objects.count()
    assert view_s.status_code == 200
    assert view_s.context["has_change_permission"] is False
    assert post_s.status_code == 403
    assert delete_s.status_code == 403
    s_record.refresh_from_db()
    assert (s_record.quantity, s_record.version) == (1, 1)
    assert post_t.status_code == 302
    t_record.refresh_from_db()
    assert (t_record.quantity, t_record.version) == (2, 2)


def test_department_head_cannot_open_ledger_admin(client, cast, demo_year):
    client.force_login(cast["head_bgs"])

    response = client.get(reverse("admin:reviews_ledgerrecord_changelist"))

    assert response.status_code == 302


def test_read_only_record_shows_its_departments_in_chinese(client, cast, demo_year, rules, depts):
    record = ledger_record_create(
        year=demo_year, rule=rules["B1"], departments=[depts["女职工部"], depts["经济工作部"]], level="municipal"
    )
    client.force_login(cast["reviewer_zzb"])  # sees every record, changes only organisation items

    response = client.get(reverse("admin:reviews_ledgerrecord_change", args=[record.pk]))

    assert response.context["has_change_permission"] is False
    lines = [
        (line.field["label"], line.contents())
        for fieldset in response.context["adminform"]
        for row in fieldset
        for line in row
        if fieldset.name is None
    ]
    assert ("部室", "女职工部、经济工作部") in lines
    page = response.content.decode()
    assert "Target departments" not in page and "Evidence files" not in page and "Version" not in page
