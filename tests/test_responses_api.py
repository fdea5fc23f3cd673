"""Every model answers, on the endpoint it lives on: OpenAI's Responses API beside Chat Completions (issue 21).

Through the real SDK and real HTTP against the loopback server's POST /v1/responses, whose events and
bodies are the API's own (tests/support/responses_wire.py); every body is checked against the official
spec's ``CreateResponse``.
"""

from __future__ import annotations

import pytest
from IPython.core.error import UsageError

from tests.support.magics import chat, chat_line
from tests.support.openai_server import Error, Reply, StreamDrop, StreamError
from tests.support.responses_wire import Failed
from tests.test_models import last_render

UNKNOWN_PRO = "gpt-7-pro-lab"  # not in the model table: starts on Chat Completions


def paths(server) -> list[str]:
    return [r.path for r in server.requests if r.method == "POST"]


def sent(server) -> list[dict]:
    return [r.body for r in server.responses_requests()]


def session(shell):
    return shell.magics_manager.registry["ChatMagics"].session


# -- a model that only answers on /responses ----------------------------------------------------------


def test_a_model_the_table_lists_as_responses_only_goes_straight_to_responses(shell, server, api_key):
    cap = chat(shell, "-m gpt-5.5-pro")

    assert paths(server) == ["/v1/responses"]
    assert "Hello from the test server." in last_render(cap)
    assert "answers only on the Responses API" not in last_render(cap)


def test_an_unknown_model_refused_by_chat_completions_is_asked_once_on_responses_with_one_quiet_note(shell, server, api_key):
    server.responses_only.add(UNKNOWN_PRO)

    first = chat(shell, f"-m {UNKNOWN_PRO}", "What is 2+2?")
    server.requests.clear()
    second = chat(shell, f"-m {UNKNOWN_PRO}", "And 3+3?")

    assert "Hello from the test server." in last_render(first)
    assert last_render(first).count("answers only on the Responses API") == 1
    assert "not available" not in last_render(first)
    assert paths(server) == ["/v1/responses"]  # the second cell: exactly one request, on the right endpoint
    assert "answers only on the Responses API" not in last_render(second)


def test_a_gateway_that_refuses_with_unsupported_api_for_model_is_followed_too(shell, server, api_key):
    server.responses_only.add(UNKNOWN_PRO)
    server.wrong_api_style = "copilot"

    cap = chat(shell, f"-m {UNKNOWN_PRO}")

    assert paths(server) == ["/v1/chat/completions", "/v1/responses"]
    assert "Hello from the test server." in last_render(cap)


def test_a_gateway_without_responses_shows_the_models_own_panel_and_does_not_loop(shell, server, api_key):
    server.responses_only.add(UNKNOWN_PRO)
    server.has_responses = False

    cap = chat(shell, f"-m {UNKNOWN_PRO}")
    chat(shell, f"-m {UNKNOWN_PRO}")

    shown = cap.stdout + "".join(str(o.data) for o in cap.outputs)
    assert paths(server) == ["/v1/chat/completions", "/v1/responses"] * 2  # nothing learned, nothing looped
    assert UNKNOWN_PRO in shown
    assert "Traceback" not in shown
    failure = session(shell).last_failure
    assert failure.status == 404 and "only supported in v1/responses" in failure.message
    assert failure.kind.kind == "wrong_api" and "answers only on the Responses API" in shown


def test_a_fastapi_gateway_without_responses_shows_the_models_own_panel_too(shell, server, api_key):
    server.responses_only.add(UNKNOWN_PRO)
    server.unknown_path = "fastapi"

    chat(shell, f"-m {UNKNOWN_PRO}")

    assert paths(server) == ["/v1/chat/completions", "/v1/responses"]
    assert "only supported in v1/responses" in session(shell).last_failure.message


def test_a_model_responses_does_not_have_either_is_its_own_404_panel_after_one_switch(shell, server, api_key):
    from tests.support.openai_server import model_not_found

    server.responses_only.add(UNKNOWN_PRO)
    server.script_responses(model_not_found(UNKNOWN_PRO))

    chat(shell, f"-m {UNKNOWN_PRO}")

    assert paths(server) == ["/v1/chat/completions", "/v1/responses"]
    assert session(shell).last_failure.kind.kind == "model_not_found"
    assert "does not exist" in session(shell).last_failure.message


def test_forcing_chat_completions_never_switches_and_the_panel_says_where_the_model_lives(shell, server, api_key):
    server.responses_only.add(UNKNOWN_PRO)

    cap = chat(shell, f"-m {UNKNOWN_PRO} --api chat")

    shown = cap.stdout + "".join(str(o.data) for o in cap.outputs)
    assert paths(server) == ["/v1/chat/completions"]
    assert f"{UNKNOWN_PRO} answers only on the Responses API" in shown and "--api responses" in shown
    assert "is not available" not in shown  # the model exists, and the account has it


def test_forcing_responses_sends_any_model_there_and_chatmagics_api_does_too(shell, server, api_key):
    chat(shell, "-m gpt-4.1-mini --api responses")
    shell.run_line_magic("config", "ChatMagics.api = 'responses'")
    chat(shell, "-m gpt-4.1-mini")

    assert paths(server) == ["/v1/responses", "/v1/responses"]


# -- the same answer, whichever the wire --------------------------------------------------------------


def test_the_body_is_stateless_private_and_carries_the_settings(shell, server, api_key):
    chat(shell, '-m gpt-5.5-pro -s "Be brief." --max-tokens 500 -r high', "First question")
    chat(shell, "-m gpt-5.5-pro", "Second question")

    body = sent(server)[-1]
    assert body["instructions"] == "Be brief."
    assert body["input"] == [
        {"role": "user", "content": "First question"},
        {"role": "assistant", "content": "Hello from the test server."},
        {"role": "user", "content": "Second question"},
    ]
    assert body["store"] is False and "background" not in body
    assert body["reasoning"] == {"summary": "auto"} and body["stream"] is True
    first = sent(server)[0]
    assert first["max_output_tokens"] == 500 and first["reasoning"] == {"effort": "high", "summary": "auto"}
    assert not {"messages", "max_tokens", "max_completion_tokens", "stream_options", "temperature"} & set(first)


def test_store_true_is_sent_only_when_the_user_asks(shell, server, api_key):
    shell.run_line_magic("config", "ChatMagics.store = True")

    chat(shell, "-m gpt-5.5-pro")

    assert sent(server)[0]["store"] is True


def test_a_model_that_takes_a_temperature_gets_it_on_responses_too(shell, server, api_key):
    chat(shell, "-m gpt-4.1-mini --api responses -t 0.7")

    assert sent(server)[0]["temperature"] == 0.7


def test_usage_reaches_the_footer_and_chat_usage(shell, server, api_key):
    server.script_responses(Reply("Sure.", usage={"prompt_tokens": 1200, "completion_tokens": 300, "cached_tokens": 200, "reasoning_tokens": 100}))

    cap = chat(shell, "-m gpt-5.5-pro")
    usage = chat_line(shell, "usage")

    shown = last_render(cap)
    assert "Sure." in shown
    assert "1,200" in shown and "300" in shown  # the footer's tokens, as the server reported them
    listed = usage.stdout + "".join(str(o.data) for o in usage.outputs)
    assert "gpt-5.5-pro" in listed and "1,200" in listed


def test_thinking_summary_is_shown_apart_and_never_in_the_answer(shell, server, api_key):
    from tests.test_thinking import markdown_renders, thinking_shown

    server.script_responses(Reply("The answer.", reasoning=["Weighing ", "options."]))

    cap = chat(shell, "-m gpt-5.5-pro --out ans")

    assert shell.user_ns["ans"] == "The answer."
    assert thinking_shown(markdown_renders(cap)[-1]) == "Weighing options."
    chat(shell, "-m gpt-5.5-pro", "Next")
    assert "Weighing" not in str(sent(server)[-1]["input"])  # never sent back


def test_a_whole_answer_is_read_from_output_text(shell, server, api_key):
    from tests.test_thinking import markdown_renders, thinking_shown

    server.script_responses(Reply("Whole answer.", reasoning=["Thought."]))

    cap = chat(shell, "-m gpt-5.5-pro --no-stream --out ans")

    assert shell.user_ns["ans"] == "Whole answer."
    assert thinking_shown(markdown_renders(cap)[-1]) == "Thought."
    assert sent(server)[0].get("stream") is None


def test_format_code_puts_a_responses_answers_code_into_a_new_cell(shell, server, api_key):
    server.script_responses(Reply("Here:\n\n```python\nimport math\nprint(math.pi)\n```\n"))

    chat(shell, "-m gpt-5.5-pro -f code", "Print pi")

    assert shell.rl_next_input == "import math\nprint(math.pi)"


def test_an_incomplete_response_keeps_its_text_and_says_it_hit_the_limit(shell, server, api_key):
    server.script_responses(Reply("Cut here", finish_reason="length"))

    cap = chat(shell, "-m gpt-5.5-pro --max-tokens 5")

    assert sent(server)[0]["max_output_tokens"] == 16  # the API's least: a smaller cap is a 400
    assert "below the Responses API's least (16)" in last_render(cap)
    assert "Cut here" in last_render(cap)
    assert "stopped at the max tokens limit" in last_render(cap)


def test_a_response_stopped_by_the_content_filter_keeps_its_text_and_says_why(shell, server, api_key):
    server.script_responses(Reply("Part of it", finish_reason="content_filter"))

    cap = chat(shell, "-m gpt-5.5-pro")

    assert "Part of it" in last_render(cap)
    assert "the model stopped early: content filter" in last_render(cap)


def test_a_failed_response_partway_is_a_panel_that_keeps_the_partial_answer(shell, server, api_key):
    server.script_responses(Failed("Half an ans"))

    cap = chat(shell, "-m gpt-5.5-pro --out ans")

    assert shell.user_ns.get("ans", "Half an ans") == "Half an ans"
    assert "Half an ans" in last_render(cap)
    assert session(shell).last_failure is not None
    assert paths(server) == ["/v1/responses"]  # begun: never re-sent


def test_an_error_event_is_a_panel_that_keeps_the_partial_answer(shell, server, api_key):
    server.script_responses(StreamError("Some text"))

    cap = chat(shell, "-m gpt-5.5-pro")

    assert "Some text" in last_render(cap)
    assert session(shell).last_failure is not None
    assert paths(server) == ["/v1/responses"]


def test_a_retry_after_an_overload_goes_to_responses_again(shell, server, api_key):
    from tests.support.openai_server import overloaded

    server.script_responses(overloaded())

    cap = chat(shell, "-m gpt-5.5-pro")

    assert paths(server) == ["/v1/responses", "/v1/responses"]
    assert "Hello from the test server." in last_render(cap)


def test_dry_run_shows_the_responses_body_and_sends_nothing(shell, server, api_key):
    cap = chat(shell, '-m gpt-5.5-pro --dry-run -s "Be brief." --max-tokens 100', "Question?")

    shown = cap.stdout + "".join(str(o.data) for o in cap.outputs)
    assert paths(server) == []
    assert "POST /responses" in shown
    assert "max_output_tokens" in shown and "store" in shown
    assert "Question?" in shown


def test_a_replayed_responses_answer_sends_nothing(shell, server, api_key, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    shell.run_line_magic("config", "ChatMagics.cache = 'record'")
    chat(shell, "-m gpt-5.5-pro", "Replay me")
    shell.run_line_magic("config", "ChatMagics.cache = 'replay'")
    server.requests.clear()

    cap = chat(shell, "-m gpt-5.5-pro --new", "Replay me")

    assert paths(server) == []
    assert "Hello from the test server." in last_render(cap)


def test_provenance_names_the_wire_and_the_response_id(shell, server, api_key):
    from chatwithtech_magic.provenance import KEY
    from tests.test_cost import final_render

    record = final_render(chat(shell, "-m gpt-5.5-pro")).metadata[KEY]
    assert record["parameters"]["api"] == "responses"
    assert record["response_id"].startswith("resp_")


def test_a_dropped_stream_keeps_the_partial_answer(shell, server, api_key):
    server.script_responses(StreamDrop("Partial"))

    cap = chat(shell, "-m gpt-5.5-pro")

    assert "Partial" in last_render(cap)
    assert paths(server) == ["/v1/responses"]


def test_a_model_error_on_responses_is_its_catalog_panel(shell, server, api_key):
    server.script_responses(Error(429, {"message": "You exceeded your current quota.", "type": "insufficient_quota",
                                        "param": None, "code": "insufficient_quota"}))

    chat(shell, "-m gpt-5.5-pro")

    assert session(shell).last_failure.kind.kind == "insufficient_quota"


# -- in plain Python ----------------------------------------------------------------------------------


def test_ctrl_c_keeps_the_partial_responses_answer_and_two_answers_share_one_connection(server, memory_keyring):
    from chatwithtech_magic.credentials import CredentialStore
    from chatwithtech_magic.session import ChatRequest, ChatSession
    from tests.support.environment import TEST_KEY
    from tests.test_core_without_ipython import RecordingView

    session = ChatSession(CredentialStore(environ={"OPENAI_API_KEY": TEST_KEY, "OPENAI_BASE_URL": server.base_url}))
    try:
        server.script_responses(Reply(chunks=["One ", "two ", "three"]))
        stopped = session.ask("Count", ChatRequest(model="gpt-5.5-pro"), RecordingView(interrupt_after=2), throttle_interval=0)
        before = server.connections_opened
        session.ask("Again", ChatRequest(model="gpt-5.5-pro"), RecordingView(), throttle_interval=0)
        session.ask("Once more", ChatRequest(model="gpt-5.5-pro"), RecordingView(), throttle_interval=0)
    finally:
        session.clients.clear()

    assert stopped.interrupted and stopped.text == "One two " and not stopped.complete
    assert server.connections_opened - before <= 1  # the ending event ends the read: the connection is reused


def test_the_switch_resend_is_checked_against_the_budget_like_every_resend(shell, server, api_key):
    # Chat Completions reserves 1 answer token; /responses takes at least 16, which this budget can't cover.
    server.responses_only.add("gpt-4.1-mini")
    shell.run_line_magic("config", "ChatMagics.budget = 0.000015")

    chat(shell, "-m gpt-4.1-mini --max-tokens 1")

    assert paths(server) == ["/v1/chat/completions"]  # the resend was not sent
    assert session(shell).last_failure.kind.kind == "budget_reached"


def test_chat_settings_shows_a_chosen_api_and_store(shell, server, api_key):
    assert "store" not in chat_line(shell, "settings").stdout
    shell.run_line_magic("config", "ChatMagics.api = 'responses'")
    shell.run_line_magic("config", "ChatMagics.store = True")

    shown = chat_line(shell, "settings").stdout

    assert "api" in shown and "responses" in shown and "True" in shown


def test_a_bad_api_is_refused_in_one_line_and_nothing_is_sent(shell, server, api_key):
    from IPython.utils.capture import capture_output

    with capture_output() as config:
        shell.run_line_magic("config", "ChatMagics.api = 'completions'")
    with pytest.raises(UsageError, match=r"--api: invalid choice: 'completions' .*Nothing was sent"):  # IPython shows it as one line
        chat(shell, "--api completions")

    assert config.stdout.strip() == "ChatMagics.api = 'completions' is not allowed: use one of auto, chat, responses. It stays 'auto'."
    assert paths(server) == []
