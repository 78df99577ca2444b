"""What `manage.py bench` and `manage.py soak` share: a fresh database in a child process's environment,
gunicorn on loopback, a logged-in session cookie and a plain HTTP GET."""

from __future__ import annotations

import contextlib
import http.client
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
from django.conf import settings
from django.core.management.base import CommandError
from django.test import Client

NGINX = "/usr/sbin/nginx"


def child_environment(tmp: str, *, database: str, postgres: bool) -> tuple[dict[str, str], Callable[[], None] | None]:
    """The environment of a child process working in the fresh folder `tmp`: served like production (no debug
    page, no query log kept in memory) but over plain HTTP on loopback, on a new database — a SQLite file in
    `tmp`, or with `postgres` the database `database` on the server of DATABASE_URL. Returns the environment
    and a function dropping the PostgreSQL database (None for SQLite)."""
    env = {
        **os.environ,
        "KAOHE_DATA_DIR": tmp,
        "KAOHE_DEBUG": "false",
        "KAOHE_SECRET_KEY": secrets.token_urlsafe(64),  # a fresh one per run: the server refuses a weak key
        "KAOHE_ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
        "KAOHE_SSL_REDIRECT": "false",
        "KAOHE_SECURE_COOKIES": "false",
        "KAOHE_HSTS_SECONDS": "0",
        "PYTHONUNBUFFERED": "1",
        # The child runs the tools' commands; the gunicorn it starts serves the product's settings.
        "DJANGO_SETTINGS_MODULE": "tools.settings",
    }
    drop = None
    if postgres:
        env["DATABASE_URL"], drop = postgres_database(database)
    else:
        env["DATABASE_URL"] = f"sqlite:///{tmp}/{database}.sqlite3"
    return env, drop


def run_child(args: list[str], env: dict[str, str], drop: Callable[[], None] | None) -> int:
    """`manage.py ARGS` in a child process with the environment of `child_environment`; drops the PostgreSQL
    database afterwards, whatever the outcome. Returns the child's exit status."""
    command = [sys.executable, str(Path(settings.BASE_DIR) / "manage.py"), *args]
    try:
        return subprocess.run(command, env=env, cwd=settings.BASE_DIR, check=False).returncode
    finally:
        if drop:
            drop()


def postgres_database(name: str):
    """Create database `name` next to the one DATABASE_URL names; return its URL and a function dropping it."""

    base = os.environ.get("DATABASE_URL", "")
    if not base.startswith(("postgres://", "postgresql://")):
        raise CommandError("--postgres 需要 DATABASE_URL 指向 PostgreSQL（可用 scripts/with_postgres.sh 启动临时实例）")
    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    parts = urlsplit(base)
    url = urlunsplit(parts._replace(path=f"/{name}"))

    def drop():
        with psycopg.connect(base, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    return url, drop


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(port: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"端口 {port} 上的服务未在 {timeout:.0f} 秒内启动")


@contextlib.contextmanager
def gunicorn(workers: int, log: Path | None = None, env: dict[str, str] | None = None) -> Iterator[int]:
    """gunicorn serving this process's database (the environment is inherited, plus `env`) on a free loopback
    port; yields the port once it accepts connections, stops the server on exit. With `log`, the server's output
    (gunicorn's and the app's log) goes to that file instead of this process's terminal."""
    port = free_port()
    output = open(log, "ab") if log else None  # noqa: SIM115 (closed below, after the server)
    server = subprocess.Popen(
        [
            sys.executable, "-m", "gunicorn", "kaohe.wsgi:application",
            "--bind", f"127.0.0.1:{port}", "--workers", str(workers), "--timeout", "300",
            "--log-level", "warning", "--chdir", str(settings.BASE_DIR),
        ],
        env={**os.environ, **(env or {}), "DJANGO_SETTINGS_MODULE": "kaohe.settings"},  # the product, as deployed
        cwd=settings.BASE_DIR,
        stdout=output,
        stderr=output,
    )  # fmt: skip
    try:
        wait_for(port)
        yield port
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        if output:
            output.close()


NGINX_CONF = """\
{user}worker_processes 1;
error_log {dir}/error.log warn;
pid {dir}/nginx.pid;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    client_body_temp_path {dir}/temp/body;
    proxy_temp_path {dir}/temp/proxy;
    fastcgi_temp_path {dir}/temp/fastcgi;
    uwsgi_temp_path {dir}/temp/uwsgi;
    scgi_temp_path {dir}/temp/scgi;
    upstream kaohe {{
        server 127.0.0.1:{a};
        server 127.0.0.1:{b};
    }}
    server {{
        listen 127.0.0.1:{port};
        location / {{
            proxy_pass http://kaohe;
            proxy_read_timeout 300s;
            proxy_set_header Host $host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto $scheme;
            add_header X-Upstream $upstream_addr always;
        }}
    }}
}}
"""


@contextlib.contextmanager
def redis(folder: Path) -> Iterator[str]:
    """A throwaway `redis-server` on a free loopback port, data in `folder`; yields its URL."""
    binary = shutil.which("redis-server")
    if binary is None:
        raise CommandError("两台主机的压力测试需要 redis-server（apt-get install redis-server）")
    port = free_port()
    process = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--dir", str(folder), "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for(port, timeout=10)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        _stop(process)


@contextlib.contextmanager
def two_hosts(workers: int, folder: Path, log: Path | None = None) -> Iterator[tuple[int, dict[str, str]]]:
    """Two hosts on one machine: one Redis, two gunicorn instances of `workers` each on their own loopback ports
    (sharing this process's database and data folder) behind one nginx (round-robin, `X-Upstream` naming the
    instance that answered). Yields nginx's port and {upstream address: "A" or "B"}; stops everything on exit."""
    if not os.access(NGINX, os.X_OK):
        raise CommandError("两台主机的压力测试需要 nginx（apt-get install nginx）")
    front = folder / "nginx"
    (front / "temp").mkdir(parents=True, exist_ok=True)
    with contextlib.ExitStack() as stack:
        shared = {"KAOHE_REDIS_URL": stack.enter_context(redis(folder)), "KAOHE_FORWARDED_ALLOW_IPS": "127.0.0.1"}
        a = stack.enter_context(gunicorn(workers, log=log, env=shared))
        b = stack.enter_context(gunicorn(workers, log=log, env=shared))
        port = free_port()
        user = "user root;\n" if os.geteuid() == 0 else ""  # the workers must reach the temporary folder
        (front / "nginx.conf").write_text(NGINX_CONF.format(user=user, dir=front, a=a, b=b, port=port))
        process = subprocess.Popen(
            [NGINX, "-p", str(front), "-c", str(front / "nginx.conf"), "-e", str(front / "error.log"),
             "-g", "daemon off;"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        stack.callback(_stop, process)
        wait_for(port, timeout=10)
        yield port, {f"127.0.0.1:{a}": "A", f"127.0.0.1:{b}": "B"}


def _stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def session_cookie(user) -> str:
    """A `Cookie` header value of a logged-in session of `user` (no password needed: force_login)."""

    client = Client()
    client.force_login(user)
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"


def get(port: int, path: str, cookie: str | None) -> tuple[int, float]:
    """GET `path` on loopback; returns the status and the seconds it took."""
    headers = {"Host": "127.0.0.1"}
    if cookie:
        headers["Cookie"] = cookie
    started = time.perf_counter()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        conn.request("GET", path, headers=headers)
        response = conn.getresponse()
        response.read()
        status = response.status
    finally:
        conn.close()
    return status, time.perf_counter() - started
