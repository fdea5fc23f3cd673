"""Issue 19: answers that take minutes arrive, the wait is visible, and nothing is paid for twice.

The timeout is the longest silence allowed once the server has the request (the SDK's 600 s by
default); connecting has its own short limit. A silence past it is shown with Retry, never
re-sent by itself. While no text has come, one live line says the model is thinking.
Tests use a small timeout and models that think for a fraction of a second.
"""

from __future__ import annotations

import io
import os
import signal
import socket
import sys
import threading
import time

import openai
import pytest
from IPython.utils.capture import capture_output

from chatwithtech_magic.client import http_timeout
from chatwithtech_magic.credentials import CredentialStore
from chatwithtech_magic.defaults import CONNECT_TIMEOUT, DEFAULT_TIMEOUT
from chatwithtech_magic.render import waiting
from chatwithtech_magic.render.answer import TerminalView
from chatwithtech_magic.request import ChatRequest
from chatwithtech_magic.session import ChatSession
from tests.support.environment import TEST_KEY
from tests.support.magics import chat, chat_line
from tests.support.openai_server import Reply, StreamDrop

MODEL = "gpt-4.1-mini"


def session_of(shell):
    return shell.magics_manager.registry["ChatMagics"].session


def texts(cap) -> list[str]:
    return [o.data.get("text/plain", "") for o in cap.outputs]


def panel_text(cap) -> str:
    return next(t for t in texts(cap) if t.startswith("✖"))


@pytest.fixture
def quick_line(monkeypatch):
    """The live line from 0.05 s on, redrawn every 0.05 s (1 s each by default)."""
    monkeypatch.setattr(waiting, "SHOW_AFTER", 0.05)
    monkeypatch.setattr(waiting, "INTERVAL", 0.05)


# -- the timeout ------------------------------------------------------------------------------


def test_by_default_a_model_may_be_silent_as_long_as_the_sdk_allows_and_connecting_is_short(shell):
    magics = shell.magics_manager.registry["ChatMagics"]

    assert magics.timeout == DEFAULT_TIMEOUT == ChatRequest().timeout == openai.DEFAULT_TIMEOUT.read
    limits = http_timeout(magics.timeout)
    assert (limits.read, limits.write, limits.connect, limits.pool) == (DEFAULT_TIMEOUT, DEFAULT_TIMEOUT, CONNECT_TIMEOUT, CONNECT_TIMEOUT)
    assert CONNECT_TIMEOUT <= 10


def test_the_client_is_made_with_the_split_timeout(server):
    session = ChatSession(CredentialStore(environ={"OPENAI_API_KEY": TEST_KEY, "OPENAI_BASE_URL": server.base_url}))
    session.ask("Hi", ChatRequest(model=MODEL, timeout=42), io_view())

    client = next(iter(session.clients._clients.values()))
    assert (client.timeout.read, client.timeout.connect) == (42, CONNECT_TIMEOUT)


def test_a_silent_model_list_is_a_message_and_lists_wait_less_than_chats(shell, server, api_key):
    from chatwithtech_magic.defaults import LIST_TIMEOUT
    from tests.support.openai_server import Hang

    assert LIST_TIMEOUT < DEFAULT_TIMEOUT  # %chat models and the key form's test never wait ten minutes

    shell.run_line_magic("config", "ChatMagics.timeout = 0.3")
    server.script_models(Hang(1))  # a chat may be silent this long; a list never should be

    cap = chat_line(shell, "models")

    shown = cap.stdout + "".join(str(v) for o in cap.outputs for v in o.data.values())
    assert "went silent" in shown
    assert len([r for r in server.requests if r.path.endswith("/models")]) == 1


def test_a_short_timeout_also_bounds_connecting():
    assert http_timeout(0.3).connect == 0.3


def test_a_model_that_thinks_within_the_limit_answers_and_is_asked_once(shell, server, api_key):
    shell.run_line_magic("config", "ChatMagics.timeout = 2")
    server.script(Reply("Forty-two.", think=0.4))

    cap = chat(shell, f"-m {MODEL}")

    assert [o.data["text/markdown"] for o in cap.outputs if "text/markdown" in o.data][-1].startswith("Forty-two.")
    assert len(server.chat_requests()) == 1


@pytest.mark.parametrize("ping", [0.0, 0.05], ids=["silent", "pinging"])
def test_a_model_that_thinks_past_the_limit_is_asked_once_and_offers_retry(shell, server, api_key, ping):
    shell.run_line_magic("config", "ChatMagics.timeout = 0.3")
    shell.run_line_magic("config", "ChatMagics.retries = 3")
    server.script(Reply("Too late.", think=1.0, ping=ping))

    cap = chat(shell, f"-m {MODEL}")

    text = panel_text(cap)
    assert "went silent" in text and "0.3 s" in text and "not sent again" in text
    assert len(server.chat_requests()) == 1  # a read timeout is never re-sent by itself: it would be billed twice
    assert session_of(shell).conversation.exchanges == []


def test_retry_after_a_silence_asks_again_once_and_shows_the_answer(shell, server, api_key):
    from tests.test_errors import click, output_bundles, panel_of, run

    shell.run_line_magic("config", "ChatMagics.timeout = 0.3")
    server.script(Reply("Too late.", think=1.0), Reply("On time.", think=0.05))
    cap = run(shell, f"%%chat -m {MODEL}\nHello")

    panel = panel_of(cap)
    click(panel, "Retry")

    assert len(server.chat_requests()) == 2
    assert output_bundles(panel)[-1]["text/markdown"].startswith("On time.")


@pytest.mark.skipif(sys.platform != "linux", reason="a full backlog drops SYNs on Linux; elsewhere it may refuse")
def test_a_server_that_never_accepts_the_connection_fails_fast_and_is_retried(shell, api_key, sleeps_fast):
    # A listening socket whose backlog is full: the SYN goes unanswered, as with an unreachable host.
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(0)
    fillers = []
    try:
        for _ in range(4):
            filler = socket.socket()
            filler.setblocking(False)
            filler.connect_ex(listener.getsockname())
            fillers.append(filler)
        shell.run_line_magic("config", f'ChatMagics.base_url = "http://127.0.0.1:{listener.getsockname()[1]}/v1"')
        shell.run_line_magic("config", "ChatMagics.timeout = 0.3")
        shell.run_line_magic("config", "ChatMagics.retries = 1")

        cap = chat(shell, f"-m {MODEL}")
    finally:
        for s in fillers:
            s.close()
        listener.close()

    text = panel_text(cap)
    assert text.startswith("✖ Can't reach") and "the request was not sent" in text
    assert "It was retried 1 times." in text  # never sent, so safe to send again


@pytest.fixture
def sleeps_fast(shell):
    session_of(shell).sleep = lambda seconds: None
    return shell


def test_a_stream_that_drops_while_the_model_thinks_is_not_sent_again(shell, server, api_key):
    # The model was already working (and billing) for this request: its thinking is the answer begun.
    shell.run_line_magic("config", "ChatMagics.retries = 3")
    server.script(StreamDrop("", reasoning=["Let me think about this carefully."]))

    cap = chat(shell, f"-m {MODEL}")

    assert "cut off" in panel_text(cap)
    assert len(server.chat_requests()) == 1
    assert session_of(shell).conversation.exchanges == []


# -- the live line ------------------------------------------------------------------------------


def test_while_a_model_thinks_one_live_line_shows_and_the_answer_takes_its_place(shell, server, api_key, quick_line):
    server.script(Reply("Thought it through.", think=0.4))

    cap = chat(shell, f"-m {MODEL}")

    lines = [t for t in texts(cap) if "thinking ·" in t]
    assert lines and all(line.startswith(f"{MODEL} · thinking · 0:0") and line.endswith("■ Stop or Ctrl-C cancels") for line in lines)
    assert len(lines) < 40  # about once per interval, never per byte
    # One output: the line's updates and then the answer all go to it (by display id), so nothing is left behind.
    assert len({o.transient["display_id"] for o in cap.outputs}) == 1
    assert not cap.outputs[0].update and all(o.update for o in cap.outputs[1:])
    assert cap.outputs[-1].data["text/markdown"].startswith("Thought it through.")


def test_the_live_line_speaks_chinese(shell, server, api_key, quick_line):
    shell.run_line_magic("config", 'ChatMagics.language = "zh"')
    server.script(Reply("好。", think=0.3))

    cap = chat(shell, f"-m {MODEL}")

    assert any(t.startswith(f"{MODEL} · 思考中 · 0:0") and "Ctrl-C 取消" in t for t in texts(cap))


def test_a_failure_after_a_long_wait_leaves_no_live_line(shell, server, api_key, quick_line):
    shell.run_line_magic("config", "ChatMagics.timeout = 0.3")
    server.script(Reply("Too late.", think=1.0))

    with capture_output() as cap:
        shell.run_cell_magic("chat", f"-m {MODEL}", "Hi")

    live = [i for i, t in enumerate(texts(cap)) if "thinking ·" in t]
    assert live  # it was shown while waiting
    assert texts(cap)[live[-1] + 1] == ""  # and emptied when the wait ended


def test_a_quick_answer_never_shows_the_line(shell, server, api_key):
    cap = chat(shell, f"-m {MODEL}")

    assert not any("thinking ·" in t for t in texts(cap))


class Terminal(io.StringIO):
    def __init__(self, tty: bool):
        super().__init__()
        self.tty = tty

    def isatty(self) -> bool:
        return self.tty


def io_view(err=None):
    return TerminalView("en", out=io.StringIO(), err=err or Terminal(False))


@pytest.mark.parametrize("tty", [True, False], ids=["terminal", "pipe"])
def test_in_a_terminal_the_line_is_rewritten_in_place_and_a_pipe_gets_nothing(server, quick_line, tty):
    server.script(Reply("Done thinking.", think=0.4, reasoning=["Hmm."]))
    session = ChatSession(CredentialStore(environ={"OPENAI_API_KEY": TEST_KEY, "OPENAI_BASE_URL": server.base_url}))
    err, out = Terminal(tty), io.StringIO()

    session.ask("Hi", ChatRequest(model=MODEL), TerminalView("en", out=out, err=err))

    assert out.getvalue().startswith("Done thinking.")
    assert "Hmm." not in out.getvalue()  # thinking goes to stderr, apart from the answer
    if tty:
        shown = err.getvalue()
        assert f"\r{MODEL} · thinking · 0:0" in shown and "Ctrl-C cancels" in shown and "\n" not in shown.split("Hmm.")[0]
        assert "\r\x1b[K" in shown and "\x1b[2mHmm.\x1b[0m" in shown  # erased, then the thinking dimmed
    else:
        assert err.getvalue() == "Hmm.\n\n"


# -- any answer shape ---------------------------------------------------------------------------


def test_a_json_completion_in_reply_to_a_streamed_request_is_the_answer_with_its_usage(shell, server, api_key):
    server.script(Reply("A whole answer.", ignore_stream=True, usage={"prompt_tokens": 7, "completion_tokens": 4}))

    cap = chat(shell, f"-m {MODEL} --out kept")

    final = [o.data["text/markdown"] for o in cap.outputs if "text/markdown" in o.data][-1]
    assert final.startswith("A whole answer.") and "no text" not in final
    assert "7" in final.rsplit("<sub>", 1)[-1]  # its usage in the footer
    assert shell.user_ns["kept"] == "A whole answer."
    assert len(server.chat_requests()) == 1


def test_a_json_completion_with_thinking_shows_it_apart(shell, server, api_key):
    server.script(Reply("Answer.", ignore_stream=True, reasoning=["Pondered."], reasoning_field="reasoning"))

    cap = chat(shell, f"-m {MODEL} --out kept")

    final = [o.data["text/markdown"] for o in cap.outputs if "text/markdown" in o.data][-1]
    assert "Pondered." in final.split("</details>")[0] and shell.user_ns["kept"] == "Answer."


def test_an_event_stream_in_reply_to_a_whole_request_is_the_answer_too(shell, server, api_key):
    server.script(Reply(chunks=["<think>Hmm.</think>", "Streamed ", "anyway."], stream_anyway=True))

    cap = chat(shell, f"-m {MODEL} --no-stream --out kept")

    final = [o.data["text/markdown"] for o in cap.outputs if "text/markdown" in o.data][-1]
    assert final.split("</details>")[1].strip().startswith("Streamed anyway.") and "Hmm." in final
    assert shell.user_ns["kept"] == "Streamed anyway."
    assert len(server.chat_requests()) == 1


def test_a_truly_empty_answer_still_gets_the_no_text_panel(shell, server, api_key):
    server.script(Reply("", ignore_stream=True))

    cap = chat(shell, f"-m {MODEL}")

    assert "no text" in panel_text(cap)


# -- interrupting a long think ------------------------------------------------------------------


@pytest.mark.skipif(sys.platform == "win32", reason="SIGINT to self")
def test_ctrl_c_during_a_long_think_ends_the_request_at_once_and_says_how_long_it_ran(shell, server, api_key):
    server.script(Reply("Never seen.", think=5))

    def press():
        deadline = time.monotonic() + 10
        while not server.chat_requests() and time.monotonic() < deadline:
            time.sleep(0.01)
        time.sleep(0.2)
        os.kill(os.getpid(), signal.SIGINT)

    presser = threading.Thread(target=press, daemon=True)
    presser.start()
    with capture_output() as cap:
        result = shell.run_cell(f"%%chat -m {MODEL}\nThink hard")
    presser.join()

    assert result.success and "Traceback" not in cap.stdout + cap.stderr
    assert "Interrupted before any answer arrived, after 0:0" in cap.stdout and "the request was ended" in cap.stdout
    assert session_of(shell).conversation.exchanges == []
    assert len(server.chat_requests()) == 1


# -- in a real kernel ---------------------------------------------------------------------------


def test_in_a_kernel_the_line_reaches_its_cell_from_the_background_and_a_saved_notebook_never_keeps_it(server, api_key, tmp_path):
    import nbformat
    from nbclient import NotebookClient

    server.script(Reply("Thought it through.", think=0.6, reasoning=["Hmm, let me see."]), Reply("Quick.", think=0.6))
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    sources = [
        "%load_ext chatwithtech_magic\nimport chatwithtech_magic.render.waiting as w\nw.SHOW_AFTER = w.INTERVAL = 0.1",
        f"%%chat -m {MODEL}\nThink first",
        "%config ChatMagics.timeout = 0.3",
        f"%%chat -m {MODEL}\nThink too long",
    ]
    nb.cells = [nbformat.v4.new_code_cell(source) for source in sources]
    seen: list[str] = []

    class Watching(NotebookClient):
        def process_message(self, msg, cell, cell_index):  # every output message, as the kernel sent it
            data = msg.get("content", {}).get("data", {})
            seen.append(f"{cell_index}:{data.get('text/plain', '')}")
            return super().process_message(msg, cell, cell_index)

    Watching(nb, timeout=60, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}).execute()

    assert any(s.startswith(f"1:{MODEL} · thinking · 0:0") for s in seen)  # routed to the cell that asked
    saved = nbformat.writes(nb)
    assert "thinking ·" not in saved and "Ctrl-C cancels" not in saved
    [answer] = nb.cells[1].outputs  # the answer took the line's place
    assert answer.data["text/markdown"].split("</details>")[1].strip().startswith("Thought it through.")
    assert "Hmm, let me see." in answer.data["text/markdown"].split("</details>")[0]
    assert "went silent" in "".join(o.get("data", {}).get("text/plain", "") for o in nb.cells[3].outputs)
    assert len(server.chat_requests()) == 2
