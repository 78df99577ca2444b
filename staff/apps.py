from django.apps import AppConfig


class StaffConfig(AppConfig):
    name = "staff"
    verbose_name = "工作人员页面"
