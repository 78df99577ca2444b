from django.apps import AppConfig


class ReportsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "reports"
    verbose_name = "考核报告"

    def ready(self) -> None:
        from reports.notice import notice_freeze  # noqa: PLC0415 — receivers connect once the models are ready
        from workflow.signals import year_announced  # noqa: PLC0415

        year_announced.connect(notice_freeze, dispatch_uid="reports.notice_freeze")
