"""Issue 18, items 11 and 12: a KeyboardInterrupt from someone else's code is a clear line, not a traceback.

A keyring backend raises it when its unlock prompt is cancelled, on every call it makes; a value's
``__str__`` can raise it while ``{name}`` is filled in. Neither may print a traceback, and a cell
whose value could not be read is not sent half-filled.
"""

from __future__ import annotations

import pytest
from IPython.utils.capture import capture_output

from chatwithtech_magic.credentials import DEFAULT_CONNECTION, CredentialStore
from tests.support.memory_keyring import MemoryKeyring


class CancelledUnlock(MemoryKeyring):
    """A keyring whose unlock prompt the user cancels: every call raises KeyboardInterrupt."""

    def get_password(self, service, username):
        raise KeyboardInterrupt

    def set_password(self, service, username, password):
        raise KeyboardInterrupt

    def delete_password(self, service, username):
        raise KeyboardInterrupt


@pytest.fixture
def cancelled_keyring():
    import keyring

    previous = keyring.get_keyring()
    keyring.set_keyring(CancelledUnlock())
    yield
    keyring.set_keyring(previous)


def run(shell, source: str):
    with capture_output() as cap:
        result = shell.run_cell(source, store_history=True)
    return cap, result


def shown(cap) -> str:
    return "\n".join(o.data.get("text/plain", "") for o in cap.outputs) + cap.stdout + cap.stderr


# -- 11. the keyring ------------------------------------------------------------------------------------


def test_a_cancelled_keyring_unlock_on_chat_is_a_panel_and_the_environments_key_still_works(shell, server, api_key, cancelled_keyring):
    cap, result = run(shell, "%%chat -m gpt-4.1-mini\nHello")

    assert result.error_in_exec is None and "Traceback" not in shown(cap)
    assert len(server.chat_requests()) == 1  # the key from OPENAI_API_KEY, as without a keyring


def test_a_cancelled_keyring_unlock_without_another_key_gives_the_missing_key_panel(shell, server, monkeypatch, cancelled_keyring):
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)

    cap, result = run(shell, "%%chat -m gpt-4.1-mini\nHello")

    assert result.error_in_exec is None and "Traceback" not in shown(cap)
    assert "No API key is set" in shown(cap) and server.chat_requests() == []


@pytest.mark.parametrize("command", ["%chatkey status", "%chatkey delete", "%chatkey test"])
def test_chatkey_commands_say_the_unlock_was_cancelled_in_one_line(shell, server, api_key, cancelled_keyring, command):
    cap, result = run(shell, command)

    assert result.error_in_exec is None and "Traceback" not in shown(cap)
    if command == "%chatkey status":
        assert "the keyring's unlock prompt was cancelled" in shown(cap)


def test_every_keyring_call_of_the_store_survives_a_cancelled_unlock(cancelled_keyring):
    store = CredentialStore(environ={})

    assert store.resolve() is None
    saved = store.save(DEFAULT_CONNECTION, "sk-test-0123456789abcdefWXYZ")
    assert not saved.persisted and saved.reason.en == "the keyring's unlock prompt was cancelled"
    assert store.resolve().api_key == "sk-test-0123456789abcdefWXYZ"  # held for this session
    assert store.delete(DEFAULT_CONNECTION).problem == "the keyring's unlock prompt was cancelled"
    assert store.keyring_available().en == "the keyring's unlock prompt was cancelled"
    assert store.keyring_backend().endswith("CancelledUnlock")


# -- 12. a value's __str__ -------------------------------------------------------------------------------


def test_a_value_whose_str_raises_keyboard_interrupt_stops_the_cell_with_one_line(shell, server, api_key):
    run(shell, "class Slow:\n    def __str__(self):\n        raise KeyboardInterrupt\nslow = Slow()\nfine = 1")

    cap, result = run(shell, "%%chat -m gpt-4.1-mini\nLook at {fine} and {slow}")

    assert server.chat_requests() == []  # not sent half-filled
    assert result.error_in_exec is None and "Traceback" not in shown(cap)
    assert cap.stdout.strip() == "Reading the value of {slow} was interrupted (its __str__ raised KeyboardInterrupt). Nothing was sent."


def test_a_data_frame_like_value_interrupted_while_described_stops_the_cell_too(shell, server, api_key):
    run(shell, "class Series:\n    def __str__(self):\n        raise KeyboardInterrupt\nSeries.__module__ = 'pandas.core.series'\ns = Series()")

    cap, _ = run(shell, "%%chat -m gpt-4.1-mini\nDescribe {s}")

    assert server.chat_requests() == [] and "Traceback" not in shown(cap)
    assert "{s} was interrupted" in cap.stdout
