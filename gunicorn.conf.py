"""gunicorn settings for serving Kaohe in production: `.venv/bin/gunicorn kaohe.wsgi` from this directory reads
them (command-line options override). Every value can be set from the environment; see README, "Deploying".
"""

import multiprocessing
import os

bind = os.environ.get("KAOHE_BIND", "127.0.0.1:8001")
# Sync workers: each request is short (pages read the year's cached score) and spends its time on the CPU, so
# the default is cores + 1 rather than the usual 2 × cores + 1. Each worker keeps its own cache of the scored
# years (results.cache.year_scored, about 20 MB for a 200,000-record year).
workers = int(os.environ.get("KAOHE_WORKERS", multiprocessing.cpu_count() + 1))
# A worker's first page of a year after a change re-scores it (under a second for a province-scale year); reports
# are built by `manage.py db_worker`, never in a request.
timeout = int(os.environ.get("KAOHE_WORKER_TIMEOUT", 120))
graceful_timeout = 30
# No max_requests: recycling workers would throw their scored-year caches away.
preload_app = True
forwarded_allow_ips = os.environ.get("KAOHE_FORWARDED_ALLOW_IPS", "127.0.0.1")
accesslog = os.environ.get("KAOHE_ACCESS_LOG") or None
errorlog = "-"
loglevel = os.environ.get("KAOHE_LOG_LEVEL", "info")
