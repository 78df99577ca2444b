"""manage.py bench [--size small|large|all] [--postgres] — the benchmark of `make bench` (docs/performance.md).

Each size runs in its own child process against a fresh database: a temporary SQLite file, or with --postgres
a new database on the server of DATABASE_URL (scripts/with_postgres.sh starts a throwaway one). The child
prints one line per figure; the parent then checks the targets below (docs/performance.md) and that query
counts do not grow with the data.
"""

from __future__ import annotations

import json
import tempfile
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from tools.bench import runner, server

# Targets at the large size (docs/performance.md).
SCORING_MAX_QUERIES = 10
SCORING_MAX_RATIO = 3
PAGE_P95_MS = 250
XLSX_PEAK_MB = 200
SCORE_CASE_RATIO, SCORE_CASE_SLACK = 3, 1.0


class Command(BaseCommand):
    help = "性能基准测试：在全新数据库中生成合成数据，逐项测量并与下限比较（见 docs/performance.md）。"
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("--size", choices=["small", "large", "all"], default="all")
        parser.add_argument(
            "--postgres", action="store_true", help="在 DATABASE_URL 所指的 PostgreSQL 上新建数据库测试"
        )
        parser.add_argument("--clients", type=int, default=10, help="并发客户端数")
        parser.add_argument("--seconds", type=float, default=30, help="每个页面的压测秒数")
        parser.add_argument("--doc-timeout", type=float, default=180, help="单个报表的超时秒数")
        # Internal: the child process of one size, and the children that build one document.
        parser.add_argument("--run", choices=list(runner.SIZES), help="（内部）在当前数据库中测一个规模")
        parser.add_argument("--results", help="（内部）结果 JSON 文件")
        parser.add_argument("--child", help="（内部）生成一份报表并报告用时")
        parser.add_argument("--year", type=int)
        parser.add_argument("--out")

    def handle(self, *args, **opts):
        if opts["child"]:
            result = runner.child_run(opts["child"], opts["year"], Path(opts["out"]))
            self.stdout.write(json.dumps(result))
            return
        if opts["run"]:
            result = runner.run_size(
                opts["run"], clients=opts["clients"], seconds=opts["seconds"], doc_timeout=opts["doc_timeout"]
            )
            if opts["results"]:
                Path(opts["results"]).write_text(json.dumps(result, ensure_ascii=False), encoding="utf-8")
            return
        sizes = list(runner.SIZES) if opts["size"] == "all" else [opts["size"]]
        results = []
        for size in sizes:
            results.append(self._size_in_child(size, opts))
        self._summary(results)

    def _size_in_child(self, size: str, opts) -> dict:
        with tempfile.TemporaryDirectory(prefix=f"kaohe-bench-{size}-") as tmp:
            env, drop = server.child_environment(tmp, database=f"kaohe_bench_{size}", postgres=opts["postgres"])
            results = Path(tmp) / "results.json"
            args = [
                "bench", "--run", size, "--results", str(results), "--clients", str(opts["clients"]),
                "--seconds", str(opts["seconds"]), "--doc-timeout", str(opts["doc_timeout"]),
            ]  # fmt: skip
            started = time.monotonic()
            status = server.run_child(args, env, drop)
            self.stdout.write(f"[{size}] 用时 {time.monotonic() - started:.0f} 秒")
            if status != 0 or not results.exists():
                raise CommandError(f"规模 {size} 的测试失败（退出码 {status}）")
            return json.loads(results.read_text(encoding="utf-8"))

    def _summary(self, results: list[dict]) -> None:
        by_size = {r["size"]: {f["key"]: f for f in r["figures"]} for r in results}
        lines = []
        if "small" in by_size and "large" in by_size:
            small, large = by_size["small"], by_size["large"]
            for key in sorted(set(small) & set(large)):
                a, b = small[key], large[key]
                if key == "scoring.queries":
                    lines.append(
                        _check("评分查询次数不随规模增长", a["value"] == b["value"], f"{a['value']} → {b['value']}")
                    )
                elif key.startswith("pages.") and "_queries" in a["extra"]:
                    qa, qb = a["extra"]["_queries"], b["extra"]["_queries"]
                    lines.append(_check(f"{a['extra']['_label']} 查询次数不随规模增长", qa == qb, f"{qa} → {qb}"))
        target = by_size.get("large")
        if target is not None:
            lines.extend(_targets(target))
        if lines:
            self.stdout.write("目标检查" + ("（大规模）" if target is not None else ""))
            for line in lines:
                self.stdout.write(line)


def _check(label: str, ok: bool | None, detail: str) -> str:
    mark = "—" if ok is None else ("✓" if ok else "✗")
    return f"  {mark} {label}：{detail}"


def _targets(figures: dict) -> list[str]:
    lines = []
    q = figures.get("scoring.queries")
    if q:
        lines.append(_check(f"评分查询 ≤ {SCORING_MAX_QUERIES} 次", q["value"] <= SCORING_MAX_QUERIES, str(q["value"])))
    t = figures.get("scoring.time")
    if t and t["ratio"] is not None:
        lines.append(
            _check(f"评分 ≤ 下限 × {SCORING_MAX_RATIO}", t["ratio"] <= SCORING_MAX_RATIO, f"{t['ratio']:.2f}×")
        )
    for key, f in sorted(figures.items()):
        if key.startswith("pages.") and "_p95" in f["extra"]:
            p95, errors = f["extra"]["_p95"], f["extra"]["_errors"]
            ok = p95 is not None and p95 < PAGE_P95_MS and errors == 0
            lines.append(
                _check(
                    f"{f['extra']['_label']} p95 < {PAGE_P95_MS} ms 且无错误",
                    ok,
                    f"p95 {p95 or 0:.0f} ms，错误 {errors}",
                )
            )
    x = figures.get("xlsx.peak")
    if x and x["value"] is not None:
        lines.append(_check(f"Excel 内存峰值 < {XLSX_PEAK_MB} MB", x["value"] < XLSX_PEAK_MB, f"{x['value']:.0f} MB"))
    s = figures.get("score_case.time")
    if s and s["floor"] is not None:
        limit = SCORE_CASE_RATIO * s["floor"] + SCORE_CASE_SLACK
        lines.append(
            _check(
                f"score_case ≤ json.load × {SCORE_CASE_RATIO} + {SCORE_CASE_SLACK:g} 秒",
                s["value"] <= limit,
                f"{s['value']:.2f} 秒（上限 {limit:.2f} 秒）",
            )
        )
    return lines
