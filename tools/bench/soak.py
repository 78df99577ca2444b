"""The soak test of `make soak` (docs/security.md): many users at once on gunicorn, then the database is asked
whether anything was lost, counted twice or half-written.

`manage.py soak` (tools/bench/management/commands/soak.py) runs `soak_run` in a child process on a fresh database
(tools.bench.server.child_environment). The child loads the demo year, puts it in 民主测评 and opens a ballot round
with one-time codes, serves the app with gunicorn on loopback and lets three kinds of virtual users loose for
the given time, each a thread with its own cookies over plain http.client:

- browsers — department heads, vice chairs, leadership, the review lead and reviewers opening their pages
  (home, results, comparison, their department, the admin ledger and a department's breakdown);
- editors — two reviewers per record, each opening the admin change form of the same ledger record and
  saving it with a marked 情况说明: every save must either go through (version up by one, a history row) or
  be refused with the stale-version message, never overwrite the other's save silently;
- voters — anonymous, each submitting /vote/ with fresh codes through all three steps (code, ratings,
  confirmation); now and then re-entering a code already used, or submitting one code twice at once: exactly
  one submission per code may count.

Then the checks (`Soak.verify`): no HTTP 5xx, no unexpected status, no connection error; stored ballots ==
successful submissions, used codes == the codes that succeeded, the ratings tally equal to what was
submitted; every edit's outcome matches the history table. Any violation makes the command fail.
"""

from __future__ import annotations

import datetime
import http.client
import random
import re
import statistics
import sys
import threading
import time
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from html.parser import HTMLParser
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection
from django.db.models import Count
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

import access
from ballots import codes as ballots_codes
from ballots import selectors as ballots_selectors
from ballots import services as ballots
from ballots.codes import code_hash
from ballots.models import Ballot, BallotCode, BallotRating
from ballots.views import FAILED_CODE_LIMIT
from ops.demo import demo_load
from reviews.models import LedgerRecord
from scoring.models import AssessmentYear
from tools.bench import server

GUNICORN_WORKERS = 4
STALE_MESSAGE = "该记录已被他人修改"
USED_MESSAGE = "该测评码已经使用过"
EDIT_MARK = "压力测试修改"
EDIT_TICK = 0.5  # seconds
SERVER_LOG_BAD = re.compile(r"Traceback|Internal Server Error|\[CRITICAL\]|\[ERROR\]|WORKER TIMEOUT")
# Request kinds, in the order of the summary table.
KINDS = {
    "page": "页面浏览",
    "edit_form": "台帐修改表单（GET）",
    "edit_save": "台帐保存（POST）",
    "vote_step": "测评：输码、评定、核对",
    "vote_submit": "测评：提交",
    "vote_reuse": "测评：重复使用测评码",
    "vote_done": "测评：完成页",
}


# ---------------------------------------------------------------------------------------------------------
# A virtual user's HTTP


@dataclass
class Response:
    status: int
    body: str
    location: str
    seconds: float
    upstream: str = ""  # behind nginx (two hosts): the gunicorn instance that answered


class Session:
    """One virtual user's cookies over plain http.client (gunicorn's sync workers close every connection)."""

    def __init__(self, port: int, cookies: dict[str, str] | None = None, source: str = "127.0.0.1"):
        self.port = port
        self.cookies = dict(cookies or {})
        self.source = source  # the loopback address it connects from: behind nginx, the client's address

    def request(self, method: str, path: str, fields: dict | None = None) -> Response:
        headers = {"Host": "127.0.0.1"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if fields is not None:
            body = urlencode(fields, doseq=True).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        started = time.perf_counter()
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60, source_address=(self.source, 0))
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            data = response.read()
            for header in response.headers.get_all("Set-Cookie") or []:
                cookie = SimpleCookie()
                cookie.load(header)
                for name, morsel in cookie.items():
                    if morsel["max-age"] == "0" or not morsel.value:
                        self.cookies.pop(name, None)
                    else:
                        self.cookies[name] = morsel.value
            return Response(
                response.status,
                data.decode("utf-8", "replace"),
                response.getheader("Location") or "",
                time.perf_counter() - started,
                response.getheader("X-Upstream") or "",
            )
        finally:
            conn.close()


class _Inputs(HTMLParser):
    """The hidden inputs (name → value) and the radio groups (name → values) of a page."""

    def __init__(self, html: str):
        super().__init__()
        self.hidden: dict[str, str] = {}
        self.radios: dict[str, list[str]] = defaultdict(list)
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        if tag != "input":
            return
        a = dict(attrs)
        name = a.get("name")
        if not name:
            return
        if a.get("type") == "hidden":
            self.hidden[name] = a.get("value") or ""
        elif a.get("type") == "radio":
            self.radios[name].append(a.get("value") or "")


# ---------------------------------------------------------------------------------------------------------
# What happened


class Stats:
    """Every request's kind, status and time; violations of the invariants as they are seen."""

    def __init__(self):
        self.lock = threading.Lock()
        self.times: dict[str, list[float]] = defaultdict(list)
        self.errors: Counter[str] = Counter()
        self.violations: list[str] = []
        self.statuses: Counter[tuple[str, int]] = Counter()
        self.upstreams: Counter[str] = Counter()

    def record(self, kind: str, response: Response | None, expected: tuple[int, ...], what: str) -> bool:
        """Count one request; a connection error, a 5xx or any status not in `expected` is an error."""
        with self.lock:
            if response is None:
                self.errors[kind] += 1
                self._violation(f"连接错误：{what}")
                return False
            self.times[kind].append(response.seconds)
            self.statuses[(kind, response.status)] += 1
            self.upstreams[response.upstream] += 1
            if response.status not in expected:
                self.errors[kind] += 1
                self._violation(f"HTTP {response.status}（应为 {'/'.join(map(str, expected))}）：{what}")
                return False
            return True

    def violation(self, text: str) -> None:
        with self.lock:
            self._violation(text)

    def _violation(self, text: str) -> None:
        if len(self.violations) < 200:
            self.violations.append(text)


def _call(session: Session, stats: Stats, kind: str, method: str, path: str, expected, what: str, fields=None):
    try:
        response = session.request(method, path, fields)
    except (OSError, http.client.HTTPException) as exc:
        stats.record(kind, None, expected, f"{what}：{type(exc).__name__}: {exc}")
        return None
    return response if stats.record(kind, response, expected, what) else None


# ---------------------------------------------------------------------------------------------------------
# The virtual users


@dataclass
class Browser:
    username: str
    cookies: dict[str, str]
    pages: list[str]

    def run(self, port: int, stats: Stats, deadline: float, rng: random.Random) -> None:
        session = Session(port, self.cookies)
        i = rng.randrange(len(self.pages))
        while time.monotonic() < deadline:
            path = self.pages[i % len(self.pages)]
            _call(session, stats, "page", "GET", path, (200,), f"{self.username} 打开 {path}")
            i += 1


@dataclass
class EditAttempt:
    record: int
    user: str
    mark: str
    version: int | None = None  # the version the change form carried
    outcome: str = ""  # saved / stale / error


@dataclass
class Editor:
    username: str
    cookies: dict[str, str]
    record: int
    fields: dict  # the record's values as the change form posts them
    attempts: list[EditAttempt] = field(default_factory=list)

    def run(self, port: int, stats: Stats, deadline: float, rng: random.Random) -> None:
        session = Session(port, self.cookies)
        path = f"/admin/reviews/ledgerrecord/{self.record}/change/"
        n = 0
        while time.monotonic() < deadline:
            n += 1
            form = _call(session, stats, "edit_form", "GET", path, (200,), f"{self.username} 打开记录 {self.record}")
            if form is None:
                continue
            hidden = _Inputs(form.body).hidden
            if "version" not in hidden:
                stats.violation(f"{self.username} 的修改表单没有版本字段（记录 {self.record}）")
                continue
            attempt = EditAttempt(self.record, self.username, f"{EDIT_MARK}：{self.username} 第 {n} 次")
            attempt.version = int(hidden["version"])
            self.attempts.append(attempt)
            # Reading and typing; then the save goes out on the next tick of a clock both reviewers of the record
            # share, so that their saves often really overlap (the race a stale-version check must win).
            time.sleep(rng.uniform(0, 0.2))
            time.sleep(EDIT_TICK - time.monotonic() % EDIT_TICK + rng.uniform(0, 0.01))
            data = {**hidden, **self.fields, "description": attempt.mark, "_save": "保存"}
            response = _call(
                session, stats, "edit_save", "POST", path, (200, 302), f"{self.username} 保存记录 {self.record}", data
            )
            if response is None:
                attempt.outcome = "error"
            elif response.status == 302:
                attempt.outcome = "saved"
            elif STALE_MESSAGE in response.body:
                attempt.outcome = "stale"
            else:
                attempt.outcome = "error"
                errors = re.findall(r'class="errorlist[^"]*"[^>]*>(.*?)</ul>', response.body, re.S)
                text = re.sub(r"<[^>]+>", " ", " ".join(errors)).split()
                stats.violation(f"{self.username} 保存记录 {self.record} 被拒绝但不是版本冲突：{' '.join(text)[:200]}")
            time.sleep(rng.uniform(0, 0.1))


@dataclass
class Submission:
    code: str
    ratings: dict[int, str | None]
    ok: bool = False


class Voter:
    """Anonymous: /vote/ with fresh codes; every 5th code is re-entered after its ballot, every 7th is
    submitted twice at the same moment."""

    def __init__(self, number: int, codes: CodePool):
        self.number = number
        self.codes = codes
        self.submissions: list[Submission] = []
        self.reuses_refused = 0
        self.doubles: list[int] = []  # successes among the two simultaneous submits of one code

    def run(self, port: int, stats: Stats, deadline: float, rng: random.Random) -> None:
        n = 0
        while time.monotonic() < deadline:
            code = self.codes.take()
            if code is None:
                return
            n += 1
            session = Session(port)
            reviewed = self._fill(session, stats, code, rng)
            if reviewed is None:
                continue
            fields, ratings = reviewed
            if n % 7 == 0:
                self._double(port, session, stats, code, fields, ratings)
            else:
                submission = Submission(code, ratings)
                self.submissions.append(submission)
                submission.ok = self._submit(session, stats, code, fields)
            if n % 5 == 0:
                self._reuse(Session(port), stats, code)

    @staticmethod
    def _code_enter(session: Session, stats: Stats, code: str, kind: str, expected: int, what: str):
        """Open the ballot page and enter a code; the response, or None on an error."""
        page = _call(session, stats, "vote_step", "GET", "/vote/", (200,), "打开测评页")
        if page is None:
            return None
        token = _Inputs(page.body).hidden.get("csrfmiddlewaretoken", "")
        fields = {"csrfmiddlewaretoken": token, "code": code, "step": "code"}
        return _call(session, stats, kind, "POST", "/vote/", (expected,), f"{what} {code}", fields)

    def _fill(self, session: Session, stats: Stats, code: str, rng: random.Random):
        """Code page → ballot → confirmation; returns the confirmation's form fields and the ratings."""
        ballot = self._code_enter(session, stats, code, "vote_step", 200, "输入测评码")
        if ballot is None:
            return None
        inputs = _Inputs(ballot.body)
        choices = {name: values for name, values in inputs.radios.items() if re.fullmatch(r"d\d+", name)}
        if not choices:
            stats.violation(f"测评码 {code} 的测评页没有部室可选")
            return None
        chosen = {name: rng.choice(values) for name, values in choices.items()}
        review = _call(
            session, stats, "vote_step", "POST", "/vote/", (200,), f"核对测评票 {code}",
            {"csrfmiddlewaretoken": inputs.hidden.get("csrfmiddlewaretoken", ""), "code": code, "step": "review",
             **chosen},
        )  # fmt: skip
        if review is None:
            return None
        hidden = _Inputs(review.body).hidden
        if any(hidden.get(name) != value for name, value in chosen.items()):
            stats.violation(f"核对页的测评票与所选不一致（{code}）")
            return None
        ratings = {int(name[1:]): None if value == "abstain" else value for name, value in chosen.items()}
        return {**hidden, "step": "submit"}, ratings

    def _submit(self, session: Session, stats: Stats, code: str, fields: dict) -> bool:
        response = _call(session, stats, "vote_submit", "POST", "/vote/", (302,), f"提交测评票 {code}", fields)
        if response is None:
            return False
        if not response.location.endswith("/vote/done/"):
            stats.violation(f"提交测评票 {code} 后转到 {response.location}")
            return False
        _call(session, stats, "vote_done", "GET", "/vote/done/", (200,), "测评完成页")
        return True

    def _double(self, port: int, session: Session, stats: Stats, code: str, fields: dict, ratings) -> None:
        """The same confirmed ballot submitted twice at once (a double tap, two phones): one may count."""
        results: list[Response | None] = [None, None]
        start = threading.Barrier(2)

        def submit(i: int) -> None:
            twin = Session(port, session.cookies)
            start.wait()
            try:
                results[i] = twin.request("POST", "/vote/", fields)
            except (OSError, http.client.HTTPException) as exc:
                stats.record("vote_submit", None, (302, 400), f"同时提交 {code}：{exc}")

        threads = [threading.Thread(target=submit, args=(i,)) for i in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        ok = 0
        for response in results:
            if response is None or not stats.record("vote_submit", response, (302, 400), f"同时提交 {code}"):
                continue
            if response.status == 302:
                ok += 1
            elif USED_MESSAGE not in response.body:
                stats.violation(f"同时提交 {code} 被拒绝但没有“已使用”的提示")
        self.doubles.append(ok)
        self.submissions.append(Submission(code, ratings, ok=ok >= 1))
        if ok != 1:
            stats.violation(f"同一测评码 {code} 同时提交两次，成功 {ok} 次（应恰好 1 次）")

    def _reuse(self, session: Session, stats: Stats, code: str) -> None:
        response = self._code_enter(session, stats, code, "vote_reuse", 400, "重复使用测评码")
        if response is None:
            return
        if USED_MESSAGE in response.body:
            self.reuses_refused += 1
        else:
            stats.violation(f"重复使用测评码 {code} 被拒绝但没有“已使用”的提示")


class CodePool:
    def __init__(self, codes: list[str]):
        self.lock = threading.Lock()
        self.codes = codes
        self.exhausted = False

    def take(self) -> str | None:
        with self.lock:
            if not self.codes:
                self.exhausted = True
                return None
            return self.codes.pop()


# ---------------------------------------------------------------------------------------------------------
# Set-up, run, verify


def _split(users: int) -> tuple[int, int, int]:
    """Browsers, editors (pairs on one record) and voters among `users`: about 40 / 30 / 30 per cent."""
    voters = max(1, round(users * 0.3))
    editors = max(2, int(users * 0.3) // 2 * 2)
    browsers = max(1, users - voters - editors)
    return browsers, editors, voters


# Who browses which pages, in the order browsers are handed out. A page is (URL name, kwargs it needs).
BROWSING = [
    ("head_bgs", [("home", ()), ("staff:department", ("year", "own"))]),
    ("leader_wang", [("home", ()), ("staff:results", ("year",)), ("staff:compare", ("year",))]),
    ("lead", [("staff:results", ("year",)), ("admin:reviews_ledgerrecord_changelist", ()),
              ("admin:reviews_ledgerrecord_breakdown", ("year_id", "first"))]),
    ("head_zzb", [("home", ()), ("staff:department", ("year", "own"))]),
    ("reviewer_xjdys", [("admin:reviews_ledgerrecord_changelist", ()),
                        ("admin:reviews_ledgerrecord_breakdown", ("year_id", "first"))]),
    ("vice_li", [("home", ()), ("staff:department", ("year", "supervised"))]),
    ("head_mgfgb", [("home", ()), ("staff:department", ("year", "own"))]),
    ("vice_zhao", [("home", ()), ("staff:department", ("year", "supervised"))]),
    ("head_jjb", [("home", ()), ("staff:department", ("year", "own"))]),
]  # fmt: skip
EDITOR_POOL = ["reviewer_mgfgb", "reviewer_shbzb", "reviewer_bgs", "reviewer_zzb", "reviewer_xjdys", "lead"]


class Soak:
    def __init__(self, *, users: int, seconds: float, workers: int = GUNICORN_WORKERS, out=None, seed: int = 2023):
        self.users = users
        self.workers = workers
        self.seconds = seconds
        self.out = out or sys.stdout
        self.rng = random.Random(seed)
        self.stats = Stats()
        self.browsers: list[Browser] = []
        self.editors: list[Editor] = []
        self.voters: list[Voter] = []
        self.notes: list[str] = []
        self.log_warnings = 0

    def line(self, text: str = "") -> None:
        self.out.write(text + "\n")
        self.out.flush()

    # --- set-up ---------------------------------------------------------------------------------------
    def prepare(self) -> None:

        started = time.monotonic()
        call_command("migrate", verbosity=0, interactive=False)
        call_command("createcachetable", verbosity=0)
        # Nobody logs in with a password here (sessions come from force_login): a cheap hasher for the set-up.
        with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
            demo_load()
        year = AssessmentYear.objects.select_related("scheme").get(year=2023)
        # Set directly: online ballots are taken only in 民主测评, and the ledger stays editable in it.
        year.phase = AssessmentYear.Phase.DEMOCRATIC
        year.save(update_fields=["phase"])
        self.year = year
        self.users_by_name = {u.username: u for u in get_user_model().objects.all()}
        n_browsers, n_editors, n_voters = _split(self.users)
        self._browsers_prepare(n_browsers)
        self._editors_prepare(n_editors)
        self._voters_prepare(n_voters)
        self.line(
            f"准备完成（{time.monotonic() - started:.1f} 秒）：数据库 {connection.vendor}，{self.users} 个并发用户 —"
            f" 浏览 {n_browsers}、修改台帐 {n_editors}（{n_editors // 2} 条记录各两人）、投票 {n_voters}；"
            f"测评码 {len(self.codes.codes)} 个；{self.seconds:g} 秒；gunicorn {self.workers} 个进程"
        )

    def _page_url(self, name: str, needs: tuple, user) -> str | None:

        kwargs = {}
        for need in needs:
            if need == "year":
                kwargs["year"] = self.year.year
            elif need == "year_id":
                kwargs["year_id"] = self.year.pk
            elif need == "own":
                departments = access.headed_departments(user)
                if not departments:
                    return None
                kwargs["department"] = departments[0].pk
            elif need == "supervised":
                supervised = access.supervised_departments(user, self.year)
                if not supervised:
                    return None
                kwargs["department"] = supervised[0].pk
            elif need == "first":
                kwargs["department_id"] = self.year.year_departments.order_by("order", "id").values_list(
                    "department_id", flat=True
                )[0]
        return reverse(name, kwargs=kwargs)

    def _browsers_prepare(self, count: int) -> None:

        checked: dict[str, list[str]] = {}
        for username, pages in BROWSING:
            user = self.users_by_name[username]
            client = Client()
            client.force_login(user)
            urls = []
            for name, needs in pages:
                url = self._page_url(name, needs, user)
                status = client.get(url).status_code if url else None
                if status == 200:
                    urls.append(url)
                elif status is not None and status >= 500:
                    self.stats.violation(f"准备时 {username} 打开 {url}：HTTP {status}")
                else:  # e.g. a page another engineer has since restricted: not this test's business
                    self.notes.append(f"{username} 的页面 {name} 不可用（HTTP {status}），不列入浏览")
            if urls:
                checked[username] = urls
        names = list(checked)
        for i in range(count):
            username = names[i % len(names)]
            cookie = server.session_cookie(self.users_by_name[username]).split("=", 1)
            self.browsers.append(Browser(username, {cookie[0]: cookie[1]}, checked[username]))

    def _editors_prepare(self, count: int) -> None:
        """Pairs of users who may both change a record (its rule is theirs, not their own department's)."""

        pool = [self.users_by_name[name] for name in EDITOR_POOL]
        pairs = []
        records = (
            LedgerRecord.objects.filter(year=self.year, status=LedgerRecord.Status.CONFIRMED)
            .select_related("rule")
            .prefetch_related("record_departments__department")
            .order_by("date", "id")
        )
        for record in records:
            if len(pairs) == count // 2:
                break
            departments = [link.department for link in record.record_departments.all()]
            able = [
                u
                for u in pool
                if access.may_record_rule(u, record.rule) and not access.needs_confirmation(u, departments)
            ]
            # Two reviewers where the rule has two recorder offices; the lead only when needed.
            able.sort(key=lambda u: (u.username == "lead", u.username))
            if len(able) >= 2:
                pairs.append((record, able[0], able[1]))
        if len(pairs) < count // 2:
            self.notes.append(f"只找到 {len(pairs)} 条可由两人修改的记录")
        for record, first, second in pairs:
            fields = self._record_fields(record)
            self._edit_check(record, first, fields)
            for user in (first, second):
                cookie = server.session_cookie(user).split("=", 1)
                self.editors.append(Editor(user.username, {cookie[0]: cookie[1]}, record.pk, fields))
        self.initial_versions = {
            r.pk: r.version for r in LedgerRecord.objects.filter(pk__in=[e.record for e in self.editors])
        }

    @staticmethod
    def _record_fields(record) -> dict:
        fields = {
            "rule": str(record.rule_id),
            "target_departments": [str(link.department_id) for link in record.record_departments.all()],
            "date": record.date.isoformat(),
            "quantity": str(record.quantity),
            "level": record.level or "",
            "points": "" if record.points is None else str(record.points),
            "reason": record.reason,
        }
        if record.exempt:
            fields["exempt"] = "on"
        return fields

    def _edit_check(self, record, user, fields: dict) -> None:
        """The change form, posted in-process once, saves: the soak's form data are right."""

        client = Client()
        client.force_login(user)
        path = f"/admin/reviews/ledgerrecord/{record.pk}/change/"
        page = client.get(path)
        if page.status_code != 200:
            raise RuntimeError(f"{user.username} 打开记录 {record.pk} 的修改页：HTTP {page.status_code}")
        hidden = _Inputs(page.content.decode()).hidden
        response = client.post(path, {**hidden, **fields, "description": f"{EDIT_MARK}：准备", "_save": "保存"})
        if response.status_code != 302:
            raise RuntimeError(f"{user.username} 保存记录 {record.pk} 未成功（HTTP {response.status_code}）")

    def _voters_prepare(self, count: int) -> None:

        lead = self.users_by_name["lead"]
        round_ = ballots.round_open(
            year=self.year,
            title="压力测试民主测评",
            closes_at=timezone.now() + datetime.timedelta(days=1),
            groups=[
                ballots.GroupSpec("机关全体人员", 100, Decimal("0.6"), True),
                ballots.GroupSpec("基层工会干部代表", 100, Decimal("0.4"), False),
            ],
        )
        self.round = round_
        staff, grassroots = list(round_.groups.order_by("order"))
        # Enough codes that voters do not run out: four per voter and second, several times what one manages.
        wanted = max(200, int(count * self.seconds * 4))
        departments = ballots_selectors.ballot_departments(year=self.year)
        codes: list[str] = []
        for i, department in enumerate(departments):
            share = wanted // 2 // len(departments) + (1 if i < wanted // 2 % len(departments) else 0)
            while share > 0:
                n = min(share, ballots_codes.MAX_CODES_PER_BATCH)
                codes += ballots.codes_generate(group=staff, count=n, department=department, user=lead)
                share -= n
        rest = wanted - len(codes)
        while rest > 0:
            n = min(rest, ballots_codes.MAX_CODES_PER_BATCH)
            codes += ballots.codes_generate(group=grassroots, count=n, user=lead)
            rest -= n
        self.rng.shuffle(codes)
        self.codes = CodePool(codes)
        self.voters = [Voter(i, self.codes) for i in range(count)]

    # --- the run --------------------------------------------------------------------------------------
    def run(self, port: int) -> float:
        deadline = time.monotonic() + self.seconds
        threads = []
        for i, user in enumerate([*self.browsers, *self.editors, *self.voters]):
            rng = random.Random(self.rng.random() + i)
            threads.append(threading.Thread(target=user.run, args=(port, self.stats, deadline, rng), daemon=True))
        started = time.monotonic()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        return time.monotonic() - started

    # --- the checks -----------------------------------------------------------------------------------
    def verify(self) -> dict:

        stats = self.stats
        submissions = [s for v in self.voters for s in v.submissions]
        ok = [s for s in submissions if s.ok]
        stored = Ballot.objects.filter(group__round=self.round).count()
        if stored != len(ok):
            stats.violation(f"数据库中的测评票 {stored} 张 ≠ 成功提交 {len(ok)} 张")
        used = set(
            BallotCode.objects.filter(batch__group__round=self.round, used=True).values_list("code_hash", flat=True)
        )
        ok_hashes = {code_hash(s.code) for s in ok}
        if used != ok_hashes:
            stats.violation(
                f"已使用的测评码与成功提交的不一致：多 {len(used - ok_hashes)} 个，少 {len(ok_hashes - used)} 个"
            )
        submitted_tally = Counter(
            (department, grade) for s in ok for department, grade in s.ratings.items() if grade is not None
        )
        stored_tally = Counter(
            {
                (department, grade): n
                for department, grade, n in BallotRating.objects.filter(ballot__group__round=self.round)
                .values_list("department_id", "grade")
                .annotate(n=Count("id"))
            }
        )
        if submitted_tally != stored_tally:
            stats.violation(
                f"各部室各等次的票数与提交的不一致（{sum(stored_tally.values())} ≠ {sum(submitted_tally.values())}）"
            )
        doubles = [d for v in self.voters for d in v.doubles]
        reuses = sum(v.reuses_refused for v in self.voters)

        attempts = [a for e in self.editors for a in e.attempts]
        edits = self._verify_edits(attempts)

        return {
            "ballots_ok": len(ok),
            "ballots_stored": stored,
            "ballot_ratings": sum(stored_tally.values()),
            "doubles": len(doubles),
            "doubles_one": sum(1 for d in doubles if d == 1),
            "reuses_refused": reuses,
            "codes_left": len(self.codes.codes),
            "codes_exhausted": self.codes.exhausted,
            **edits,
        }

    def _verify_edits(self, attempts: list[EditAttempt]) -> dict:

        stats = self.stats
        History = LedgerRecord.history.model
        rows = defaultdict(list)
        for row in History.objects.filter(id__in=list(self.initial_versions), history_type="~").order_by("history_id"):
            rows[row.id].append(row)
        saved = [a for a in attempts if a.outcome == "saved"]
        stale = [a for a in attempts if a.outcome == "stale"]
        for record, initial in self.initial_versions.items():
            history = [r for r in rows[record] if r.description.startswith(EDIT_MARK) and r.version > initial]
            mine = [a for a in saved if a.record == record]
            final = LedgerRecord.objects.get(pk=record).version
            if final != initial + len(mine):
                stats.violation(f"记录 {record}：版本 {initial} → {final}，但成功保存 {len(mine)} 次")
            versions = [r.version for r in history]
            if sorted(versions) != list(range(initial + 1, initial + len(mine) + 1)):
                stats.violation(f"记录 {record}：历史版本号 {versions} 不连续或重复")
            by_mark = Counter(r.description for r in history)
            for attempt in mine:
                if by_mark[attempt.mark] != 1:
                    stats.violation(f"记录 {record}：成功的保存“{attempt.mark}”在历史中出现 {by_mark[attempt.mark]} 次")
                elif next(r.version for r in history if r.description == attempt.mark) != attempt.version + 1:
                    stats.violation(f"记录 {record}：“{attempt.mark}”基于版本 {attempt.version}，保存后版本不是其加一")
            for attempt in (a for a in stale if a.record == record):
                if by_mark[attempt.mark]:
                    stats.violation(f"记录 {record}：被拒绝的保存“{attempt.mark}”却写进了历史")
        return {
            "edits": len(attempts),
            "edits_saved": len(saved),
            "edits_stale": len(stale),
            "edits_other": len(attempts) - len(saved) - len(stale),
        }

    def limits_across_hosts(self, port: int, names: dict[str, str]) -> dict:
        """Two hosts, after the load: a guesser (his own loopback address, which nginx forwards as the client's)
        enters wrong ballot codes and then wrong passwords through nginx, each request answered by whichever host
        nginx picks. The wrong-code throttle (30, in the shared Redis) and the login lockout (django-axes' 5, in
        the shared database) must count them together: the 31st code and the 5th password are refused (429)."""

        guesser = Session(port, source="127.0.0.9")
        token = _Inputs(guesser.request("GET", "/vote/").body).hidden.get("csrfmiddlewaretoken", "")
        codes = [
            guesser.request("POST", "/vote/", {"csrfmiddlewaretoken": token, "code": "ABCD-EFGH", "step": "code"})
            for _ in range(FAILED_CODE_LIMIT + 1)
        ]
        token = _Inputs(guesser.request("GET", "/accounts/login/").body).hidden.get("csrfmiddlewaretoken", "")
        fields = {"csrfmiddlewaretoken": token, "username": "leader_wang", "password": "wrong-password"}
        logins = [guesser.request("POST", "/accounts/login/", fields) for _ in range(settings.AXES_FAILURE_LIMIT)]

        def served(responses: list[Response]) -> dict[str, int]:
            counted = Counter(names.get(r.upstream, r.upstream) for r in responses)
            return {name: counted.get(name, 0) for name in sorted(names.values())}

        figures = {
            "wrong_codes": [r.status for r in codes],
            "wrong_codes_hosts": served(codes[:-1]),
            "logins": [r.status for r in logins],
            "logins_hosts": served(logins),
        }
        if figures["wrong_codes"] != [400] * FAILED_CODE_LIMIT + [429]:
            self.stats.violation(f"错误测评码限流未跨主机累计：{figures['wrong_codes']}")
        if figures["logins"] != [200] * (settings.AXES_FAILURE_LIMIT - 1) + [429]:
            self.stats.violation(f"登录失败锁定未跨主机累计：{figures['logins']}")
        if not all(figures["wrong_codes_hosts"].values()) or not all(figures["logins_hosts"].values()):
            self.stats.violation(f"限流检查未由两台主机共同应答：{figures}")
        self.line(
            f"跨主机限流：错误测评码 {FAILED_CODE_LIMIT} 次（"
            + "，".join(f"{n} 应答 {k} 次" for n, k in figures["wrong_codes_hosts"].items())
            + f"）后第 {FAILED_CODE_LIMIT + 1} 次返回 {figures['wrong_codes'][-1]}；错误密码 "
            + f"{settings.AXES_FAILURE_LIMIT} 次（"
            + "，".join(f"{n} 应答 {k} 次" for n, k in figures["logins_hosts"].items())
            + f"），第 {settings.AXES_FAILURE_LIMIT} 次返回 {figures['logins'][-1]}（账号已锁定）"
        )
        return figures

    def server_log(self, log: Path) -> None:
        """The server's own log: a traceback, a 500 or a worker timeout is a violation even when the client
        saw nothing (4xx lines — refused codes, stale forms — are expected and only counted)."""
        text = log.read_text(encoding="utf-8", errors="replace") if log.exists() else ""
        bad = [line for line in text.splitlines() if SERVER_LOG_BAD.search(line)]
        self.log_warnings = sum(1 for line in text.splitlines() if line.startswith(("Bad Request", "Forbidden")))
        for line in bad[:10]:
            self.stats.violation(f"服务器日志：{line.strip()[:200]}")
        if bad:
            self.line(f"服务器日志（{log}）的末尾：")
            for line in text.splitlines()[-40:]:
                self.line(f"  | {line}")

    # --- the summary ----------------------------------------------------------------------------------
    def summary(self, result: dict, wall: float) -> None:
        stats = self.stats
        self.line()
        self.line(f"{_pad('请求类别', 28)}{_rpad('次数', 8)}{_rpad('p50', 10)}{_rpad('p95', 10)}{_rpad('错误', 6)}")
        total = 0
        for kind, label in KINDS.items():
            times = sorted(stats.times.get(kind, []))
            total += len(times)
            self.line(
                f"{_pad(label, 28)}{_rpad(str(len(times)), 8)}{_rpad(_ms(_pct(times, 50)), 10)}"
                f"{_rpad(_ms(_pct(times, 95)), 10)}{_rpad(str(stats.errors.get(kind, 0)), 6)}"
            )
        errors = sum(stats.errors.values())
        rate = f"{total / wall:.1f}/秒"
        self.line(f"{_pad('合计', 28)}{_rpad(str(total), 8)}{_rpad(rate, 10)}{'':10}{_rpad(str(errors), 6)}")
        self.line()
        self.line(
            f"测评票：成功提交 {result['ballots_ok']} 张，数据库中 {result['ballots_stored']} 张"
            f"（评价 {result['ballot_ratings']} 项）；同时提交两次 {result['doubles']} 次，其中恰好一次成功"
            f" {result['doubles_one']} 次；重复使用测评码被拒绝 {result['reuses_refused']} 次"
            + ("；测评码已用完" if result["codes_exhausted"] else f"；剩余测评码 {result['codes_left']} 个")
        )
        self.line(
            f"台帐修改：{result['edits']} 次 — 保存 {result['edits_saved']} 次，"
            f"因他人已修改被拒绝（有提示）{result['edits_stale']} 次，其他 {result['edits_other']} 次"
        )
        self.line(
            f"服务器日志：预期的拒绝（HTTP 400/403）{self.log_warnings} 行，错误 0 行"
            if not any(v.startswith("服务器日志") for v in stats.violations)
            else "服务器日志：有错误（见下）"
        )
        for note in self.notes:
            self.line(f"注意：{note}")
        if stats.violations:
            self.line(f"✗ 发现 {len(stats.violations)} 处问题：")
            for v in stats.violations[:30]:
                self.line(f"  - {v}")
        else:
            self.line("✓ 无错误；每张成功提交的测评票恰好计入一次；每次台帐修改或保存、或被拒绝并有提示")


def _pct(values: list[float], p: int) -> float | None:
    if not values:
        return None
    if p == 50:
        return statistics.median(values)
    return values[max(0, -(-len(values) * p // 100) - 1)]


def _ms(value: float | None) -> str:
    return "—" if value is None else f"{value * 1000:.0f} ms"


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * max(0, width - _width(text))


def _rpad(text: str, width: int) -> str:
    return " " * max(0, width - _width(text)) + text


def soak_run(*, users: int, seconds: float, workers: int = GUNICORN_WORKERS, topology: str = "one", out=None) -> dict:
    """In the child: set up, serve, run, verify; returns the figures and the violations. With `topology` "two",
    two gunicorn instances of `workers` each behind nginx, sharing one Redis (tools.bench.server.two_hosts)."""
    soak = Soak(users=users, seconds=seconds, workers=workers, out=out)
    soak.prepare()
    log = Path(settings.DATA_DIR) / "soak-server.log"
    hosts: dict[str, int] = {}
    limits: dict = {}
    if topology == "two":
        with server.two_hosts(workers, Path(settings.DATA_DIR), log=log) as (port, names):
            wall = soak.run(port)
            limits = soak.limits_across_hosts(port, names)
        hosts = {name: soak.stats.upstreams.get(address, 0) for address, name in sorted(names.items())}
        if not all(hosts.values()):
            soak.stats.violation(f"两台主机未都提供服务：{hosts}")
    else:
        with server.gunicorn(workers, log=log) as port:
            wall = soak.run(port)
    soak.server_log(log)
    result = soak.verify()
    soak.summary(result, wall)
    if hosts:
        soak.line("两台主机（nginx 轮询）：" + "，".join(f"{name} 应答 {n} 次" for name, n in hosts.items()))
    times = {kind: sorted(soak.stats.times.get(kind, [])) for kind in KINDS}
    return {
        **result,
        "users": users,
        "seconds": seconds,
        "workers": workers,
        "topology": topology,
        "hosts": hosts,
        "limits": limits,
        "wall": wall,
        "requests": {kind: len(t) for kind, t in times.items()},
        "p50_ms": {kind: None if not t else _pct(t, 50) * 1000 for kind, t in times.items()},
        "p95_ms": {kind: None if not t else _pct(t, 95) * 1000 for kind, t in times.items()},
        "errors": dict(soak.stats.errors),
        "statuses": {f"{k}:{s}": n for (k, s), n in soak.stats.statuses.items()},
        "violations": soak.stats.violations,
        "notes": soak.notes,
    }
