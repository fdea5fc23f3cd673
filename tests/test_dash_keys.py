"""A key pasted without its "sk" starts with a dash and looks like an option; it is refused like any key.

``-proj-AbC1…`` (a project key, ``sk-proj-`` and ~150 random characters, minus its "sk"), ``--proj-…``
and ``-AbC1…`` (a legacy ``sk-`` + 48 key) were read as unknown options: the message no longer
echoed them, but they stayed in the cell, ``In``, ``_i`` and the history database. On ``%chatkey``,
``%chat`` and ``%%chat`` they are now refused with the one-line message, the cell is rewritten
without them and every copy of the input is masked. The magics' own options, model names and
organization/project IDs are still accepted.
"""

from __future__ import annotations

import json
import random
import re
import string

import pytest
from IPython.utils.capture import capture_output

from chatwithtech_magic.masking import mask
from tests.support.environment import TEST_KEY

_random = random.Random(20261129)
_ALPHABET = string.ascii_letters + string.digits
PROJECT_BODY = "".join(_random.choices(_ALPHABET + "_-", k=150)).strip("-")
LEGACY_BODY = "".join(_random.choices(_ALPHABET, k=48))
HEX_BODY = "".join(_random.choices("0123456789abcdef", k=32))  # gateways copying the sk- shape

DASH_KEYS = {
    "project key without sk": f"-proj-{PROJECT_BODY}",
    "project key with a second dash": f"--proj-{PROJECT_BODY}",
    "legacy key without sk": f"-{LEGACY_BODY}",
    "hex gateway key without sk": f"-{HEX_BODY}",
}
REFUSED = "Refused: a key typed on the magic's line"
MODEL = "gpt-4.1-mini"


def run(shell, source: str):
    """``source`` run as a notebook cell (kept in history); the result and what the user sees."""
    shell.rl_next_input = None
    with capture_output() as cap:
        result = shell.run_cell(source, store_history=True)
    shown = json.dumps([o.data for o in cap.outputs], ensure_ascii=False) + cap.stdout + cap.stderr
    return result, cap, shown


def input_copies(shell) -> list[str]:
    """Every copy of the cells' text that IPython keeps: In, _i/_ii/_iii/_iN, the history manager and its database."""
    history = shell.history_manager
    copies = list(shell.user_ns["In"])
    copies += [v for k, v in {**shell.user_ns, **shell.user_ns_hidden}.items() if re.fullmatch(r"_i+|_i\d+|_i00", k)]
    copies += [history._i00, history._i, history._ii, history._iii]
    copies += [source for _, _, source in history.get_range(raw=True)]
    copies += [source for _, _, source in history.get_range(raw=False)]
    return [str(c) for c in copies]


def assert_refused_everywhere(shell, result, cap, shown, key: str):
    body = key.lstrip("-")
    assert result.success and result.error_in_exec is None  # an "ok" reply: JupyterLab applies the rewrite
    assert cap.stdout.strip().startswith(REFUSED) and "\n" not in cap.stdout.strip()  # one line
    assert "Traceback" not in shown
    assert body not in shown  # not echoed, not even without its dashes
    assert not any(body in copy for copy in input_copies(shell))
    assert any(mask(key) in copy for copy in shell.user_ns["In"])  # masked, so the user sees what happened
    assert shell.rl_next_input is not None and body not in shell.rl_next_input  # the set_next_input payload


# -- refused on each magic ---------------------------------------------------------------------


@pytest.mark.parametrize("key", DASH_KEYS.values(), ids=DASH_KEYS.keys())
def test_chatkey_set_with_a_dash_led_key_is_refused_and_no_copy_of_the_cell_keeps_it(shell, memory_keyring, key):
    result, cap, shown = run(shell, f"%chatkey set {key}")

    assert_refused_everywhere(shell, result, cap, shown, key)
    assert shell.rl_next_input == "%chatkey set"
    assert memory_keyring.entries == {}


@pytest.mark.parametrize("key", DASH_KEYS.values(), ids=DASH_KEYS.keys())
def test_the_chat_line_magic_with_a_dash_led_key_is_refused_and_sends_nothing(shell, server, api_key, key):
    result, cap, shown = run(shell, f"%chat history {key}")

    assert_refused_everywhere(shell, result, cap, shown, key)
    assert shell.rl_next_input == "%chat history"
    assert server.requests == []


@pytest.mark.parametrize("key", DASH_KEYS.values(), ids=DASH_KEYS.keys())
def test_a_chat_cell_with_a_dash_led_key_on_its_line_is_refused_and_keeps_its_question(shell, server, api_key, key):
    result, cap, shown = run(shell, f"%%chat -m {MODEL} {key} --no-stream\nWhat is 2 + 2?")

    assert_refused_everywhere(shell, result, cap, shown, key)
    assert shell.rl_next_input == f"%%chat -m {MODEL} --no-stream\nWhat is 2 + 2?"
    assert server.requests == []


@pytest.mark.parametrize(
    "line",
    [
        f"set --apikey={LEGACY_BODY}",  # an invented option with the key as its value
        f"set --org=-proj-{PROJECT_BODY}",  # an organization never starts with a dash
        f"status -c gateway -proj-{PROJECT_BODY}",
    ],
    ids=["an invented option's value", "an organization starting with a dash", "after a connection name"],
)
def test_a_key_without_sk_in_any_option_form_on_chatkey_is_refused_without_echo(shell, memory_keyring, line):
    result, cap, shown = run(shell, f"%chatkey {line}")

    assert REFUSED in cap.stdout
    for body in (LEGACY_BODY, PROJECT_BODY):
        assert body not in shown and not any(body in copy for copy in input_copies(shell))
    assert memory_keyring.entries == {}


def test_a_dash_led_key_in_a_cell_built_by_code_is_refused_and_the_code_is_kept(shell, server, api_key):
    cell = f"line = '-m {MODEL} ' + '-proj-' + {PROJECT_BODY!r}\nget_ipython().run_cell_magic('chat', line, 'Hi')"
    result, cap, _ = run(shell, cell)

    assert result.success and REFUSED in cap.stdout
    assert shell.rl_next_input is None  # the user's code is not rewritten
    assert server.requests == []


# -- still accepted ----------------------------------------------------------------------------


@pytest.fixture
def typed_key(monkeypatch):
    """``%chatkey set``'s hidden prompt, answered with the test key."""
    monkeypatch.setattr("getpass.getpass", lambda prompt: TEST_KEY)
    monkeypatch.setattr("builtins.input", lambda prompt: "")


@pytest.mark.parametrize(
    "line, field, value",
    [
        ("set --org org-AbCdEf1234567890xyz", "organization", "org-AbCdEf1234567890xyz"),
        ("set --org=org-AbCdEf1234567890xyz", "organization", "org-AbCdEf1234567890xyz"),
        ("set --project proj_AbCdEf1234567890xyzQ9", "project", "proj_AbCdEf1234567890xyzQ9"),
        ("set --project=proj_AbCdEf1234567890xyzQ9", "project", "proj_AbCdEf1234567890xyzQ9"),
    ],
)
def test_chatkey_set_with_a_long_organization_or_project_id_saves_it(shell, memory_keyring, typed_key, line, field, value):
    result, cap, _ = run(shell, f"%chatkey {line}")

    assert result.success and REFUSED not in cap.stdout
    assert "Saved the key sk-…WXYZ" in cap.stdout
    assert json.loads(memory_keyring.entries[("chatwithtech_magic", "openai")])[field] == value
    assert shell.rl_next_input is None  # the cell is left as typed


def test_chatkey_delete_openai_still_deletes(shell, memory_keyring):
    shell.magics_manager.registry["KeyMagics"].store.save("openai", TEST_KEY)

    result, cap, _ = run(shell, "%chatkey delete openai")

    assert result.success and REFUSED not in cap.stdout
    assert memory_keyring.entries == {}


@pytest.mark.parametrize(
    "line, sent",
    [
        ("--reasoning-effort high", {"reasoning_effort": "high"}),
        ("-m gpt-4.1-mini-2025-04-14", {"model": "gpt-4.1-mini-2025-04-14"}),
        ("--model=gpt-4.1-mini-2025-04-14 --max-tokens 300", {"model": "gpt-4.1-mini-2025-04-14"}),
        ("-mgpt-4.1-mini-2025-04-14 --no-history --no-stream", {"model": "gpt-4.1-mini-2025-04-14"}),
        ('-m gpt-4.1-mini -s "Answer comprehensively, internationalization2026 included"', {"model": MODEL}),
    ],
)
def test_a_chat_cell_with_its_own_options_and_a_dated_model_name_is_sent(shell, server, api_key, line, sent):
    result, cap, _ = run(shell, f"%%chat {line}\nWhat is 2 + 2?")

    assert result.success and REFUSED not in cap.stdout
    [request] = server.chat_requests()
    assert {name: request.body.get(name) for name in sent} == sent
    assert shell.rl_next_input is None


def test_a_mistyped_long_option_is_still_named_as_unknown_not_taken_for_a_key(shell, server, api_key):
    result, cap, _ = run(shell, "%%chat --reasoning-effort-high-2025\nHello")

    assert REFUSED not in cap.stdout
    assert "%%chat has no option --reasoning-effort-high-2025" in cap.stderr
    assert server.requests == []
