"""The ledger form's department chooser writes its options itself (reviews.widgets.DepartmentsSelect): the same
select, options and selection as Django admin's FilteredSelectMultiple, and the record's departments chosen."""

import json
import re

import pytest
from django import forms
from django.contrib.admin.widgets import FilteredSelectMultiple
from django.urls import reverse

from departments.models import Department
from reviews.services import ledger_record_create
from reviews.widgets import DepartmentsSelect
from scoring.models import Rule

pytestmark = pytest.mark.django_db


def _parts(html: str) -> tuple[dict, list[tuple[str, str, bool]]]:
    """The <select>'s attributes and its (value, label, selected) options."""
    tag = re.search(r"<select([^>]*)>", html).group(1)
    attributes = dict(re.findall(r'([\w-]+)(?:="([^"]*)")?', tag))
    options = [
        (value, label, bool(selected))
        for value, selected, label in re.findall(r'<option value="([^"]*)"( selected)?>([^<]*)</option>', html)
    ]
    return attributes, options


def test_chooser_renders_what_djangos_renders(demo_year):
    Department.objects.filter(name="组织部").update(name='组织<部> & "人事"')
    queryset = Department.objects.order_by("order", "pk")
    chosen = [str(pk) for pk in queryset.values_list("pk", flat=True)[1:3]]

    def rendered(widget_class):
        field = forms.ModelMultipleChoiceField(queryset=queryset, widget=widget_class("部室", is_stacked=False))
        return field.widget.render("target_departments", chosen, attrs={"id": "id_target_departments"})

    ours, django = _parts(rendered(DepartmentsSelect)), _parts(rendered(FilteredSelectMultiple))

    assert ours == django
    attributes, options = ours
    assert attributes["class"] == "selectfilter" and attributes["data-field-name"] == "部室"
    assert "multiple" in attributes
    assert [value for value, _, selected in options if selected] == chosen
    assert "组织&lt;部&gt; &amp; &quot;人事&quot;" in [label for _, label, _ in options]


def test_change_form_chooses_the_records_departments(client, cast, demo_year):
    rule = Rule.objects.get(scheme=demo_year.scheme, code="B1")
    office, women = Department.objects.get(name="办公室"), Department.objects.get(name="女职工部")
    record = ledger_record_create(
        year=demo_year, rule=rule, departments=[office, women], level="municipal", recorded_by=cast["lead"]
    )
    client.force_login(cast["lead"])

    page = client.get(reverse("admin:reviews_ledgerrecord_change", args=[record.pk])).content.decode()

    select = page[page.index('<select name="target_departments"') :]
    select = select[: select.index("</select>")]
    _, options = _parts(select + "</select>")
    assert sorted(value for value, _, selected in options if selected) == sorted([str(office.pk), str(women.pk)])
    assert len(options) == Department.objects.filter(is_active=True).count()
    assert "admin/js/SelectFilter2.js" in page


def test_chooser_script_speaks_chinese(client, cast):
    client.force_login(cast["lead"])

    script = client.get(reverse("admin:jsi18n")).content.decode()
    start = script.index("newcatalog = ") + len("newcatalog = ")
    catalog = json.loads(script[start : script.index("};", start) + 1])

    assert catalog['Choose %s by selecting them and then select the "Choose" arrow button.'] == (
        "在左侧列表中选中%s，再点击“选择”箭头。"
    )
    assert (catalog["Choose all %s"], catalog["Remove all %s"]) == ("全选%s", "全部移除%s")
    assert catalog["Available %s"] == "可用 %s"  # Django's own catalogue still applies
