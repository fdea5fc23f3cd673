"""Recorded answers beside the notebook (issue 11): ``ChatMagics.cache``, ``CHATWITHTECH_CACHE``, ``--refresh``.

Recording goes through the real SDK to the loopback server; replaying is checked with the
server's request log, and in a real kernel with the server stopped, no key, and a bare socket
listening on the old port that would catch any attempt to connect.
"""

from __future__ import annotations

import io
import json
import os
import re
import socket
import subprocess
import sys
import threading

import nbformat
import pytest
from IPython.core.error import UsageError
from nbclient import NotebookClient

from chatwithtech_magic import replay
from tests.support.magics import chat, chat_line
from tests.support.openai_server import OpenAIServer, Reply

MODEL = "gpt-4.1-mini"
DISTINCT_KEY = "sk-replaytest-Q7x9ZpL2mN4vR8tKdistinct"  # grep-able: it must never reach the file
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@pytest.fixture
def folder(tmp_path, monkeypatch):
    """The notebook's folder: the kernel's working directory, where the answers file lives."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv(replay.ENV, raising=False)
    return tmp_path


def entries(folder) -> list[dict]:
    return [json.loads(line) for line in (folder / replay.FILENAME).read_text("utf-8").splitlines() if line.strip()]


def readable(markdown: str) -> str:
    """Markdown with its backslash escapes removed (the line under an answer is escaped as literal text)."""
    return re.sub(r"\\(.)", r"\1", markdown)


def final_markdown(cap) -> str:
    return readable([o.data["text/markdown"] for o in cap.outputs if "text/markdown" in o.data][-1])


def shown(cap) -> str:
    return "\n".join([cap.stdout, cap.stderr, *(str(v) for o in cap.outputs for v in o.data.values())])


def cache(shell, mode: str) -> None:
    shell.run_line_magic("config", f'ChatMagics.cache = "{mode}"')


# -- the lookup key ------------------------------------------------------------------------------------


def test_the_key_changes_with_endpoint_model_messages_and_parameters_but_not_with_streaming():
    base = {"model": MODEL, "messages": [{"role": "user", "content": "Hi"}], "temperature": 0.3, "stream": True,
            "stream_options": {"include_usage": True}}
    url = "https://api.openai.com/v1"
    key = replay.request_key(url, base)

    assert replay.request_key(url, {k: v for k, v in base.items() if not k.startswith("stream")}) == key  # --no-stream
    assert replay.request_key("https://API.openai.com/v1/", base) == key
    assert replay.request_key("https://user:secret@api.openai.com/v1?api-key=x", base) == key  # credentials never count
    assert replay.request_key(url, {**base, "temperature": 1}) == replay.request_key(url, {**base, "temperature": 1.0})
    for changed in (
        replay.request_key("http://localhost:11434/v1", base),
        replay.request_key(url, {**base, "model": "gpt-6-luna"}),
        replay.request_key(url, {**base, "temperature": 0.7}),
        replay.request_key(url, {**base, "max_tokens": 50}),
        replay.request_key(url, {**base, "messages": [{"role": "system", "content": "Be brief."}, *base["messages"]]}),
        replay.request_key(url, {**base, "messages": [{"role": "user", "content": "Hi!"}]}),
    ):
        assert changed != key


def test_the_core_records_and_replays_without_ipython(server, tmp_path, memory_keyring, far_ahead):
    from chatwithtech_magic.credentials import CredentialStore
    from chatwithtech_magic.request import ChatRequest
    from chatwithtech_magic.session import ChatSession
    from chatwithtech_magic.stream import TextView

    store = replay.AnswerStore(tmp_path / "answers.jsonl")
    recording = ChatSession(CredentialStore(environ={"OPENAI_API_KEY": DISTINCT_KEY, "OPENAI_BASE_URL": server.base_url}))
    recording.answers = store
    live = recording.ask("Hi", ChatRequest(model=MODEL, cache="record"), TextView(io.StringIO()))

    offline = ChatSession(CredentialStore(environ={"OPENAI_BASE_URL": server.base_url}))  # no key at all
    offline.answers = store
    again = offline.ask("Hi", ChatRequest(model=MODEL, cache="replay"), TextView(io.StringIO()))

    assert live.complete and again.complete and again.text == live.text == "Hello from the test server."
    assert again.replayed == far_ahead.isoformat() and not live.replayed  # the day it was recorded
    assert len(server.chat_requests()) == 1


def test_the_mode_comes_from_the_environment_first_and_a_bad_value_is_refused():
    assert replay.effective_mode("auto", {}) == ("auto", "config")
    assert replay.effective_mode("off", {replay.ENV: " Replay "}) == ("replay", "env")
    with pytest.raises(replay.BadMode):
        replay.effective_mode("off", {replay.ENV: "yes"})


# -- auto, record, --refresh ---------------------------------------------------------------------------


def test_auto_answers_an_identical_cell_from_the_file_at_no_cost_and_asks_again_when_the_prompt_changes(shell, server, api_key, folder, far_ahead):
    cache(shell, "auto")
    server.script(Reply("## First\n\nanswer"), Reply("Another answer"))

    live = chat(shell, f"-m {MODEL} --no-history", "Say hello")
    again = chat(shell, f"-m {MODEL} --no-history", "Say hello")
    changed = chat(shell, f"-m {MODEL} --no-history", "Say hello, please")

    assert len(server.chat_requests()) == 2  # the repeated cell sent nothing
    assert final_markdown(again).startswith("## First\n\nanswer")
    assert f"replayed · recorded {far_ahead} · $0" in final_markdown(again)  # the day of the recording
    assert "replayed" not in final_markdown(live) and "replayed" not in final_markdown(changed)
    assert final_markdown(changed).startswith("Another answer")
    assert [e["prompt"] for e in entries(folder)] == ["Say hello", "Say hello, please"]


def test_percent_chat_usage_counts_replayed_answers_apart_at_no_cost(shell, server, api_key, folder):
    cache(shell, "auto")
    chat(shell, f"-m {MODEL} --no-history", "Say hello")
    chat(shell, f"-m {MODEL} --no-history", "Say hello")

    cap = chat_line(shell, "usage")

    plain = "\n".join([cap.stdout, *(o.data.get("text/plain", "") for o in cap.outputs)])
    [replayed] = [line for line in plain.splitlines() if f"{MODEL} (replayed)" in line]
    assert replayed.split()[2] == "1" and replayed.rstrip().endswith("$0")  # one request, counted at $0
    live = [line for line in plain.splitlines() if line.startswith(f"{MODEL} ")][0]
    total = [line for line in plain.splitlines() if line.startswith("total")][0]
    assert total.split()[1:] == live.split()[1:]  # the total is what was sent and paid for: the replayed row stays apart


def test_refresh_asks_again_and_the_newest_recording_is_the_one_replayed(shell, server, api_key, folder):
    cache(shell, "auto")
    server.script(Reply("old"), Reply("new"))

    chat(shell, f"-m {MODEL} --no-history", "Question")
    refreshed = chat(shell, f"-m {MODEL} --no-history --refresh", "Question")
    replayed = chat(shell, f"-m {MODEL} --no-history", "Question")

    assert len(server.chat_requests()) == 2
    assert final_markdown(refreshed).startswith("new") and "replayed" not in final_markdown(refreshed)
    assert final_markdown(replayed).startswith("new") and "replayed" in final_markdown(replayed)
    assert [e["answer"] for e in entries(folder)] == ["old", "new"]


def test_an_entry_holds_the_answer_model_usage_cost_time_and_request_id(shell, server, api_key, folder, far_ahead):
    cache(shell, "record")
    server.script(Reply("Forty-two.", usage={"prompt_tokens": 1111, "completion_tokens": 123}))

    chat(shell, f"-m {MODEL} -t 0.5", "The answer?")

    [entry] = entries(folder)
    assert entry["format"] == replay.FORMAT and entry["key"].startswith("sha256:")
    assert entry["answer"] == "Forty-two." and entry["answered_by"] == MODEL and entry["model"] == MODEL
    assert entry["prompt"] == "The answer?" and entry["params"] == {"temperature": 0.5}
    assert entry["endpoint"] == server.base_url
    assert entry["usage"]["prompt_tokens"] == 1111 and entry["usage"]["completion_tokens"] == 123
    assert entry["cost_usd"] == pytest.approx(0.00064, abs=0.00001)  # genai-prices, as for a live answer
    assert entry["recorded"].startswith(f"{far_ahead}T") and entry["recorded"].endswith("Z")
    assert re.fullmatch(r"req_\d+", entry["request_id"])  # the server's x-request-id


def test_record_always_asks_and_off_neither_reads_nor_writes(shell, server, api_key, folder):
    chat(shell, f"-m {MODEL} --no-history", "Hi")
    assert not (folder / replay.FILENAME).exists()  # off, the default

    cache(shell, "record")
    chat(shell, f"-m {MODEL} --no-history", "Hi")
    chat(shell, f"-m {MODEL} --no-history", "Hi")

    assert len(server.chat_requests()) == 3
    assert len(entries(folder)) == 1  # the same answer again adds no line: no churn in the file's history


def test_an_incomplete_or_failed_answer_is_never_recorded(shell, server, api_key, folder):
    from tests.support.openai_server import StreamDrop, insufficient_quota

    cache(shell, "record")
    server.script(StreamDrop("half an ans"), insufficient_quota())

    chat(shell, f"-m {MODEL}", "Cut off")
    chat(shell, f"-m {MODEL}", "No credits")

    assert not (folder / replay.FILENAME).exists()


# -- replay ------------------------------------------------------------------------------------------


def test_answers_recorded_after_the_endpoint_refused_a_parameter_replay_in_a_fresh_kernel(shell, server, api_key, folder, monkeypatch):
    from tests.support.openai_server import bad_request

    refused = "Unsupported value: 'temperature' does not support 0.5 with this model. Only the default (1) value is supported."
    cache(shell, "record")
    server.script(bad_request(refused, param="temperature", code="unsupported_value"), Reply("first"), Reply("second"))
    chat(shell, "-m my-gateway-model -t 0.5", "One")  # refused, resent without temperature, learned
    chat(shell, "-m my-gateway-model -t 0.5", "Two")  # sent without temperature from the start
    assert [("temperature" in r.body) for r in server.chat_requests()] == [True, False, False]

    shell.run_line_magic("reload_ext", "chatwithtech_magic")  # a fresh kernel: nothing learned
    monkeypatch.setenv(replay.ENV, "replay")
    one = chat(shell, "-m my-gateway-model -t 0.5", "One")
    two = chat(shell, "-m my-gateway-model -t 0.5", "Two")

    assert len(server.chat_requests()) == 3
    assert final_markdown(one).startswith("first") and final_markdown(two).startswith("second")



def test_replay_needs_no_key_keeps_memory_out_and_code_like_a_live_answer(shell, server, api_key, folder, monkeypatch):
    cache(shell, "record")
    server.script(Reply("First."), Reply("Try:\n\n```python\nprint(6 * 7)\n```\n"))
    chat(shell, f"-m {MODEL}", "One")
    chat(shell, f"-m {MODEL} -f code --out snippet", "Two")
    shell.run_line_magic("chat", "reset")
    shell.user_ns.pop("snippet")
    requests = len(server.chat_requests())

    monkeypatch.delenv("OPENAI_API_KEY")  # CI: no key anywhere
    monkeypatch.setenv(replay.ENV, "replay")
    shell.set_next_input = lambda text, replace=False: placed.append(text)
    placed = []
    first = chat(shell, f"-m {MODEL}", "One")
    second = chat(shell, f"-m {MODEL} -f code --out snippet", "Two")  # its key includes the first exchange
    history = chat_line(shell, "history")

    assert len(server.chat_requests()) == requests
    assert final_markdown(first).startswith("First.")
    assert "replayed · recorded" in final_markdown(second)
    assert shell.user_ns["snippet"].startswith("Try:") and placed == ["print(6 * 7)"]
    assert "[1] you: One" in history.outputs[0].data["text/plain"] and "[2] you: Two" in history.outputs[0].data["text/plain"]


def test_a_miss_in_replay_shows_a_panel_naming_the_cell_and_how_to_record_it_and_sends_nothing(shell, server, api_key, folder, monkeypatch):
    monkeypatch.setenv(replay.ENV, "replay")

    cap = chat(shell, f"-m {MODEL}", "\nSummarize the quarterly numbers in three bullet points\nand more")

    assert server.chat_requests() == []
    [panel] = [o.data for o in cap.outputs if 'data-kind="replay_miss"' in o.data.get("text/html", "")]
    text = panel["text/plain"]
    assert text.startswith("✖ No recorded answer for this cell")
    assert "“Summarize the quarterly numbers in three bullet points”" in text  # the cell, by its first line
    assert replay.FILENAME in text and 'ChatMagics.cache = "record"' in text and "CHATWITHTECH_CACHE=record" in text
    assert "Traceback" not in shown(cap)


def test_the_environment_variable_wins_over_the_setting_and_percent_chat_says_where_the_mode_comes_from(shell, server, api_key, folder, monkeypatch):
    cache(shell, "record")
    monkeypatch.setenv(replay.ENV, "replay")

    chat(shell, f"-m {MODEL}", "Anything")
    settings = chat_line(shell, "")

    assert server.chat_requests() == []
    assert f"replay ({replay.ENV}) · {replay.FILENAME}" in settings.stdout


def test_a_bad_CHATWITHTECH_CACHE_value_is_a_one_line_message_and_nothing_is_sent(shell, server, api_key, folder, monkeypatch):
    monkeypatch.setenv(replay.ENV, "always")

    with pytest.raises(UsageError, match="CHATWITHTECH_CACHE is 'always': use off, auto, record or replay"):
        chat(shell, f"-m {MODEL}", "Anything")

    assert server.chat_requests() == []
    assert "always" in chat_line(shell, "").stdout  # %chat still works and shows the bad value


# -- the file ------------------------------------------------------------------------------------------


def test_no_key_and_no_authorization_header_are_ever_written(shell, server, monkeypatch, folder):
    monkeypatch.setenv("OPENAI_API_KEY", DISTINCT_KEY)
    cache(shell, "record")
    shell.user_ns["secret"] = DISTINCT_KEY
    server.script(Reply(f"Your key is {DISTINCT_KEY}."))

    chat(shell, f"-m {MODEL}", "Repeat {secret}")

    assert server.chat_requests()[0].bearer == DISTINCT_KEY  # it was sent, as a header, to the server only
    text = (folder / replay.FILENAME).read_text("utf-8")
    assert DISTINCT_KEY not in text and DISTINCT_KEY[3:] not in text and "distinct" not in text
    assert "authorization" not in text.lower() and "bearer" not in text.lower()
    assert "sk-…inct" in text  # masked where the prompt and the answer held it


def test_a_damaged_line_is_skipped_with_a_note_and_the_others_still_replay(shell, server, api_key, folder, monkeypatch):
    cache(shell, "record")
    server.script(Reply("one"), Reply("two"))
    chat(shell, f"-m {MODEL} --no-history", "A")
    chat(shell, f"-m {MODEL} --no-history", "B")
    path = folder / replay.FILENAME
    good = path.read_text("utf-8").splitlines()
    newer = json.dumps({"format": replay.FORMAT + 1, "key": "k", "answer": "from the future"})
    wrong = json.dumps({"format": 1, "key": "k", "answer": "a", "also": [{"not": "a key"}]})  # a field of the wrong type
    path.write_bytes(("\n".join([good[0], '{"format": 1, "key": "trunc', newer, "\x00garbage", wrong, good[1]]) + "\n").encode() + b"\xff\xfe\n")

    monkeypatch.setenv(replay.ENV, "replay")
    first = chat(shell, f"-m {MODEL} --no-history", "A")
    second = chat(shell, f"-m {MODEL} --no-history", "B")

    assert final_markdown(first).startswith("one") and final_markdown(second).startswith("two")
    note = f"{replay.FILENAME}: lines 2, 4, 5, 7 are damaged and were skipped"
    assert note in final_markdown(first) and "written by a newer chatwithtech_magic" in final_markdown(first)
    assert note not in final_markdown(second)  # said once, not under every answer
    assert "Traceback" not in shown(first)


def test_a_line_cut_off_by_a_crashed_writer_does_not_swallow_the_next_one(folder):
    store = replay.AnswerStore()
    (folder / replay.FILENAME).write_text('{"format": 1, "key": "half', "utf-8")  # no newline: a writer died mid-line

    store.append(replay.RecordedAnswer(key="k1", answer="whole"))

    contents = replay.parse((folder / replay.FILENAME).read_bytes())
    assert contents.entries["k1"].answer == "whole" and contents.damaged == [1]


def test_an_answers_file_that_cannot_be_written_gives_a_note_not_a_traceback(shell, server, api_key, folder):
    (folder / replay.FILENAME).mkdir()  # cannot be opened as a file, even by root
    cache(shell, "auto")

    cap = chat(shell, f"-m {MODEL}", "Hi")

    assert final_markdown(cap).startswith("Hello from the test server.")
    assert f"the answer could not be recorded in {replay.FILENAME}" in final_markdown(cap)
    assert "Traceback" not in shown(cap)


WRITER = """
import sys
from chatwithtech_magic.replay import AnswerStore, RecordedAnswer
store, name = AnswerStore(sys.argv[1]), sys.argv[2]
for i in range(60):
    store.append(RecordedAnswer(key=f"{name}-{i}", answer=name * 20000 + str(i)))  # far larger than one pipe or page write
"""


def test_two_kernels_and_two_threads_appending_at_once_leave_a_valid_file(tmp_path):
    path = tmp_path / replay.FILENAME
    env = {**os.environ, "PYTHONPATH": ROOT}
    writers = [subprocess.Popen([sys.executable, "-c", WRITER, str(path), name], env=env) for name in ("a", "b")]
    store = replay.AnswerStore(path)
    threads = [
        threading.Thread(target=lambda n=name: [store.append(replay.RecordedAnswer(key=f"{n}-{i}", answer=n * 20000)) for i in range(60)])
        for name in ("c", "d")
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [w.wait(timeout=60) for w in writers] == [0, 0]

    contents = replay.parse(path.read_bytes())
    assert contents.damaged == [] and len(contents.entries) == 240
    assert contents.entries["a-59"].answer == "a" * 20000 + "59"


# -- through a real kernel ----------------------------------------------------------------------------


def notebook(*sources: str):
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [nbformat.v4.new_code_cell(source) for source in sources]
    return nb


CELLS = (
    "%load_ext chatwithtech_magic",
    f"%%chat -m {MODEL}\nSay hello",
    "topic = 'list comprehensions'",
    f"%%chat -m {MODEL} --out reply\nExplain {{topic}} in one line",  # interpolated, and sent after the first exchange
    "print(reply)",
    f"%%chat -m {MODEL} --no-stream -f code\nCode please",
    "%chat history",
)


def readme_sanitizer() -> str:
    """The documented nbval-sanitize.cfg (docs/recorded-answers.md): the CI story is tested with the text users copy."""
    with open(os.path.join(ROOT, "docs", "recorded-answers.md"), encoding="utf-8") as readme:
        blocks = re.findall(r"```ini\n(.*?)```", readme.read(), re.DOTALL)
    [config] = [block for block in blocks if "chat-lines-under-answers" in block]
    return config


def execute(nb, folder):
    NotebookClient(nb, timeout=60, kernel_name="python3", resources={"metadata": {"path": str(folder)}}).execute()
    return nb


def answer_text(cell) -> str:
    [output] = [o for o in cell.outputs if o.output_type == "display_data"]
    return output.data["text/markdown"].split("\n\n<sub>")[0]


def test_a_notebook_recorded_once_replays_in_a_kernel_with_the_server_stopped_and_no_key(folder, monkeypatch, far_ahead):
    own = OpenAIServer().start()  # not the run-wide server: this one is stopped below
    try:
        own.script(Reply("## Hello\n\nfrom a **recording**."), Reply("`[x * 2 for x in xs]` doubles each item."),
                   Reply("```python\nprint(6 * 7)\n```"))
        monkeypatch.setenv("OPENAI_BASE_URL", own.base_url)
        monkeypatch.setenv("OPENAI_API_KEY", DISTINCT_KEY)
        monkeypatch.setenv(replay.ENV, "record")
        recorded = execute(notebook(*CELLS), folder)
        assert len(own.chat_requests()) == 3
    finally:
        own.stop()
    nbformat.write(recorded, folder / "analysis.ipynb")
    assert DISTINCT_KEY not in (folder / replay.FILENAME).read_text("utf-8")

    # The old port now belongs to a bare socket: any attempt to connect would be waiting in its backlog.
    trap = socket.socket()
    trap.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    trap.bind(("127.0.0.1", own.port))
    trap.listen(8)
    trap.setblocking(False)
    try:
        monkeypatch.delenv("OPENAI_API_KEY")
        monkeypatch.setenv(replay.ENV, "replay")
        replayed = execute(notebook(*CELLS, f"%%chat -m {MODEL}\nA question nobody recorded"), folder)
        with pytest.raises(BlockingIOError):
            trap.accept()
    finally:
        trap.close()

    for number in (1, 3, 5):
        assert answer_text(replayed.cells[number]) == answer_text(recorded.cells[number])
        assert f"replayed · recorded {far_ahead} · $0" in readable(replayed.cells[number].outputs[0].data["text/markdown"])
    assert answer_text(replayed.cells[1]).startswith("## Hello")
    assert replayed.cells[4].outputs == recorded.cells[4].outputs  # print(reply): --out works
    assert replayed.cells[6].outputs == recorded.cells[6].outputs  # %chat history: memory works
    panel = [o for o in replayed.cells[7].outputs if o.output_type == "display_data" and "text/html" in o.data][0]
    assert 'data-kind="replay_miss"' in panel.data["text/html"] and "A question nobody recorded" in panel.data["text/plain"]
    assert not [o for cell in replayed.cells for o in cell.outputs if o.output_type == "error"]

    # The CI story: the user's own notebook under nbval, replayed, with the README's sanitizer for the line under answers.
    (folder / "nbval-sanitize.cfg").write_text(readme_sanitizer(), "utf-8")
    env = {k: v for k, v in os.environ.items() if k not in ("OPENAI_API_KEY", "PYTEST_ADDOPTS")}
    env[replay.ENV] = "replay"
    ci = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--noconftest", "--nbval",
         "--nbval-sanitize-with", "nbval-sanitize.cfg", "analysis.ipynb"],
        cwd=folder, env=env, capture_output=True, text=True, timeout=180,
    )
    assert ci.returncode == 0, ci.stdout[-3000:]
    assert "7 passed" in ci.stdout
