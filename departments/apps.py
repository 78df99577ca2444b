from django.apps import AppConfig

from departments import checks  # noqa: F401 — registers the system checks (kaohe.W001)


class DepartmentsConfig(AppConfig):
    name = "departments"
    verbose_name = "部室与人员"
