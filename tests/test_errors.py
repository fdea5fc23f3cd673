"""Friendly errors (issue 4): every catalog row through ``%%chat`` against the loopback server.

Each test asserts what the user sees (panel text, buttons, links), how many requests
were sent, and that no traceback or raw body reached the cell. Waits between retries
go through the session's ``sleep``, recorded here instead of slept, so a test can
check that ``retry-after: 2`` means two seconds without waiting two seconds.
"""

from __future__ import annotations

import json
import re
import socket

import openai
import pytest
from IPython.utils.capture import capture_output

from chatwithtech_magic import errors
from chatwithtech_magic.i18n import Text
from tests.support.environment import TEST_KEY
from tests.support.openai_server import (
    Error,
    Hang,
    Reply,
    StreamDrop,
    StreamError,
    bad_request,
    context_length_exceeded,
    html_gateway,
    insufficient_quota,
    invalid_api_key,
    invalid_organization,
    mismatched_organization,
    model_not_found,
    no_organization,
    overloaded,
    rate_limit,
    region_not_supported,
    server_error,
    server_is_overloaded,
    slow_down,
)

WIDGET = "application/vnd.jupyter.widget-view+json"
MASKED = "sk-…WXYZ"


# -- helpers -----------------------------------------------------------------------------------


def magics(shell):
    return shell.magics_manager.registry["ChatMagics"]


@pytest.fixture
def sleeps(shell):
    """The waits between retries, recorded instead of slept."""
    recorded: list[float] = []
    magics(shell).session.sleep = recorded.append
    return recorded


def run(shell, source: str = "%%chat\nHello"):
    """Run a cell as a notebook does; a failure must never surface as a traceback."""
    with capture_output() as cap:
        result = shell.run_cell(source)
    assert result.success, result.error_in_exec
    assert "Traceback" not in cap.stdout + cap.stderr
    return cap


def panel_bundle(cap) -> dict:
    """The panel's message: an ordinary output (HTML and text), so a saved notebook keeps it."""
    bundles = [o.data for o in cap.outputs if 'class="chatwithtech-error"' in o.data.get("text/html", "")]
    assert bundles, f"no error panel among {[list(o.data) for o in cap.outputs]}"
    return bundles[-1]


def panel_of(cap):
    """The panel's live half: a widget with its buttons (first row) and a slot for the key form."""
    from ipywidgets.widgets.widget import _instances

    views = [o.data for o in cap.outputs if WIDGET in o.data]
    assert views, f"no panel buttons among {[list(o.data) for o in cap.outputs]}"
    panel = _instances[views[-1][WIDGET]["model_id"]]
    [message] = [o for o in cap.outputs if 'class="chatwithtech-error"' in o.data.get("text/html", "")][-1:]
    MESSAGES[id(panel)] = message.transient["display_id"]
    return panel


def buttons(panel) -> list:
    return list(panel.children[0].children)


def labels(panel) -> list[str]:
    return [button.description for button in buttons(panel)]


CLICKS: dict = {}  # id(panel) -> what the last click displayed (a resolved panel closes its widgets)
MESSAGES: dict = {}  # id(panel) -> display id of the panel's message output


def click(panel, label: str):
    [button] = [b for b in buttons(panel) if b.description == label]
    with capture_output() as cap:
        button.click()
    CLICKS[id(panel)] = cap
    return cap


def output_bundles(panel) -> list[dict]:
    """What replaced the panel's message after the last click (display-id updates: the answer, a new failure)."""
    updates = [o.data for o in CLICKS[id(panel)].outputs if o.update and o.transient["display_id"] == MESSAGES[id(panel)]]
    return updates[-1:]


def form_in(panel):
    """The key form a "Set API key" button opened under the panel's buttons."""
    [form] = panel.children[1].children
    return form


def markdown_renders(cap) -> list[str]:
    return [o.data["text/markdown"] for o in cap.outputs if "text/markdown" in o.data]


def countdowns(cap) -> list[str]:
    return [o.data["text/plain"] for o in cap.outputs if o.data.get("text/plain", "").startswith("⏳")]


def chat_error(shell) -> str:
    with capture_output() as cap:
        shell.run_line_magic("chat", "error")
    return cap.stdout


def details(shell) -> dict:
    return dict(re.split(r"\s{2,}", row, maxsplit=1) if re.search(r"\s{2,}", row) else (row.strip(), "") for row in chat_error(shell).splitlines())


def widget_state(panel) -> str:
    from ipywidgets.embed import embed_data

    return json.dumps(embed_data(views=[panel])["manager_state"], ensure_ascii=False)


def shown(cap) -> str:
    parts = [cap.stdout, cap.stderr]
    for output in cap.outputs:
        parts.extend(str(value) for key, value in output.data.items() if key != WIDGET)
    return "\n".join(parts)


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def no_raw_body(text: str) -> None:
    assert '{"error"' not in text and "'error':" not in text
    assert "<html" not in text.lower() and "<center>" not in text and "nginx" not in text


# -- 401 invalid_api_key --------------------------------------------------------------------------


def test_a_rejected_key_shows_the_masked_key_its_source_and_a_set_key_button_after_one_request(shell, server, api_key):
    server.valid_keys = {"sk-some-other-key-0000"}

    cap = run(shell)

    bundle = panel_bundle(cap)
    assert bundle["text/plain"].startswith("✖ The API key was rejected")
    assert f"The server did not accept the key {MASKED} (from the OPENAI_API_KEY environment variable)" in bundle["text/plain"]
    assert "6891767-error-code-401-invalid-authentication" in bundle["text/html"]
    assert labels(panel_of(cap)) == ["Set API key"]
    assert len(server.chat_requests()) == 1  # never retried
    assert TEST_KEY not in shown(cap) + widget_state(panel_of(cap))


def test_a_rejected_key_from_the_keyring_says_it_came_from_the_keyring(shell, server):
    magics(shell).session.credentials.save("openai", TEST_KEY)
    server.script(invalid_api_key(TEST_KEY))

    cap = run(shell)

    assert f"{MASKED} (from the keyring)" in panel_bundle(cap)["text/plain"]


def test_a_server_that_echoes_the_whole_key_has_it_masked_in_the_panel_widget_state_and_details(shell, server, api_key):
    echo = Error(401, {"message": f"Incorrect API key provided: {TEST_KEY}. Check it.", "type": "invalid_request_error", "code": "invalid_api_key", "param": None})
    server.script(echo)
    server.script_models(echo)

    cap = run(shell)
    panel = panel_of(cap)
    error_text = chat_error(shell)
    with capture_output() as models_cap:
        shell.run_line_magic("chat", "models")
    failure = magics(shell).session.last_failure

    assert MASKED in panel_bundle(cap)["text/plain"]
    assert f"Incorrect API key provided: {MASKED}. Check it." in error_text
    everything = "\n".join([shown(cap), widget_state(panel), error_text, shown(models_cap), repr(failure), str(failure.details())])
    assert TEST_KEY not in everything
    assert TEST_KEY[:-4] not in everything  # not even most of it


def test_the_set_key_button_opens_the_key_form_inside_the_panel(shell, server, api_key):
    server.script(invalid_api_key(TEST_KEY))
    cap = run(shell)
    panel = panel_of(cap)

    click(panel, "Set API key")

    from ipywidgets.widgets.widget import _instances

    form = form_in(panel)
    assert "chatwithtech-key-form" in form._dom_classes
    assert TEST_KEY not in widget_state(panel)
    assert len(server.chat_requests()) == 1


def test_the_missing_key_panel_opens_the_key_form_in_place(shell, server):
    cap = run(shell)
    panel = panel_of(cap)

    click(panel, "Set API key")

    from ipywidgets.widgets.widget import _instances

    assert "chatwithtech-key-form" in form_in(panel)._dom_classes
    assert server.requests == []


# -- 401 organization ------------------------------------------------------------------------------


@pytest.mark.parametrize("error", [invalid_organization("org-bad"), mismatched_organization(), no_organization()], ids=["invalid", "mismatched", "none"])
def test_an_organization_error_names_the_organization_and_how_to_clear_it_after_one_request(shell, server, api_key, monkeypatch, error):
    monkeypatch.setenv("OPENAI_ORG_ID", "org-bad")
    server.script(error)

    cap = run(shell)

    text = panel_bundle(cap)["text/plain"]
    assert text.startswith("✖ The organization ID is the problem")
    assert "org-bad" in text and "OPENAI_ORG_ID" in text
    assert labels(panel_of(cap)) == ["Set API key"]
    assert len(server.chat_requests()) == 1


# -- 404 model_not_found ------------------------------------------------------------------------------


def test_an_unknown_model_offers_the_accounts_live_chat_models_current_first_after_one_request(shell, server, api_key):
    server.models = ["zeta-custom", "gpt-4o-mini", "gpt-3.5-turbo", "gpt-6-luna"]
    server.script(model_not_found("gpt-5-ultra"))

    cap = run(shell, "%%chat -m gpt-5-ultra\nHello")

    text = panel_bundle(cap)["text/plain"]
    assert text.startswith("✖ Model gpt-5-ultra is not available")
    assert "community.openai.com" in panel_bundle(cap)["text/html"]
    # current first, then names the table does not know, then models with a shutdown date; never a retired one
    assert labels(panel_of(cap)) == ["Use gpt-6-luna", "Use zeta-custom", "Use gpt-4o-mini"]
    assert len(server.chat_requests()) == 1


def test_the_model_buttons_leave_out_models_that_cannot_chat(shell, server, api_key):
    server.models = ["whisper-1", "dall-e-3", "text-embedding-3-small", "tts-1-hd", "babbage-002", "gpt-4o-realtime-preview",
                     "omni-moderation-latest", "gpt-3.5-turbo-instruct", "llama-3.1-8b-instruct", "gpt-4o-mini", "gpt-6-luna"]
    server.script(model_not_found("gpt-5-ultra"))

    cap = run(shell, "%%chat -m gpt-5-ultra\nHello")

    assert labels(panel_of(cap)) == ["Use gpt-6-luna", "Use llama-3.1-8b-instruct", "Use gpt-4o-mini"]


def test_clicking_a_model_button_reruns_the_question_with_that_model_and_shows_the_answer_in_the_panel(shell, server, api_key):
    server.script(model_not_found("gpt-5-ultra"), Reply("Answered by gpt-4.1-mini."))
    cap = run(shell, "%%chat -m gpt-5-ultra -t 0.7\nWhat is 2+2?")
    panel = panel_of(cap)

    click(panel, "Use gpt-4.1-mini")

    retried = server.chat_requests()[-1].body
    assert retried["model"] == "gpt-4.1-mini" and retried["temperature"] == 0.7
    assert retried["messages"] == [{"role": "user", "content": "What is 2+2?"}]
    [answer] = output_bundles(panel)
    assert answer["text/markdown"].startswith("Answered by gpt-4.1-mini.")
    assert magics(shell).session.conversation.exchanges[-1].model == "gpt-4.1-mini"


def test_a_404_without_a_code_that_mentions_the_model_is_still_a_missing_model(shell, server, api_key):
    server.script(Error(404, {"error": "model 'llama9' not found, try pulling it first"}))  # Ollama's shape

    cap = run(shell, "%%chat -m llama9\nHi")

    assert panel_bundle(cap)["text/plain"].startswith("✖ Model llama9 is not available")


# -- 429 rate limit --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "limited, expected_wait",
    [
        (rate_limit(retry_after_ms=1500), 1.5),
        (rate_limit(retry_after=2), 2.0),
        (rate_limit(reset_requests="120ms", reset_tokens="2.5s"), 2.5),
        (rate_limit(kind="requests", reset_requests="1m0s", reset_tokens="6ms"), 60.0),
    ],
    ids=["retry-after-ms", "retry-after", "x-ratelimit-reset-tokens", "x-ratelimit-reset-requests"],
)
def test_a_rate_limit_is_retried_after_the_wait_the_server_asked_for_with_a_visible_countdown(shell, server, api_key, sleeps, limited, expected_wait):
    server.script(limited, Reply("Made it."))

    cap = run(shell)

    assert sum(sleeps) == pytest.approx(expected_wait)
    assert max(sleeps) <= 1.0  # the countdown ticks at least once a second
    assert countdowns(cap)[0].startswith(f"⏳ Rate limit reached — retrying in {expected_wait:.0f} s (attempt 2 of 4)")
    assert markdown_renders(cap)[-1].startswith("Made it.")
    assert cap.outputs[-1].data["text/markdown"].startswith("Made it.")
    assert len(server.chat_requests()) == 2
    assert not [o for o in cap.outputs if WIDGET in o.data]  # recovered: no panel


def test_a_rate_limit_that_persists_stops_after_the_configured_attempts_and_offers_retry(shell, server, api_key, sleeps):
    shell.run_line_magic("config", "ChatMagics.retries = 2")
    server.script(*[rate_limit(retry_after_ms=20)] * 5)

    cap = run(shell)

    assert len(server.chat_requests()) == 3  # one request plus two retries; the SDK adds none
    assert sleeps == pytest.approx([0.02, 0.02])
    text = panel_bundle(cap)["text/plain"]
    assert text.startswith("✖ Rate limit reached")
    assert "It was retried 2 times over 0.0 s." in text
    assert "6891829-error-code-429-rate-limit-reached-for-requests" in text
    assert labels(panel_of(cap)) == ["Retry"]


def test_pressing_retry_after_a_rate_limit_sends_the_question_again_and_shows_the_answer(shell, server, api_key, sleeps):
    shell.run_line_magic("config", "ChatMagics.retries = 0")
    server.script(rate_limit(retry_after_ms=20), Reply("Second time lucky."))
    cap = run(shell, "%%chat\nAre you there?")
    panel = panel_of(cap)

    click(panel, "Retry")

    assert len(server.chat_requests()) == 2
    assert server.chat_requests()[-1].body["messages"] == [{"role": "user", "content": "Are you there?"}]
    assert output_bundles(panel)[-1]["text/markdown"].startswith("Second time lucky.")


def test_a_retry_from_the_panel_that_meets_a_rate_limit_counts_down_inside_the_panel(shell, server, api_key, sleeps):
    shell.run_line_magic("config", "ChatMagics.retries = 0")
    server.script(rate_limit(retry_after_ms=20))
    panel = panel_of(run(shell))
    shell.run_line_magic("config", "ChatMagics.retries = 1")
    server.script(rate_limit(retry_after=2), Reply("Patience pays."))
    seen = [o.data.get("text/plain", "") for o in click(panel, "Retry").outputs if o.update]  # countdown, then answer

    assert "⏳ Rate limit reached — retrying in 2 s (attempt 2 of 2)" in seen
    assert [b["text/plain"] for b in output_bundles(panel)] == ["Patience pays."]  # the countdown is gone
    assert len(server.chat_requests()) == 3


def test_an_answer_brought_by_retry_is_stored_in_the_out_variable(shell, server, api_key, sleeps):
    shell.run_line_magic("config", "ChatMagics.retries = 0")
    server.script(overloaded(), Reply("Stored at last."))
    panel = panel_of(run(shell, "%%chat --out summary\nSummarize"))
    assert shell.user_ns["summary"] == ""

    click(panel, "Retry")

    assert shell.user_ns["summary"] == "Stored at last."


def test_a_rate_limit_asking_for_a_longer_wait_than_allowed_is_not_waited_for(shell, server, api_key, sleeps):
    shell.run_line_magic("config", "ChatMagics.max_retry_wait = 10")
    server.script(rate_limit(retry_after=3600))

    cap = run(shell)

    assert sleeps == [] and len(server.chat_requests()) == 1
    assert panel_bundle(cap)["text/plain"].startswith("✖ Rate limit reached")


def test_slow_down_is_treated_as_a_rate_limit(shell, server, api_key, sleeps):
    server.script(slow_down(), Reply("ok"))

    cap = run(shell)

    assert len(server.chat_requests()) == 2 and sleeps  # backed off, then succeeded
    assert markdown_renders(cap)[-1].startswith("ok")


def test_ctrl_c_during_the_countdown_stops_retrying_and_shows_the_panel(shell, server, api_key):
    def interrupted_sleep(seconds):
        raise KeyboardInterrupt

    magics(shell).session.sleep = interrupted_sleep
    server.script(rate_limit(retry_after=5))

    cap = run(shell)

    assert len(server.chat_requests()) == 1
    assert panel_bundle(cap)["text/plain"].startswith("✖ Rate limit reached")
    assert countdowns(cap) and [o.data for o in cap.outputs if o.update][-1] == {"text/plain": ""}  # the countdown line is cleared


# -- 429 insufficient_quota ------------------------------------------------------------------------


def test_a_quota_error_costs_exactly_one_request_and_says_to_add_credits(shell, server, api_key, sleeps):
    server.script(insufficient_quota(), insufficient_quota(), insufficient_quota())

    cap = run(shell)

    assert len(server.requests) == 1  # no retry, by us or by the SDK, and no other call
    assert sleeps == [] and countdowns(cap) == []
    bundle = panel_bundle(cap)
    text = bundle["text/plain"]
    assert text.startswith("✖ You exceeded your current quota")
    assert "nothing was retried" in text
    assert "Billing: https://platform.openai.com/settings/organization/billing/overview" in text
    assert "Usage: https://platform.openai.com/usage" in text
    assert "6891831-error-code-429-you-exceeded-your-current-quota" in bundle["text/html"]
    assert not [o for o in cap.outputs if WIDGET in o.data]  # retrying cannot help: no button, so no widget at all


# -- 5xx overloaded -----------------------------------------------------------------------------------


@pytest.mark.parametrize("failing", [overloaded, server_is_overloaded, server_error], ids=["503-overloaded", "503-server_is_overloaded", "500"])
def test_an_overloaded_server_is_retried_a_bounded_number_of_times_then_offers_retry(shell, server, api_key, sleeps, failing):
    server.script(*[failing() for _ in range(6)])

    cap = run(shell)

    assert len(server.chat_requests()) == 4
    assert sleeps == pytest.approx([0.01, 0.02, 0.04])  # backoff from ChatMagics.retry_initial_delay
    text = panel_bundle(cap)["text/plain"]
    assert text.startswith("✖ The server is overloaded")
    assert "6891834" in text
    assert labels(panel_of(cap)) == ["Retry"]
    assert "{request_id}" not in text and "req_" not in text  # the server's message is for %chat error


def test_an_overload_that_clears_up_shows_the_answer_without_a_panel(shell, server, api_key, sleeps):
    server.script(overloaded(), Reply("Back again."))

    cap = run(shell)

    assert len(server.chat_requests()) == 2
    assert markdown_renders(cap)[-1].startswith("Back again.")
    assert not [o for o in cap.outputs if WIDGET in o.data]


# -- 400 context_length_exceeded --------------------------------------------------------------------


def test_a_too_long_conversation_offers_only_larger_window_models_largest_first_and_a_reset(shell, server, api_key):
    server.models = ["gpt-4o", "gpt-4o-mini", "gpt-4.1-mini", "gpt-5-mini", "gpt-6-luna", "whisper-1", "my-gateway-model"]
    server.script(Reply("first answer"), context_length_exceeded(limit=128000, used=130017), Reply("Fits now."))
    run(shell, "%%chat -m gpt-4o\nfirst")

    cap = run(shell, "%%chat -m gpt-4o\nsecond, very long")
    panel = panel_of(cap)

    text = panel_bundle(cap)["text/plain"]
    assert text.startswith("✖ The conversation is too long for gpt-4o")
    assert "%chat reset" in text
    # gpt-4o-mini (the same 128,000) and names of unknown size are left out; a retiring model comes last
    assert labels(panel) == ["Use gpt-6-luna", "Use gpt-4.1-mini", "Use gpt-5-mini", "Reset conversation and retry"]
    assert len(server.chat_requests()) == 2

    click(panel, "Reset conversation and retry")

    assert server.chat_requests()[-1].body["messages"] == [{"role": "user", "content": "second, very long"}]
    assert output_bundles(panel)[-1]["text/markdown"].startswith("Fits now.")


# -- network ------------------------------------------------------------------------------------------


def test_an_unreachable_endpoint_shows_the_base_url_never_the_key_and_retries_a_bounded_number_of_times(shell, server, api_key, sleeps):
    url = f"http://127.0.0.1:{closed_port()}/v1"
    shell.run_line_magic("config", f'ChatMagics.base_url = "{url}"')

    cap = run(shell)

    text = panel_bundle(cap)["text/plain"]
    assert text.startswith(f"✖ Can't reach {url}")
    assert "retried 3 times" in text and "OPENAI_BASE_URL" in text
    assert len(sleeps) == 3
    assert labels(panel_of(cap)) == ["Retry"]
    assert TEST_KEY not in shown(cap) and MASKED not in text
    assert details(shell)["exception"] == "APIConnectionError"


def test_pressing_retry_after_fixing_the_base_url_uses_the_fixed_url_and_shows_the_answer(shell, server, api_key, sleeps):
    shell.run_line_magic("config", f'ChatMagics.base_url = "http://127.0.0.1:{closed_port()}/v1"')
    cap = run(shell, "%%chat -m gpt-4.1-mini\nStill there?")
    panel = panel_of(cap)

    shell.run_line_magic("config", f'ChatMagics.base_url = "{server.base_url}"')  # what the panel says to check
    click(panel, "Retry")

    assert server.chat_requests()[-1].body["model"] == "gpt-4.1-mini"  # the cell's options are kept
    assert output_bundles(panel)[-1]["text/markdown"].startswith("Hello from the test server.")


def test_pressing_retry_after_raising_the_timeout_uses_the_new_timeout(shell, server, api_key, sleeps):
    shell.run_line_magic("config", "ChatMagics.timeout = 0.2")
    shell.run_line_magic("config", "ChatMagics.retries = 0")
    server.script(Hang(1), Hang(0.4, Reply("Slow but sure.")))
    cap = run(shell)
    panel = panel_of(cap)

    shell.run_line_magic("config", "ChatMagics.timeout = 5")
    click(panel, "Retry")

    assert output_bundles(panel)[-1]["text/markdown"].startswith("Slow but sure.")


def test_a_server_that_goes_silent_past_the_limit_is_asked_once_and_offers_retry(shell, server, api_key, sleeps):
    # The server had the request: it may be working, and billing. Sending it again by itself would pay twice.
    shell.run_line_magic("config", "ChatMagics.timeout = 0.2")
    shell.run_line_magic("config", "ChatMagics.retries = 1")
    server.script(Hang(1), Hang(1))

    cap = run(shell)

    text = panel_bundle(cap)["text/plain"]
    assert text.startswith(f"✖ {server.base_url} went silent")
    assert "sent nothing for 0.2 s" in text and "It was not sent again by itself" in text
    assert "ChatMagics.timeout" in text
    assert len(server.chat_requests()) == 1
    assert labels(panel_of(cap)) == ["Retry"]


# -- 5xx HTML ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("status", [502, 503, 504])
def test_an_html_error_page_is_summarized_in_one_line_with_its_title_never_as_raw_html(shell, server, api_key, sleeps, status):
    server.script(*[html_gateway(status) for _ in range(4)])

    cap = run(shell)

    bundle = panel_bundle(cap)
    title = {502: "502 Bad Gateway", 503: "503 Service Unavailable", 504: "504 Gateway Timeout"}[status]
    assert bundle["text/plain"].splitlines()[0] == f"✖ The server returned an error page: {title}"
    no_raw_body(shown(cap))
    assert len(server.chat_requests()) == 4
    assert details(shell)["message"] == title


def test_an_error_page_whose_title_lacks_the_status_gets_the_status_added(shell, server, api_key, sleeps):
    shell.run_line_magic("config", "ChatMagics.retries = 0")
    server.script(Error(503, "<!DOCTYPE html><html><head><title>Down for maintenance</title><style>p{}</style></head><body><p>Back soon</p></body></html>"))

    cap = run(shell)

    assert panel_bundle(cap)["text/plain"].splitlines()[0] == "✖ The server returned an error page: Down for maintenance (HTTP 503)"
    no_raw_body(shown(cap))
    assert "Back soon" not in shown(cap)


def test_an_error_page_without_a_title_is_summarized_by_its_visible_text(shell, server, api_key, sleeps):
    shell.run_line_magic("config", "ChatMagics.retries = 0")
    server.script(Error(502, "<html><head><style>body{color:red}</style><script>var x=1;</script></head><body><h1>Upstream  failed</h1></body></html>"))

    cap = run(shell)

    assert panel_bundle(cap)["text/plain"].splitlines()[0] == "✖ The server returned an error page: Upstream failed (HTTP 502)"


def test_an_error_page_that_echoes_the_key_in_its_title_shows_it_masked(shell, server, api_key, sleeps):
    shell.run_line_magic("config", "ChatMagics.retries = 0")
    server.script(Error(502, f"<html><head><title>Bad upstream for {TEST_KEY}</title></head><body>x</body></html>"))

    cap = run(shell)

    assert panel_bundle(cap)["text/plain"].splitlines()[0] == f"✖ The server returned an error page: Bad upstream for {MASKED} (HTTP 502)"
    assert TEST_KEY not in shown(cap) + chat_error(shell) + widget_state(panel_of(cap))


# -- mid-stream -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("broken", [StreamError("The first half of"), StreamDrop("The first half of")], ids=["error-event", "dropped"])
def test_a_stream_that_breaks_keeps_the_partial_answer_marked_incomplete_with_the_panel_below(shell, server, api_key, sleeps, broken):
    server.script(broken)

    cap = run(shell)

    final = markdown_renders(cap)[-1]
    assert final.startswith("The first half of")
    assert "answer incomplete: the stream stopped early" in final
    kinds = ["panel" if WIDGET in o.data else "answer" for o in cap.outputs if WIDGET in o.data or "text/markdown" in o.data]
    assert kinds[-1] == "panel" and kinds[-2] == "answer"  # the error is below the partial answer
    assert panel_bundle(cap)["text/plain"].startswith("✖ The answer was cut off")
    assert labels(panel_of(cap)) == ["Retry"]
    assert len(server.chat_requests()) == 1 and sleeps == []  # never retried on its own
    assert magics(shell).session.conversation.exchanges[-1].complete is False


def test_retry_after_a_broken_stream_asks_again_without_the_broken_answer_and_replaces_it(shell, server, api_key):
    server.script(Reply("Earlier answer."), StreamError("The first half of"), Reply("The whole answer."))
    run(shell, "%%chat\nEarlier question")
    cap = run(shell, "%%chat\nTell me everything")
    panel = panel_of(cap)

    click(panel, "Retry")

    assert server.chat_requests()[-1].body["messages"] == [
        {"role": "user", "content": "Earlier question"},
        {"role": "assistant", "content": "Earlier answer."},
        {"role": "user", "content": "Tell me everything"},
    ]
    # The whole answer replaces the broken one where it stood, and the message goes (tests/test_retry_partial.py).
    [partial] = {o.transient["display_id"] for o in cap.outputs if "text/markdown" in o.data}
    on_partial = [o.data for o in CLICKS[id(panel)].outputs if o.transient["display_id"] == partial]
    assert on_partial[-1]["text/markdown"].startswith("The whole answer.")
    assert output_bundles(panel) == [{"text/plain": ""}]
    history = [(e.prompt, e.answer, e.complete) for e in magics(shell).session.conversation.exchanges]
    assert history == [("Earlier question", "Earlier answer.", True), ("Tell me everything", "The whole answer.", True)]


# -- 403 region and other 400s ------------------------------------------------------------------------


def test_a_region_refusal_says_so_with_the_servers_message_after_one_request(shell, server, api_key):
    server.script(region_not_supported())

    cap = run(shell)

    text = panel_bundle(cap)["text/plain"]
    assert text.startswith("✖ Not available in your region")
    assert "The server said: Country, region, or territory not supported" in text
    assert len(server.chat_requests()) == 1


def test_another_bad_request_shows_the_servers_message_cleanly_after_one_request(shell, server, api_key):
    # A gateway with a narrower range than ours (ours refuses -t 5 before sending: test_robustness.py).
    server.script(bad_request("Invalid value for 'temperature': expected a value <= 1, got 1.5.", param="temperature"))

    cap = run(shell, "%%chat -m gpt-4.1-mini -t 1.5\nHello")

    text = panel_bundle(cap)["text/plain"]
    assert text.startswith("✖ The request was refused (HTTP 400)")
    assert "The server said: Invalid value for 'temperature': expected a value <= 1, got 1.5." in text
    no_raw_body(shown(cap))
    assert len(server.chat_requests()) == 1


# -- %chat error ------------------------------------------------------------------------------------------


def test_chat_error_shows_the_status_type_code_request_id_and_message_of_the_last_failure(shell, server, api_key):
    server.script(insufficient_quota())
    run(shell, "%%chat -m gpt-4.1-mini\nHello")

    facts = details(shell)

    assert facts["kind"] == "insufficient_quota"
    assert facts["status"] == "429"
    assert facts["type"] == "insufficient_quota" and facts["code"] == "insufficient_quota"
    assert re.fullmatch(r"req_\d+", facts["request_id"])
    assert facts["message"].startswith("You exceeded your current quota")
    assert facts["model"] == "gpt-4.1-mini" and facts["base_url"] == server.base_url
    assert facts["key"] == MASKED and facts["key_source"] == "environment"
    assert facts["attempts"] == "1" and facts["exception"] == "RateLimitError"


def test_chat_error_before_any_failure_says_there_was_none(shell):
    assert chat_error(shell).strip() == "No failure so far in this session."


# -- language -------------------------------------------------------------------------------------------


def test_the_panel_and_its_buttons_are_in_chinese_with_language_zh(shell, server, api_key, sleeps):
    shell.run_line_magic("config", 'ChatMagics.language = "zh"')
    server.script(rate_limit(retry_after=1), rate_limit(retry_after_ms=20), rate_limit(retry_after_ms=20), rate_limit(retry_after_ms=20))

    cap = run(shell)

    text = panel_bundle(cap)["text/plain"]
    assert text.startswith("✖ 已达到速率限制")
    assert "已重试 3 次" in text and "技术细节：%chat error" in text
    assert labels(panel_of(cap)) == ["重试"]
    assert countdowns(cap)[0].startswith("⏳ 已达到速率限制 — 1 秒后重试（第 2 次，共 4 次）")


def test_the_language_follows_a_chinese_locale_when_left_on_auto(shell, server, api_key, monkeypatch):
    monkeypatch.setenv("LC_ALL", "zh_CN.UTF-8")
    server.script(insufficient_quota())

    cap = run(shell)

    assert panel_bundle(cap)["text/plain"].startswith("✖ 您已超过当前配额")


def test_every_catalog_entry_reads_in_english_and_chinese_with_every_value_filled_in():
    failure = errors.Failure(errors.kind_named("missing_key"), status=500, model="gpt-4", base_url="http://x/v1", connection="openai")
    for kind in errors.CATALOG.values():
        failure.kind = kind
        for text in (kind.title, kind.explanation, kind.next_step, *(label for label, _url in kind.links)):
            assert isinstance(text, Text) and text.en and text.zh
            for language in ("en", "zh"):
                rendered = text.get(language, **failure.values())
                assert "{" not in rendered, (kind.kind, language, rendered)
        assert set(kind.actions) <= {errors.SET_KEY, errors.RETRY, errors.SWITCH_MODEL, errors.RESET}


# -- the same content as widget, HTML and text ----------------------------------------------------------


@pytest.mark.parametrize("language", ["en", "zh"])
def test_a_panel_carries_the_same_content_as_html_and_plain_text_for_viewers_without_widgets(shell, server, api_key, language):
    import html

    shell.run_line_magic("config", f'ChatMagics.language = "{language}"')
    server.script(insufficient_quota())

    cap = run(shell)

    bundle = panel_bundle(cap)
    assert WIDGET not in bundle  # the message is an ordinary output: a notebook reopened without its kernel shows it
    assert 'class="chatwithtech-error"' in bundle["text/html"] and 'data-kind="insufficient_quota"' in bundle["text/html"]
    visible_html = html.unescape(re.sub(r"<[^>]+>", "", bundle["text/html"]))
    for line in bundle["text/plain"].splitlines():
        if line.startswith("http") or re.search(r"(: |：)http", line):
            label, url = re.split(r": |：", line, maxsplit=1)  # a Chinese label takes the full-width colon
            assert f'href="{url}"' in bundle["text/html"] and label in visible_html
        else:
            assert line in visible_html, line


# -- classification: body code and type before the exception class --------------------------------------


@pytest.mark.parametrize(
    "error, kind, retried",
    [
        (invalid_api_key(), "invalid_api_key", False),
        (invalid_organization(), "organization", False),
        (mismatched_organization(), "organization", False),
        (no_organization(), "organization", False),
        (model_not_found(), "model_not_found", False),
        (rate_limit(retry_after_ms=1), "rate_limit", True),
        (slow_down(), "rate_limit", True),
        (insufficient_quota(), "insufficient_quota", False),  # also a RateLimitError: the code decides
        (overloaded(), "overloaded", True),
        (server_is_overloaded(), "overloaded", True),
        (server_error(), "overloaded", True),
        (context_length_exceeded(), "context_length", False),
        (region_not_supported(), "region", False),
        (bad_request(), "request_refused", False),
        (html_gateway(502), "gateway", True),
        (Error(429, "Too Many Requests", content_type="text/plain"), "rate_limit", True),
        (Error(403, "<html><title>Access denied</title></html>"), "request_refused", False),
    ],
)
def test_each_server_error_is_classified_by_its_body_before_its_exception_class(server, error, kind, retried):
    server.script(error)
    with openai.OpenAI(api_key="sk-test-classify-1234", base_url=server.base_url, max_retries=0) as client:
        with pytest.raises(openai.APIError) as caught:
            client.chat.completions.create(model="gpt-4.1-mini", messages=[{"role": "user", "content": "hi"}])

    failure = errors.classify(caught.value, secrets=("sk-test-classify-1234",))

    assert (failure.kind.kind, failure.retried) == (kind, retried)
    assert "sk-test-classify-1234" not in failure.message


# -- a key that cannot be sent ------------------------------------------------------------------------


@pytest.mark.parametrize("bad_key, char", [("sk-test\u2010abcdefWXYZ", "U+2010"), ("sk-test abcdefWXYZ", "U+0020"), ("sk-test\u200babcdefWXYZ", "U+200B")], ids=["typographic-dash", "inner-space", "zero-width-space"])
def test_a_key_with_a_character_no_key_has_is_reported_without_a_traceback_or_a_request(shell, server, monkeypatch, sleeps, bad_key, char):
    monkeypatch.setenv("OPENAI_API_KEY", bad_key)

    cap = run(shell)

    text = panel_bundle(cap)["text/plain"]
    assert text.startswith("✖ The API key contains characters a key cannot have")
    assert f"({char})" in text and "(from the OPENAI_API_KEY environment variable)" in text
    assert labels(panel_of(cap)) == ["Set API key"]
    assert server.requests == [] and sleeps == []
    assert bad_key not in shown(cap)


def test_a_key_with_a_trailing_line_break_is_used_trimmed(shell, server, monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", TEST_KEY + "\n")

    cap = run(shell)

    assert server.chat_requests()[0].bearer == TEST_KEY
    assert markdown_renders(cap)[-1].startswith("Hello from the test server.")
