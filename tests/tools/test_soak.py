"""The load test of `make soak` (tools/bench/soak.py), short: 4 users for 5 seconds on gunicorn over a fresh
database, the same invariants — no HTTP error, every successful ballot stored exactly once, every edit saved
or refused with the stale-version message. `make soak` runs the full 20 users × 60 seconds."""

import json
import os
import subprocess
import sys

import pytest
from django.conf import settings


def _soak(tmp_path, *extra: str) -> dict:
    results = tmp_path / "soak.json"
    command = [sys.executable, "manage.py", "soak", "--users", "4", "--seconds", "5", "--workers", "2"]
    proc = subprocess.run(
        [*command, "--results", str(results), *extra],
        cwd=settings.BASE_DIR,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "tools.settings"},
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert proc.returncode == 0, (proc.stdout + proc.stderr)[-4000:]
    return json.loads(results.read_text(encoding="utf-8"))


def _assert_invariants(result: dict) -> None:
    assert result["violations"] == []
    assert result["errors"] == {}
    assert not [key for key in result["statuses"] if key.split(":")[1].startswith("5")]
    # Ballots: every success stored once, every simultaneous double counted once, every reuse refused.
    assert result["ballots_ok"] >= 1
    assert result["ballots_stored"] == result["ballots_ok"]
    assert result["doubles_one"] == result["doubles"]
    assert result["reuses_refused"] == result["requests"]["vote_reuse"]
    # Edits: each saved or refused with the stale-version message; nothing else.
    assert result["edits"] >= 2
    assert result["edits_saved"] >= 1
    assert result["edits_saved"] + result["edits_stale"] == result["edits"]
    assert result["edits_other"] == 0
    assert result["requests"]["page"] >= 1


def test_soak_short_run_keeps_every_invariant(tmp_path):
    _assert_invariants(_soak(tmp_path))


@pytest.mark.postgres
def test_soak_short_run_on_postgres_keeps_every_invariant(tmp_path):
    """On PostgreSQL two saves of one record really overlap (no database-wide write lock as in SQLite)."""
    _assert_invariants(_soak(tmp_path, "--postgres"))
