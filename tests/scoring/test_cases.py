"""The worked cases of docs/scoring.md (tests/data/cases) through score_case."""

import json
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

CASES = Path(__file__).resolve().parents[1] / "data" / "cases"
VALID = sorted(p for p in CASES.glob("*.json") if not p.name.endswith(".expected.json"))
INVALID = sorted((CASES / "invalid").glob("*.json"))

pytestmark = pytest.mark.django_db


def score_case(*paths) -> object:
    out = StringIO()
    call_command("score_case", *map(str, paths), stdout=out)
    return json.loads(out.getvalue())


@pytest.mark.parametrize("path", VALID, ids=[p.stem for p in VALID])
def test_score_case_matches_expected(path):
    expected = json.loads(path.with_suffix("").with_suffix(".expected.json").read_text(encoding="utf-8"))
    assert score_case(path) == expected


def test_score_case_several_files_give_a_list_in_order():
    result = score_case(VALID[1], VALID[0])
    assert [r["departments"][0]["name"] for r in result] == ["办公室", "宣教调研室"]


@pytest.mark.parametrize("path", INVALID, ids=[p.stem for p in INVALID])
def test_score_case_refuses_invalid_case(path, capsys):
    with pytest.raises(CommandError) as exc:
        score_case(path)
    message = str(exc.value)
    assert "\n" not in message
    assert message.startswith(f"{path}: ")
    assert capsys.readouterr().out == ""


def test_score_case_refuses_unreadable_json(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text("{not json", encoding="utf-8")
    with pytest.raises(CommandError, match="不是有效的 JSON"):
        score_case(bad)


def test_score_case_cli_prints_nothing_on_stdout_for_invalid_case():

    manage = Path(__file__).resolve().parents[2] / "manage.py"
    proc = subprocess.run(
        [sys.executable, str(manage), "score_case", str(INVALID[0])], capture_output=True, text=True, timeout=60
    )
    assert proc.returncode != 0
    assert proc.stdout == ""
    assert "records[0].rule" in proc.stderr
    assert "Traceback" not in proc.stderr
