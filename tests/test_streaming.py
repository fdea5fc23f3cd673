"""Streaming (issue 13): one connection per endpoint, odd SSE lines, and bounded display traffic.

Our SSE reader runs on the real ``openai`` SDK's raw-response interface against the loopback
server over real HTTP. Connection counts and traffic bounds are counts, so they are tested;
durations are not (see ``benchmarks/bench.py``).
"""

from __future__ import annotations

import json

import openai
import pytest

from chatwithtech_magic.credentials import CredentialStore
from chatwithtech_magic.session import ChatRequest, ChatSession
from chatwithtech_magic.answer import Draft
from chatwithtech_magic.sse import events, stream_into
from chatwithtech_magic.stream import TRAFFIC_RATIO, TRAFFIC_SLACK, Throttle
from chatwithtech_magic.wire.chat_completions import CHAT
from chatwithtech_magic.wire.json_object import JsonObject as Record, as_attributes as record
from tests.support.environment import TEST_KEY
from tests.support.magics import chat
from tests.support.openai_server import (
    Error,
    Events,
    Hang,
    Reply,
    StreamDrop,
    StreamError,
    model_not_found,
)

MODEL = "gpt-4.1-mini"


class Shown:
    """A view that records every render."""

    def __init__(self):
        self.updates: list[str] = []

    def update(self, text: str) -> None:
        self.updates.append(text)

    def finish(self, answer) -> None:
        pass


@pytest.fixture
def client(server):
    client = openai.OpenAI(api_key=TEST_KEY, base_url=server.base_url, max_retries=0)
    yield client
    client.close()


def read(client, draft=None, view=None, **params):
    draft = draft if draft is not None else Draft()
    params = {"model": MODEL, "messages": [{"role": "user", "content": "Hi"}], "stream": True,
              "stream_options": {"include_usage": True}, **params}
    stream_into(client, CHAT, params, draft, view or Shown(), Throttle(0))
    return draft


def content(text: str) -> dict:
    return {"choices": [{"index": 0, "delta": {"content": text}, "finish_reason": None}]}


FINISH = {"choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]}


def markdown_renders(cap) -> list[str]:
    return [o.data["text/markdown"] for o in cap.outputs if "text/markdown" in o.data]


def published_bytes(cap) -> int:
    return sum(len(json.dumps(o.data, ensure_ascii=False).encode()) for o in cap.outputs)


def session_of(shell):
    return shell.magics_manager.registry["ChatMagics"].session


# -- one connection ----------------------------------------------------------------------------


def test_ten_streamed_cells_share_one_connection_to_the_server(shell, server, api_key):
    opened = server.connections_opened

    for n in range(10):
        server.script(Reply(f"Answer {n}, streamed."))
        cap = chat(shell, f"-m {MODEL}", f"Question {n}")
        assert markdown_renders(cap)[-1].startswith(f"Answer {n}, streamed.")

    assert server.connections_opened - opened == 1


def test_a_streamed_answer_is_read_to_the_end_of_the_body_so_the_next_request_reuses_the_connection(server, client):
    opened = server.connections_opened

    first = read(client)
    second = read(client)

    assert first.text == second.text == "Hello from the test server."
    assert server.connections_opened - opened == 1


# -- what the reader gives the session ------------------------------------------------------------


def test_the_draft_gets_text_finish_reason_model_and_usage_with_its_details_as_attributes(server, client):
    usage = {"prompt_tokens": 20, "completion_tokens": 9, "total_tokens": 29,
             "prompt_tokens_details": {"cached_tokens": 12}, "completion_tokens_details": {"reasoning_tokens": 4}}
    server.script(Events([content("Hel"), content("lo"), FINISH, {"choices": [], "usage": usage}]))

    draft = read(client)

    assert (draft.text, draft.size, draft.finish_reason, draft.model) == ("Hello", 5, "stop", MODEL)
    assert draft.usage.prompt_tokens == 20 and draft.usage.completion_tokens == 9
    assert draft.usage.prompt_tokens_details.cached_tokens == 12
    assert draft.usage.completion_tokens_details.reasoning_tokens == 4
    assert draft.usage.completion_tokens_details.accepted_prediction_tokens is None  # absent reads as None
    assert draft.usage.model_dump() == usage


def test_refusal_deltas_and_tool_calls_reach_the_draft_beside_the_text(server, client):
    refusal = {"choices": [{"index": 0, "delta": {"content": None, "refusal": "I can't "}, "finish_reason": None}]}
    more = {"choices": [{"index": 0, "delta": {"refusal": "help with that."}, "finish_reason": None}]}
    tool = {"choices": [{"index": 0, "delta": {"tool_calls": [{"index": 0, "id": "call_1", "type": "function",
                                                                "function": {"name": "f", "arguments": "{}"}}]},
                         "finish_reason": "tool_calls"}]}
    server.script(Events([refusal, more, tool]))

    draft = read(client)

    assert draft.text == "" and draft.refusal == "I can't help with that."
    assert draft.tool_calls[0].function.name == "f" and draft.finish_reason == "tool_calls"


def test_an_answer_without_choices_or_with_null_content_is_read_without_error(server, client):
    server.script(Events([{"choices": []}, {"choices": [{"index": 0, "delta": {"content": None}}]}, {"choices": None},
                          {"choices": [{"index": 0, "delta": None, "finish_reason": "stop"}]}]))

    draft = read(client)

    assert (draft.text, draft.finish_reason) == ("", "stop")


# -- SSE lines that are not ordinary events --------------------------------------------------------


def chunk_line(text: str) -> str:
    return "data: " + json.dumps({"object": "chat.completion.chunk", "model": MODEL, **content(text)}) + "\n\n"


@pytest.mark.parametrize(
    "odd",
    [
        ": a comment, as gateways send to keep the connection open\n\n",
        "id: 42\n\n",
        "retry: 3000\n\n",
        "event: ping\ndata: \n\n",
        "data:\n\n",
        "data: \n\n",
        "\n\n",
        "unknown-field: value\n\n",
    ],
    ids=["comment", "id", "retry", "event-with-empty-data", "empty-data", "blank-data", "blank-lines", "unknown-field"],
)
def test_sse_lines_that_carry_no_chunk_are_skipped_and_the_answer_is_whole(server, client, odd):
    server.script(Events([chunk_line("Half "), odd, chunk_line("and half."), FINISH]))

    draft = read(client)

    assert (draft.text, draft.finish_reason) == ("Half and half.", "stop")


def test_crlf_line_endings_and_events_split_across_chunks_are_read_as_the_same_events(server, client):
    whole = chunk_line("One, ").replace("\n", "\r\n") + chunk_line("two.")
    server.script(Events([whole[:7], whole[7:40], whole[40:], FINISH]))

    draft = read(client)

    assert (draft.text, draft.finish_reason) == ("One, two.", "stop")


def test_the_event_parser_joins_multi_line_data_and_ends_a_body_without_a_final_blank_line():
    body = [b"data: {\"a\":\ndata:  1}\n\n", b": note\nid: 7\n\ndata: [DONE]"]

    assert list(events(body)) == [b'{"a":\n 1}', b"[DONE]"]


@pytest.mark.parametrize("bad", ["data: {not json\n\n", "data: 42\n\n", 'data: ["a list"]\n\n'], ids=["invalid-json", "number", "list"])
def test_an_event_that_is_not_a_json_object_stops_the_stream_as_a_plain_api_error_after_the_text(server, client, bad):
    server.script(Events([chunk_line("Kept "), bad, chunk_line("never read"), FINISH]))
    draft = Draft()

    with pytest.raises(openai.APIError) as raised:
        read(client, draft)

    assert type(raised.value) is openai.APIError and getattr(raised.value, "status_code", None) is None
    assert "not a JSON object" in raised.value.message and bad.strip()[6:] in raised.value.message
    assert draft.text == "Kept "


def test_a_cell_whose_stream_has_invalid_json_keeps_the_partial_answer_marked_incomplete_without_a_traceback(shell, server, api_key):
    server.script(Events([chunk_line("The first half, "), "data: {oops\n\n", chunk_line("lost"), FINISH]))

    cap = chat(shell, f"-m {MODEL}")

    final = [o.data for o in cap.outputs if "text/markdown" in o.data][-1]["text/plain"]
    assert final.startswith("The first half, ") and "answer incomplete: the stream stopped early" in final
    assert "Traceback" not in cap.stdout + cap.stderr
    assert session_of(shell).last_failure.kind.kind == "stream_interrupted"
    exchange = session_of(shell).conversation.exchanges[-1]
    assert exchange.answer == "The first half, " and exchange.complete is False


# -- failures raise what the SDK's own Stream raises ------------------------------------------------


def test_an_http_error_before_the_stream_raises_the_sdks_status_error(server, client):
    server.script(model_not_found(MODEL))

    with pytest.raises(openai.NotFoundError) as raised:
        read(client)

    assert raised.value.status_code == 404 and raised.value.body["code"] == "model_not_found"


def test_an_error_event_raises_a_plain_api_error_carrying_the_inner_error_after_the_text(server, client):
    server.script(StreamError("Partial answer"))
    draft = Draft()

    with pytest.raises(openai.APIError) as raised:
        read(client, draft)

    assert type(raised.value) is openai.APIError and raised.value.body["type"] == "server_error"
    assert raised.value.message.startswith("The server had an error") and draft.text == "Partial answer"


def test_a_dropped_connection_raises_a_connection_error_after_the_text(server, client):
    server.script(StreamDrop("Half an answer"))
    draft = Draft()

    with pytest.raises(openai.APIConnectionError) as raised:
        read(client, draft)

    assert not isinstance(raised.value, openai.APITimeoutError) and draft.text == "Half an answer"


def test_a_stalled_stream_raises_a_timeout_error(server, client):
    server.script(Reply(chunks=["slow", "er"], delay=2))

    with pytest.raises(openai.APITimeoutError):
        read(client.with_options(timeout=0.2))


def test_a_server_that_answers_late_raises_a_timeout_error_before_any_text(server, client):
    server.script(Hang(2))

    with pytest.raises(openai.APITimeoutError):
        read(client.with_options(timeout=0.2))


def test_an_html_error_page_before_the_stream_raises_the_status_error_with_the_page(server, client):
    server.script(Error(502, "<html><body>Bad gateway</body></html>"))

    with pytest.raises(openai.APIStatusError) as raised:
        read(client)

    assert raised.value.status_code == 502


# -- display traffic ---------------------------------------------------------------------------------


def test_a_long_answer_sends_at_most_20_times_its_size_to_the_frontend_and_shows_the_first_words_at_once(shell, server, api_key):
    pieces = [f"word{i} " for i in range(4000)]  # about 35 KB, every chunk offered for a render (interval 0)
    answer = "".join(pieces)
    server.script(Reply(chunks=pieces))

    cap = chat(shell, f"-m {MODEL}")

    renders = markdown_renders(cap)
    assert renders[0] == "word0 "  # the first text is shown as soon as it arrives
    assert renders[-1].startswith(answer) and cap.outputs[-1].data["text/plain"] == answer
    assert published_bytes(cap) <= 20 * len(answer.encode())
    assert len(renders) < len(pieces) / 20


def test_a_short_answer_is_still_shown_chunk_by_chunk(shell, server, api_key):
    pieces = [f"w{i} " for i in range(30)]
    server.script(Reply(chunks=pieces))

    cap = chat(shell, f"-m {MODEL}")

    assert len(markdown_renders(cap)) == len(pieces) + 1  # each chunk, then the final render


def test_renders_while_streaming_carry_one_copy_of_the_text_and_the_final_one_both(shell, server, api_key):
    server.script(Reply(chunks=["One ", "two ", "three."]))

    cap = chat(shell, f"-m {MODEL}")

    *streaming, final = [o.data for o in cap.outputs]
    assert streaming and all(set(data) == {"text/markdown"} for data in streaming)
    assert set(final) == {"text/markdown", "text/plain"} and final["text/plain"] == "One two three."


@pytest.fixture
def session(server, memory_keyring):
    session = ChatSession(CredentialStore(environ={"OPENAI_API_KEY": TEST_KEY, "OPENAI_BASE_URL": server.base_url}))
    yield session
    session.clients.clear()


def test_a_view_that_writes_only_the_new_text_like_a_terminal_gets_every_chunk_of_a_long_answer(session, server):
    pieces = [f"word{i} " for i in range(3000)]
    server.script(Reply(chunks=pieces))

    class Incremental(Shown):
        incremental = True

    view = Incremental()
    answer = session.ask("Hi", ChatRequest(model=MODEL), view, throttle_interval=0)

    assert len(view.updates) == len(pieces) and answer.text == "".join(pieces)


def test_a_view_that_re_renders_the_whole_text_gets_a_long_answer_in_few_renders(session, server):
    pieces = [f"word{i} " for i in range(3000)]
    server.script(Reply(chunks=pieces))
    view = Shown()

    session.ask("Hi", ChatRequest(model=MODEL), view, throttle_interval=0)

    assert view.updates[0] == "word0 " and len(view.updates) < len(pieces) / 20
    assert sum(map(len, view.updates)) <= TRAFFIC_RATIO * len("".join(pieces)) + TRAFFIC_SLACK


class Clock:
    def __init__(self):
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


@pytest.mark.parametrize("interval", [0, 0.1, 1.0])
@pytest.mark.parametrize("piece", [1, 7, 400])
def test_whatever_the_interval_the_text_re_sent_stays_within_the_budget(interval, piece):
    clock = Clock()
    throttle = Throttle(interval, clock=clock)
    length = sent = renders = 0

    for _ in range(20000):
        clock.now += 0.01
        length += piece
        if throttle.ready(length):
            sent += length
            renders += 1

    assert sent <= TRAFFIC_RATIO * length + TRAFFIC_SLACK
    assert renders >= 10  # still live: renders keep coming as the text grows


def test_the_first_text_renders_at_once_and_then_not_before_the_interval():
    clock = Clock()
    throttle = Throttle(0.5, clock=clock)

    assert throttle.ready(3)
    clock.now = 0.4
    assert not throttle.ready(6)
    clock.now = 0.5
    assert throttle.ready(9)


@pytest.mark.parametrize("bad", [-1, float("nan"), float("inf")])
def test_an_interval_that_is_negative_or_not_a_number_falls_back_to_the_default(bad):
    assert Throttle(bad).interval == Throttle().interval > 0


def test_records_read_json_objects_as_attributes_and_lists_as_lists():
    value = record({"a": {"b": [{"c": 1}], "d": None}})

    assert isinstance(value, Record) and value.a.b[0].c == 1 and value.a.d is None and value.a.missing is None
