"""Kaohe's admin site, and Chinese names for the third-party apps the admin lists (their own are English)."""

from axes.apps import AppConfig as AxesAppConfig
from django.contrib.admin.apps import AdminConfig
from django_tasks_db.apps import TasksAppConfig


class AxesConfig(AxesAppConfig):
    verbose_name = "登录安全"


class TasksDatabaseConfig(TasksAppConfig):
    verbose_name = "后台任务"


class KaoheAdminConfig(AdminConfig):
    default_site = "kaohe.admin_site.KaoheAdminSite"
