"""Kaohe's admin site (kaohe/admin_site.py) builds the app list with URLs reversed once per process and caches the
navigation sidebar's HTML. Both must be exactly Django's: the same list for every role, the same sidebar for every
user and page, whatever was cached before."""

import re

import pytest
from django.contrib import admin
from django.contrib.admin import AdminSite
from django.template.loader import render_to_string
from django.test import RequestFactory

from kaohe.admin_site import KaoheAdminSite

pytestmark = pytest.mark.django_db

STAFF = ["admin", "lead", "reviewer_zzb", "reviewer_bgs"]


def _request(user, path="/admin/"):
    request = RequestFactory().get(path)
    request.user = user
    return request


def test_the_site_is_kaohes():
    assert isinstance(admin.site, KaoheAdminSite)
    assert admin.site.site_header == "考核系统管理"


@pytest.mark.parametrize("username", STAFF)
def test_app_list_is_djangos(cast, username):
    request = _request(cast[username])

    ours = admin.site.get_app_list(request)
    django = AdminSite.get_app_list(admin.site, request)

    assert ours == django
    assert ours, "every staff role sees some models"
    for app in ours:
        assert admin.site.get_app_list(request, app["app_label"]) == AdminSite.get_app_list(
            admin.site, request, app["app_label"]
        )


def test_app_list_follows_the_user(cast):
    everything = admin.site.get_app_list(_request(cast["admin"]))
    reviewer = admin.site.get_app_list(_request(cast["reviewer_bgs"]))

    def models(app_list):
        return {model["object_name"] for app in app_list for model in app["models"]}

    assert "User" in models(everything)
    assert "User" not in models(reviewer)
    ledger = next(m for app in reviewer for m in app["models"] if m["object_name"] == "LedgerRecord")
    assert ledger["admin_url"] == "/admin/reviews/ledgerrecord/"
    assert ledger["add_url"] == "/admin/reviews/ledgerrecord/add/"


def _sidebar(html: str) -> str:
    """The sidebar's app list: what follows its filter box in its `<nav>`."""
    nav = re.search(r'<nav class="sticky" id="nav-sidebar".*?<input [^>]*>(.*?)</nav>', html, re.S).group(1)
    return " ".join(nav.split())


def _djangos_sidebar(user, path: str) -> str:
    request = _request(user, path)
    apps = AdminSite.get_app_list(admin.site, request)
    html = render_to_string("admin/app_list.html", {"app_list": apps, "show_changelinks": False, "request": request})
    return " ".join(html.split())


def _other_model(user) -> str:
    """The changelist of another model than the ledger that `user` may see."""
    apps = admin.site.get_app_list(_request(user))
    return next(
        m["admin_url"] for app in apps for m in app["models"] if m["admin_url"] and m["object_name"] != "LedgerRecord"
    )


LEDGER = "/admin/reviews/ledgerrecord/"
ADD = "/admin/reviews/ledgerrecord/add/"


@pytest.mark.parametrize(
    "pages",
    [
        [("admin", LEDGER), ("lead", LEDGER), ("admin", LEDGER)],
        [("admin", LEDGER), ("admin", None), ("admin", LEDGER)],
        [("reviewer_bgs", ADD), ("admin", ADD), ("reviewer_bgs", LEDGER)],
    ],
)
def test_sidebar_is_djangos_whatever_was_cached(client, cast, pages):
    for username, url in pages:
        user = cast[username]
        url = url or _other_model(user)
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == 200

        sidebar = _sidebar(response.content.decode())

        assert sidebar == _djangos_sidebar(user, url)
        assert sidebar.count('aria-current="page"') == 1  # the model the page belongs to, also on its add page
        assert sidebar.count("current-model") == 1
