"""Issue 18 (optional item): against a server that refuses every name of a parameter, what was learned
does not flip from cell to cell; a lesson is kept only when the resend it made was not refused again."""

from __future__ import annotations

from tests.support.magics import chat


def cap_names(requests) -> list[str]:
    return [next(n for n in ("max_tokens", "max_completion_tokens") if n in r.body) for r in requests]


def test_a_server_refusing_both_max_tokens_names_gets_the_same_two_tries_every_cell(shell, server, api_key):
    server.strict = False
    server.refuse("max_tokens")
    server.refuse("max_completion_tokens")

    tries = []
    for _ in range(3):
        before = len(server.chat_requests())
        chat(shell, "-m gpt-4.1 --max-tokens 50", "Hi")
        tries.append(cap_names(server.chat_requests()[before:]))

    assert tries == [["max_tokens", "max_completion_tokens"]] * 3  # bounded, and never flipped


def test_a_lesson_that_worked_is_kept_for_the_next_cell(shell, server, api_key):
    server.strict = False
    server.refuse("max_tokens")

    chat(shell, "-m gpt-4.1 --max-tokens 50", "Hi")
    before = len(server.chat_requests())
    chat(shell, "-m gpt-4.1 --max-tokens 50", "Again")

    assert cap_names(server.chat_requests()[before:]) == ["max_completion_tokens"]  # straight to what worked
