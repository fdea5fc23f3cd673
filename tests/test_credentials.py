"""The key store: session, then keyring, then environment; masked everywhere; headless machines keep working."""

import keyring
import pytest

from chatwithtech_magic.credentials import CredentialStore
from chatwithtech_magic.masking import mask, redact
from tests.support.environment import TEST_KEY


def store(environ=None):
    return CredentialStore(environ={} if environ is None else environ)


def test_a_key_is_masked_to_its_prefix_and_last_four_characters():
    assert mask(TEST_KEY) == "sk-…WXYZ"
    assert TEST_KEY not in mask(TEST_KEY)


def test_key_shaped_strings_in_server_messages_are_masked():
    text = f"Incorrect API key provided: {TEST_KEY}. Also sk-proj-abcdefghijklmnop1234."
    cleaned = redact(text, TEST_KEY)
    assert TEST_KEY not in cleaned and "abcdefghijklmnop1234" not in cleaned
    assert "sk-…WXYZ" in cleaned


def test_a_saved_key_goes_to_the_keyring_under_one_entry_per_connection(memory_keyring):
    outcome = store().save("openai", TEST_KEY, "org-abc")
    assert outcome.persisted
    assert list(memory_keyring.entries) == [("chatwithtech_magic", "openai")]
    found = store().resolve("openai")
    assert (found.api_key, found.organization, found.source) == (TEST_KEY, "org-abc", "keyring")


def test_a_session_key_wins_over_the_keyring_which_wins_over_the_environment(memory_keyring):
    environ = {"OPENAI_API_KEY": "sk-env-key-000000001111"}
    keys = store(environ)
    assert keys.resolve("openai").source == "environment"
    keys.save("openai", "sk-keyring-key-0000002222")
    assert keys.resolve("openai").source == "keyring"
    keys.session["openai"] = {"api_key": "sk-session-key-000003333"}
    assert keys.resolve("openai").source == "session"


def test_the_environment_key_only_serves_the_default_connection(memory_keyring):
    keys = store({"OPENAI_API_KEY": "sk-env-key-000000001111"})
    assert keys.resolve("openai") is not None
    assert keys.resolve("local-gateway") is None


def test_openai_organization_is_honoured_although_the_sdk_ignores_it(memory_keyring):
    keys = store({"OPENAI_API_KEY": TEST_KEY, "OPENAI_ORGANIZATION": "org-from-env"})
    assert keys.resolve("openai").organization == "org-from-env"


def test_without_a_keyring_the_key_is_held_for_this_session_only(fail_keyring):
    keys = store()
    outcome = keys.save("openai", TEST_KEY)
    assert not outcome.persisted and "no keyring backend" in outcome.problem
    assert keys.resolve("openai").source == "session"
    assert TEST_KEY not in outcome.problem


class ExplodingKeyring(keyring.backend.KeyringBackend):
    """A locked or misconfigured backend: every call raises."""

    priority = 1

    def get_password(self, service, username):
        raise RuntimeError("keyring is locked")

    def set_password(self, service, username, password):
        raise RuntimeError("keyring is locked")

    def delete_password(self, service, username):
        raise RuntimeError("keyring is locked")


@pytest.fixture
def locked_keyring():
    previous = keyring.get_keyring()
    keyring.set_keyring(ExplodingKeyring())
    yield
    keyring.set_keyring(previous)


def test_a_locked_keyring_never_crashes_reading_saving_or_deleting(locked_keyring):
    keys = store({"OPENAI_API_KEY": TEST_KEY})
    assert keys.resolve("openai").source == "environment"
    assert not keys.save("openai", "sk-another-key-00004444").persisted
    assert keys.resolve("openai").source == "session"
    assert keys.delete("openai").problem


def test_a_bad_keyring_backend_setting_falls_back_to_this_session(monkeypatch, memory_keyring):
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "no.such.module.Keyring")
    import keyring.core

    previous = keyring.get_keyring()
    try:
        keyring.core.init_backend()
    except Exception:
        pass  # some keyring versions raise here, others on first use; both must be survivable
    try:
        keys = store()
        assert keys.resolve("openai") is None
        keys.save("openai", TEST_KEY)
        assert keys.resolve("openai").api_key == TEST_KEY
    finally:
        keyring.set_keyring(previous)


def test_credentials_never_show_the_key_in_their_repr(memory_keyring):
    keys = store()
    keys.save("openai", TEST_KEY)
    keys.session["other"] = {"api_key": TEST_KEY}
    assert TEST_KEY not in repr(keys.resolve("openai"))
    assert TEST_KEY not in repr(keys)
