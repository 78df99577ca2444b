"""Intranet login against a real OpenLDAP: slapd (Debian's) started in a temporary directory on a free port with a
generated slapd.conf, its users and groups loaded with slapadd. A directory user signs in through the login page and
gets the roles of his groups; a wrong password fails; local accounts still sign in."""

import base64
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import ldap
import pytest
from django.conf import settings as django_settings
from django.contrib.auth import authenticate, get_user_model
from django.core.exceptions import ImproperlyConfigured
from django.test import RequestFactory
from django.urls import reverse

from departments.models import Department, Membership, Role
from kaohe.ldap_settings import LDAP_BACKEND, authentication_backends, ldap_settings
from tests.factories import UserFactory

SLAPD = shutil.which("slapd") or "/usr/sbin/slapd"
SLAPADD = shutil.which("slapadd") or "/usr/sbin/slapadd"
SLAPPASSWD = shutil.which("slappasswd") or "/usr/sbin/slappasswd"
SCHEMA = Path("/etc/ldap/schema")
MODULES = Path("/usr/lib/ldap")
SUFFIX = "dc=kaohe,dc=test"
ROOT_DN, ROOT_PASSWORD = f"cn=admin,{SUFFIX}", "root-secret"
GROUPS = f"ou=groups,{SUFFIX}"
LEAD_GROUP, HEADS_GROUP, OTHER_GROUP = (f"cn={name},{GROUPS}" for name in ("kaohe-lead", "heads-bgs", "canteen"))
BASE_DIR = django_settings.BASE_DIR
PASSWORDS = {"zhangsan": "Zs-directory-1", "lisi": "Ls-directory-2", "wangwu": "Ww-directory-3"}

pytestmark = pytest.mark.skipif(
    not all(Path(p).exists() for p in (SLAPD, SLAPADD, SLAPPASSWD)) or not (SCHEMA / "core.schema").exists(),
    reason="需要 OpenLDAP 的 slapd、slapadd 和 slappasswd（apt-get install slapd ldap-utils）",
)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _hash(password: str) -> str:
    return subprocess.run([SLAPPASSWD, "-s", password], check=True, capture_output=True, text=True).stdout.strip()


def _directory() -> str:
    users = [("zhangsan", "张三", "张"), ("lisi", "李四", "李"), ("wangwu", "王五", "王")]
    entries = [
        f"dn: {SUFFIX}\nobjectClass: dcObject\nobjectClass: organization\ndc: kaohe\no: kaohe",
        f"dn: ou=people,{SUFFIX}\nobjectClass: organizationalUnit\nou: people",
        f"dn: {GROUPS}\nobjectClass: organizationalUnit\nou: groups",
    ]
    for uid, cn, sn in users:
        entries.append(
            f"dn: uid={uid},ou=people,{SUFFIX}\nobjectClass: inetOrgPerson\nuid: {uid}\ncn:: {_b64(cn)}\n"
            f"sn:: {_b64(sn)}\nmail: {uid}@kaohe.test\nuserPassword: {_hash(PASSWORDS[uid])}"
        )
    for dn, members in ((LEAD_GROUP, ["zhangsan"]), (HEADS_GROUP, ["lisi"]), (OTHER_GROUP, ["wangwu", "lisi"])):
        lines = [f"dn: {dn}", "objectClass: groupOfNames", f"cn: {dn.split(',')[0][3:]}"]
        lines += [f"member: uid={m},ou=people,{SUFFIX}" for m in members]
        entries.append("\n".join(lines))
    return "\n\n".join(entries) + "\n"


def _b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


@pytest.fixture(scope="module")
def slapd(tmp_path_factory):
    """A running slapd with the test directory; yields its URI."""
    root = tmp_path_factory.mktemp("slapd")
    (root / "db").mkdir()
    port = _free_port()
    conf = root / "slapd.conf"
    conf.write_text(
        "\n".join(
            [
                *(f"include {SCHEMA / name}.schema" for name in ("core", "cosine", "inetorgperson", "nis")),
                f"pidfile {root / 'slapd.pid'}",
                f"argsfile {root / 'slapd.args'}",
                f"modulepath {MODULES}",
                "moduleload back_mdb",
                "database mdb",
                "maxsize 10485760",
                f'suffix "{SUFFIX}"',
                f'rootdn "{ROOT_DN}"',
                f"rootpw {ROOT_PASSWORD}",
                f"directory {root / 'db'}",
                "access to attrs=userPassword by anonymous auth by * none",
                "access to * by * read",
                "",
            ]
        )
    )
    (root / "data.ldif").write_text(_directory())
    subprocess.run([SLAPADD, "-f", str(conf), "-l", str(root / "data.ldif")], check=True, capture_output=True)
    uri = f"ldap://127.0.0.1:{port}"
    server = subprocess.Popen(
        [SLAPD, "-f", str(conf), "-h", f"{uri}/", "-d", "0"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    try:
        deadline = time.monotonic() + 15
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                    break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"slapd did not start: {server.stderr.read().decode()}") from None
                time.sleep(0.1)
        yield uri
    finally:
        server.terminate()
        server.wait(timeout=10)


def _environment(uri: str) -> dict[str, str]:
    return {
        "KAOHE_LDAP_URI": uri,
        "KAOHE_LDAP_BIND_DN": ROOT_DN,
        "KAOHE_LDAP_BIND_PASSWORD": ROOT_PASSWORD,
        "KAOHE_LDAP_USER_BASE": f"ou=people,{SUFFIX}",
        "KAOHE_LDAP_GROUP_BASE": GROUPS,
        "KAOHE_LDAP_ROLE_GROUPS": f'{{"{LEAD_GROUP}": "lead", "{HEADS_GROUP.upper()}": ["head:办公室"]}}',
    }


@pytest.fixture
def ldap_on(slapd, settings, db):
    Department.objects.create(name="办公室")
    for name, value in ldap_settings(_environment(slapd)).items():
        setattr(settings, name, value)
    settings.AUTHENTICATION_BACKENDS = authentication_backends(True)
    return slapd


def _roles(username: str) -> list[tuple[str, str | None]]:
    return sorted(
        Membership.objects.filter(user__username=username).values_list("role", "department__name"),
        key=lambda pair: (pair[0], pair[1] or ""),
    )


def _login(client, username: str, password: str):
    return client.post(reverse("login"), {"username": username, "password": password})


def test_directory_user_logs_in_with_the_role_of_his_group(client, ldap_on):
    response = _login(client, "zhangsan", PASSWORDS["zhangsan"])

    assert (response.status_code, response["Location"]) == (302, "/")
    user = get_user_model().objects.get(username="zhangsan")
    assert (user.first_name, user.email, user.is_staff, user.has_usable_password()) == (
        "张三",
        "zhangsan@kaohe.test",
        True,
        False,
    )
    assert _roles("zhangsan") == [(Role.REVIEW_LEAD, None)]
    assert client.get("/").status_code == 200


def test_directory_head_gets_his_department_and_keeps_roles_given_by_hand(ldap_on):
    user = UserFactory(username="lisi", role=Role.LEADERSHIP)
    Membership.objects.create(user=user, role=Role.REVIEW_LEAD)  # the mapping gives lead: follows the groups
    request = RequestFactory().post("/accounts/login/")

    authenticated = authenticate(request, username="lisi", password=PASSWORDS["lisi"])

    assert authenticated == user
    assert authenticated.backend == LDAP_BACKEND
    assert _roles("lisi") == [(Role.DEPARTMENT_HEAD, "办公室"), (Role.LEADERSHIP, None)]
    assert get_user_model().objects.get(username="lisi").is_staff is False


def test_directory_user_of_no_mapped_group_logs_in_without_a_role(client, ldap_on):
    response = _login(client, "wangwu", PASSWORDS["wangwu"])

    assert response.status_code == 302
    assert _roles("wangwu") == []


def test_directory_user_loses_the_role_of_a_group_he_left(ldap_on):
    request = RequestFactory().post("/accounts/login/")
    assert authenticate(request, username="zhangsan", password=PASSWORDS["zhangsan"]) is not None
    connection = ldap.initialize(ldap_on)
    connection.simple_bind_s(ROOT_DN, ROOT_PASSWORD)
    connection.modify_s(LEAD_GROUP, [(ldap.MOD_REPLACE, "member", [f"uid=wangwu,ou=people,{SUFFIX}".encode()])])
    try:
        again = authenticate(request, username="zhangsan", password=PASSWORDS["zhangsan"])
    finally:
        connection.modify_s(LEAD_GROUP, [(ldap.MOD_REPLACE, "member", [f"uid=zhangsan,ou=people,{SUFFIX}".encode()])])
        connection.unbind_s()

    assert again is not None
    assert _roles("zhangsan") == []
    assert get_user_model().objects.get(username="zhangsan").is_staff is False


def test_wrong_directory_password_fails(client, ldap_on):
    response = _login(client, "zhangsan", "not-the-password")

    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert not get_user_model().objects.filter(username="zhangsan").exists()


def test_local_account_still_logs_in(client, ldap_on):
    UserFactory(username="local_lead", role=Role.REVIEW_LEAD, password="local-password-1")

    response = _login(client, "local_lead", "local-password-1")

    assert (response.status_code, response["Location"]) == (302, "/")
    assert _roles("local_lead") == [(Role.REVIEW_LEAD, None)]


def test_ldap_is_off_without_a_uri():
    assert ldap_settings({}) == {"KAOHE_LDAP_ENABLED": False, "KAOHE_LDAP_ROLE_GROUPS": {}}
    assert authentication_backends(False) == [
        "axes.backends.AxesStandaloneBackend",
        "django.contrib.auth.backends.ModelBackend",
    ]


def test_ldap_settings_read_the_environment_and_refuse_a_bad_mapping():
    values = ldap_settings(_environment("ldap://directory.example:389"))

    assert values["AUTH_LDAP_SERVER_URI"] == "ldap://directory.example:389"
    assert values["AUTH_LDAP_USER_SEARCH"].filterstr == "(uid=%(user)s)"
    assert values["KAOHE_LDAP_ROLE_GROUPS"] == {
        LEAD_GROUP: [("lead", None)],
        HEADS_GROUP.lower(): [("head", "办公室")],
    }
    with pytest.raises(ImproperlyConfigured):
        ldap_settings({**_environment("ldap://x"), "KAOHE_LDAP_ROLE_GROUPS": "lead"})
    with pytest.raises(ImproperlyConfigured):
        ldap_settings({"KAOHE_LDAP_URI": "ldap://x"})


def test_settings_turn_ldap_on_from_the_environment():
    script = (
        "import django, os; django.setup(); from django.conf import settings as s; "
        "print(s.AUTHENTICATION_BACKENDS); print(s.AUTH_LDAP_SERVER_URI, s.KAOHE_LDAP_ROLE_GROUPS)"
    )
    environment = {
        **os.environ,
        **_environment("ldap://directory.example"),
        "DJANGO_SETTINGS_MODULE": "kaohe.settings",
    }

    done = subprocess.run(
        [sys.executable, "-c", script], env=environment, capture_output=True, text=True, check=True, cwd=BASE_DIR
    )

    assert done.stdout.splitlines() == [
        str(["axes.backends.AxesStandaloneBackend", LDAP_BACKEND, "django.contrib.auth.backends.ModelBackend"]),
        f"ldap://directory.example {{'{LEAD_GROUP}': [('lead', None)], '{HEADS_GROUP}': [('head', '办公室')]}}",
    ]
