"""The product's icon: named by every staff and admin page, and at /favicon.ico, served from its own static files."""

from django.contrib.staticfiles import finders

ICON = '<link rel="icon" href="/static/img/favicon.svg" type="image/svg+xml">'


def test_staff_and_admin_pages_name_the_icon(client, cast):
    assert ICON in client.get("/accounts/login/").content.decode()
    client.force_login(cast["admin"])

    assert ICON in client.get("/").content.decode()
    assert ICON in client.get("/admin/").content.decode()


def test_favicon_ico_leads_to_the_static_icon(client):
    response = client.get("/favicon.ico")

    assert (response.status_code, response["Location"]) == (302, "/static/img/favicon.svg")
    assert finders.find("img/favicon.svg").endswith("static/img/favicon.svg")
