"""Conversation memory across ``%%chat`` cells: window memory, --new, --no-history, reset, history."""

from __future__ import annotations

import logging

import pytest

from tests.support.magics import chat
from tests.support.magics import chat_line as line
from tests.support.openai_server import Reply, StreamDrop, StreamError


def sent_messages(server, index: int = -1) -> list[dict]:
    return server.chat_requests()[index].body["messages"]


def exchanges(messages: list[dict]) -> list[tuple[str, str]]:
    """(question, answer) pairs sent as history, without the system prompt and the new question."""
    pairs = [m for m in messages if m["role"] != "system"][:-1]
    return [(q["content"], a["content"]) for q, a in zip(pairs[::2], pairs[1::2])]


def ask_numbered(shell, server, count: int, line_: str = "") -> None:
    for n in range(1, count + 1):
        server.script(Reply(f"answer {n}"))
        chat(shell, line_, f"question {n}")


def windows(shell):
    return shell.magics_manager.registry["ChatMagics"].window


def test_earlier_exchanges_are_sent_with_each_new_question(shell, server, api_key):
    ask_numbered(shell, server, 2)
    chat(shell, "", "question 3")

    assert sent_messages(server) == [
        {"role": "user", "content": "question 1"},
        {"role": "assistant", "content": "answer 1"},
        {"role": "user", "content": "question 2"},
        {"role": "assistant", "content": "answer 2"},
        {"role": "user", "content": "question 3"},
    ]
    assert sent_messages(server, 0) == [{"role": "user", "content": "question 1"}]


def test_window_memory_sends_only_the_last_four_exchanges_by_default(shell, server, api_key):
    ask_numbered(shell, server, 6)
    chat(shell, "", "question 7")

    assert exchanges(sent_messages(server)) == [(f"question {n}", f"answer {n}") for n in (3, 4, 5, 6)]


@pytest.mark.parametrize("window", [1, 2, 50])
def test_window_memory_is_configurable_from_1_to_50(shell, server, api_key, window):
    shell.run_line_magic("config", f"ChatMagics.window = {window}")
    ask_numbered(shell, server, 5)
    chat(shell, "", "question 6")

    expected = [(f"question {n}", f"answer {n}") for n in range(1, 6)][-window:]
    assert exchanges(sent_messages(server)) == expected


@pytest.mark.parametrize("value", [0, 51, -3])
def test_a_window_outside_1_to_50_is_rejected_and_the_old_value_stays(shell, server, api_key, value, capsys):
    shell.run_line_magic("config", "ChatMagics.window = 6")

    shell.run_line_magic("config", f"ChatMagics.window = {value}")

    # Printed where the user sees it (%config itself would only log it), with the value kept.
    assert f"ChatMagics.window = {value} is not allowed: use a whole number from 1 to 50. It stays 6." in capsys.readouterr().out
    assert windows(shell) == 6


def test_new_starts_a_fresh_conversation_with_this_cell(shell, server, api_key):
    ask_numbered(shell, server, 2)

    chat(shell, "--new", "fresh question")
    chat(shell, "", "follow-up")

    assert sent_messages(server, -2) == [{"role": "user", "content": "fresh question"}]
    assert exchanges(sent_messages(server)) == [("fresh question", "Hello from the test server.")]


def test_no_history_sends_the_question_alone_and_does_not_remember_it(shell, server, api_key):
    ask_numbered(shell, server, 1)

    chat(shell, "--no-history", "one-off")
    chat(shell, "", "next")

    assert sent_messages(server, -2) == [{"role": "user", "content": "one-off"}]
    assert exchanges(sent_messages(server)) == [("question 1", "answer 1")]


def test_chat_reset_forgets_the_conversation_and_says_how_many_exchanges(shell, server, api_key):
    ask_numbered(shell, server, 3)

    cap = line(shell, "reset")
    chat(shell, "", "after reset")

    assert cap.stdout.strip() == "Conversation forgotten (3 exchanges)."
    assert sent_messages(server) == [{"role": "user", "content": "after reset"}]


def test_a_system_prompt_given_once_stays_for_the_rest_of_the_conversation_until_reset(shell, server, api_key):
    chat(shell, '-s "You answer in haiku."', "first")
    chat(shell, "", "second")
    line(shell, "reset")
    chat(shell, "", "third")

    system = {"role": "system", "content": "You answer in haiku."}
    assert sent_messages(server, 0)[0] == system
    assert sent_messages(server, 1)[0] == system
    assert sent_messages(server, 2) == [{"role": "user", "content": "third"}]


def test_chat_history_shows_each_exchange_with_its_model(shell, server, api_key):
    server.script(Reply("Paris."), Reply("About 2.1 million."))
    chat(shell, "-m gpt-4.1-mini", "Capital of France?")
    chat(shell, "", "Population?")

    cap = line(shell, "history")

    bundle = cap.outputs[-1].data
    plain = bundle["text/plain"]
    assert "[1] you: Capital of France?" in plain
    assert "[1] gpt-4.1-mini: Paris." in plain
    assert "[2] gpt-6-luna: About 2.1 million." in plain  # the default model
    assert "incomplete" not in plain
    assert "**1. gpt-4.1-mini**" in bundle["text/markdown"]


@pytest.mark.parametrize("broken", [StreamDrop("Half an ans"), StreamError("Half an ans")], ids=["dropped", "error-event"])
def test_chat_history_marks_an_answer_cut_off_mid_stream_as_incomplete(shell, server, api_key, broken):
    server.script(broken)
    chat(shell, "", "Tell me a story")
    chat(shell, "", "Go on")

    cap = line(shell, "history")

    plain = cap.outputs[-1].data["text/plain"]
    assert "[1] gpt-6-luna (incomplete): Half an ans" in plain
    assert "[2] gpt-6-luna: Hello from the test server." in plain
    assert exchanges(sent_messages(server)) == [("Tell me a story", "Half an ans")]


def test_a_stream_that_ends_without_a_finish_reason_is_kept_and_marked_incomplete(shell, server, api_key):
    server.script(Reply("Ends abruptly", finish_reason=None))
    cap = chat(shell)

    assert "answer incomplete" in [o.data for o in cap.outputs if "text/markdown" in o.data][-1]["text/markdown"]
    assert "(incomplete)" in line(shell, "history").outputs[-1].data["text/plain"]


def test_a_failed_request_is_not_remembered(shell, server, api_key):
    from tests.support.openai_server import bad_request

    server.script(bad_request("Invalid 'temperature'."))
    chat(shell, "", "this fails")
    chat(shell, "", "this works")

    assert sent_messages(server) == [{"role": "user", "content": "this works"}]


def test_chat_history_of_an_empty_conversation_says_so(shell, server, api_key):
    assert line(shell, "history").stdout.strip() == "The conversation is empty."
