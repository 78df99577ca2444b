"""Kaohe's admin site: Django's, with its navigation sidebar made cheap.

Every admin page lists the apps and models the user may see, twice over: `each_context` builds the list
(`get_app_list`), and the navigation sidebar renders it through `admin/app_list.html`. With 34 models that was
about 5 ms of each admin page, a fifth of the ledger's changelist at province scale: 60 `reverse()` calls for
URLs that never change, and a template loop over every model. Here the URLs are reversed once per process, and
the sidebar's HTML is rendered once per distinct content (templates/admin/nav_sidebar.html caches it under
`nav_sidebar_key`, which names everything `admin/app_list.html` shows).
"""

from __future__ import annotations

from urllib.parse import quote

from django.apps import apps
from django.contrib import admin
from django.urls import NoReverseMatch, get_resolver, get_script_prefix, get_urlconf, reverse
from django.utils.text import capfirst
from django.utils.translation import get_language


class KaoheAdminSite(admin.AdminSite):
    site_header = "考核系统管理"
    site_title = "考核系统"
    index_title = "创先争优绩效考核"

    def __init__(self, name="admin"):
        super().__init__(name)
        self._urls: dict[tuple, dict] = {}

    def each_context(self, request):
        context = super().each_context(request)
        context["nav_sidebar_key"] = nav_sidebar_key(context["available_apps"], request.path)
        return context

    def get_app_list(self, request, app_label=None):
        """What Django's `get_app_list` gives (the models the user may see, by app, both sorted by name), with
        the URLs of `_site_urls`. tests/admin/test_admin_site.py compares the two for every role."""
        urls = self._site_urls()
        app_dict = {}
        for model, model_admin in self._registry.items():
            opts = model._meta
            if app_label and opts.app_label != app_label:
                continue
            if not model_admin.has_module_permission(request):
                continue
            perms = model_admin.get_model_perms(request)
            if True not in perms.values():
                continue
            model_dict = {
                "model": model,
                "name": capfirst(opts.verbose_name_plural),
                "object_name": opts.object_name,
                "perms": perms,
                "admin_url": None,
                "add_url": None,
            }
            if perms.get("change") or perms.get("view"):
                model_dict["view_only"] = not perms.get("change")
                model_dict["admin_url"] = urls[model, "changelist"]
            if perms.get("add"):
                model_dict["add_url"] = urls[model, "add"]
            if opts.app_label in app_dict:
                app_dict[opts.app_label]["models"].append(model_dict)
            else:
                app_dict[opts.app_label] = {
                    "name": apps.get_app_config(opts.app_label).verbose_name,
                    "app_label": opts.app_label,
                    "app_url": urls[opts.app_label],
                    "has_module_perms": True,
                    "models": [model_dict],
                }
        app_list = sorted(app_dict.values(), key=lambda app: app["name"].lower())
        for app in app_list:
            app["models"].sort(key=lambda model: model["name"])
        return app_list

    def _site_urls(self) -> dict:
        """Each registered model's changelist and add URLs (None where a model admin has no such view) and each
        app's index URL, reversed once per URL configuration (its resolver) and script prefix."""
        key = (get_resolver(get_urlconf()), get_script_prefix())
        urls = self._urls.get(key)
        if urls is None:
            urls = {}
            for model in self._registry:
                opts = model._meta
                for view in ("changelist", "add"):
                    try:
                        urls[model, view] = reverse(
                            f"admin:{opts.app_label}_{opts.model_name}_{view}", current_app=self.name
                        )
                    except NoReverseMatch:
                        urls[model, view] = None
                if opts.app_label not in urls:
                    urls[opts.app_label] = reverse(
                        "admin:app_list", kwargs={"app_label": opts.app_label}, current_app=self.name
                    )
            self._urls[key] = urls
        return urls


def nav_sidebar_key(app_list: list[dict], path: str) -> tuple:
    """Everything `admin/app_list.html` shows in the sidebar (`show_changelinks` off), in the language of the
    request: each app's label, name, URL and whether the page is in it; each model's name, URLs and whether the
    page is its. Equal keys give equal HTML, whoever the user."""
    quoted = quote(path, safe="/")  # the template's `request.path|urlencode`
    return get_language(), tuple(
        (
            app["app_label"],
            str(app["name"]),
            app["app_url"],
            app["app_url"] in quoted,
            tuple(
                (
                    model["object_name"],
                    str(model["name"]),
                    model["admin_url"],
                    model["add_url"],
                    bool(model["admin_url"]) and model["admin_url"] in quoted,
                )
                for model in app["models"]
            ),
        )
        for app in app_list
    )
