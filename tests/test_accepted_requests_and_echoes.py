"""What a review of issues 17-19 found, as what a user sees: a request the server accepted is never sent
twice and is counted; a key a server echoes is never shown; thinking that only closes its tag is thinking;
the live line shows no escape sequences; an unreadable clock setting is ignored.

Every test drives the real magics and the real SDK against the loopback server.
"""

from __future__ import annotations

import json
import threading

import pytest

from chatwithtech_magic.render import waiting
from tests.support.magics import chat
from tests.support.openai_server import Reply, StreamDrop, model_not_found

MODEL = "gpt-4.1-mini"
HEX = "3f9a1c0b7e5d42a8b6c9d0e1f2a3b4c5"  # an Azure key: known to the session, no shape


def session_of(shell):
    return shell.magics_manager.registry["ChatMagics"].session


@pytest.fixture
def quick_line(monkeypatch):
    """The live line from 0.05 s on, redrawn every 0.05 s."""
    monkeypatch.setattr(waiting, "SHOW_AFTER", 0.05)
    monkeypatch.setattr(waiting, "INTERVAL", 0.05)


@pytest.fixture
def sleeps_fast(shell):
    session_of(shell).sleep = lambda seconds: None
    return shell


# -- money: a request the server accepted is never re-sent by itself ---------------------------


def test_a_stream_accepted_with_200_that_drops_before_any_text_is_not_sent_again(shell, server, api_key, sleeps_fast):
    # The server answered 200 and opened the event stream (the model is working, and billing),
    # then the connection dropped (a proxy's idle cut) before the first token. Resending it pays twice.
    shell.run_line_magic("config", "ChatMagics.retries = 3")
    server.script(StreamDrop("", think=0.2), Reply("Second, paid again."))

    chat(shell, f"-m {MODEL}")

    assert len(server.chat_requests()) == 1


def test_a_whole_answer_whose_body_drops_after_200_headers_is_not_sent_again(shell, server, api_key, sleeps_fast):
    # --no-stream: the 200 headers came (the server has the request), the body never finished.
    shell.run_line_magic("config", "ChatMagics.retries = 3")
    server.script(StreamDrop("", think=0.2), Reply("Second, paid again."))

    chat(shell, f"-m {MODEL} --no-stream")

    assert len(server.chat_requests()) == 1


# -- text from a server is text: the live line ---------------------------------------------------


def test_the_live_line_shows_a_listed_models_name_without_raw_escape_sequences(shell, server, api_key, quick_line):
    # The default model is missing; the account's /models list (server text) names the one answering
    # instead, and the live line shows it while that model thinks. An OSC 52 in it writes the clipboard
    # of whoever runs `jupyter console` or cats the notebook.
    evil = "llama3\x1b]52;c;ZWNobyBwd25lZA==\x07"
    server.models = [evil]
    server.script(model_not_found("gpt-6-luna"), Reply("Hi.", think=0.4))

    cap = chat(shell)

    plain = [o.data.get("text/plain", "") for o in cap.outputs]
    assert [b.body["model"] for b in server.chat_requests()][-1] == evil  # the fallback really asked it
    assert any("thinking ·" in p for p in plain)
    assert not [p for p in plain if "\x1b" in p or "\x07" in p]


# -- the live line never outlives its cell ------------------------------------------------------------


def test_no_waiting_thread_is_left_running_after_a_cell_that_thought(shell, server, api_key, quick_line):
    server.script(Reply("Done.", think=0.3))

    chat(shell, f"-m {MODEL}")

    # Checked, not a defect: stop() does not join, so the thread may still be exiting for a moment
    # (a bare threading.enumerate() right after the cell once saw it); it is gone at once after.
    for thread in [t for t in threading.enumerate() if t.name == "chatwithtech-waiting"]:
        thread.join(0.5)
    assert not [t for t in threading.enumerate() if t.name == "chatwithtech-waiting" and t.is_alive()]


def test_a_failed_cell_leaves_no_empty_live_line_output_in_the_notebook(shell, server, api_key, quick_line):
    # A silence past the limit: the line showed, then the panel took its place. What is saved is what the
    # last update of each display says: the line's output must not stay behind as an empty output.
    shell.run_line_magic("config", "ChatMagics.timeout = 0.3")
    server.script(Reply("Too late.", think=1.0))

    cap = chat(shell, f"-m {MODEL}")

    last = {}
    for o in cap.outputs:
        last[o.transient.get("display_id") if o.transient else id(o)] = o.data
    assert not [d for d in last.values() if d == {"text/plain": ""}]
    assert any("went silent" in d.get("text/plain", "") for d in last.values())


# -- a key the session knows is never shown ----------------------------------------------------------


@pytest.mark.parametrize("where", ["thinking", "answer"])
def test_a_known_key_a_server_echoes_is_masked_in_what_the_notebook_shows(shell, server, monkeypatch, where):
    monkeypatch.setenv("OPENAI_API_KEY", HEX)
    echoed = f"The key in use is {HEX}."
    server.script(Reply("Fine.", reasoning=[echoed]) if where == "thinking" else Reply(echoed))

    cap = chat(shell, f"-m {MODEL}")

    shown = json.dumps([[o.data, o.metadata] for o in cap.outputs], ensure_ascii=False)
    if where == "thinking":
        assert "The key in use is" in shown
    assert HEX not in shown


# -- thinking told apart from the answer ---------------------------------------------------------------


def test_thinking_closed_by_a_lone_think_tag_is_neither_the_answer_nor_sent_back(shell, server, api_key):
    # DeepSeek-R1's and Qwen3's chat templates put "<think>\n" in the prompt, so a server without a
    # reasoning parser (vLLM, llama.cpp, Ollama's raw mode) streams the thinking with only its closing tag.
    server.script(Reply(chunks=["Okay, the user wants", " the capital.\n", "</think>", "\n\n", "Paris."]))
    chat(shell, f"-m {MODEL}")

    chat(shell, f"-m {MODEL}", "And of Italy?")

    history = server.chat_requests()[-1].body["messages"]
    assert {"role": "assistant", "content": "Paris."} in history
    assert "</think>" not in json.dumps(history)


def test_an_answer_that_opens_with_an_indented_code_block_after_the_thinking_keeps_its_indentation(shell, server, api_key):
    # Only the blank lines between "</think>" and the answer are the gap; the answer's first line is the answer's.
    server.script(Reply(chunks=["<think>Show code.</think>\n\n", "    x = 1\n", "\nThat sets x."]))
    chat(shell, f"-m {MODEL}")

    chat(shell, f"-m {MODEL}", "Thanks")

    history = server.chat_requests()[-1].body["messages"]
    assert {"role": "assistant", "content": "    x = 1\n\nThat sets x."} in history


# -- the clock: a setting from the environment never becomes a traceback ---------------------------------


def test_an_out_of_range_chatwithtech_now_is_ignored_like_any_unreadable_value(shell, server, api_key, monkeypatch):
    # clock.parse promises "None for anything else (ignored, never an error)"; a valid ISO date-time whose UTC
    # instant falls past year 9999 raises OverflowError in astimezone instead, in every cell.
    monkeypatch.setenv("CHATWITHTECH_NOW", "9999-12-31T23:59:59-01:00")

    result = shell.run_cell(f"%%chat -m {MODEL}\nHello")

    assert result.error_in_exec is None, repr(result.error_in_exec)


def test_every_request_the_server_accepted_is_counted_in_the_spend_the_budget_checks(shell, server, api_key, sleeps_fast):
    # While the resend above happens, the first (accepted, billed) attempt never reaches the ledger, so the
    # budget check before the resend (Meter.again) and %chat usage both leave it out.
    shell.run_line_magic("config", "ChatMagics.retries = 3")
    server.script(StreamDrop("", think=0.2), Reply("Second, paid again."))

    chat(shell, f"-m {MODEL}")

    ledger = session_of(shell).meter.ledger
    assert len(ledger.entries) == len(server.chat_requests())
