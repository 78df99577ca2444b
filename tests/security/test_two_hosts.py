"""Two hosts on one machine: two gunicorn instances on their own loopback ports behind one nginx (round-robin),
one PostgreSQL, one Redis and one shared data folder, configured only through the environment as a deployment
is. What one host does, the other sees: a ballot code is spent once, the wrong-code throttle and the login
lockout count across both, a session and an evidence file are valid on either, and two saves of one ledger
record's version succeed once.

nginx adds the upstream that served each response (`X-Upstream`), so that the test can show both hosts served;
the steps that must land on one host talk to that gunicorn directly. The data the servers read is committed in
pytest-django's test database (outside any test transaction) and flushed at the end."""

from __future__ import annotations

import contextlib
import datetime
import http.client
import os
import re
import secrets
import shutil
import subprocess
import sys
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection
from django.test import override_settings
from django.utils import timezone

from ballots import codes as ballot_codes
from ballots import selectors as ballot_selectors
from ballots import services as ballot_services
from ballots.models import Ballot, BallotCode
from departments.models import Department
from ops.demo import DEMO_PASSWORD, demo_load
from reviews.models import Evidence, LedgerRecord
from reviews.services import ledger_record_create
from scoring.models import AssessmentYear, Rule
from tests.reviews.conftest import add_post
from tests.servers import database_url, free_port, redis_server, stop, wait_for_port

# Each test only reads the database (inside its own transaction: PostgreSQL shows it what the servers committed);
# the module's data is written and flushed by the `hosts` fixture.
pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

REPO = Path(__file__).resolve().parents[2]
NGINX = "/usr/sbin/nginx"
GUESSER, BYSTANDER = "127.0.0.2", "127.0.0.3"  # loopback source addresses: nginx forwards them as the client's
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
SIGNING_IN = ("reviewer_bgs", "head_bgs")
STALE = "该记录已被他人修改（您打开的是旧版本），请刷新页面后重新修改。"


# ---------------------------------------------------------------------------------------------------------
# A small HTTP client: cookies, CSRF tokens from the pages, a chosen source address


@dataclass
class Response:
    status: int
    headers: http.client.HTTPMessage
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")

    @property
    def upstream(self) -> str | None:
        return self.headers.get("X-Upstream")

    def csrf(self) -> str:
        match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', self.text)
        assert match, f"no CSRF token in the page ({self.status})"
        return match.group(1)


@dataclass
class Browser:
    port: int
    source: str = "127.0.0.1"
    cookies: dict[str, str] = field(default_factory=dict)

    def get(self, path: str, port: int | None = None) -> Response:
        return self._request("GET", path, None, {}, port)

    def post(self, path: str, data: dict, files: dict | None = None, port: int | None = None) -> Response:
        if files:
            boundary = uuid.uuid4().hex
            body = _multipart(boundary, data, files)
            headers = {"Content-Type": f"multipart/form-data; boundary={boundary}"}
        else:
            body = urlencode(data, doseq=True).encode()
            headers = {"Content-Type": "application/x-www-form-urlencoded"}
        return self._request("POST", path, body, headers, port)

    def _request(self, method: str, path: str, body: bytes | None, headers: dict, port: int | None) -> Response:
        conn = http.client.HTTPConnection("127.0.0.1", port or self.port, timeout=60, source_address=(self.source, 0))
        headers = {"Host": "127.0.0.1", **headers}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            result = Response(response.status, response.headers, response.read())
        finally:
            conn.close()
        for header in result.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                if morsel.value and morsel["max-age"] != "0":
                    self.cookies[name] = morsel.value
                else:
                    self.cookies.pop(name, None)
        return result


def _multipart(boundary: str, data: dict, files: dict) -> bytes:
    parts = []
    for name, values in data.items():
        for value in values if isinstance(values, list) else [values]:
            parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
    for name, (filename, content) in files.items():
        head = (
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
            "Content-Type: application/octet-stream\r\n\r\n"
        )
        parts.append(head.encode() + content + b"\r\n")
    return b"".join(parts) + f"--{boundary}--\r\n".encode()


# ---------------------------------------------------------------------------------------------------------
# The servers


@dataclass
class Hosts:
    front: int  # nginx
    a: int  # gunicorn A
    b: int  # gunicorn B
    data: dict

    def host(self, response: Response) -> str:
        """ "A" or "B": which gunicorn served a response that came through nginx."""
        return {f"127.0.0.1:{self.a}": "A", f"127.0.0.1:{self.b}": "B"}[response.upstream or ""]


def _environment(folder: Path, redis_url: str, secret_key: str) -> dict[str, str]:
    """Production settings (no debug, one strong key for both hosts) over plain HTTP on loopback."""
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "kaohe.settings",
        "DATABASE_URL": database_url(),
        "KAOHE_REDIS_URL": redis_url,
        "KAOHE_DATA_DIR": str(folder / "data"),  # the shared storage: evidence, reports
        "KAOHE_DEBUG": "false",
        "KAOHE_SECRET_KEY": secret_key,
        "KAOHE_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "KAOHE_FORWARDED_ALLOW_IPS": "127.0.0.1",
        "KAOHE_SSL_REDIRECT": "false",
        "KAOHE_SECURE_COOKIES": "false",
        "KAOHE_HSTS_SECONDS": "0",
        "KAOHE_LOG_LEVEL": "warning",
        "PYTHONUNBUFFERED": "1",
    }


@contextlib.contextmanager
def _gunicorns(names: tuple[str, ...], env: dict[str, str], folder: Path) -> Iterator[list[int]]:
    """One gunicorn per name, each on its own free loopback port, started together; yields their ports once all
    accept connections and stops them all on exit."""
    binary = Path(sys.executable).parent / "gunicorn"
    with contextlib.ExitStack() as stack:
        started = []
        for name in names:
            port = free_port()
            log = stack.enter_context(open(folder / f"gunicorn-{name}.log", "wb"))
            server = subprocess.Popen(
                [str(binary), "kaohe.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "2"],
                cwd=REPO,  # reads gunicorn.conf.py, as deployed
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
            stack.callback(stop, server, 30)
            started.append((name, port, server))
        for name, port, server in started:
            wait_for_port(port, server, 60, f"gunicorn {name} ({folder / f'gunicorn-{name}.log'})")
        yield [port for _, port, _ in started]


NGINX_CONF = """\
{user}worker_processes 1;
error_log {dir}/error.log warn;
pid {dir}/nginx.pid;
events {{ worker_connections 64; }}
http {{
    access_log {dir}/access.log;
    client_body_temp_path {dir}/temp/body;
    proxy_temp_path {dir}/temp/proxy;
    fastcgi_temp_path {dir}/temp/fastcgi;
    uwsgi_temp_path {dir}/temp/uwsgi;
    scgi_temp_path {dir}/temp/scgi;
    client_max_body_size 25m;
    upstream kaohe {{
        server 127.0.0.1:{a};
        server 127.0.0.1:{b};
    }}
    server {{
        listen 127.0.0.1:{port};
        location / {{
            proxy_pass http://kaohe;
            proxy_set_header Host $host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto $scheme;
            add_header X-Upstream $upstream_addr always;
        }}
    }}
}}
"""


@contextlib.contextmanager
def _nginx(folder: Path, a: int, b: int) -> Iterator[int]:
    folder.mkdir()
    (folder / "temp").mkdir()
    port = free_port()
    user = "user root;\n" if os.geteuid() == 0 else ""  # the workers must reach the temporary folder
    (folder / "nginx.conf").write_text(NGINX_CONF.format(user=user, dir=folder, a=a, b=b, port=port))
    server = subprocess.Popen(
        [NGINX, "-p", str(folder), "-c", str(folder / "nginx.conf"), "-e", str(folder / "error.log"),
         "-g", "daemon off;"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        wait_for_port(port, server, 10, f"nginx ({folder / 'error.log'})")
        yield port
    finally:
        stop(server, timeout=10)


def _data() -> dict:
    """The demo year in 民主测评 with an open round and two codes, and one ledger record of 办公室's S1. Only the
    accounts the tests sign in with get a password the servers can check (their default hashers); the others keep
    a quick MD5 hash that saves seconds of key stretching."""
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        demo_load()
    for user in get_user_model().objects.filter(username__in=SIGNING_IN):
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
    year = AssessmentYear.objects.get(year=2023)
    AssessmentYear.objects.filter(pk=year.pk).update(phase=AssessmentYear.Phase.DEMOCRATIC)
    year.refresh_from_db()
    round_ = ballot_services.round_open(
        year=year,
        title="两台主机",
        closes_at=timezone.now() + datetime.timedelta(days=1),
        groups=[ballot_services.GroupSpec("基层工会干部代表", 30, Decimal("1"))],
    )
    codes = ballot_services.codes_generate(group=round_.groups.get(), count=2)
    depts = {d.name: d for d in Department.objects.all()}
    rules = {r.code: r for r in Rule.objects.filter(scheme=year.scheme)}
    record = ledger_record_create(year=year, rule=rules["S1"], departments=[depts["女职工部"]])
    return {
        "year": year,
        "codes": codes,
        "departments": ballot_selectors.ballot_departments(year=year),
        "depts": depts,
        "rules": rules,
        "record": record,
    }


@pytest.fixture(scope="module")
def hosts(django_db_setup, django_db_blocker, tmp_path_factory) -> Iterator[Hosts]:
    for binary, package in ((NGINX, "nginx"), (shutil.which("redis-server"), "redis-server")):
        if not binary or not os.access(binary, os.X_OK):
            pytest.skip(f"{package} is not installed (apt-get install {package})")
    if not (Path(sys.executable).parent / "gunicorn").exists():
        pytest.skip("gunicorn is not installed in the virtualenv (make setup)")
    folder = tmp_path_factory.mktemp("two-hosts")
    with django_db_blocker.unblock():
        if connection.vendor != "postgresql":
            pytest.skip("two hosts share one PostgreSQL database: make test-postgres")
        try:
            secret_key = secrets.token_urlsafe(64)
            with override_settings(SECRET_KEY=secret_key):  # the servers' key: ballot codes are keyed hashes
                data = _data()  # committed: the servers read it
            with contextlib.ExitStack() as servers:
                env = _environment(folder, servers.enter_context(redis_server(folder)), secret_key)
                a, b = servers.enter_context(_gunicorns(("A", "B"), env, folder))
                front = servers.enter_context(_nginx(folder / "nginx", a, b))
                yield Hosts(front=front, a=a, b=b, data=data)
        finally:
            call_command("flush", interactive=False, verbosity=0)


def _login(browser: Browser, username: str, port: int | None = None) -> Response:
    page = browser.get("/accounts/login/", port=port)
    return browser.post(
        "/accounts/login/",
        {"csrfmiddlewaretoken": page.csrf(), "username": username, "password": DEMO_PASSWORD},
        port=port,
    )


# ---------------------------------------------------------------------------------------------------------
# The checks


def test_both_hosts_serve_through_nginx_in_turn(hosts):
    responses = [Browser(hosts.front).get("/healthz") for _ in range(4)]

    assert [r.status for r in responses] == [200] * 4
    served = [hosts.host(r) for r in responses]
    assert served in (["A", "B", "A", "B"], ["B", "A", "B", "A"])


def test_a_ballot_code_cast_on_one_host_is_refused_on_the_other(hosts):
    code = hosts.data["codes"][0]
    choices = {f"d{d.pk}": "优秀" for d in hosts.data["departments"]}
    voter_a, voter_b = Browser(hosts.a), Browser(hosts.b)
    token_a, token_b = voter_a.get("/vote/").csrf(), voter_b.get("/vote/").csrf()

    # Both hosts show the ballot for the unused code; A takes the vote, B then refuses the spent code.
    page_b = voter_b.post("/vote/", {"csrfmiddlewaretoken": token_b, "code": code, "step": "code"})
    done = voter_a.post("/vote/", {"csrfmiddlewaretoken": token_a, "code": code, "step": "submit"} | choices)
    again = voter_b.post("/vote/", {"csrfmiddlewaretoken": token_b, "code": code, "step": "submit"} | choices)

    assert page_b.status == 200 and 'name="step" value="review"' in page_b.text
    assert (done.status, done.headers["Location"]) == (302, "/vote/done/")
    assert again.status == 400
    assert ballot_codes.MSG_USED in again.text
    assert Ballot.objects.count() == 1
    assert BallotCode.objects.filter(used=True).count() == 1


def test_wrong_codes_alternating_hosts_reach_the_limit_together(hosts):
    guesser = Browser(hosts.front, source=GUESSER)
    token = guesser.get("/vote/").csrf()

    tries = [guesser.post("/vote/", {"csrfmiddlewaretoken": token, "code": "ABCD-EFGH"}) for _ in range(31)]

    # 30 wrong codes, 15 on each host, then the 31st is throttled: the count is one, not one per host (or worker).
    assert [r.status for r in tries] == [400] * 30 + [429]
    served = [hosts.host(r) for r in tries]
    assert sorted(served[:30]) == ["A"] * 15 + ["B"] * 15
    assert all(served[i] != served[i + 1] for i in range(30))
    assert "尝试次数过多，请 15 分钟后再试。" in tries[-1].text
    # A valid code from the same address is refused too; another client's address is not throttled.
    valid = guesser.post("/vote/", {"csrfmiddlewaretoken": token, "code": hosts.data["codes"][1], "step": "code"})
    assert valid.status == 429
    bystander = Browser(hosts.front, source=BYSTANDER)
    other = bystander.post(
        "/vote/",
        {"csrfmiddlewaretoken": bystander.get("/vote/").csrf(), "code": hosts.data["codes"][1], "step": "code"},
    )
    assert other.status == 200 and 'name="step" value="review"' in other.text


def test_failed_logins_alternating_hosts_lock_the_account(hosts):
    guesser = Browser(hosts.front, source=GUESSER)
    token = guesser.get("/accounts/login/").csrf()

    failures = [
        guesser.post("/accounts/login/", {"csrfmiddlewaretoken": token, "username": "head_bgs", "password": "wrong"})
        for _ in range(5)
    ]
    right = guesser.post(
        "/accounts/login/", {"csrfmiddlewaretoken": token, "username": "head_bgs", "password": DEMO_PASSWORD}
    )

    # django-axes' limit of 5 failures for (user, client address): the 5th locks, whichever host counted them.
    assert [r.status for r in failures] == [200, 200, 200, 200, 429]
    assert "用户名或密码不正确。" in failures[0].text
    served = [hosts.host(r) for r in failures]
    assert set(served) == {"A", "B"} and all(served[i] != served[i + 1] for i in range(4))
    assert right.status == 429
    # The same account from another client address still logs in.
    assert _login(Browser(hosts.front, source=BYSTANDER), "head_bgs").status == 302


def test_a_session_from_a_login_on_one_host_is_valid_on_the_other(hosts):
    user = Browser(hosts.a)
    login = _login(user, "reviewer_bgs")
    assert (login.status, login.headers["Location"]) == (302, "/")

    on_b = user.get("/", port=hosts.b)
    anonymous_b = Browser(hosts.b).get("/")

    assert on_b.status == 200
    assert "办公室考核员" in on_b.text  # reviewer_bgs's name in the menu
    assert anonymous_b.status == 302 and anonymous_b.headers["Location"].startswith("/accounts/login/")
    # Logging out on B ends the session on A too.
    user.post("/accounts/logout/", {"csrfmiddlewaretoken": on_b.csrf()}, port=hosts.b)
    assert user.get("/", port=hosts.a).status == 302


def test_evidence_uploaded_on_one_host_downloads_from_the_other(hosts):
    data = hosts.data
    uploader = Browser(hosts.a)
    _login(uploader, "reviewer_bgs")
    form = uploader.get("/admin/reviews/ledgerrecord/add/")
    post = add_post(data["year"], data["rules"]["S1"], [data["depts"]["生活保障部"]])

    added = uploader.post(
        "/admin/reviews/ledgerrecord/add/",
        post | {"csrfmiddlewaretoken": form.csrf()},
        files={"evidence_files": ("签到表.pdf", PDF)},
    )

    assert added.status == 302
    evidence = Evidence.objects.get(original_name="签到表.pdf")
    download = uploader.get(f"/ledger/evidence/{evidence.pk}/", port=hosts.b)
    assert download.status == 200
    assert download.body == PDF
    assert download.headers["Content-Type"] == "application/pdf"


def test_one_record_saved_on_both_hosts_at_once_is_saved_once(hosts):
    data = hosts.data
    record = data["record"]
    url = f"/admin/reviews/ledgerrecord/{record.pk}/change/"
    editors = {"A": Browser(hosts.a), "B": Browser(hosts.b)}
    forms = {}
    for name, editor in editors.items():
        _login(editor, "reviewer_bgs")
        forms[name] = editor.get(url)
        assert forms[name].status == 200
        assert re.search(r'name="version" value="1"', forms[name].text)

    quantities = {"A": "2", "B": "5"}
    barrier = threading.Barrier(2)
    results: dict[str, Response | BaseException] = {}

    def save(name: str) -> None:
        post = add_post(data["year"], data["rules"]["S1"], [data["depts"]["女职工部"]], version="1")
        post |= {"quantity": quantities[name], "csrfmiddlewaretoken": forms[name].csrf()}
        try:
            barrier.wait(timeout=10)
            results[name] = editors[name].post(url, post)
        except BaseException as error:  # the test inspects every outcome
            results[name] = error

    threads = [threading.Thread(target=save, args=(name,)) for name in editors]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    statuses = {name: getattr(result, "status", result) for name, result in results.items()}
    assert sorted(statuses.values()) == [200, 302]
    [saved] = [name for name, status in statuses.items() if status == 302]
    [refused] = [name for name, status in statuses.items() if status == 200]
    refusal = results[refused]
    assert isinstance(refusal, Response) and STALE in refusal.text
    stored = LedgerRecord.objects.get(pk=record.pk)
    assert (stored.quantity, stored.version) == (int(quantities[saved]), 2)
