from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "people"
    verbose_name = "人员名册"

    def ready(self) -> None:
        from people import signals  # noqa: F401, PLC0415 — registers the login receiver once the apps are loaded
