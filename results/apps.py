from django.apps import AppConfig


class ResultsConfig(AppConfig):
    """Scored years: the loader from the database into the core, the per-process cache and what keeps it
    right (revisions), and a year's import and export."""

    name = "results"
    verbose_name = "考核结果"

    def ready(self) -> None:
        from results import revisions  # noqa: PLC0415 — signal receivers are connected once the models are ready

        revisions.connect()
