"""Page objects and servers for the browser tests: JupyterLab and Notebook 7 on loopback, driven by
headless Debian Chromium through Playwright. Shared by ``conftest.py`` (the fixtures), the tests and
``scripts/screenshots.py`` (the README's pictures), so the pictures come from the same tooling the tests use.

``JupyterLabServer`` / ``Notebook7Server``: a throwaway server with every Jupyter and IPython dir in a
temp folder. ``LabPage`` / ``Notebook7Page``: drive it via ``window.jupyterapp`` (both frontends are
built from the same JupyterLab components, so one set of helpers serves both; only the URLs differ).
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any, Iterable, Mapping

import pytest

HERE = Path(__file__).resolve().parent
PROJECT_ROOT = HERE.parents[1]  # tests/browser/support.py -> project root
CHROMIUM = Path(os.environ.get("BROWSER_TEST_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
KEYRING_BACKEND = "tests.support.memory_keyring.MemoryKeyring"

# Settings written into JUPYTERLAB_SETTINGS_DIR before the server starts.
SETTINGS_PRESETS: dict[str, dict[str, Any]] = {
    # No news/update popup covering the page (and no request to the internet).
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {
        "fetchNews": "false",
        "checkForUpdates": False,
    },
    # Save widget state into the .ipynb (off by default in JupyterLab): the
    # secret-leak tests need to see what a user's save would write.
    "@jupyter-widgets/jupyterlab-manager/plugin.jupyterlab-settings": {"saveState": True},
    # Only explicit saves: an autosave must not race a test's own save.
    "@jupyterlab/docmanager-extension/plugin.jupyterlab-settings": {"autosave": False},
    # The extension manager would query PyPI.
    "@jupyterlab/extensionmanager-extension/plugin.jupyterlab-settings": {"enabled": False},
}

# Inherited variables that must not reach the server or its kernels.  The server
# lives for the whole session, so a key that happens to be in os.environ when it
# starts (a developer's real key, or a function-scoped test key such as the
# `api_key` fixture or nbval's) would stick to every later kernel: drop it; a
# test that wants a key in the kernel says so in `jupyter_extra_env`.
# Everything else (e.g. the loopback OPENAI_BASE_URL the root conftest exports)
# is inherited.
_DROPPED_ENV = (
    "OPENAI_API_KEY",
    "JUPYTER_PATH",
    "JUPYTER_CONFIG_PATH",
    "JUPYTER_PREFER_ENV_PATH",
    "JUPYTER_PLATFORM_DIRS",
    "JUPYTER_TOKEN",
    "JUPYTER_ALLOW_INSECURE_WRITES",
    "JPY_SESSION_NAME",
    "PYTHONSTARTUP",
    "PYTHONHOME",
    "VIRTUAL_ENV",
    "MPLBACKEND",
)

PYTHON3_KERNELSPEC = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}


# --------------------------------------------------------------------------- helpers


def _truthy_env(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() not in ("", "0", "false", "no")


def _require_chromium() -> None:
    if CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK):
        return
    msg = (
        f"Chromium not found at {CHROMIUM} (set BROWSER_TEST_CHROMIUM or "
        "`apt-get install -y chromium`); the JupyterLab browser tests cannot run"
    )
    if _truthy_env("CI"):
        pytest.fail(msg + " and CI is set, so this is a failure, not a skip.", pytrace=False)
    pytest.skip(msg + ".")


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _pids_mentioning(needle: str) -> list[int]:
    """PIDs whose command line mentions ``needle`` (a unique temp path of ours)."""
    found = []
    me = os.getpid()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == me:
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if needle in cmdline:
            found.append(int(entry.name))
    return found


def notebook_json(cells: Iterable[str | dict[str, Any]]) -> dict[str, Any]:
    """A minimal nbformat-4 notebook with python3 kernelspec metadata.

    ``cells`` are code sources, or full cell dicts (e.g. a markdown cell).
    """
    out = []
    for i, cell in enumerate(cells):
        if isinstance(cell, str):
            cell = {
                "cell_type": "code",
                "execution_count": None,
                "metadata": {},
                "outputs": [],
                "source": cell,
            }
        cell.setdefault("id", f"cell-{i}")
        out.append(cell)
    return {
        "cells": out,
        "metadata": {
            "kernelspec": dict(PYTHON3_KERNELSPEC),
            "language_info": {"name": "python"},
        },
        "nbformat": 4,
        "nbformat_minor": 5,
    }


def output_text(nb: Mapping[str, Any], index: int) -> str:
    """All text of a saved notebook cell's outputs (stream, text/plain, errors)."""
    parts: list[str] = []
    for out in nb["cells"][index].get("outputs", []):
        if out.get("output_type") == "stream":
            parts.append("".join(out["text"]) if isinstance(out["text"], list) else out["text"])
        elif out.get("output_type") == "error":
            parts.append(f"{out['ename']}: {out['evalue']}")
        else:
            text = out.get("data", {}).get("text/plain", "")
            parts.append("".join(text) if isinstance(text, list) else text)
    return "".join(parts)


# --------------------------------------------------------------------------- server


class JupyterLabServer:
    """A JupyterLab server on loopback with every Jupyter/IPython dir in a temp folder."""

    app = "lab"  # `jupyter lab`
    app_options = ("--LabApp.expose_app_in_browser=True",)  # window.jupyterapp, for the page objects

    def __init__(
        self,
        env: Mapping[str, str | None] | None = None,
        *,
        python: str = sys.executable,
        startup_timeout: float = 90.0,
        settings: Mapping[str, Mapping[str, Any]] = SETTINGS_PRESETS,
    ) -> None:
        self.extra_env = dict(env or {})
        self.python = python
        self.startup_timeout = startup_timeout
        self.settings = settings
        self.token = secrets.token_hex(24)
        self.port = 0
        self.base = Path(tempfile.mkdtemp(prefix="cwt-jlab-"))
        self.home = self.base / "home"
        self.root_dir = self.base / "root"
        self.runtime_dir = self.base / "runtime"
        self.settings_dir = self.base / "lab-settings"
        self.log_path = self.base / "jupyterlab.log"
        self.process: subprocess.Popen[bytes] | None = None
        self.env: dict[str, str] = {}

    # -- environment ------------------------------------------------------------
    def _build_env(self) -> dict[str, str]:
        env = {
            k: v
            for k, v in os.environ.items()
            if k not in _DROPPED_ENV
        }
        dirs = {
            "HOME": self.home,
            "JUPYTER_CONFIG_DIR": self.base / "jupyter-config",
            "JUPYTER_DATA_DIR": self.base / "jupyter-data",
            "JUPYTER_RUNTIME_DIR": self.runtime_dir,
            "JUPYTERLAB_SETTINGS_DIR": self.settings_dir,
            "JUPYTERLAB_WORKSPACES_DIR": self.base / "lab-workspaces",
            "IPYTHONDIR": self.base / "ipython",
            "XDG_CONFIG_HOME": self.home / ".config",
            "XDG_DATA_HOME": self.home / ".local" / "share",
            "XDG_CACHE_HOME": self.home / ".cache",
            "XDG_RUNTIME_DIR": self.base / "xdg-runtime",
        }
        for key, path in dirs.items():
            path.mkdir(parents=True, exist_ok=True)
            env[key] = str(path)
        (self.base / "xdg-runtime").chmod(0o700)
        # The venv's bin first, so anything resolving `python`/`jupyter` on PATH
        # agrees with the interpreter running the server.
        env["PATH"] = os.pathsep.join([str(Path(self.python).parent), env.get("PATH", "")])
        env["PYTHONUNBUFFERED"] = "1"
        for key, value in self.extra_env.items():
            if value is None:
                env.pop(key, None)
            elif key == "PYTHONPATH":
                parts = [*str(value).split(os.pathsep), *os.environ.get("PYTHONPATH", "").split(os.pathsep)]
                env[key] = os.pathsep.join(dict.fromkeys(p for p in parts if p))
            else:
                env[key] = str(value)
        return env

    def _write_settings(self) -> None:
        for rel, content in self.settings.items():
            path = self.settings_dir / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(content, indent=2))

    # -- urls ---------------------------------------------------------------------
    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def lab_url(self, path: str = "lab", **query: str) -> str:
        q = "&".join(f"{k}={v}" if v else k for k, v in {**query, "token": self.token}.items())
        return f"{self.url}/{path.lstrip('/')}?{q}"

    def api(self, path: str, method: str = "GET", timeout: float = 5.0) -> Any:
        req = urllib.request.Request(
            f"{self.url}/api/{path.lstrip('/')}",
            method=method,
            headers={"Authorization": f"token {self.token}"},
            data=b"" if method != "GET" else None,
        )
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            body = resp.read()
        return json.loads(body) if body else None

    def log_tail(self, lines: int = 60) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"

    # -- lifecycle ----------------------------------------------------------------
    def start(self) -> "JupyterLabServer":
        self.env = self._build_env()
        self._write_settings()
        self.root_dir.mkdir(parents=True, exist_ok=True)
        for attempt in range(3):
            self.port = _free_port()
            cmd = [
                self.python, "-m", "jupyter", self.app,
                "--no-browser", "--allow-root",
                "--ServerApp.ip=127.0.0.1",
                f"--ServerApp.port={self.port}",
                "--ServerApp.port_retries=0",
                f"--IdentityProvider.token={self.token}",
                f"--ServerApp.root_dir={self.root_dir}",
                *self.app_options,
            ]  # fmt: skip
            log = open(self.log_path, "ab")
            try:
                self.process = subprocess.Popen(
                    cmd,
                    cwd=self.root_dir,
                    env=self.env,
                    stdin=subprocess.DEVNULL,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,  # its own process group, killed as one
                )
            finally:
                log.close()
            if self._wait_ready():
                return self
            exited = self.process.poll() is not None
            self.stop(remove_files=False)
            if not (exited and "already in use" in self.log_tail(20)) or attempt == 2:
                break
        raise RuntimeError(
            f"JupyterLab did not answer {self.url}/api/status within {self.startup_timeout}s.\n"
            f"--- {self.log_path} ---\n{self.log_tail()}"
        )

    def _wait_ready(self) -> bool:
        assert self.process is not None
        deadline = time.monotonic() + self.startup_timeout
        status_url = f"{self.url}/api/status?token={self.token}"
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                return False
            try:
                with urllib.request.urlopen(status_url, timeout=2) as resp:
                    if resp.status == 200:
                        return True
            except (urllib.error.URLError, ConnectionError, OSError):
                pass
            time.sleep(0.1)
        return False

    def stop(self, remove_files: bool | None = None) -> None:
        proc, self.process = self.process, None
        if proc is not None and proc.poll() is None:
            # SIGTERM lets jupyter_server shut its kernels down cleanly.
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                pass
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                pass
        # Kernels run in their own sessions; any survivor still names its
        # connection file, which lives in our unique runtime dir.
        for pid in _pids_mentioning(str(self.runtime_dir)):
            try:
                os.kill(pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
        if remove_files is None:
            remove_files = not _truthy_env("BROWSER_TEST_KEEP")
        if remove_files:
            shutil.rmtree(self.base, ignore_errors=True)

    def __enter__(self) -> "JupyterLabServer":
        try:
            return self.start()
        except BaseException:
            self.stop()
            raise

    def __exit__(self, *exc: object) -> None:
        self.stop()


# --------------------------------------------------------------------------- page helper

# JS: find the notebook panel for a path among the main-area widgets.
_FIND = """
const findPanel = (path) => {
  const app = window.jupyterapp;
  for (const w of Array.from(app.shell.widgets('main'))) {
    if (w.context && w.context.path === path && w.content && w.sessionContext) return w;
  }
  throw new Error('no open notebook for ' + path);
};
const withTimeout = (p, ms, what) => Promise.race([
  p, new Promise((_, rej) => setTimeout(() => rej(new Error('timed out: ' + what)), ms))]);
"""


class LabPage:
    """Drives JupyterLab in a Playwright page via ``window.jupyterapp``."""

    def __init__(self, page: Any, server: JupyterLabServer, timeout_ms: int = 60_000) -> None:
        self.page = page
        self.server = server
        self.timeout_ms = timeout_ms
        self.current: str | None = None  # path of the last opened notebook

    # -- js plumbing --------------------------------------------------------------
    def _js(self, body: str, arg: Any = None) -> Any:
        return self.page.evaluate(f"async (arg) => {{ {_FIND} {body} }}", arg)

    def _path(self, path: str | None) -> str:
        path = path or self.current
        if path is None:
            raise ValueError("no notebook opened yet; call open_notebook() first")
        return path

    # -- app ----------------------------------------------------------------------
    def goto_lab(self) -> None:
        """Log in with the token and wait until JupyterLab is restored (workspace reset)."""
        self.page.goto(self.server.lab_url("lab", reset=""), wait_until="domcontentloaded")
        self.page.wait_for_function(
            "() => window.jupyterapp && window.jupyterapp.shell", timeout=self.timeout_ms
        )
        self._js("await withTimeout(window.jupyterapp.restored, arg, 'app restored');", self.timeout_ms)

    def execute(self, command: str, args: Mapping[str, Any] | None = None) -> Any:
        """``jupyterapp.commands.execute(command, args)``; returns a JSON-able result or None."""
        return self._js(
            """
            const r = await withTimeout(window.jupyterapp.commands.execute(arg.command, arg.args),
                                        arg.ms, arg.command);
            return (r === undefined || typeof r === 'object') ? null : r;
            """,
            {"command": command, "args": dict(args or {}), "ms": self.timeout_ms},
        )

    # -- notebooks ----------------------------------------------------------------
    def write_notebook(self, path: str, cells: Iterable[str | dict[str, Any]]) -> Path:
        """Write a python3 notebook (sources or cell dicts) into the server's root dir."""
        target = self.server.root_dir / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps(notebook_json(cells), indent=1))
        return target

    def read_notebook(self, path: str | None = None) -> dict[str, Any]:
        """The notebook as saved on disk (parsed JSON)."""
        return json.loads((self.server.root_dir / self._path(path)).read_text())

    @staticmethod
    def output_text(nb: Mapping[str, Any], index: int) -> str:
        """Text of cell ``index``'s outputs in a notebook dict (e.g. from read_notebook)."""
        return output_text(nb, index)

    def read_notebook_text(self, path: str | None = None) -> str:
        """The raw saved .ipynb text (for "is this secret anywhere in the file" checks)."""
        return (self.server.root_dir / self._path(path)).read_text()

    def open_notebook(self, path: str) -> None:
        """Open ``path`` (relative to root_dir), wait for its kernel to be idle."""
        self._js(
            """
            const app = window.jupyterapp;
            const w = await withTimeout(
              app.commands.execute('docmanager:open', {path: arg.path, factory: 'Notebook'}),
              arg.ms, 'open ' + arg.path);
            await withTimeout(w.context.ready, arg.ms, 'context ready');
            await withTimeout(w.sessionContext.ready, arg.ms, 'session ready');
            app.shell.activateById(w.id);
            """,
            {"path": path, "ms": self.timeout_ms},
        )
        self.current = path
        self.wait_kernel_idle(path)
        self.page.locator(".jp-Notebook .jp-Cell").first.wait_for(timeout=self.timeout_ms)

    def activate(self, path: str | None = None) -> None:
        self._js("window.jupyterapp.shell.activateById(findPanel(arg).id);", self._path(path))

    def wait_kernel_idle(self, path: str | None = None) -> None:
        """Wait until the notebook's kernel exists, is connected and idle."""
        self.page.wait_for_function(
            f"""(path) => {{ {_FIND}
              try {{
                const s = findPanel(path).sessionContext;
                const k = s.session && s.session.kernel;
                return !!k && k.connectionStatus === 'connected' && k.status === 'idle';
              }} catch (e) {{ return false; }}
            }}""",
            arg=self._path(path),
            timeout=self.timeout_ms,
            polling=100,
        )

    def run_all(self, path: str | None = None) -> bool:
        """Run all cells; returns when every execution replied (True if all succeeded)."""
        self.activate(path)
        ok = self.execute("notebook:run-all-cells")
        self.wait_kernel_idle(path)
        return bool(ok)

    def run_cell(self, index: int, path: str | None = None) -> bool:
        """Run cell ``index`` only (selection stays on it); waits for its reply."""
        path = self._path(path)
        self._js(
            """
            const w = findPanel(arg.path);
            window.jupyterapp.shell.activateById(w.id);
            w.content.activeCellIndex = arg.index;
            w.content.deselectAll();
            """,
            {"path": path, "index": index},
        )
        ok = self.execute("notebook:run-cell")
        self.wait_kernel_idle(path)
        return bool(ok)

    def cell_outputs(self, index: int, path: str | None = None) -> list[dict[str, Any]]:
        """The live (unsaved) outputs of a cell, as nbformat dicts."""
        return self._js(
            "return findPanel(arg.path).content.widgets[arg.index].model.outputs.toJSON();",
            {"path": self._path(path), "index": index},
        )

    def cell_output_text(self, index: int, path: str | None = None) -> str:
        return output_text({"cells": [{"outputs": self.cell_outputs(index, path)}]}, 0)

    def cell_locator(self, index: int) -> Any:
        """Locator for the ``index``-th cell of the current notebook panel."""
        return self.page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook .jp-Cell").nth(index)

    def save(self, path: str | None = None) -> None:
        """``docmanager:save`` on the notebook; waits until it is no longer dirty."""
        path = self._path(path)
        self.activate(path)
        self.execute("docmanager:save")
        self.page.wait_for_function(
            f"(path) => {{ {_FIND} return !findPanel(path).context.model.dirty; }}",
            arg=path,
            timeout=self.timeout_ms,
            polling=100,
        )

    def screenshot(self, path: str | os.PathLike[str], full_page: bool = True) -> Path:
        target = Path(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(target), full_page=full_page)
        return target


    # -- closing and reopening (what a saved notebook shows later) -----------------
    def shutdown_kernels(self) -> None:
        """Shut down the kernel of every open notebook (the page stays)."""
        self._js(
            """
            for (const w of Array.from(window.jupyterapp.shell.widgets('main')))
              if (w.sessionContext)
                await withTimeout(w.sessionContext.shutdown(), 10000, 'shutdown').catch(() => {});
            """
        )

    def end_sessions(self, path: str) -> None:
        """Make sure the server keeps no session (and so no kernel) for ``path``: reopening must start afresh."""
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            sessions = [s for s in self.server.api("sessions") if s.get("path") == path]
            if not sessions:
                return
            for session in sessions:
                try:
                    self.server.api(f"sessions/{session['id']}", method="DELETE", timeout=20)
                except urllib.error.HTTPError:  # already gone
                    pass
            time.sleep(0.2)
        raise RuntimeError(f"the server still has a session for {path}")

    def rewrite_saved(self, change, path: str | None = None) -> None:
        """Edit the saved file (``change(nb)`` mutates the dict) and sign it again, as the frontend's own save
        would: an unsigned notebook is opened untrusted, and then frontends show the safe HTML/text
        fallbacks instead of widgets, which is not what a user who saved it sees."""
        target = self.server.root_dir / self._path(path)
        nb = json.loads(target.read_text())
        change(nb)
        target.write_text(json.dumps(nb, indent=1))
        subprocess.run(
            [self.server.python, "-m", "jupyter", "trust", str(target)],
            env=self.server.env, check=True, capture_output=True, timeout=60,
        )

    def forget_widget_state(self, path: str | None = None) -> None:
        """Drop saved widget state from the file, as a save with the frontends' default settings leaves it."""
        self.rewrite_saved(lambda nb: nb["metadata"].pop("widgets", None), path)

    def reopen(self, path: str | None = None, kernel: bool = True) -> None:
        """Shut the kernel down, reload the app and open ``path`` again: with a fresh kernel, or with none
        (the notebook names a kernel that doesn't exist here, so the frontend asks, and "No Kernel" is chosen)."""
        path = self._path(path)
        self.shutdown_kernels()
        # Leave the app before touching the file: an open document could save over it or start a session again.
        self.page.goto("about:blank")
        self.end_sessions(path)
        if not kernel:
            def no_such_kernel(nb):
                nb["metadata"]["kernelspec"] = {"name": "no-such-kernel", "display_name": "Gone", "language": "python"}
                nb["metadata"].pop("language_info", None)  # else a frontend may pick a kernel by language

            self.rewrite_saved(no_such_kernel, path)
        self.goto_lab()
        if kernel:
            self.open_notebook(path)
            return
        self._start_open(path)
        dialog = self.page.locator(".jp-Dialog")  # "Select Kernel"; the toolbar has a "No Kernel" button too
        dialog.get_by_role("button", name="No Kernel", exact=True).click(timeout=self.timeout_ms)
        self.current = path
        self.page.locator(".jp-Notebook .jp-Cell").first.wait_for(timeout=self.timeout_ms)

    def _start_open(self, path: str) -> None:
        self._js(
            """
            window.jupyterapp.commands.execute('docmanager:open', {path: arg, factory: 'Notebook'});
            """,
            path,
        )

    def shown_text(self, index: int) -> str:
        """What the cell's output area shows on screen (rendered text, as a reader sees it)."""
        return self.cell_locator(index).locator(".jp-OutputArea").inner_text()


class Notebook7Server(JupyterLabServer):
    """A Notebook 7 server (`jupyter notebook`): the same components as JupyterLab, one document per page."""

    app = "notebook"
    app_options = ("--JupyterNotebookApp.expose_app_in_browser=True",)


class Notebook7Page(LabPage):
    """Drives Notebook 7: each notebook is its own page (``/notebooks/PATH``), so opening one navigates there."""

    def goto_lab(self) -> None:
        self.page.goto(self.server.lab_url("tree"), wait_until="domcontentloaded")
        self._wait_app()

    def _wait_app(self) -> None:
        self.page.wait_for_function("() => window.jupyterapp && window.jupyterapp.shell", timeout=self.timeout_ms)
        self._js("await withTimeout(window.jupyterapp.restored, arg, 'app restored');", self.timeout_ms)

    def _start_open(self, path: str) -> None:
        self.page.goto(self.server.lab_url(f"notebooks/{path}"), wait_until="domcontentloaded")
        self._wait_app()

    def open_notebook(self, path: str) -> None:
        self._start_open(path)
        self.page.wait_for_function(
            f"(path) => {{ {_FIND} try {{ return !!findPanel(path); }} catch (e) {{ return false; }} }}",
            arg=path, timeout=self.timeout_ms, polling=100,
        )
        self._js(
            """
            const w = findPanel(arg.path);
            await withTimeout(w.context.ready, arg.ms, 'context ready');
            await withTimeout(w.sessionContext.ready, arg.ms, 'session ready');
            """,
            {"path": path, "ms": self.timeout_ms},
        )
        self.current = path
        self.wait_kernel_idle(path)
        self.page.locator(".jp-Notebook .jp-Cell").first.wait_for(timeout=self.timeout_ms)


# --------------------------------------------------------------------------- the product's widgets, as a user drives them

WAIT_MS = 15_000


def new_key(kind: str = "test") -> str:
    """A fresh test key, 48 characters: never seen before, so a leak can't be a coincidence."""
    return f"sk-browser-{kind}-" + secrets.token_hex(16)


def masked(key: str) -> str:
    return f"sk-…{key[-4:]}"


def button(scope, name: str):
    """The ipywidgets button labelled exactly ``name``.

    A button with an ``icon`` has the Font Awesome glyph (a private-use character from
    the ``::before`` rule) at the start of its accessible name, e.g. "\\uf00c Save & test";
    the label itself must still match whole.
    """
    return scope.get_by_role("button", name=re.compile(r"^[\ue000-\uf8ff]?\s*" + re.escape(name) + "$"))


def key_form(scope):
    from playwright.sync_api import expect

    form = scope.locator(".chatwithtech-key-form")
    expect(form).to_be_visible(timeout=WAIT_MS)
    return form


def type_key_and_save(form, key: str, organization: str | None = None):
    """Type ``key`` (real key presses) into the form's Password field and press "Save & test"."""
    from playwright.sync_api import expect

    password = form.get_by_label("API key", exact=True)
    expect(password).to_have_attribute("type", "password")
    for label in ("API key", "Organization ID", "Project ID"):
        expect(form.get_by_label(label, exact=True), f"the form's {label!r} field is hidden").to_be_visible()
    expect(form.get_by_label("Base URL", exact=True)).to_be_hidden()  # provider "OpenAI": no base URL
    password.click()
    password.press_sequentially(key)
    expect(password).to_have_value(key)
    if organization is not None:
        form.get_by_label("Organization ID", exact=True).fill(organization)
    button(form, "Save & test").click()
    # Save reads the field and empties it first thing, so it never lingers in widget state.
    expect(password).to_have_value("", timeout=WAIT_MS)
    return password


def input_values(page) -> list[str]:
    """What every <input> on the page currently holds (a typed value is not in page.content())."""
    return page.evaluate("() => Array.from(document.querySelectorAll('input')).map(i => i.value)")
