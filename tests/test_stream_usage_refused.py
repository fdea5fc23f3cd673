"""A gateway that refuses ``stream_options``: the answer still comes, once more without it, and the
endpoint is not asked for it again (the Chat Completions dialect's lesson, kept for the endpoint)."""

from __future__ import annotations

from tests.support.magics import chat
from tests.test_models import bodies, last_render


def test_an_endpoint_that_refuses_stream_options_answers_without_them_and_is_not_asked_again(shell, server, api_key):
    server.refuse("stream_options", style="openai")

    first = chat(shell, "-m gpt-4.1-mini")
    chat(shell, "-m gpt-4.1")  # another model of the same endpoint

    assert ["stream_options" in body for body in bodies(server)] == [True, False, False]
    assert "Hello from the test server." in last_render(first)
    assert "this endpoint refused stream_options: token counts are not reported" in last_render(first)
