from django.apps import AppConfig


class BenchConfig(AppConfig):
    """The benchmark and the load test (`make bench`, `make soak`): installed only by `tools.settings`."""

    name = "tools.bench"
    label = "bench"
    verbose_name = "性能测试"
