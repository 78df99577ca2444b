import gc

from django.apps import AppConfig


class OpsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "ops"
    verbose_name = "运维（备份与恢复）"

    def ready(self):
        # What start-up has built so far (modules, models, the admin's registry: some 60,000 objects) lives
        # as long as the process. Frozen (Python's `gc.freeze`), the cyclic collector no longer walks it in
        # each full collection, nor once more at exit: 0.05 s of every management command, such as
        # `score_case`. A gunicorn worker inherits it frozen from the preloading master.
        gc.freeze()
