"""Browser tests: Playwright (pytest-playwright's sync `page`) driving Debian's Chromium.

Every test here is marked `browser` (deselect with `-m "not browser"`). Tests reach the app through
pytest-django's `live_server` (the `base_url` of every page, see below); its mere presence in a
test's fixture closure makes pytest-django use `transactional_db`, even for the shared fixtures
that ask for `db`, so the users they create are committed and visible to the server thread, and
flushed afterwards.
"""

import os
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",  # we run as root
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
HERE = Path(__file__).resolve().parent


@pytest.hookimpl(tryfirst=True)  # before `-m` deselection looks at the marks
def pytest_collection_modifyitems(config, items):
    """Mark every test collected from tests/browser as `browser`."""
    for item in items:
        if HERE in Path(str(item.path)).resolve().parents:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def playwright(playwright):
    """Playwright, with Django's async-safety check off from the moment it starts.

    Between its calls, Playwright's sync API marks its asyncio loop as running in this thread, and
    keeps it so until it stops at the end of the session: Django then refuses every ORM call made
    from the test thread (fixtures, assertions, flushes; in later tests too) with
    SynchronousOnlyOperation, unless DJANGO_ALLOW_ASYNC_UNSAFE is set. It is set here rather than
    at import, so that runs which collect but do not run browser tests (`-m "not browser"`) keep
    the check and do not pass the variable on to subprocesses.
    """
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    return playwright


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """The plugin's launch options (--headed, --slowmo ...) plus Debian's Chromium.

    `playwright install` cannot download a browser here, so always use the system one.
    """
    args = [*browser_type_launch_args.get("args", []), *CHROMIUM_ARGS]
    return {
        "headless": True,
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": args,
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    """A fixed, tablet-ish viewport and English UI, so pages and screenshots are reproducible."""
    return {
        **browser_context_args,
        "viewport": {"width": 1280, "height": 800},
        "locale": "en-GB",
        "timezone_id": "UTC",
    }


@pytest.fixture
def page(page):
    """pytest-playwright's page, failing the test on any uncaught JavaScript error."""
    errors = []
    page.on("pageerror", lambda error: errors.append(error))
    yield page
    assert not errors, f"JavaScript errors on the page: {errors}"


@pytest.fixture(scope="session")
def base_url(live_server):
    """The live server's address, so `page.goto("/")` and `to_have_url("/")` take paths.

    pytest-django's `live_server` is session-scoped, like `base_url`; every test using `page` thus
    has `live_server` in its fixture closure, which makes its database access transactional. This
    also replaces pytest-playwright's own `base_url` (a `--base-url` option, of no use against a
    server on a random port), whose method-style fixture pytest 9 deprecates with a warning.
    """
    return live_server.url
