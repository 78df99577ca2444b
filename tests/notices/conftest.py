"""The procedure's fixtures (the demo year in 公示, approved) shared with the workflow tests."""

from tests.workflow.conftest import approvable_year, approved_year, publicity_year, tie_ready_year  # noqa: F401
