"""The roster's admin pages and the accounts created from it: the system administrator only (403 for every other
role), the confirmation page, the accounts with their roles and initial passwords, the first-login password
change."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import check_password
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from departments.models import Department, Membership
from ops.demo import DEMO_PASSWORD
from people.models import Person
from tests.people.conftest import workbook_bytes

ROLES = ["head_bgs", "reviewer_bgs", "lead", "vice_li", "leader_wang", "outsider"]
PAGES = ["admin:people_person_import", "admin:people_person_export", "admin:people_person_template"]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def roster(demo_year):
    bgs, zzb = Department.objects.get(name="办公室"), Department.objects.get(name="组织部")
    return {
        "head": Person.objects.create(
            name="张明", department=bgs, username="zhangming", account_role="head", email="zm@example.org"
        ),
        "reviewer": Person.objects.create(name="王芳", department=zzb, username="wangfang", account_role="reviewer"),
        "plain": Person.objects.create(name="李华", department=bgs, username="lihua"),
        "nameless": Person.objects.create(name="赵强", department=bgs),
    }


def _action(people, **extra):
    return {"action": "accounts_create_action", "_selected_action": [p.pk for p in people], "index": "0", **extra}


@pytest.mark.parametrize("page", PAGES)
def test_roster_pages_open_for_the_admin(client, cast, roster, page):
    client.force_login(cast["admin"])

    response = client.get(reverse(page))

    assert response.status_code == 200
    if page != "admin:people_person_import":
        assert response["Content-Type"] == XLSX
        assert response["Cache-Control"].startswith("no-store")


@pytest.mark.parametrize("who", ROLES)
def test_roster_pages_refused_to_every_other_role(client, cast, roster, who):
    client.force_login(cast[who])

    assert [client.get(reverse(page)).status_code for page in PAGES] == [403, 403, 403]
    assert [client.post(reverse(page), {}).status_code for page in PAGES] == [403, 403, 403]


@pytest.mark.parametrize("who", ["reviewer_bgs", "lead"])
def test_roster_list_and_action_refused_to_staff_roles(client, cast, roster, who):
    client.force_login(cast[who])
    changelist = reverse("admin:people_person_changelist")

    assert client.get(changelist).status_code == 403
    assert client.get(reverse("admin:people_person_change", args=[roster["plain"].pk])).status_code == 403
    assert client.post(changelist, _action([roster["plain"]], confirmed="yes")).status_code == 403
    assert Person.objects.get(pk=roster["plain"].pk).user is None


@pytest.mark.parametrize("who", ["head_bgs", "vice_li", "leader_wang", "outsider"])
def test_roster_list_sends_non_staff_roles_to_the_admin_login(client, cast, roster, who):
    client.force_login(cast[who])

    response = client.post(reverse("admin:people_person_changelist"), _action([roster["plain"]], confirmed="yes"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))
    assert Person.objects.get(pk=roster["plain"].pk).user is None


def test_roster_list_shows_the_roster_to_the_admin(client, cast, roster):
    client.force_login(cast["admin"])

    response = client.get(reverse("admin:people_person_changelist"))

    assert response.status_code == 200
    assert response.context["cl"].result_count == 4
    assert "从 Excel 导入" in response.content.decode()


def test_roster_import_page_imports_and_refuses(client, cast, roster):
    client.force_login(cast["admin"])
    bad = workbook_bytes(("钱七", "宣传部", "", "", "", "", "", ""))
    good = workbook_bytes(("钱七", "办公室", "科员", "", "", "", "", ""))

    refused = client.post(reverse("admin:people_person_import"), {"file": _upload(bad)})
    imported = client.post(reverse("admin:people_person_import"), {"file": _upload(good)})

    assert refused.status_code == 200
    assert refused.context["errors"] == [(2, "未知部室“宣传部”")]
    assert imported.status_code == 302
    assert sorted(Person.objects.values_list("name", flat=True)) == sorted(["张明", "王芳", "李华", "赵强", "钱七"])


def _upload(data):
    return SimpleUploadedFile("名册.xlsx", data)


def test_accounts_action_asks_then_creates_accounts_with_roles(client, cast, roster):
    client.force_login(cast["admin"])
    changelist = reverse("admin:people_person_changelist")
    chosen = [roster["head"], roster["reviewer"], roster["plain"]]

    asked = client.post(changelist, _action(chosen))
    assert asked.status_code == 200
    assert "确认：由名册创建登录账号" in asked.content.decode()
    assert not get_user_model().objects.filter(username__in=["zhangming", "wangfang", "lihua"]).exists()

    done = client.post(changelist, _action(chosen, confirmed="yes"))

    assert done.status_code == 200
    assert done["Cache-Control"].startswith("no-store")
    created = {a.username: a.password for a in done.context["created"]}
    assert sorted(created) == ["lihua", "wangfang", "zhangming"]
    users = {u.username: u for u in get_user_model().objects.filter(username__in=created)}
    for username, password in created.items():
        assert len(password) == 12
        assert check_password(password, users[username].password)
        assert created[username] in done.content.decode()
    assert sorted(
        Membership.objects.filter(user__in=users.values()).values_list("user__username", "role", "department__name")
    ) == [("wangfang", "reviewer", "组织部"), ("zhangming", "head", "办公室")]
    assert {u: (users[u].first_name, users[u].email, users[u].is_staff) for u in users} == {
        "zhangming": ("张明", "zm@example.org", False),
        "wangfang": ("王芳", "", True),
        "lihua": ("李华", "", False),
    }
    assert list(
        Person.objects.filter(pk__in=[p.pk for p in chosen]).values_list("must_change_password", flat=True)
    ) == [
        True,
        True,
        True,
    ]


def test_accounts_action_refuses_all_when_one_cannot_have_an_account(client, cast, roster):
    client.force_login(cast["admin"])

    response = client.post(
        reverse("admin:people_person_changelist"),
        _action([roster["plain"], roster["nameless"]], confirmed="yes"),
        follow=True,
    )

    assert [str(m) for m in response.context["messages"]] == ["赵强（办公室）未填写登录名。", "未创建任何账号。"]
    assert not get_user_model().objects.filter(username="lihua").exists()


def test_first_login_sends_a_roster_account_to_the_password_change_until_changed(client, cast, roster):
    client.force_login(cast["admin"])
    done = client.post(reverse("admin:people_person_changelist"), _action([roster["head"]], confirmed="yes"))
    [account] = done.context["created"]
    client.logout()

    logged_in = client.post(reverse("login"), {"username": "zhangming", "password": account.password})
    home = client.get("/")
    page = client.get(reverse("password_change"))
    changed = client.post(
        reverse("password_change"),
        {"old_password": account.password, "new_password1": "Qiu-Lan-7Hz-Ta9", "new_password2": "Qiu-Lan-7Hz-Ta9"},
    )
    after = client.get("/")

    assert logged_in.status_code == 302
    assert (home.status_code, home["Location"]) == (302, reverse("password_change"))
    assert page.status_code == 200
    assert (changed.status_code, changed["Location"]) == (302, reverse("password_change_done"))
    assert after.status_code == 200
    assert Person.objects.get(pk=roster["head"].pk).must_change_password is False
    client.logout()
    assert client.post(reverse("login"), {"username": "zhangming", "password": "Qiu-Lan-7Hz-Ta9"}).status_code == 302
    assert client.get("/").status_code == 200


def test_accounts_not_from_the_roster_are_not_sent_to_the_password_change(client, cast, demo_year):
    logged_in = client.post(reverse("login"), {"username": "lead", "password": DEMO_PASSWORD})

    assert (logged_in.status_code, logged_in["Location"]) == (302, "/")
    assert client.get("/").status_code == 200
