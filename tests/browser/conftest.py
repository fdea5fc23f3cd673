"""Browser-test harness: a throwaway JupyterLab server driven by headless Chromium.

Fixtures
--------
``jupyter_extra_env`` (session) -> ``dict[str, str | None]``
    Extra environment variables for the JupyterLab server *and every kernel it
    starts* (kernels inherit the server's environment).  The default is ``{}``.
    It is registered as a *global* (least specific) fixture, so any conftest may
    override it, e.g. in ``tests/conftest.py``::

        @pytest.fixture(scope="session")
        def jupyter_extra_env(fake_openai_server):
            return {"OPENAI_BASE_URL": fake_openai_server.url,
                    "OPENAI_API_KEY": None}        # None = remove the variable

    (Keep it session scoped: the server is started once per session.)
``jupyter_env`` (session) -> ``dict[str, str | None]``
    Everything the harness adds to the inherited environment:
    ``PYTHON_KEYRING_BACKEND=tests.support.memory_keyring.MemoryKeyring``,
    ``PYTHONPATH=<project root>`` plus ``jupyter_extra_env`` (which wins).
    Also global, so a project conftest may override it wholesale.
``jupyterlab`` (session) -> :class:`JupyterLabServer`
    The running server: ``.url``, ``.token``, ``.root_dir``, ``.log_path``,
    ``.env`` (the full environment it and its kernels got), ``.log_tail()``.
    A module that needs a differently configured server can override it::

        @pytest.fixture(scope="module")
        def jupyterlab(jupyter_env, jupyterlab_server_factory):
            with jupyterlab_server_factory({**jupyter_env, "FOO": "1"}) as server:
                yield server
``jupyterlab_server_factory`` (session) -> the :class:`JupyterLabServer` class.
``browser`` (session) -> Playwright ``Browser`` (headless /usr/bin/chromium).
``lab_page`` (function) -> :class:`LabPage`
    A fresh browser context logged in to JupyterLab with the app fully
    restored.  See the class for helpers (``write_notebook``, ``open_notebook``,
    ``run_all``, ``run_cell``, ``wait_kernel_idle``, ``save``, ``read_notebook``,
    ``read_notebook_text``, ``output_text``, ``cell_output_text``, ``cell_locator``,
    ``execute``, ``screenshot``).  ``lab_page.page`` is the raw
    Playwright page.  On a test failure a screenshot and the server log tail
    are written next to the test's ``tmp_path`` and printed.

Chromium: ``/usr/bin/chromium`` (override with ``BROWSER_TEST_CHROMIUM``).  If
it is missing, browser tests are skipped with a reason, or fail (setup error
with a clear message) when the ``CI`` environment variable is set (any value
except empty/0/false/no).

Environment: the server (and so every kernel) inherits the pytest process's
environment -- including what the project's root conftest exports, such as the
loopback ``OPENAI_BASE_URL`` -- except ``OPENAI_API_KEY`` (a session-long server
must not pick up whatever key happens to be set when it starts; put one in
``jupyter_extra_env`` if a test wants it) and ``JUPYTER_PATH``-style variables.
HOME, XDG_*, IPYTHONDIR and all Jupyter dirs point into a temp folder that is
removed on teardown (set ``BROWSER_TEST_KEEP=1`` to keep it).

``notebook7`` (session) / ``notebook7_page`` (function): the same for Notebook 7 (``jupyter notebook``);
``notebook7_page`` has ``lab_page``'s helpers, plus ``reopen(kernel=True|False)``, ``forget_widget_state()``
and ``shown_text(i)`` (both pages have them) to read what a saved notebook shows when opened again.

Page objects, servers and helpers live in ``tests/browser/support.py`` (shared by both frontends and by
``scripts/screenshots.py``); they are re-exported here, so ``lab_page`` and the names above keep working.
"""

from __future__ import annotations

import contextlib
import types
from pathlib import Path
from typing import Any, Iterator, Mapping

import pytest

from tests.browser.support import (  # noqa: F401  -- re-exported: the fixture API stays where it was
    CHROMIUM,
    CHROMIUM_ARGS,
    HERE,
    KEYRING_BACKEND,
    PROJECT_ROOT,
    PYTHON3_KERNELSPEC,
    SETTINGS_PRESETS,
    JupyterLabServer,
    LabPage,
    Notebook7Page,
    Notebook7Server,
    _require_chromium,
    _truthy_env,
    notebook_json,
    output_text,
)

# --------------------------------------------------------------------------- fixtures


def _default_fixtures() -> types.ModuleType:
    """Overridable defaults, registered as a plugin so they are the *least* specific
    definitions: a conftest anywhere above a test (e.g. tests/conftest.py) wins."""
    mod = types.ModuleType("chatwithtech_browser_defaults")

    @pytest.fixture(scope="session")
    def jupyter_extra_env() -> dict[str, str | None]:
        """Extra env vars for the JupyterLab server and its kernels (None removes one).
        Override (session scope) in tests/conftest.py, e.g. OPENAI_BASE_URL."""
        return {}

    @pytest.fixture(scope="session")
    def jupyter_env(jupyter_extra_env: Mapping[str, str | None]) -> dict[str, str | None]:
        """Env additions for the JupyterLab server and its kernels: in-memory keyring,
        project root on PYTHONPATH, then jupyter_extra_env."""
        env: dict[str, str | None] = {
            "PYTHON_KEYRING_BACKEND": KEYRING_BACKEND,
            "PYTHONPATH": str(PROJECT_ROOT),
        }
        env.update(jupyter_extra_env)
        return env

    mod.jupyter_extra_env = jupyter_extra_env
    mod.jupyter_env = jupyter_env
    return mod


def pytest_configure(config: pytest.Config) -> None:
    if not any(m.split(":")[0].strip() == "browser" for m in config.getini("markers")):
        config.addinivalue_line("markers", "browser: needs headless Chromium and a JupyterLab server")
    name = "chatwithtech-browser-defaults"
    if not config.pluginmanager.has_plugin(name):
        config.pluginmanager.register(_default_fixtures(), name)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if HERE in Path(str(item.path)).resolve().parents:
            item.add_marker(pytest.mark.browser)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    report = yield
    setattr(item, f"_browser_rep_{report.when}", report)
    return report


@pytest.fixture(autouse=True)
def _chromium_available() -> None:
    """Skip (or, with CI set, fail) every test here if Chromium is missing."""
    _require_chromium()


@pytest.fixture(scope="session")
def jupyterlab_server_factory() -> type[JupyterLabServer]:
    """The :class:`JupyterLabServer` class, for modules that need their own server
    (test modules should not ``import conftest``: the module name is ambiguous)."""
    return JupyterLabServer


@pytest.fixture(scope="session")
def jupyterlab(jupyter_env: Mapping[str, str | None]) -> Iterator[JupyterLabServer]:
    """A JupyterLab server for the session (kernels inherit ``jupyter_env``)."""
    _require_chromium()  # no point starting a server nobody can look at
    with JupyterLabServer(jupyter_env) as server:
        yield server


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Headless Debian Chromium via Playwright (no downloaded browsers)."""
    _require_chromium()
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as exc:
        if _truthy_env("CI"):
            pytest.fail(f"playwright is not importable: {exc}", pytrace=False)
        pytest.skip(f"playwright is not importable: {exc}")
    pw = sync_playwright().start()
    try:
        browser = pw.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield browser
        finally:
            browser.close()
    finally:
        pw.stop()


@contextlib.contextmanager
def _page(page_class, browser: Any, server: JupyterLabServer, request: pytest.FixtureRequest, tmp_path: Path):
    """A fresh, logged-in page (own browser context); on failure, a screenshot, the console and the server log."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    context.set_default_timeout(30_000)
    page = context.new_page()
    console: list[str] = []
    page.on("console", lambda m: console.append(f"[{m.type}] {m.text}"))
    page.on("pageerror", lambda e: console.append(f"[pageerror] {e}"))
    lab = page_class(page, server)
    try:
        lab.goto_lab()
        yield lab
    finally:
        failed = any(
            getattr(getattr(request.node, f"_browser_rep_{w}", None), "failed", False)
            for w in ("setup", "call")
        )
        if failed:
            try:
                shot = lab.screenshot(tmp_path / "failure.png")
                print(f"\nscreenshot: {shot}")
            except Exception as exc:  # the page may be gone
                print(f"\n(no screenshot: {exc})")
            print("--- browser console (last 40) ---\n" + "\n".join(console[-40:]))
            print(f"--- server log tail ({server.log_path}) ---\n{server.log_tail()}")
        try:
            lab.shutdown_kernels()
        except Exception:
            pass
        context.close()


@pytest.fixture
def lab_page(
    browser: Any, jupyterlab: JupyterLabServer, request: pytest.FixtureRequest, tmp_path: Path
) -> Iterator[LabPage]:
    """A fresh, logged-in JupyterLab page (own browser context) for one test."""
    with _page(LabPage, browser, jupyterlab, request, tmp_path) as lab:
        yield lab


@pytest.fixture(scope="session")
def notebook7(jupyter_env: Mapping[str, str | None]) -> Iterator[Notebook7Server]:
    """A Notebook 7 server (`jupyter notebook`) for the session, configured like ``jupyterlab``."""
    _require_chromium()
    with Notebook7Server(jupyter_env) as server:
        yield server


@pytest.fixture
def notebook7_page(
    browser: Any, notebook7: Notebook7Server, request: pytest.FixtureRequest, tmp_path: Path
) -> Iterator[Notebook7Page]:
    """A fresh, logged-in Notebook 7 page: the same helpers as ``lab_page``."""
    with _page(Notebook7Page, browser, notebook7, request, tmp_path) as page:
        yield page
