"""Test isolation that must exist before any kernel starts (nbval, nbclient, JupyterLab).

At start-up the run gets a loopback OpenAI-protocol server and an environment with no
real key, no real endpoint and no real keychain. Kernels inherit this environment, so
no test can reach the internet or a real account.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile

import pytest

from chatwithtech_magic import clock
from tests.support.environment import OPENAI_VARS, TEST_KEY, Run
from tests.support.nbval_display_updates import install as fold_display_updates_for_nbval
from tests.support.notebook_answers import ANSWERS as NOTEBOOK_ANSWERS
from tests.support.openai_server import OpenAIServer


def pytest_configure(config):
    fold_display_updates_for_nbval()  # a streamed answer is compared as its final render, not its first chunk
    for name in OPENAI_VARS:
        os.environ.pop(name, None)
    os.environ.pop("CHATWITHTECH_CACHE", None)  # a developer's own replay/record mode must not steer the tests
    Run.server = OpenAIServer().start()
    os.environ["OPENAI_BASE_URL"] = Run.server.base_url
    os.environ["PYTHON_KEYRING_BACKEND"] = "tests.support.memory_keyring.MemoryKeyring"
    os.environ["LANG"] = os.environ["LC_ALL"] = "C.UTF-8"
    # One folder for the run's scratch (IPython's profile, the kept price rates), removed at the end.
    Run.scratch = tempfile.mkdtemp(prefix="chatwithtech-tests-")
    os.environ["IPYTHONDIR"] = os.path.join(Run.scratch, "ipython")
    os.environ["XDG_CACHE_HOME"] = os.path.join(Run.scratch, "cache")  # price rates kept (price_rates.py), not in ~/.cache
    # The suite runs on the day the model table describes, whatever the calendar says: retirements,
    # prices in force and replay stamps are then the same on any day (clock.py). Kernels inherit it.
    # A developer may set another instant (CHATWITHTECH_NOW=2028-06-01 pytest ...) to look ahead.
    os.environ.setdefault(clock.ENV, _table_date())
    root = os.path.dirname(os.path.abspath(__file__))
    os.environ["PYTHONPATH"] = os.pathsep.join(p for p in (root, os.environ.get("PYTHONPATH")) if p)


def pytest_unconfigure(config):
    if Run.server is not None:
        Run.server.stop()
    if Run.scratch:
        shutil.rmtree(Run.scratch, ignore_errors=True)


def _table_date() -> str:
    with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "chatwithtech_magic", "model_table.json")) as table:
        return json.load(table)["generated"]


def _is_notebook(item) -> bool:
    return str(getattr(item, "fspath", "")).endswith(".ipynb")


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    # nbval cells take no fixtures: a notebook's kernel gets a test key the way a user's would, from the environment.
    if _is_notebook(item):
        os.environ["OPENAI_API_KEY"] = TEST_KEY
        Run.server.answers = dict(NOTEBOOK_ANSWERS)  # the notebooks' questions get answers that teach something


def pytest_runtest_teardown(item, nextitem):
    if _is_notebook(item) and (nextitem is None or not _is_notebook(nextitem)):
        os.environ.pop("OPENAI_API_KEY", None)
        Run.server.answers = {}
    if _is_notebook(item) and Run.server.spec_violations:  # tests/conftest.py's `server` fixture does this for tests
        violations, Run.server.spec_violations = Run.server.spec_violations, []
        raise AssertionError("request bodies OpenAI's spec refuses:\n" + "\n".join(violations))


def pytest_terminal_summary(terminalreporter):
    from tests.support import spec_check

    stats = spec_check.stats
    if stats["checked"]:
        terminalreporter.write_line(
            f"OpenAI's spec {spec_check.spec_version()} (loaded in {stats['load_seconds']:.2f} s) checked "
            f"{stats['checked']} request bodies; refused {stats['refused']}"
        )
