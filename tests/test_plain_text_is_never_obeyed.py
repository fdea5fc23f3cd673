"""Issue 18, item 4: every ``text/plain`` the package publishes shows escape sequences, never carries them.

``jupyter console`` prints an output's ``text/plain``, and so does ``cat`` of a saved output: an ESC
or an OSC 52 (a clipboard write) in a model's name from ``/models``, an answer or a server's message
would be obeyed there, not only in terminal IPython. Checked on every output of a notebook shell.
"""

from __future__ import annotations

import json

from chatwithtech_magic.defaults import DEFAULT_MODEL
from tests.support.magics import chat, chat_line
from tests.support.openai_server import Reply, bad_request, model_not_found

CLIPBOARD = "\x1b]52;c;cHduZWQ=\x07"
HOSTILE_NAME = f"llama-3{CLIPBOARD}-chat"


def plain_texts(cap) -> list[str]:
    return [o.data["text/plain"] for o in cap.outputs if "text/plain" in o.data] + [cap.stdout, cap.stderr]


def assert_nothing_obeyable(cap) -> str:
    shown = "\n".join(plain_texts(cap))
    assert "\x1b" not in shown and "\x07" not in shown, shown
    return shown


def test_a_model_name_from_models_is_shown_as_symbols_in_the_model_list(shell, server, api_key):
    server.models = ["gpt-4.1-mini", HOSTILE_NAME]

    cap = chat_line(shell, "models")

    assert "llama-3␛]52;c;cHduZWQ=␇-chat" in assert_nothing_obeyable(cap)


def test_the_default_models_fallback_note_shows_a_hostile_name_as_symbols(shell, server, api_key):
    server.models = [HOSTILE_NAME]
    server.script(model_not_found(DEFAULT_MODEL), Reply("Hi from the fallback."))

    cap = chat(shell, "", "Hello")

    shown = assert_nothing_obeyable(cap)
    assert "answered with llama-3␛]52;c;cHduZWQ=␇-chat" in shown and "Hi from the fallback." in shown


def test_an_answer_its_model_name_and_a_servers_message_are_symbols_in_every_plain_output(shell, server, api_key):
    server.script(
        Reply(f"Hi {CLIPBOARD}there \x1b[2J", model=f"evil{CLIPBOARD}"),
        bad_request(f"Refused {CLIPBOARD} here"),
    )

    answered = chat(shell, "-m gpt-4.1-mini", "Hi")
    refused = chat(shell, "-m gpt-4.1-mini", "Again")
    history = chat_line(shell, "history")
    details = chat_line(shell, "error")

    assert "Hi ␛]52;c;cHduZWQ=␇there ␛[2J" in assert_nothing_obeyable(answered)
    assert "Refused ␛]52;c;cHduZWQ=␇ here" in assert_nothing_obeyable(refused)
    assert_nothing_obeyable(history)
    assert_nothing_obeyable(details)


def test_plain_text_answers_keep_their_line_breaks_and_tabs(shell, server, api_key):
    server.script(Reply("one\r\ntwo\n\tthree"))

    cap = chat(shell, "-m gpt-4.1-mini -f text", "Hi")

    assert cap.outputs[-1].data["text/plain"].startswith("one\ntwo\n\tthree")
    assert json.dumps(cap.outputs[-1].data).count("\\u241b") == 0  # nothing to show as a symbol here
