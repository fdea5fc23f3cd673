"""The account's model list is fetched at most once a cell (``account_models.py``).

A failing cell can need ``GET /models`` twice: for the default model's fallback after a 404,
then for the panel's suggestions (a missing or retired model, a conversation too long). Each
fetch is a round trip and, on a rate-limited account, one more request. These tests count the
``/models`` requests the loopback server received, through ``%%chat`` in an IPython shell and
the real SDK. A list scripted with ``script_models([...])`` is served once; a second fetch would
get the server's default list, so buttons naming only the scripted list's models show it was reused.
"""

from __future__ import annotations

import datetime

from chatwithtech_magic import clock, models
from chatwithtech_magic.defaults import DEFAULT_MODEL
from tests.support.magics import chat_line
from tests.support.openai_server import Reply, context_length_exceeded, model_not_found, server_error
from tests.test_errors import labels, panel_bundle, panel_of, run


def models_asked(server) -> int:
    return sum(
        1 for r in server.requests if r.method == "GET" and r.path.split("?", 1)[0].rstrip("/").endswith("/models")
    )


def chat_models_asked(server) -> list[str]:
    return [r.body["model"] for r in server.chat_requests()]


def test_a_default_model_the_account_lacks_asks_models_once_when_nothing_can_answer_instead(shell, server, api_key):
    server.models = ["whisper-1", "text-embedding-3-small", "dall-e-3"]  # no chat model to fall back to
    server.script(model_not_found(DEFAULT_MODEL))

    cap = run(shell)

    assert panel_bundle(cap)["text/plain"].startswith(f"✖ Model {DEFAULT_MODEL} is not available")
    assert models_asked(server) == 1
    assert chat_models_asked(server) == [DEFAULT_MODEL]


def test_a_default_model_the_account_lists_but_refuses_asks_models_once(shell, server, api_key):
    server.models = [DEFAULT_MODEL, "whisper-1"]  # listed, yet 404: nothing else to fall back to
    server.script(model_not_found(DEFAULT_MODEL))

    cap = run(shell)

    assert panel_bundle(cap)["text/plain"].startswith(f"✖ Model {DEFAULT_MODEL} is not available")
    assert models_asked(server) == 1


def test_a_default_model_the_account_lacks_falls_back_after_one_models_request(shell, server, api_key):
    server.models = ["whisper-1", "gpt-5.6-luna"]
    server.script(model_not_found(DEFAULT_MODEL))

    run(shell)

    assert chat_models_asked(server) == [DEFAULT_MODEL, "gpt-5.6-luna"]
    assert models_asked(server) == 1


def test_a_fallback_model_that_is_missing_too_offers_the_listed_models_without_asking_again(shell, server, api_key):
    server.script_models(["gpt-5.6-luna", "gpt-5.6-terra", "whisper-1"])  # served once
    server.script(model_not_found(DEFAULT_MODEL), model_not_found("gpt-5.6-luna"))

    cap = run(shell)

    assert panel_bundle(cap)["text/plain"].startswith("✖ Model gpt-5.6-luna is not available")
    assert labels(panel_of(cap)) == ["Use gpt-5.6-terra"]  # from the one list fetched
    assert chat_models_asked(server) == [DEFAULT_MODEL, "gpt-5.6-luna"]
    assert models_asked(server) == 1


def test_a_fallback_model_whose_window_is_too_small_suggests_from_the_same_list(shell, server, api_key):
    server.script_models(["gpt-4o", "gpt-5-mini", "whisper-1"])  # gpt-4o answers instead (128,000 tokens)
    server.script(model_not_found(DEFAULT_MODEL), context_length_exceeded(limit=128000, used=130017))

    cap = run(shell)

    assert panel_bundle(cap)["text/plain"].startswith("✖ The conversation is too long for gpt-4o")
    assert labels(panel_of(cap))[0] == "Use gpt-5-mini"  # the listed model with a larger window
    assert chat_models_asked(server) == [DEFAULT_MODEL, "gpt-4o"]
    assert models_asked(server) == 1


def test_a_retired_default_with_nothing_to_answer_instead_asks_models_once_and_says_when_it_shut_down(shell, server, api_key):
    shut = (clock.today() - datetime.timedelta(days=3)).isoformat()
    models.register(DEFAULT_MODEL, shutdown=shut, successor="gpt-6-sol")
    server.retired.add(DEFAULT_MODEL)  # 404 "has been deprecated", as the API says today
    server.models = ["whisper-1"]
    try:
        cap = run(shell)
    finally:
        models.unregister(DEFAULT_MODEL)

    assert panel_bundle(cap)["text/plain"].startswith(f"✖ {DEFAULT_MODEL} was shut down on {shut}")
    assert models_asked(server) == 1


def test_a_retired_model_the_user_named_asks_models_once(shell, server, api_key):
    cap = run(shell, "%%chat -m gpt-3.5-turbo\nHello")

    assert panel_bundle(cap)["text/plain"].startswith("✖ gpt-3.5-turbo was shut down on")
    assert models_asked(server) == 1


def test_a_conversation_too_long_for_the_default_asks_models_once(shell, server, api_key):
    server.script(context_length_exceeded(limit=1050000, used=1050100))

    cap = run(shell)

    assert panel_bundle(cap)["text/plain"].startswith(f"✖ The conversation is too long for {DEFAULT_MODEL}")
    assert models_asked(server) == 1


def test_a_failing_models_request_is_asked_once_and_leaves_the_models_panel_as_it_was(shell, server, api_key):
    server.script_models(server_error())  # the list itself fails: no fallback, suggestions from the table
    server.script(model_not_found(DEFAULT_MODEL))

    cap = run(shell)

    assert panel_bundle(cap)["text/plain"].startswith(f"✖ Model {DEFAULT_MODEL} is not available")
    assert models_asked(server) == 1
    assert chat_models_asked(server) == [DEFAULT_MODEL]
    assert shell.magics_manager.registry["ChatMagics"].session.last_failure.kind.kind == "model_not_found"


def test_the_next_cell_asks_the_account_again_since_its_models_may_have_changed(shell, server, api_key):
    server.models = ["whisper-1"]
    server.script(model_not_found(DEFAULT_MODEL), model_not_found(DEFAULT_MODEL))
    run(shell)

    server.models = ["whisper-1", "gpt-5.6-luna"]  # the account was granted a model meanwhile
    run(shell)

    assert models_asked(server) == 2  # once a cell
    assert chat_models_asked(server) == [DEFAULT_MODEL, DEFAULT_MODEL, "gpt-5.6-luna"]


def test_chat_models_always_asks_the_account_once_even_right_after_a_failing_cell(shell, server, api_key):
    server.models = ["whisper-1"]
    server.script(model_not_found(DEFAULT_MODEL))
    run(shell)

    server.models = ["whisper-1", "gpt-5.6-luna"]
    cap = chat_line(shell, "models")

    assert "gpt-5.6-luna" in cap.outputs[-1].data["text/plain"]  # fresh, not the failing cell's list
    assert models_asked(server) == 2


def test_an_answer_from_the_default_asks_no_models_at_all(shell, server, api_key):
    server.script(Reply("Fine."))

    run(shell)

    assert models_asked(server) == 0


def test_the_core_alone_asks_models_once_a_cell_and_lists_afresh_when_called_outside_one(server, memory_keyring):
    from chatwithtech_magic.credentials import CredentialStore
    from chatwithtech_magic.session import ChatRequest, ChatSession
    from tests.support.environment import TEST_KEY

    session = ChatSession(CredentialStore(environ={"OPENAI_API_KEY": TEST_KEY, "OPENAI_BASE_URL": server.base_url}))
    server.models = ["whisper-1"]
    server.script(model_not_found(DEFAULT_MODEL))

    answer = session.ask("Hi", ChatRequest(model=DEFAULT_MODEL, model_is_default=True))

    assert answer.failure.kind.kind == "model_not_found" and models_asked(server) == 1
    assert session.list_models() == ["whisper-1"] and session.list_models() == ["whisper-1"]
    assert models_asked(server) == 3  # outside a cell, each call is the caller asking for the list now
