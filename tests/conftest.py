"""Fixtures: a loopback OpenAI-protocol server, an in-memory keyring, an IPython shell.

Every test runs with the OpenAI environment pointed at the loopback server, so no
test can reach the internet or a real account, and no real keychain is touched.
"""

from __future__ import annotations

import datetime
import os

import pytest

from chatwithtech_magic import clock
from tests.support.environment import TEST_KEY, Run
from tests.support.memory_keyring import MemoryKeyring


@pytest.fixture(scope="session")
def openai_server():
    """The run's loopback server, started by the root conftest before any kernel."""
    return Run.server


@pytest.fixture(autouse=True)
def server(openai_server):
    """The loopback server, reset to its defaults before each test.

    A test fails when anything it sent was refused by OpenAI's official spec (the server also
    answered it with the API's 400): the package must never send a body the real API refuses.
    """
    openai_server.reset()
    yield openai_server
    violations = list(openai_server.spec_violations)
    openai_server.reset()
    assert not violations, "request bodies OpenAI's spec refuses:\n" + "\n".join(violations)


@pytest.fixture
def far_ahead(monkeypatch) -> datetime.date:
    """The clock 400 days past the run's (the model table's day; root conftest), for this process and the
    kernels it starts: every shutdown date in the table has passed, so a date that passes can't break a test."""
    day = clock.today() + datetime.timedelta(days=400)
    monkeypatch.setenv(clock.ENV, day.isoformat())
    assert clock.today() == day
    return day


@pytest.fixture
def memory_keyring():
    import keyring

    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


@pytest.fixture
def fail_keyring():
    """A headless machine: every keyring call raises NoKeyringError."""
    import keyring
    from keyring.backends import fail

    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    yield
    keyring.set_keyring(previous)


@pytest.fixture
def api_key(monkeypatch):
    """A test key in OPENAI_API_KEY, as a user with the variable set would have."""
    monkeypatch.setenv("OPENAI_API_KEY", TEST_KEY)
    return TEST_KEY


@pytest.fixture
def shell(memory_keyring):
    """An IPython shell with the extension loaded, fast retries and an in-memory history."""
    from IPython.core.interactiveshell import InteractiveShell
    from traitlets.config import Config

    config = Config()
    config.HistoryManager.hist_file = ":memory:"
    InteractiveShell.clear_instance()
    ip = InteractiveShell.instance(config=config)
    ip.run_line_magic("load_ext", "chatwithtech_magic")
    ip.run_line_magic("config", "ChatMagics.retry_initial_delay = 0.01")
    ip.run_line_magic("config", "ChatMagics.render_interval = 0")
    yield ip
    ip.run_line_magic("unload_ext", "chatwithtech_magic")
    import atexit

    atexit.unregister(ip.atexit_operations)  # each shell's exit hook would run a full GC when pytest exits
    InteractiveShell.clear_instance()
