"""System checks of the deployment's data: `manage.py migrate` and `manage.py check --database default` warn in
production while the organisation that the documents name is not set up. A database check, as Django's own
are: other commands (and the tests) run the checks without touching the database."""

from __future__ import annotations

from django.apps import apps
from django.conf import settings
from django.core.checks import Tags, Warning, register
from django.db import DatabaseError


@register(Tags.database)
def organisation_check(app_configs=None, databases=None, **kwargs) -> list[Warning]:
    """kaohe.W001: no organisation in production. Skipped with DEBUG on, without a database to check, and
    before the table exists."""
    if settings.DEBUG or not databases:
        return []
    try:
        organisation = apps.get_model("departments", "Organisation").current()
    except DatabaseError:  # not migrated yet: `migrate` runs the checks first
        return []
    if organisation.is_set_up:
        return []
    return [
        Warning(
            "尚未设置组织信息：年度报告、通报、测评码和打印表格上的组织名称将印为“（未设置组织名称）”。",
            hint="请在管理后台“部室与人员 › 组织信息”中填写组织全称、简称、发文机关标志等。",
            obj="departments.Organisation",
            id="kaohe.W001",
        )
    ]
