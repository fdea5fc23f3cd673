"""A base URL with a secret of its own typed on a magic's line is refused like a key.

``%chatkey set --base-url https://user:password@gw/v1`` or ``--base-url=https://gw/v1?api-key=…`` put
the password or gateway key in the cell, ``In``, ``_i`` and the history database. On ``%chatkey``,
``%chat`` and ``%%chat`` such a URL is now refused with one printed line that points at the key form's
Base URL field; the cell is rewritten without it and every copy keeps the URL masked
(``https://…@gw/v1``). A URL without a secret is accepted and stored exactly as before.
"""

from __future__ import annotations

import json

import pytest

from chatwithtech_magic.urls import mask_url
from tests.support.environment import TEST_KEY
from tests.test_dash_keys import input_copies, run

REFUSED = "Refused: a URL with a password or key in it"
KEY_REFUSED = "Refused: a key typed on the magic's line"
MODEL = "gpt-4.1-mini"
PASSWORD = "pW7-horse-battery-staple"
GATEWAY_KEY = "gwKey0123456789zzTop"

USERINFO_URL = f"https://alice:{PASSWORD}@gw.example/v1"
QUERY_URL = f"https://gw.example/v1?api-key={GATEWAY_KEY}&api-version=2024-10-21"

REFUSED_LINES = {
    "a separate value with a password": (f"set --base-url {USERINFO_URL}", PASSWORD, USERINFO_URL),
    "the = form with a key in the query": (f"set --base-url={QUERY_URL}", GATEWAY_KEY, QUERY_URL),
    "a double-quoted value": (f'set --base-url "{USERINFO_URL}"', PASSWORD, USERINFO_URL),
    "a single-quoted = form": (f"set --base-url='{QUERY_URL}'", GATEWAY_KEY, QUERY_URL),
    "an abbreviated option": (f"set --base {QUERY_URL}", GATEWAY_KEY, QUERY_URL),
    "a URL without a scheme": (f"set --base-url gw.example/v1?token={GATEWAY_KEY}", GATEWAY_KEY, f"gw.example/v1?token={GATEWAY_KEY}"),
    "a user name alone (a token)": (f"set --base-url https://{GATEWAY_KEY}@gw.example/v1", GATEWAY_KEY, f"https://{GATEWAY_KEY}@gw.example/v1"),
}


@pytest.fixture
def typed_key(monkeypatch):
    """``%chatkey set``'s hidden prompt, answered with the test key."""
    monkeypatch.setattr("getpass.getpass", lambda prompt: TEST_KEY)
    monkeypatch.setattr("builtins.input", lambda prompt: "")


def assert_refused_everywhere(shell, result, cap, shown, secret: str, url: str):
    assert result.success and result.error_in_exec is None  # an "ok" reply: JupyterLab applies the rewrite
    said = cap.stdout.strip()
    assert said.startswith(REFUSED) and "\n" not in said  # one line
    assert "Base URL" in said and "%chatkey" in said  # where the URL goes instead
    assert "Traceback" not in shown
    assert secret not in shown  # never echoed
    assert not any(secret in copy for copy in input_copies(shell))
    assert any(mask_url(url) in copy for copy in shell.user_ns["In"])  # masked, the rest of the URL readable
    assert shell.rl_next_input is not None and secret not in shell.rl_next_input  # the set_next_input payload


# -- refused -----------------------------------------------------------------------------------


@pytest.mark.parametrize("line, secret, url", REFUSED_LINES.values(), ids=REFUSED_LINES.keys())
def test_chatkey_set_with_a_secret_base_url_is_refused_masked_everywhere_and_nothing_is_stored(shell, memory_keyring, typed_key, line, secret, url):
    result, cap, shown = run(shell, f"%chatkey {line}")

    assert_refused_everywhere(shell, result, cap, shown, secret, url)
    assert shell.rl_next_input == "%chatkey set"  # the option goes with its value
    assert memory_keyring.entries == {}


def test_the_history_database_keeps_the_refused_url_masked_not_its_password(shell, memory_keyring):
    run(shell, f"%chatkey set --base-url {USERINFO_URL}")
    shell.history_manager.writeout_cache()

    rows = shell.history_manager.db.execute("SELECT source, source_raw FROM history").fetchall()
    stored = " ".join(text for row in rows for text in row)
    assert PASSWORD not in stored
    assert "https://…@gw.example/v1" in stored


def test_the_refused_line_keeps_its_other_options_and_the_advice_names_the_connection(shell, memory_keyring):
    result, cap, shown = run(shell, f"%chatkey set -c gateway --org org-AbCdEf1234567890xyz --base-url={QUERY_URL}")

    assert_refused_everywhere(shell, result, cap, shown, GATEWAY_KEY, QUERY_URL)
    assert shell.rl_next_input == "%chatkey set -c gateway --org org-AbCdEf1234567890xyz"
    assert "%chatkey -c gateway" in cap.stdout
    assert memory_keyring.entries == {}


def test_the_chat_line_magic_with_a_secret_base_url_is_refused_and_sends_nothing(shell, server, api_key):
    result, cap, shown = run(shell, f"%chat --base-url {USERINFO_URL}")

    assert_refused_everywhere(shell, result, cap, shown, PASSWORD, USERINFO_URL)
    assert shell.rl_next_input == "%chat"
    assert server.requests == []


def test_a_chat_cell_with_a_secret_url_on_its_line_is_refused_and_keeps_its_question(shell, server, api_key):
    result, cap, shown = run(shell, f'%%chat -m {MODEL} -s "Use {QUERY_URL} for docs" --no-stream\nWhat is 2 + 2?')

    assert_refused_everywhere(shell, result, cap, shown, GATEWAY_KEY, QUERY_URL)
    assert shell.rl_next_input == f'%%chat -m {MODEL} -s "Use for docs" --no-stream\nWhat is 2 + 2?'
    assert server.requests == []


def test_a_key_in_the_query_of_a_url_on_the_line_gets_the_url_advice_and_is_masked(shell, memory_keyring):
    key = "sk-" + "Q" * 40
    result, cap, shown = run(shell, f"%chatkey set --base-url=https://gw.example/v1?api-key={key}")

    assert cap.stdout.startswith(REFUSED)
    assert key not in shown and not any(key in copy for copy in input_copies(shell))
    assert any("https://gw.example/v1?api-key=…" in copy for copy in shell.user_ns["In"])


def test_a_key_and_a_secret_url_on_one_line_are_both_refused_and_masked(shell, memory_keyring):
    key = "sk-" + "R" * 40
    result, cap, shown = run(shell, f"%chatkey set {key} --base-url {USERINFO_URL}")

    assert cap.stdout.startswith(KEY_REFUSED)
    for secret in (key, PASSWORD):
        assert secret not in shown and not any(secret in copy for copy in input_copies(shell))
    assert memory_keyring.entries == {}


def test_the_refusal_is_said_in_chinese_when_the_language_is_chinese(shell, memory_keyring):
    shell.run_line_magic("config", "ChatMagics.language = 'zh'")

    result, cap, shown = run(shell, f"%chatkey set --base-url {USERINFO_URL}")

    said = cap.stdout.strip()
    assert said.startswith("已拒绝") and "基础 URL" in said and "\n" not in said
    assert PASSWORD not in shown


def test_in_a_terminal_the_refusal_points_to_openai_base_url_not_a_form(server):
    from tests.test_terminal import terminal

    [out], [err] = terminal(f"%chatkey set --base-url {USERINFO_URL}")

    assert out.startswith(REFUSED) and "OPENAI_BASE_URL" in out and "Base URL field" not in out
    assert "\n" not in out and PASSWORD not in out + err


# -- still accepted ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "line, stored",
    [
        ("set --base-url http://localhost:11434/v1", "http://localhost:11434/v1"),
        ("set --base-url=https://gw.example/openai?api-version=2024-10-21", "https://gw.example/openai?api-version=2024-10-21"),
        ('set -c gateway --base-url "https://gw.example/v1"', "https://gw.example/v1"),
    ],
)
def test_chatkey_set_with_a_plain_base_url_saves_it_as_typed(shell, memory_keyring, typed_key, line, stored):
    result, cap, _ = run(shell, f"%chatkey {line}")

    assert result.success and REFUSED not in cap.stdout and KEY_REFUSED not in cap.stdout
    assert "Saved the key sk-…WXYZ" in cap.stdout
    [entry] = memory_keyring.entries.values()
    assert json.loads(entry)["base_url"] == stored
    assert shell.rl_next_input is None  # the cell is left as typed


def test_a_chat_cell_with_a_plain_url_in_its_system_prompt_is_sent(shell, server, api_key):
    result, cap, _ = run(shell, f'%%chat -m {MODEL} -s "Docs: http://localhost:8000/docs?page=2" --no-stream\nHi')

    assert result.success and REFUSED not in cap.stdout
    [request] = server.chat_requests()
    assert request.body["messages"][0]["content"] == "Docs: http://localhost:8000/docs?page=2"
    assert shell.rl_next_input is None
