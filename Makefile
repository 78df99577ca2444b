# Kaohe — two commands on a fresh machine: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
MANAGE := $(PY) manage.py
# gcc, python3-dev, libldap-dev and libsasl2-dev: python-ldap (LDAP login) has no wheel and builds against them.
APT_PACKAGES := fonts-noto-cjk fonts-noto-cjk-extra fonts-lxgw-wenkai libharfbuzz-subset0 gcc python3-dev libldap-dev libsasl2-dev
# Only for the tests: the browser for end-to-end tests, poppler-utils to read PDFs back, LibreOffice to open
# the workbooks, and the servers the tests start in temporary directories (Redis, nginx, OpenLDAP).
BROWSER_PACKAGES := chromium poppler-utils libreoffice-calc-nogui redis-server nginx slapd ldap-utils

.PHONY: setup run test test-postgres lint bench soak system-packages browser-packages axe demo clean

# The project's modules are compiled here too: this environment sets PYTHONDONTWRITEBYTECODE, so otherwise
# every command and gunicorn worker would compile them again on start.
setup: system-packages $(VENV)/.installed
	@$(PY) -m compileall -q -j 0 -x '/\.(venv|git)/' .
	@$(MANAGE) migrate --noinput -v 0
	@$(MANAGE) createcachetable
	@$(MANAGE) load_catalogue
	@echo "✓ 环境已就绪：$(PY)"

# Debian packages the app needs: CJK fonts for PDFs, HarfBuzz subsetting (fast WeasyPrint), the OpenLDAP and SASL
# headers python-ldap builds against.
system-packages:
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "安装系统软件包:$$missing"; \
	    (DEBIAN_FRONTEND=noninteractive apt-get install -y -q $$missing >/dev/null 2>&1 || (apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q $$missing >/dev/null)); \
	  else \
	    echo "缺少系统软件包:$$missing — 请运行: sudo apt-get install -y$$missing"; \
	  fi; \
	fi

# Chromium and the other test-only packages (optional for `make run`).
browser-packages:
	@missing=""; for p in $(BROWSER_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "安装测试用系统软件包:$$missing"; \
	    (DEBIAN_FRONTEND=noninteractive apt-get install -y -q $$missing >/dev/null 2>&1 || (apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q $$missing >/dev/null)); \
	  else \
	    echo "缺少测试用系统软件包:$$missing（浏览器测试将跳过）— 请运行: sudo apt-get install -y$$missing"; \
	  fi; \
	fi

# axe-core for the accessibility browser test (tests/staff/test_accessibility.py), from the npm registry at the
# version tools/axe/package-lock.json pins; without npm that test is skipped.
axe:
	@if command -v npm >/dev/null; then \
	  [ tools/axe/node_modules/.package-lock.json -nt tools/axe/package-lock.json ] || (cd tools/axe && npm ci --no-audit --no-fund --loglevel=error); \
	else \
	  echo "缺少 npm：无障碍测试（axe-core）将跳过 — 请安装 Node.js 与 npm"; \
	fi

$(VENV)/.installed: requirements.lock
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@$(VENV)/bin/pip install -q --disable-pip-version-check uv==0.13.8
	@$(VENV)/bin/uv pip sync -q --compile-bytecode --python $(PY) requirements.lock
	@touch $@

demo: setup
	@$(MANAGE) load_demo

# The development server plus the worker that builds reports in the background (django-tasks); stopping
# `make run` however it is stopped (Ctrl-C, SIGTERM to make) stops both (scripts/run_dev.sh).
# `make run PORT=8080` serves on another port.
PORT ?= 8000
run: demo
	@$(MANAGE) collectstatic --noinput -v 0
	@$(MANAGE) demo_accounts
	@echo "Kaohe 考核系统: http://127.0.0.1:$(PORT)/  （管理后台: http://127.0.0.1:$(PORT)/admin/）"
	@echo "后台报表任务进程已随之启动（manage.py db_worker）。"
	@bash scripts/run_dev.sh $(PORT)

test: setup browser-packages axe
	@$(PY) -m pytest -n 2 -q

# The same suite against a throwaway PostgreSQL 15 cluster (tests marked `postgres` run only here). The two
# browser walks that check pages, not data (axe-core on every page, the county year's pages) run in `make test`.
test-postgres: setup browser-packages
	@bash scripts/with_postgres.sh $(PY) -m pytest -n 2 -q \
	  --ignore=tests/staff/test_accessibility.py --ignore=tests/ops/test_county_browser.py

# The same checks as .pre-commit-config.yaml: style, formatting, the import contract (pyproject.toml) and types.
lint: setup
	@$(VENV)/bin/ruff check --output-format concise .
	@$(VENV)/bin/ruff format --check .
	@$(VENV)/bin/lint-imports --no-cache
	@$(VENV)/bin/mypy

# Benchmarks on a fresh database (docs/performance.md): `make bench`, `make bench SIZE=small`,
# `make bench DB=postgres` (a throwaway PostgreSQL 15 cluster instead of a temporary SQLite file).
SIZE ?= all
DB ?= sqlite
bench: setup
	@if [ "$(DB)" = postgres ]; then \
	  DJANGO_SETTINGS_MODULE=tools.settings bash scripts/with_postgres.sh $(MANAGE) bench --size $(SIZE) --postgres; \
	else \
	  DJANGO_SETTINGS_MODULE=tools.settings $(MANAGE) bench --size $(SIZE); \
	fi

# Load test on loopback (docs/security.md): 20 users for 60 s browsing, editing ledger records and voting on a
# fresh database; fails on any error, lost or double-counted ballot, or edit neither saved nor refused.
# `make soak SOAK_SECONDS=10 SOAK_USERS=8` for a quick run; `make soak DB=postgres` on a throwaway PostgreSQL.
# `make soak TOPOLOGY=two DB=postgres`: two gunicorn instances behind nginx (round-robin) sharing one Redis.
SOAK_SECONDS ?= 60
SOAK_USERS ?= 20
TOPOLOGY ?= one
soak: setup browser-packages
	@if [ "$(DB)" = postgres ]; then \
	  DJANGO_SETTINGS_MODULE=tools.settings bash scripts/with_postgres.sh $(MANAGE) soak --users $(SOAK_USERS) --seconds $(SOAK_SECONDS) --topology $(TOPOLOGY) --postgres; \
	else \
	  DJANGO_SETTINGS_MODULE=tools.settings $(MANAGE) soak --users $(SOAK_USERS) --seconds $(SOAK_SECONDS) --topology $(TOPOLOGY); \
	fi

clean:
	rm -rf $(VENV) db.sqlite3 var/
