"""The ledger admin follows the year chosen: the add form's year and rules, the category filter's choices."""

import re
from urllib.parse import urlencode

import pytest
from django.urls import reverse

from scoring.catalogue import scheme_copy
from scoring.models import AssessmentYear, Rule


@pytest.fixture
def next_year(demo_year):
    """2024 with a scheme of its own (a copy of 2023's, its first category renamed), in 准备."""
    scheme = scheme_copy(scheme=demo_year.scheme, code="district-2024", name="2024年度考核方案")
    scheme.categories.filter(code="T").update(name="重点工作任务（2024）")
    return AssessmentYear.objects.create(year=2024, title="2024年度考核", scheme=scheme)


def _add_form(client, query: dict):
    response = client.get(reverse("admin:reviews_ledgerrecord_add") + "?" + urlencode(query))
    return response.context["adminform"].form


def test_add_form_from_a_year_filtered_changelist_offers_that_years_rules(client, cast, demo_year, next_year):
    client.force_login(cast["lead"])

    chosen = _add_form(client, {"_changelist_filters": f"year__id__exact={demo_year.pk}"})
    latest = _add_form(client, {})
    asked = _add_form(client, {"year": next_year.pk})

    assert (int(chosen.initial["year"]), {r.scheme_id for r in chosen.fields["rule"].queryset}) == (
        demo_year.pk,
        {demo_year.scheme_id},
    )
    assert {r.scheme_id for r in latest.fields["rule"].queryset} == {next_year.scheme_id}
    assert {r.scheme_id for r in asked.fields["rule"].queryset} == {next_year.scheme_id}
    assert chosen.fields["rule"].queryset.count() == Rule.objects.filter(scheme=demo_year.scheme).count()


def test_add_form_reloads_for_the_year_chosen_in_it(client, cast, demo_year, next_year):
    client.force_login(cast["lead"])

    page = client.get(reverse("admin:reviews_ledgerrecord_add")).content.decode()

    assert 'src="/static/reviews/ledger_year.js"' in page


def _category_choices(client, query: dict) -> list[str]:
    response = client.get(reverse("admin:reviews_ledgerrecord_changelist") + "?" + urlencode(query))
    [spec] = [f for f in response.context["cl"].filter_specs if f.title == "类别名称"]
    return [c["display"] for c in spec.choices(response.context["cl"])][1:]


def test_category_filter_lists_the_chosen_years_categories(client, cast, demo_year, next_year):
    client.force_login(cast["lead"])

    of_2023 = _category_choices(client, {"year__id__exact": demo_year.pk})
    of_2024 = _category_choices(client, {"year__id__exact": next_year.pk})

    assert "重点工作任务（2024）" in of_2024 and "重点工作任务（2024）" not in of_2023
    assert len(of_2023) == len(of_2024) == demo_year.scheme.categories.count()


def test_add_form_defaults_to_the_latest_year_whose_ledger_is_open(client, cast, demo_year, next_year):
    AssessmentYear.objects.filter(pk=next_year.pk).update(phase=AssessmentYear.Phase.APPROVED)
    client.force_login(cast["lead"])

    form = _add_form(client, {})

    assert form.initial["year"] == str(demo_year.pk)


def _object_tools(response) -> str:
    return re.search(r'<ul class="object-tools">(.*?)</ul>', response.content.decode(), re.S).group(1)


def test_frozen_years_list_offers_no_add_import_or_delete(client, cast, demo_year, next_year):
    AssessmentYear.objects.filter(pk=demo_year.pk).update(phase=AssessmentYear.Phase.APPROVED)
    client.force_login(cast["lead"])
    changelist = reverse("admin:reviews_ledgerrecord_changelist")

    frozen = client.get(changelist, {"year__id__exact": demo_year.pk})
    open_ = client.get(changelist, {"year__id__exact": next_year.pk})

    add, imports = reverse("admin:reviews_ledgerrecord_add"), reverse("admin:reviews_ledgerrecord_import")
    tools = _object_tools(frozen)
    assert (add in tools, imports in tools, "导出当前筛选结果" in tools) == (False, False, True)
    assert [name for name, _ in frozen.context["action_form"].fields["action"].choices] == ["", "export_xlsx"]
    tools = _object_tools(open_)
    assert (add in tools, imports in tools) == (True, True)
    assert [name for name, _ in open_.context["action_form"].fields["action"].choices] == [
        "",
        "delete_selected",
        "confirm_records",
        "export_xlsx",
    ]
