"""What the browser tests share: the headless Chromium `make test` installs, and where screenshots go."""

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.db import connections

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SHOTS = Path(__file__).resolve().parents[1] / "test-artifacts" / "screenshots"
# `pytestmark = BROWSER_MARKS` in a browser test module.
BROWSER_MARKS = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="Chromium not installed (/usr/bin/chromium)"),
]


@contextlib.contextmanager
def chromium() -> Iterator:
    """The headless Chromium of one test (Playwright's sync API), closed on exit.

    While Playwright runs, its event loop counts as running in this thread, so Django (asgiref's `Local`) gives
    the test's own queries a database connection of their own, which nothing else closes: it is closed here,
    while Playwright still runs. Left open, it kept PostgreSQL from dropping the test database at the end of the
    run ("being accessed by other users").
    """
    from playwright.sync_api import sync_playwright  # noqa: PLC0415 — only when a browser test runs

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            yield browser
        finally:
            connections.close_all()
            browser.close()
