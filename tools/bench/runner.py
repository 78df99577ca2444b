"""The benchmark of `make bench`: one size, in a fresh database, every figure against its floor.

`manage.py bench` (tools/bench/management/commands/bench.py) makes the fresh database and runs `run_size` in a child
process per size; a part that cannot run (a page whose URL does not resolve, a report that fails or times out)
prints "skipped: <reason>". Every figure is printed as one line — the figure, the floor it is compared with,
their ratio — and returned as a dict so that the parent can compare the sizes (constant query counts) and check
the targets (docs/performance.md).
"""

from __future__ import annotations

import io
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import unicodedata
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, reverse
from django.utils.html import escape
from openpyxl import Workbook, load_workbook

from departments.models import Membership, Role
from reports.data import year_report
from reports.pdf import build_pdf, democratic_table
from reports.xlsx import build_xlsx
from results.cache import year_result, year_scored_afresh
from results.exchange import year_export
from results.loader import year_input
from reviews.models import LedgerRecord
from scoring import engine
from scoring.engine import gc_paused
from scoring.models import AssessmentYear
from tools.bench import server
from tools.bench.synthetic import synthetic_seed

BENCH_YEAR = 2030
SIZES = {
    # departments, records, ballots
    "small": (20, 2_000, 60),
    "large": (2_000, 200_000, 1_000),
}
# Timed repetitions (the median is reported): fewer at the large size to keep its run near ten minutes.
REPEAT = {"small": 5, "large": 2}
# `score_case` is a whole process (1.5 s at the large size) on a shared two-core machine, where one run can take
# 0.3 s longer than the next: it and its floor are each reported as the best of five runs.
CASE_REPEAT = 5
MANAGE = str(Path(settings.BASE_DIR) / "manage.py")
GUNICORN_WORKERS = 4

# The main pages: label, URL name, user (see _users), URL kwargs it needs. A page whose URL does not resolve
# is reported as skipped.
PAGES = [
    ("首页（部室负责人）", "home", "head", ()),
    ("部室明细（部室负责人）", "staff:department", "head", ("year", "department")),
    ("考核结果（考核小组组长）", "staff:results", "lead", ("year",)),
    ("部室对比（考核小组组长）", "staff:compare", "lead", ("year",)),
    ("考核台帐（管理后台）", "admin:reviews_ledgerrecord_changelist", "admin", ()),
    ("部室得分明细（管理后台）", "admin:reviews_ledgerrecord_breakdown", "admin", ("year_id", "department_id")),
]


@dataclass
class Figure:
    size: str
    key: str  # stable identifier, e.g. "scoring.time"
    label: str
    value: float | None
    unit: str
    floor_label: str = ""
    floor: float | None = None
    extra: dict = field(default_factory=dict)

    @property
    def ratio(self) -> float | None:
        if self.value is None or not self.floor:
            return None
        return self.value / self.floor


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * max(0, width - _width(text))


def _fmt(value: float | None, unit: str) -> str:
    if value is None:
        return "—"
    if unit == "s":
        return f"{value:.3f} s" if value < 100 else f"{value:.0f} s"
    if unit == "ms":
        return f"{value:.1f} ms"
    if unit == "MB":
        return f"{value:.0f} MB"
    if unit == "req/s":
        return f"{value:.1f} req/s"
    return f"{value:g} {unit}".strip()


class Report:
    """Prints figures as they are measured and keeps them for the parent."""

    def __init__(self, size: str, out=None):
        self.size = size
        self.out = out or sys.stdout
        self.figures: list[Figure] = []
        self.skipped: dict[str, str] = {}

    def figure(self, key: str, label: str, value, unit: str, floor_label: str = "", floor=None, **extra) -> Figure:
        fig = Figure(self.size, key, label, value, unit, floor_label, floor, extra)
        self.figures.append(fig)
        ratio = "" if fig.ratio is None else f"  比值 {fig.ratio:.2f}×"
        floor_text = f"  下限 {floor_label} {_fmt(floor, unit)}" if floor_label else ""
        notes = "".join(f"  {k} {v}" for k, v in extra.items() if v is not None and not k.startswith("_"))
        self.line(f"{_pad(label, 40)} {_pad(_fmt(value, unit), 12)}{floor_text}{ratio}{notes}")
        return fig

    def skip(self, part: str, reason: str) -> None:
        self.skipped[part] = reason
        self.line(f"{_pad(part, 40)} skipped: {reason}")

    def line(self, text: str) -> None:
        print(f"[{self.size}] {text}", file=self.out, flush=True)

    def as_json(self) -> dict:
        return {
            "size": self.size,
            "figures": [asdict(f) | {"ratio": f.ratio} for f in self.figures],
            "skipped": self.skipped,
        }


def _times(fn: Callable[[], object], repeat: int) -> tuple[list[float], object]:
    """The seconds of each of `repeat` calls of `fn`, and the last call's result."""
    times, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - started)
    return times, result


def _median_time(fn: Callable[[], object], repeat: int) -> tuple[float, object]:
    times, result = _times(fn, repeat)
    return statistics.median(times), result


def _best_time(fn: Callable[[], object], repeat: int) -> float:
    return min(_times(fn, repeat)[0])


# ---------------------------------------------------------------------------------------------------------
# The parts


def part_seed(report: Report, departments: int, records: int, ballots: int):

    summary = synthetic_seed(year=BENCH_YEAR, departments=departments, records=records, ballots=ballots)
    report.figure(
        "seed.time",
        "合成数据 seed_synthetic",
        summary.seconds,
        "s",
        部室=summary.departments,
        记录=summary.records,
        测评票=summary.ballots or None,
    )
    return AssessmentYear.objects.select_related("scheme").get(year=BENCH_YEAR)


RAW_FLOOR_SQL = """
SELECT rd.department_id, rd.rule_id, COUNT(*), SUM(r.quantity), SUM(COALESCE(r.points, 0) * r.quantity)
FROM reviews_recorddepartment rd JOIN reviews_ledgerrecord r ON r.id = rd.record_id
WHERE rd.year_id = %s AND r.status = %s
GROUP BY rd.department_id, rd.rule_id
"""


def part_scoring(report: Report, year) -> None:

    def fresh():  # what a page pays once per data version: records summed by the database, no lines
        return year_scored_afresh(year)

    def explained():  # what the reports pay: every record read, every department's lines
        return engine.score_year(year_input(year))

    def floor():
        with connection.cursor() as cursor:
            cursor.execute(RAW_FLOOR_SQL, [year.pk, LedgerRecord.Status.CONFIRMED])
            return cursor.fetchall()

    fresh()  # warm: imports, the database's page cache
    with CaptureQueriesContext(connection) as queries:
        fresh()
    with CaptureQueriesContext(connection) as floor_queries:
        floor()
    repeat = REPEAT[report.size]
    seconds, _ = _median_time(fresh, repeat)
    floor_seconds, _ = _median_time(floor, repeat)
    report.figure(
        "scoring.time",
        "评分（读库+计算，不经缓存；页面每个数据版本一次）",
        seconds,
        "s",
        "单条原始 SQL 按部室与项目汇总",
        floor_seconds,
    )
    explained_seconds, _ = _median_time(explained, repeat)
    report.figure(
        "scoring.explained",
        "评分含逐条说明（逐条读库；报表导出）",
        explained_seconds,
        "s",
        "单条原始 SQL 按部室与项目汇总",
        floor_seconds,
    )
    report.figure("scoring.queries", "评分查询次数（不经缓存）", len(queries), "次", "原始 SQL", len(floor_queries))
    year_result(year)  # fills the cache
    with CaptureQueriesContext(connection) as cached_queries:
        year_result(year)
    cached_seconds, _ = _median_time(lambda: year_result(year), repeat)
    report.figure(
        "scoring.cached",
        "评分 year_result（缓存命中：读数据版本）",
        cached_seconds * 1000,
        "ms",
        "单条原始 SQL 按部室与项目汇总",
        floor_seconds * 1000,
        查询=len(cached_queries),
    )


def part_score_case(report: Report, year, workdir: Path) -> None:

    started = time.perf_counter()
    doc = year_export(year)
    export_seconds = time.perf_counter() - started
    path = workdir / "year.json"
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    report.figure(
        "export.time", "导出年度 year_export", export_seconds, "s", 文件=f"{path.stat().st_size / 1e6:.1f} MB"
    )

    def load():
        with open(path, "rb") as f:
            return json.load(f, parse_float=Decimal)

    floor_seconds = _best_time(load, CASE_REPEAT)
    runs = []
    output = b""
    for _ in range(CASE_REPEAT):
        started = time.perf_counter()
        proc = subprocess.run(
            [sys.executable, MANAGE, "score_case", str(path)], capture_output=True, env=os.environ.copy(), check=False
        )
        runs.append(time.perf_counter() - started)
        output = proc.stdout
        if proc.returncode != 0:
            report.skip("score_case", f"退出码 {proc.returncode}：{proc.stderr.decode()[-300:]}")
            return
    # The command scores the same year as the database: check the final scores agree.
    scored = json.loads(output)
    by_db = {d.name: d.final_score for d in year_result(year).departments}
    same = all(
        by_db[d["name"]] == (None if d["final_score"] is None else Decimal(d["final_score"]))
        for d in scored["departments"]
    )
    report.figure(
        "score_case.time",
        "manage.py score_case（整个进程）",
        min(runs),
        "s",
        "json.load 同一文件",
        floor_seconds,
        与数据库一致="是" if same else "否",
    )


# ---------------------------------------------------------------------------------------------------------
# Pages under gunicorn


def _users(year) -> dict:

    User = get_user_model()
    first = year.year_departments.order_by("order", "id").select_related("department").first().department
    admin, _ = User.objects.get_or_create(
        username="bench_admin", defaults={"is_superuser": True, "is_staff": True, "first_name": "性能测试管理员"}
    )
    lead, _ = User.objects.get_or_create(
        username="bench_lead", defaults={"first_name": "性能测试组长", "is_staff": True}
    )
    Membership.objects.get_or_create(user=lead, role=Role.REVIEW_LEAD, department=None)
    head, _ = User.objects.get_or_create(username="bench_head", defaults={"first_name": "性能测试部室负责人"})
    Membership.objects.get_or_create(user=head, role=Role.DEPARTMENT_HEAD, department=first)
    return {"admin": admin, "lead": lead, "head": head, "department": first}


def _page_urls(year, users) -> tuple[list[tuple[str, str, str]], dict[str, str]]:

    values = {
        "year": year.year,
        "year_id": year.pk,
        "department": users["department"].pk,
        "department_id": users["department"].pk,
    }
    found, missing = [], {}
    for label, name, who, needs in PAGES:
        try:
            url = reverse(name, kwargs={k: values[k] for k in needs})
        except NoReverseMatch:
            missing[label] = f"URL {name} 尚不存在"
            continue
        found.append((label, url, who))
    return found, missing


def _load(port: int, path: str, cookie: str | None, clients: int, seconds: float) -> dict:
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    deadline = time.perf_counter() + seconds

    def client():
        nonlocal errors
        while time.perf_counter() < deadline:
            try:
                status, elapsed = server.get(port, path, cookie)
                ok = status == 200
            except OSError:
                ok, elapsed = False, 0.0
            with lock:
                if ok:
                    latencies.append(elapsed)
                else:
                    errors += 1

    started = time.perf_counter()
    threads = [threading.Thread(target=client) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - started
    latencies.sort()
    if not latencies:
        return {"median": None, "p95": None, "rps": 0.0, "errors": errors, "n": 0}
    return {
        "median": statistics.median(latencies) * 1000,
        "p95": latencies[max(0, -(-len(latencies) * 95 // 100) - 1)] * 1000,
        "rps": len(latencies) / wall,
        "errors": errors,
        "n": len(latencies),
    }


def _page_queries(user, url: str) -> tuple[int, int]:

    client = Client()
    client.force_login(user)
    client.get(url)  # warm per-process caches
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    return response.status_code, len(queries)


WARMUP_SECONDS = 8


def part_pages(report: Report, year, clients: int, seconds: float) -> None:
    users = _users(year)
    pages, missing = _page_urls(year, users)
    for label, reason in missing.items():
        report.skip(label, reason)
    if not pages:
        return
    with server.gunicorn(GUNICORN_WORKERS) as port:
        for _ in range(GUNICORN_WORKERS * 2):
            server.get(port, "/healthz", None)
        floor = _load(port, "/healthz", None, clients, seconds)
        report.figure(
            "pages.floor",
            "/healthz（最简视图）中位数",
            floor["median"],
            "ms",
            p95=_fmt(floor["p95"], "ms"),
            吞吐=_fmt(floor["rps"], "req/s"),
            错误=floor["errors"],
        )
        for label, url, who in pages:
            status, n_queries = _page_queries(users[who], url)
            if status != 200:
                report.skip(label, f"{url} 对 {users[who].username} 返回 HTTP {status}")
                continue
            cookie = server.session_cookie(users[who])
            # Warm-up, not counted: concurrent requests reach every worker, each of which scores the year once
            # per data version (a few seconds at the large size) and then serves it from its cache.
            _load(port, url, cookie, clients, min(WARMUP_SECONDS, seconds))
            load = _load(port, url, cookie, clients, seconds)
            key = "pages." + url
            report.figure(
                key,
                f"{label} 中位数",
                load["median"],
                "ms",
                "/healthz",
                floor["median"],
                p95=_fmt(load["p95"], "ms"),
                吞吐=_fmt(load["rps"], "req/s"),
                错误=load["errors"],
                查询=n_queries,
                _url=url,
                _p95=load["p95"],
                _errors=load["errors"],
                _queries=n_queries,
                _label=label,
            )


# ---------------------------------------------------------------------------------------------------------
# Excel and PDF, each in its own process so that its peak memory is its own


def _child(kind: str, year: int, path: Path, timeout: float) -> dict:
    """Run `manage.py bench --child KIND` and return its JSON line (time, peak resident memory)."""
    proc = subprocess.Popen(
        [sys.executable, MANAGE, "bench", "--child", kind, "--year", str(year), "--out", str(path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=os.environ.copy(),
    )
    timer = threading.Timer(timeout, proc.kill)
    timer.start()
    try:
        stdout = proc.stdout.read()
        stderr = proc.stderr.read()
        proc.wait()
    finally:
        timer.cancel()
    if proc.returncode != 0:
        killed = proc.returncode < 0
        return {"error": f"超时（{timeout:.0f} 秒）" if killed else stderr.decode(errors="replace")[-500:]}
    return json.loads(stdout.decode().strip().splitlines()[-1])


def _peak_rss_mb() -> float:
    """This process's peak resident memory. Not getrusage's ru_maxrss: Linux carries that over from the forking
    parent across exec, so a child of a big benchmark process would report the parent's size."""
    with open("/proc/self/status", encoding="ascii") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child_run(kind: str, year_number: int, out: Path) -> dict:
    """Inside the child: build one document and say how long it took (memory is measured by the parent)."""

    year = AssessmentYear.objects.select_related("scheme").get(year=year_number)
    baseline_mb = _peak_rss_mb()
    started = time.perf_counter()
    info: dict = {}
    if kind == "xlsx":
        build_xlsx(year, str(out))
    elif kind == "pdf":
        out.write_bytes(build_pdf(year))
    elif kind == "xlsx-floor":
        info = _xlsx_floor(out)
        started = time.perf_counter() - info.pop("write_seconds")
    elif kind == "pdf-floor":
        info = _pdf_floor(year, out)
        started = time.perf_counter() - info.pop("render_seconds")
    else:
        raise ValueError(kind)
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "baseline_mb": baseline_mb, "peak_mb": _peak_rss_mb(), **info}


def _xlsx_floor(out: Path) -> dict:
    """Copy every row of the report's workbook (`out`.report.xlsx) into a bare write-only workbook.

    The reading is timed on its own first and subtracted, so the floor is the writing loop alone."""

    source = out.with_suffix(".report.xlsx")
    started = time.perf_counter()
    book = load_workbook(source, read_only=True)
    rows = 0
    for sheet in book.worksheets:
        for _ in sheet.iter_rows(values_only=True):
            rows += 1
    book.close()
    read_seconds = time.perf_counter() - started

    started = time.perf_counter()
    book = load_workbook(source, read_only=True)
    target = Workbook(write_only=True)
    for sheet in book.worksheets:
        copy = target.create_sheet(sheet.title)
        for row in sheet.iter_rows(values_only=True):
            copy.append(row)
    book.close()
    buffer = io.BytesIO()
    target.save(buffer)
    out.write_bytes(buffer.getvalue())
    total = time.perf_counter() - started
    return {"write_seconds": max(0.0, total - read_seconds), "rows": rows}


def _pdf_floor(year, out: Path) -> dict:
    """WeasyPrint rendering one bare table of the rows the year-end PDF shows, within the same limits
    (`KAOHE_PDF_SECTIONS_MAX`, `KAOHE_PDF_LEDGER_ROWS_MAX`): the ranking, the department sections' ledger lines,
    the awards and the democratic statistics (per department and group of raters). Rendered as one document
    with the cyclic collector paused, as the report's parts are."""
    from weasyprint import HTML  # noqa: PLC0415 — slow to import: only in the PDF floor's child

    report = year_report(
        year, ledger_rows_max=settings.KAOHE_PDF_LEDGER_ROWS_MAX, sections_max=settings.KAOHE_PDF_SECTIONS_MAX
    )
    departments = report.result.departments
    rows: list[tuple] = [
        (d.rank, d.name, d.headcount, d.review_score, d.democratic_score, d.final_score, d.award_label)
        for d in departments
    ]
    for section in [] if report.ledger_omitted else report.sections:
        rows += [(section.result.name, r.date, r.rule, r.quantity, r.points, r.reason) for r in section.rows]
    rows += [(d.rank, d.name, d.award_label, d.per_capita, d.headcount, d.total) for d in departments]
    for r in democratic_table(report)[0]:  # per department and group of raters, or the entered scores
        rows.append(
            (r["name"], r["group"], *r["counts"], r["total"], r["mean"], r["score"])
            if isinstance(r, dict)
            else (r.name, r.score)
        )

    @gc_paused
    def render() -> bytes:
        body = "".join(
            "<tr>" + "".join(f"<td>{escape('' if c is None else c)}</td>" for c in row) + "</tr>" for row in rows
        )
        html = (
            "<html><head><meta charset='utf-8'><style>body{font-family:'Noto Sans CJK SC';font-size:8pt}"
            "td{border:1px solid #999;padding:1px 3px}table{border-collapse:collapse}</style></head><body>"
            f"<table>{body}</table></body></html>"
        )
        return HTML(string=html).write_pdf()

    started = time.perf_counter()
    out.write_bytes(render())
    return {"render_seconds": time.perf_counter() - started, "rows": len(rows)}


def part_documents(report: Report, year, workdir: Path, timeout: float) -> None:
    for kind, label, spec, floor_label in (
        ("xlsx", "Excel 工作簿", "reports.xlsx.build_xlsx", "openpyxl 只写模式逐行写入同样的行"),
        ("pdf", "PDF 年度报告", "reports.pdf.build_pdf", "WeasyPrint 渲染同样行的简单表格"),
    ):
        path = workdir / f"year.{kind}"
        built = _child(kind, year.year, path.with_suffix(f".report.{kind}"), timeout)
        if "error" in built:
            report.skip(label, f"{spec} 失败：{built['error']}")
            continue
        floor = _child(f"{kind}-floor", year.year, path, timeout)
        if "error" in floor:
            report.skip(f"{label}（下限）", floor["error"])
            floor = {"seconds": None, "peak_mb": None, "rows": None}
        report.figure(
            f"{kind}.time",
            f"{label} {spec}",
            built["seconds"],
            "s",
            floor_label,
            floor["seconds"],
            行数=floor.get("rows"),
        )
        report.figure(
            f"{kind}.peak",
            f"{label} 进程内存峰值",
            built["peak_mb"],
            "MB",
            "下限进程内存峰值",
            floor["peak_mb"],
            导入后=f"{built['baseline_mb']:.0f} MB",
        )


# ---------------------------------------------------------------------------------------------------------


def run_size(size: str, *, clients: int, seconds: float, doc_timeout: float, out=None) -> dict:
    departments, records, ballots = SIZES[size]
    report = Report(size, out)
    report.line(
        f"数据库 {connection.vendor}；部室 {departments}，台帐记录 {records}；"
        f"页面：{clients} 个并发客户端 × {seconds:.0f} 秒，gunicorn {GUNICORN_WORKERS} 个进程"
    )
    call_command("migrate", verbosity=0, interactive=False)
    call_command("createcachetable", verbosity=0)
    year = part_seed(report, departments, records, ballots)
    with tempfile.TemporaryDirectory(prefix="kaohe-bench-") as tmp:
        workdir = Path(tmp)
        for name, part in (
            ("评分", lambda: part_scoring(report, year)),
            ("score_case", lambda: part_score_case(report, year, workdir)),
            ("页面", lambda: part_pages(report, year, clients, seconds)),
            ("报表", lambda: part_documents(report, year, workdir, doc_timeout)),
        ):
            try:
                part()
            except Exception as exc:  # one broken part must not hide the others' figures
                report.skip(name, f"出错：{type(exc).__name__}: {exc}")
    return report.as_json()
