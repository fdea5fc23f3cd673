"""The core (``ChatSession``) works in plain Python, without IPython, against the loopback server."""

from __future__ import annotations

import io
import subprocess
import sys
import textwrap

import pytest

from chatwithtech_magic.credentials import CredentialStore
from chatwithtech_magic.retry import RetryPolicy
from chatwithtech_magic.session import ChatFailure, ChatRequest, ChatSession
from chatwithtech_magic.stream import TextView
from tests.support.environment import TEST_KEY
from tests.support.openai_server import Reply, StreamDrop, insufficient_quota, rate_limit


class RecordingView:
    """A view as a GUI or a script would write one: it records what it is shown."""

    def __init__(self, interrupt_after: int | None = None):
        self.updates: list[str] = []
        self.finished = None
        self.interrupt_after = interrupt_after

    def update(self, text: str) -> None:
        self.updates.append(text)
        if self.interrupt_after is not None and len(self.updates) >= self.interrupt_after:
            raise KeyboardInterrupt  # what Ctrl-C does while the view is being redrawn

    def finish(self, answer) -> None:
        self.finished = answer


@pytest.fixture
def session(server, memory_keyring):
    store = CredentialStore(environ={"OPENAI_API_KEY": TEST_KEY, "OPENAI_BASE_URL": server.base_url})
    waits: list[float] = []
    session = ChatSession(store, sleep=waits.append)
    session.waits = waits
    yield session
    session.clients.clear()


def test_a_session_streams_an_answer_into_any_view_and_returns_it(session, server):
    server.script(Reply(chunks=["Hel", "lo ", "there"]))
    view = RecordingView()

    answer = session.ask("Hi", ChatRequest(model="gpt-4.1-mini"), view, throttle_interval=0)

    assert view.updates == ["Hel", "Hello ", "Hello there"]
    assert view.finished is answer
    assert (answer.text, answer.complete, answer.model, answer.finish_reason) == ("Hello there", True, "gpt-4.1-mini", "stop")
    assert answer.usage.completion_tokens > 0
    assert server.chat_requests()[0].body["model"] == "gpt-4.1-mini"


def test_without_a_view_the_answer_is_written_as_plain_text_to_stdout(session, server, capsys):
    server.script(Reply("Plain **text**."))

    session.ask("Hi")

    assert capsys.readouterr().out == "Plain **text**.\n"


def test_a_failure_comes_back_on_the_answer_instead_of_raising(session, server):
    server.script(insufficient_quota())
    out = io.StringIO()

    answer = session.ask("Hi", ChatRequest(), TextView(out))

    assert answer.failure.kind.kind == "insufficient_quota"
    assert answer.failure.attempts == 1 and answer.complete is False
    assert session.last_failure is answer.failure
    assert len(server.chat_requests()) == 1


def test_retries_wait_through_the_sessions_sleep_and_stay_within_the_policy(session, server):
    server.script(*[rate_limit(retry_after=3)] * 5)

    answer = session.ask("Hi", ChatRequest(retry=RetryPolicy(max_attempts=3, max_total_wait=60)), RecordingView())

    assert len(server.chat_requests()) == 3
    assert sum(session.waits) == pytest.approx(6.0)
    assert answer.failure.kind.kind == "rate_limit" and answer.failure.attempts == 3


def test_a_keyboard_interrupt_while_rendering_keeps_the_partial_answer_and_marks_it_incomplete(session, server):
    server.script(Reply(chunks=[f"part{i} " for i in range(10)]))
    view = RecordingView(interrupt_after=3)

    answer = session.ask("Hi", ChatRequest(), view, throttle_interval=0)

    assert answer.interrupted and not answer.complete
    assert answer.text == "part0 part1 part2 " and answer.failure is None
    assert session.conversation.exchanges[-1].complete is False
    assert answer.incomplete_note() == "answer incomplete: interrupted"
    # The connection was closed, so the next question works.
    assert session.ask("Again?", ChatRequest(), RecordingView()).complete


def test_a_dropped_stream_keeps_the_partial_answer_and_says_the_stream_stopped_early(session, server):
    server.script(StreamDrop("Half"))
    out = io.StringIO()

    answer = session.ask("Hi", ChatRequest(), TextView(out))

    assert answer.text == "Half" and answer.failure.kind.kind == "stream_interrupted"
    assert out.getvalue() == "Half\n[answer incomplete: the stream stopped early]\n"


def test_listing_models_returns_the_servers_models_and_failures_raise_chat_failure(session, server):
    server.models = ["gpt-4", "gpt-3.5-turbo"]
    server.script_models(insufficient_quota())

    with pytest.raises(ChatFailure) as caught:
        session.list_models()
    models = session.list_models()

    assert caught.value.failure.kind.kind == "insufficient_quota"
    assert TEST_KEY not in str(caught.value) + repr(caught.value.failure)
    assert models == ["gpt-3.5-turbo", "gpt-4"]


def test_no_key_is_a_missing_key_failure_and_nothing_is_sent(server, memory_keyring):
    session = ChatSession(CredentialStore(environ={"OPENAI_BASE_URL": server.base_url}))

    answer = session.ask("Hi", ChatRequest(), RecordingView())

    assert answer.failure.kind.kind == "missing_key"
    assert server.requests == []
    with pytest.raises(ChatFailure):
        session.list_models()


def test_the_core_runs_in_a_fresh_python_without_importing_ipython_or_ipywidgets(server):
    script = textwrap.dedent(
        f"""
        import sys
        sys.modules["IPython"] = None  # importing IPython would now fail
        sys.modules["ipywidgets"] = None
        from chatwithtech_magic.credentials import CredentialStore
        from chatwithtech_magic.session import ChatRequest, ChatSession
        store = CredentialStore(environ={{"OPENAI_API_KEY": "{TEST_KEY}", "OPENAI_BASE_URL": "{server.base_url}"}})
        answer = ChatSession(store).ask("Hi", ChatRequest(model="gpt-4.1-mini"))
        print("complete" if answer.complete else "incomplete")
        """
    )
    env = {"PYTHON_KEYRING_BACKEND": "tests.support.memory_keyring.MemoryKeyring"}
    import os

    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60, env={**os.environ, **env})

    assert done.returncode == 0, done.stderr
    assert done.stdout == "Hello from the test server.\ncomplete\n"
    assert len(server.chat_requests()) == 1
