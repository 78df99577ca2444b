"""Settings of the developer tools: the product's settings plus the benchmark's commands (`bench`, `soak`,
`seed_synthetic`). The Makefile's `bench` and `soak` targets use them; the servers they start run the product's
own settings (`kaohe.settings`)."""

from kaohe.settings import *  # noqa: F403 — an overlay of the product's settings
from kaohe.settings import INSTALLED_APPS

INSTALLED_APPS = [*INSTALLED_APPS, "tools.bench.apps.BenchConfig"]
