"""The organisation as data: one row, its fallbacks, the system check that warns while it is missing, the data
migration from the environment, and its admin (no second row, no delete)."""

import importlib

import pytest
from django.apps import apps
from django.contrib import admin
from django.test import RequestFactory
from django.urls import reverse

from departments.checks import organisation_check
from departments.models import Organisation

pytestmark = pytest.mark.django_db

migration = importlib.import_module("departments.migrations.0002_organisation")


def test_organisation_unset_prints_a_visible_placeholder(db):
    organisation = Organisation.current()

    assert organisation.pk is None
    assert (organisation.name, organisation.masthead, organisation.issuer) == ("（未设置组织名称）",) * 3
    assert organisation.main_recipients == "机关各部室"
    assert not organisation.is_set_up


def test_organisation_names_fall_back_to_the_full_name(db):
    Organisation.objects.create(full_name="青山区总工会")

    organisation = Organisation.current()

    assert (organisation.name, organisation.masthead, organisation.issuer) == ("青山区总工会",) * 3


def test_organisation_is_one_row(db):
    Organisation.objects.create(full_name="甲")
    Organisation(full_name="乙", short_name="乙工会").save()

    assert list(Organisation.objects.values_list("pk", "full_name", "short_name")) == [(1, "乙", "乙工会")]


def test_check_warns_in_production_while_no_organisation_is_set_up(settings):
    settings.DEBUG = False

    [warning] = organisation_check(databases=["default"])

    assert warning.id == "kaohe.W001"
    assert warning.msg == "尚未设置组织信息：年度报告、通报、测评码和打印表格上的组织名称将印为“（未设置组织名称）”。"
    Organisation.objects.create(full_name="")
    assert [w.id for w in organisation_check(databases=["default"])] == [
        "kaohe.W001"
    ]  # a row with no name is not set up
    Organisation.objects.update(full_name="青山区总工会")
    assert organisation_check(databases=["default"]) == []


def test_check_is_silent_in_development(settings):
    settings.DEBUG = True

    assert organisation_check(databases=["default"]) == []


def test_check_reads_no_database_unless_asked_to(settings):
    settings.DEBUG = False

    assert organisation_check() == []


def test_migration_takes_the_name_from_the_environment(monkeypatch):
    Organisation.objects.all().delete()
    monkeypatch.setenv("KAOHE_FEDERATION_NAME", " 青山区总工会 ")

    migration.organisation_from_environment(apps, None)

    assert list(Organisation.objects.values_list("full_name", "main_recipients")) == [("青山区总工会", "机关各部室")]


def test_migration_without_the_environment_leaves_the_organisation_to_the_admin(monkeypatch):
    Organisation.objects.all().delete()
    monkeypatch.delenv("KAOHE_FEDERATION_NAME", raising=False)

    migration.organisation_from_environment(apps, None)

    assert not Organisation.objects.exists()


def test_admin_adds_one_organisation_and_never_deletes_it(client, cast):
    Organisation.objects.all().delete()
    model_admin = admin.site._registry[Organisation]
    request = RequestFactory().get("/")
    request.user = cast["admin"]
    assert model_admin.has_add_permission(request)

    client.force_login(cast["admin"])
    assert "增加 组织信息" in client.get(reverse("admin:departments_organisation_changelist")).content.decode()
    response = client.post(
        reverse("admin:departments_organisation_add"),
        {
            "full_name": "青山区总工会",
            "short_name": "青山区总工会",
            "issuer_mark": "青山区总工会文件",
            "document_prefix": "青工发",
            "main_recipients": "机关各部室",
            "copy_recipients": "",
        },
    )

    assert response.status_code == 302
    assert Organisation.current().document_prefix == "青工发"
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_delete_permission(request, Organisation.current())
    page = client.get(reverse("admin:departments_organisation_changelist")).content.decode()
    assert "组织信息" in page and "增加 组织信息" not in page
