"""Chinese names for the third-party apps the admin lists (their own are English)."""

from axes.apps import AppConfig as AxesAppConfig
from django_tasks_db.apps import TasksAppConfig


class AxesConfig(AxesAppConfig):
    verbose_name = "登录安全"


class TasksDatabaseConfig(TasksAppConfig):
    verbose_name = "后台任务"
