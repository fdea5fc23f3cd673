"""The loopback OpenAI server speaks the protocol the real `openai` SDK expects."""

import socket
import sys
import time
from pathlib import Path

import openai
import pytest

# Self-contained: importable from any working directory, with or without a conftest.
_ROOT = str(Path(__file__).resolve().parents[1])
if _ROOT not in sys.path:
    sys.path.insert(0, _ROOT)

from tests.support.openai_server import (
    DEFAULT_MODELS,
    Hang,
    OpenAIServer,
    Reply,
    StreamDrop,
    StreamError,
    html_gateway,
    insufficient_quota,
    rate_limit,
)

MESSAGES = [{"role": "user", "content": "Say hello"}]


@pytest.fixture(scope="module")
def server():
    with OpenAIServer() as server:
        yield server


@pytest.fixture(autouse=True)
def _fresh_server(server):
    server.reset()
    yield
    server.reset()


@pytest.fixture
def client(server):
    with openai.OpenAI(api_key="sk-test-1234", base_url=server.base_url, max_retries=0) as client:
        yield client


def stream(client, **kwargs):
    return client.chat.completions.create(model="gpt-4.1-mini", messages=MESSAGES, stream=True, **kwargs)


def test_a_streamed_reply_with_include_usage_gives_the_text_and_the_token_usage(server, client):
    server.script(Reply("Hello there, notebook!"))

    chunks = list(stream(client, stream_options={"include_usage": True}))

    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert text == "Hello there, notebook!"
    assert chunks[0].choices[0].delta.role == "assistant"
    assert [c.choices[0].finish_reason for c in chunks if c.choices][-1] == "stop"
    assert chunks[-1].choices == [] and chunks[-1].usage.completion_tokens > 0
    assert chunks[-1].usage.total_tokens == chunks[-1].usage.prompt_tokens + chunks[-1].usage.completion_tokens
    assert {c.model for c in chunks} == {"gpt-4.1-mini"}
    request = server.chat_requests()[0]
    assert request.headers["authorization"] == "Bearer sk-test-1234"
    assert request.body["messages"] == MESSAGES and request.body["stream"] is True


def test_an_unscripted_request_gets_the_default_reply_with_usage_over_a_reused_connection(server, client):
    before = server.connections_opened
    answers = [client.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES) for _ in range(3)]

    assert [a.choices[0].message.content for a in answers] == ["Hello from the test server."] * 3
    assert answers[0].model == "gpt-4o-mini" and answers[0].usage.total_tokens > 0
    assert server.connections_opened - before == 1


def test_streamed_chunks_reach_the_client_before_the_server_has_sent_the_last_one(server, client):
    server.script(Reply(chunks=["one ", "two ", "three"], delay=0.15))

    start = time.monotonic()
    arrivals = []
    for chunk in stream(client):
        if chunk.choices and chunk.choices[0].delta.content:
            arrivals.append(time.monotonic() - start)
    total = time.monotonic() - start

    assert len(arrivals) == 3
    assert arrivals[0] < total - 0.25  # at least two more delays were still to come


def test_a_scripted_quota_error_reaches_the_sdk_as_a_rate_limit_error_with_its_code(server, client):
    server.script(insufficient_quota())

    with pytest.raises(openai.RateLimitError) as caught:
        client.chat.completions.create(model="gpt-4.1-mini", messages=MESSAGES)

    assert caught.value.status_code == 429
    assert caught.value.code == "insufficient_quota"
    assert caught.value.body["message"].startswith("You exceeded your current quota")
    assert caught.value.request_id == caught.value.response.headers["x-request-id"]
    assert caught.value.request_id.startswith("req_")


def test_a_rate_limit_error_carries_the_ratelimit_headers_and_retry_after_only_when_given(server, client):
    server.script(rate_limit(retry_after_ms=1500), rate_limit())

    with pytest.raises(openai.RateLimitError) as first:
        client.chat.completions.create(model="gpt-4.1-mini", messages=MESSAGES)
    with pytest.raises(openai.RateLimitError) as second:
        client.chat.completions.create(model="gpt-4.1-mini", messages=MESSAGES)

    assert first.value.code == "rate_limit_exceeded"
    assert first.value.response.headers["retry-after-ms"] == "1500"
    assert first.value.response.headers["x-ratelimit-remaining-tokens"] == "652"
    assert "retry-after" not in second.value.response.headers
    assert "retry-after-ms" not in second.value.response.headers
    assert second.value.response.headers["x-ratelimit-reset-tokens"] == "26.604s"


def test_an_html_gateway_page_raises_an_internal_server_error_whose_body_is_the_raw_page(server, client):
    server.script(html_gateway())

    with pytest.raises(openai.InternalServerError) as caught:
        client.chat.completions.create(model="gpt-4.1-mini", messages=MESSAGES)

    assert caught.value.status_code == 502
    assert caught.value.response.headers["content-type"].startswith("text/html")
    assert isinstance(caught.value.body, str) and "<title>502 Bad Gateway</title>" in caught.value.body
    assert caught.value.code is None


def test_an_error_event_mid_stream_raises_a_plain_api_error_after_some_text_arrived(server, client):
    server.script(StreamError("Partial answer"))

    received = []
    with pytest.raises(openai.APIError) as caught:
        for chunk in stream(client):
            received.append(chunk.choices[0].delta.content or "")

    assert "".join(received) == "Partial answer"
    assert not isinstance(caught.value, (openai.APIStatusError, openai.APIConnectionError))
    assert caught.value.body["type"] == "server_error"
    assert caught.value.message.startswith("The server had an error")


def test_a_dropped_stream_yields_the_partial_text_then_raises_a_connection_error(server, client):
    server.script(StreamDrop("Partial answer"), Reply("Still serving."))

    received = []
    with pytest.raises(openai.APIConnectionError):
        for chunk in stream(client):
            received.append(chunk)

    assert "".join(c.choices[0].delta.content or "" for c in received) == "Partial answer"
    assert all(c.choices[0].finish_reason is None for c in received)
    answer = client.chat.completions.create(model="gpt-4.1-mini", messages=MESSAGES)
    assert answer.choices[0].message.content == "Still serving."


def test_a_hanging_server_makes_the_client_time_out(server, client):
    server.script(Hang(2))

    with pytest.raises(openai.APITimeoutError):
        client.with_options(timeout=0.2).chat.completions.create(model="gpt-4.1-mini", messages=MESSAGES)


def test_the_models_list_returns_the_served_ids_and_honours_scripts(server, client):
    server.models = ["gpt-4", "gpt-3.5-turbo"]
    server.script_models(insufficient_quota())

    with pytest.raises(openai.RateLimitError):
        client.models.list()
    models = list(client.models.list())

    assert [m.id for m in models] == ["gpt-4", "gpt-3.5-turbo"]
    assert models[0].owned_by == "openai" and models[0].created == 1686935002
    assert [r.path for r in server.requests] == ["/v1/models", "/v1/models"]


def test_a_key_outside_valid_keys_gets_an_authentication_error_with_the_masked_key(server, client):
    server.valid_keys = {"sk-the-right-one"}

    with pytest.raises(openai.AuthenticationError) as caught:
        client.chat.completions.create(model="gpt-4.1-mini", messages=MESSAGES)

    assert caught.value.code == "invalid_api_key"
    assert caught.value.body["message"] == (
        "Incorrect API key provided: sk-*****1234. "
        "You can find your API key at https://platform.openai.com/account/api-keys."
    )
    with openai.OpenAI(api_key="sk-the-right-one", base_url=server.base_url, max_retries=0) as good:
        assert [m.id for m in good.models.list()][0] == DEFAULT_MODELS[0]


def test_an_unknown_path_gets_a_json_404(server, client):
    with pytest.raises(openai.NotFoundError) as caught:
        client.get("/nowhere", cast_to=object)

    assert caught.value.body["message"] == "Invalid URL (GET /v1/nowhere)"
    assert server.requests[0].method == "GET"


def test_a_request_to_a_closed_port_raises_a_connection_error():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with openai.OpenAI(api_key="sk-test-1234", base_url=f"http://127.0.0.1:{port}/v1", max_retries=0) as client:
        with pytest.raises(openai.APIConnectionError):
            client.chat.completions.create(model="gpt-4.1-mini", messages=MESSAGES)
