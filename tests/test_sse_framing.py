"""Issue 18, stream items: how the event stream is framed and when reading stops.

* After ``data: [DONE]`` only what is already at hand is read: a proxy that pings after it
  can't hold a finished cell, and a drip of comments can't keep any cell alive past ``timeout``.
* Lines are framed incrementally and capped: one long line costs linear time, and a line over
  the cap is a clear panel, not a traceback.
* Lines may end with CR alone, as the SSE standard allows (and CRLF may be cut across chunks).
"""

from __future__ import annotations

import json

import openai
import pytest

from chatwithtech_magic import sse
from chatwithtech_magic.answer import Draft
from chatwithtech_magic.sse import Events, events, stream_into
from chatwithtech_magic.stream import Throttle
from chatwithtech_magic.wire.chat_completions import CHAT
from tests.support.environment import TEST_KEY
from tests.support.magics import chat
from tests.support.openai_server import Events as ServerEvents

MODEL = "gpt-4.1-mini"


class Shown:
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


def read(client, silence=None):
    draft = Draft()
    params = {"model": MODEL, "messages": [{"role": "user", "content": "Hi"}], "stream": True}
    stream_into(client, CHAT, params, draft, Shown(), Throttle(0), silence)
    return draft


def chunk(text: str, finish=None) -> dict:
    return {"choices": [{"index": 0, "delta": {"content": text}, "finish_reason": finish}]}


def line(obj) -> str:
    return f"data: {json.dumps(obj)}"


# -- after [DONE] ------------------------------------------------------------------------------


def test_a_proxy_that_pings_after_done_does_not_hold_the_finished_answer(server, client):
    # Ten pings a tenth of a second apart would hold the cell a second if the body were read to its end.
    server.script(ServerEvents([chunk("Done.", "stop")], after_done=[": ping\n\n"] * 10, delay=0.1))

    draft = read(client)

    assert draft.text == "Done." and draft.finish_reason == "stop"
    assert len(server.requests) == 1


def test_after_a_clean_done_the_connection_is_reused_for_the_next_cell(server, client):
    server.script(ServerEvents([chunk("One.", "stop")]), ServerEvents([chunk("Two.", "stop")]))
    opened = server.connections_opened

    assert read(client).text == "One."
    assert read(client).text == "Two."

    assert server.connections_opened - opened == 1  # the terminator was read: one connection for both


def test_after_pings_past_done_the_next_cell_still_gets_its_answer(server, client):
    server.script(ServerEvents([chunk("First.", "stop")], after_done=[": ping\n\n"] * 5, delay=0.1))
    assert read(client).text == "First."

    assert read(client).text == "Hello from the test server."  # a fresh connection: the cut one is not reused


def test_a_drip_of_comments_before_any_event_is_a_silence_like_any_other(server, client):
    # Only comments, each well within the read timeout: the silence limit still ends it.
    server.script(ServerEvents([": ping\n\n"] * 40, delay=0.05, done=False))

    with pytest.raises(openai.APITimeoutError):
        read(client, silence=0.3)


def test_a_drip_of_comments_in_a_cell_is_one_request_and_a_timeout_panel(shell, server, api_key):
    shell.run_line_magic("config", "ChatMagics.timeout = 0.3")
    server.script(ServerEvents([": keep-alive\n\n"] * 40, delay=0.05, done=False))

    cap = chat(shell, f"-m {MODEL}")

    panels = [o.data["text/plain"] for o in cap.outputs if o.data.get("text/plain", "").startswith("✖")]
    assert panels and "went silent" in panels[0]
    assert len(server.chat_requests()) == 1


# -- long lines --------------------------------------------------------------------------------


def test_a_long_line_framed_from_many_small_blocks_is_one_event():
    reader = Events()
    payload = json.dumps(chunk("x" * 2_000_000)).encode()
    body = b"data: " + payload + b"\n\n"
    found = []
    for start in range(0, len(body), 4096):
        found += reader.feed(body[start : start + 4096])

    assert found == [payload]
    assert reader.pieces == []


def test_a_line_over_the_cap_is_a_clear_panel_not_a_traceback(shell, server, api_key):
    huge = "data: " + "x" * (sse.MAX_LINE + 10)  # no newline at all
    server.script(ServerEvents([huge], done=False))

    cap = chat(shell, f"-m {MODEL}")

    text = cap.stdout + cap.stderr + "".join(o.data.get("text/plain", "") for o in cap.outputs)
    assert "Traceback" not in text
    assert "longer than 16 MB" in text
    assert len(server.chat_requests()) == 1


def test_an_event_made_of_many_data_lines_is_capped_too():
    try:
        from httpx2 import Request
    except ImportError:  # openai on httpx
        from httpx import Request
    reader = Events(limit=1000)

    with pytest.raises(openai.APIError):
        for _ in range(100):
            reader.feed(b"data: " + b"y" * 50 + b"\n", Request("POST", "http://127.0.0.1/v1/chat/completions"))


# -- line endings ------------------------------------------------------------------------------


@pytest.mark.parametrize("ending", ["\n", "\r\n", "\r"], ids=["LF", "CRLF", "CR"])
def test_every_line_ending_the_standard_allows_reads_the_same_answer(server, client, ending):
    lines = [line(chunk("Hello, ")), "", line(chunk("world.", "stop")), "", "data: [DONE]", "", ""]
    server.script(ServerEvents([ending.join(lines)], done=False))

    draft = read(client)

    assert draft.text == "Hello, world." and draft.finish_reason == "stop"


def test_a_crlf_cut_between_two_chunks_is_one_line_ending():
    reader = Events()

    found = reader.feed(b"data: one\r") + reader.feed(b"\n\r") + reader.feed(b"\ndata: two\r\r")

    assert found == [b"one", b"two"]


def test_cr_only_events_arriving_one_byte_at_a_time_are_whole():
    body = b"data: a\r\rdata: b\rdata: c\r\r"

    assert list(events(body[i : i + 1] for i in range(len(body)))) == [b"a", b"b\nc"]
