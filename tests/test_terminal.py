"""Terminal IPython (``ipython --ext chatwithtech_magic``): plain text as it streams, plain-text errors.

Each test starts a real terminal IPython in a subprocess; it inherits the environment
that points at the loopback server, plus a test key.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from chatwithtech_magic.defaults import DEFAULT_MODEL
from tests.support.environment import TEST_KEY
from tests.support.openai_server import Reply, StreamDrop, bad_request, insufficient_quota, rate_limit

SEPARATOR = "=====cell====="


def ipython_command(code: str, *options: str) -> list[str]:
    return [
        sys.executable, "-m", "IPython", "--ext", "chatwithtech_magic", "--no-banner", "--colors=nocolor",
        "--HistoryManager.hist_file=:memory:", "--ChatMagics.retry_initial_delay=0.01", *options, "-c", code,
    ]


def environment(key: str | None = TEST_KEY) -> dict:
    env = dict(os.environ)
    env.pop("OPENAI_API_KEY", None)
    if key:
        env["OPENAI_API_KEY"] = key
    return env


def terminal(*cells: str, options: tuple = (), key: str | None = TEST_KEY, cwd=None) -> tuple[list[str], list[str]]:
    """Run ``cells`` one after another in one terminal IPython; stdout and stderr split per cell."""
    code = (
        "import sys\n"
        f"for cell in {list(cells)!r}:\n"
        "    get_ipython().run_cell(cell)\n"
        f"    print({SEPARATOR!r}); print({SEPARATOR!r}, file=sys.stderr)\n"
    )
    done = subprocess.run(ipython_command(code, *options), capture_output=True, text=True, env=environment(key), timeout=60, stdin=subprocess.DEVNULL, cwd=cwd)
    assert done.returncode == 0, done.stderr
    out = [part.strip("\n") for part in done.stdout.split(SEPARATOR + "\n")][: len(cells)]
    err = [part.strip("\n") for part in done.stderr.split(SEPARATOR + "\n")][: len(cells)]
    return out, err


def test_the_answer_is_printed_as_plain_text_while_it_streams(server):
    server.script(Reply(chunks=["First ", "**then** ", "last."], delay=0.3))
    process = subprocess.Popen(ipython_command("%%chat\nHi\n"), stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=environment(), stdin=subprocess.DEVNULL)

    reads = []
    while chunk := os.read(process.stdout.fileno(), 4096):
        reads.append(chunk.decode())
    stderr = process.stderr.read().decode()
    assert process.wait(timeout=30) == 0, stderr

    answer, usage = "".join(reads).split("\n")[:2]
    assert answer == "First **then** last."  # the Markdown source, no HTML
    assert usage.startswith(f"— {DEFAULT_MODEL} · ") and "tokens" in usage and " s · ≈$" in usage  # the quiet line under it
    first = next(i for i, _ in enumerate(reads) if "First" in "".join(reads[: i + 1]))
    assert "last." not in "".join(reads[: first + 1])  # the beginning was shown before the end arrived
    assert stderr == ""


def test_a_failure_is_printed_as_plain_text_with_no_html_and_no_traceback(server):
    server.script(insufficient_quota())

    [out], [err] = terminal("%%chat\nHi")

    assert out.splitlines()[0] == "✖ You exceeded your current quota"
    assert "Billing: https://platform.openai.com/settings/organization/billing/overview" in out
    assert "<div" not in out and "widget" not in out and "Traceback" not in out + err
    assert len(server.chat_requests()) == 1


def test_a_rate_limit_countdown_goes_to_stderr_and_the_answer_to_stdout(server):
    server.script(rate_limit(retry_after_ms=30), Reply("After the wait."))

    [out], [err] = terminal("%%chat\nHi")

    assert out.splitlines()[0] == "After the wait." and out.splitlines()[1].startswith(f"— {DEFAULT_MODEL} · ")
    assert "⏳ Rate limit reached — retrying in 0.0 s (attempt 2 of 4)" in err
    assert len(server.chat_requests()) == 2


def test_a_dropped_stream_keeps_the_partial_text_marks_it_and_prints_the_error_below(server):
    server.script(StreamDrop("Half an answer"))

    [out, history], _ = terminal("%%chat\nTell me", "%chat history")

    lines = out.splitlines()
    assert lines[:2] == ["Half an answer", "[answer incomplete: the stream stopped early]"]
    assert lines[2].startswith(f"— {DEFAULT_MODEL} · ") and lines[3] == "✖ The answer was cut off"
    assert "[1] gpt-6-luna (incomplete): Half an answer" in history


def test_line_commands_print_plain_text_and_the_key_only_masked(server):
    server.models = ["my-model", "gpt-4"]

    [settings, models, usage], [_, _, usage_err] = terminal("%chat", "%chat models", "%%chat --bogus\nHi")

    assert "sk-…WXYZ · from the OPENAI_API_KEY environment variable" in settings and TEST_KEY not in settings
    assert models.splitlines()[1:] == ["  my-model", "  gpt-4 — retired 2026-10-23, from the seed's catalog"]
    assert usage == "" and usage_err.startswith("UsageError: %%chat has no option --bogus.")
    assert server.chat_requests() == []


def test_with_no_key_the_terminal_says_to_run_chatkey_and_sends_nothing(server):
    [out], _ = terminal("%%chat\nHi", key=None)

    assert out.splitlines()[0] == "✖ No API key is set"
    assert "%chatkey" in out
    assert server.requests == []


def test_the_terminal_speaks_chinese_with_language_zh(server):
    server.script(StreamDrop("半个回答"))

    [out], _ = terminal("%%chat\n你好", options=("--ChatMagics.language=zh",))

    lines = out.splitlines()
    assert lines[:2] == ["半个回答", "[回答不完整：数据流提前中断]"] and lines[3] == "✖ 回答被中断"
    assert lines[2].startswith(f"— {DEFAULT_MODEL} · ") and "个令牌" in lines[2]


@pytest.mark.skipif(sys.platform == "win32", reason="SIGINT")
def test_ctrl_c_while_streaming_keeps_the_partial_text_marked_interrupted_and_ipython_goes_on(server):
    import signal

    server.script(Reply(chunks=[f"w{i} " for i in range(200)], delay=0.05))
    code = "get_ipython().run_cell('%%chat\\nCount slowly')\nget_ipython().run_cell('%chat history')\nprint('still here')"
    process = subprocess.Popen(ipython_command(code), stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=environment(), stdin=subprocess.DEVNULL)

    shown = ""
    while "w1 " not in shown:
        chunk = os.read(process.stdout.fileno(), 4096)
        assert chunk, "the answer never started"
        shown += chunk.decode()
    process.send_signal(signal.SIGINT)  # Ctrl-C
    rest, stderr = process.communicate(timeout=30)
    out = shown + rest.decode()

    assert process.returncode == 0, stderr.decode()
    answer, note = out.split("\n")[:2]
    assert answer.startswith("w0 w1 ") and len(answer.split()) < 200
    assert note == "[answer incomplete: interrupted]"
    assert "(incomplete): w0 w1" in out and out.rstrip().endswith("still here")
    assert "Traceback" not in out + stderr.decode()


def test_the_line_under_an_answer_and_its_notes_are_one_quiet_line_in_the_terminal_too(server):
    server.script(Reply("Paris.", usage={"prompt_tokens": 1200, "completion_tokens": 3}))

    [out], _ = terminal("%%chat -m gpt-4.1-mini\nCapital of France? {In[99]}")

    answer, quiet = out.splitlines()
    assert answer == "Paris."
    assert quiet.startswith("— gpt-4.1-mini · 1,200 → 3 tokens · ") and " s · ≈$" in quiet
    assert "In[99]" in quiet  # the note on the reference that was not found, on the same line
    assert "\x1b" not in out  # dimmed only on a real terminal, never in a pipe or a log


def test_a_replayed_answer_says_so_under_it_in_the_terminal(server, tmp_path):
    server.script(Reply("Recorded once."))
    cells = ("%%chat -m gpt-4.1-mini\nSay it once", "%chat reset", "%%chat -m gpt-4.1-mini\nSay it once")

    [first, _, again], _ = terminal(*cells, options=("--ChatMagics.cache=auto",), cwd=tmp_path)

    assert first.splitlines()[1].startswith("— gpt-4.1-mini · ") and "tokens" in first
    assert again.splitlines()[0] == "Recorded once."
    assert again.splitlines()[1].startswith("— gpt-4.1-mini · replayed") and "$0" in again.splitlines()[1]
    assert len(server.chat_requests()) == 1


def test_escape_sequences_from_the_model_or_the_server_are_shown_not_obeyed_in_the_terminal(server):
    # An answer (a prompt injection) or a hostile endpoint could retitle the window, clear the screen
    # or set the clipboard (OSC 52) through a terminal's escape sequences.
    server.script(
        Reply("Hi \x1b]52;c;cHduZWQ=\x07there \x1b[2J", model="evil\x1b]0;owned\x07"),
        bad_request("Refused \x1b]0;owned\x07 here"),
    )
    out, _err = terminal("%%chat -m gpt-4.1-mini\nHi", "%%chat -m gpt-4.1-mini\nAgain")

    shown = "\n".join(out)
    assert "\x1b" not in shown and "\x07" not in shown
    assert "Hi ␛]52;c;cHduZWQ=␇there ␛[2J" in out[0]  # the text is still there, as symbols
    assert "evil␛]0;owned␇" in out[0]  # the model's name under the answer
    assert "Refused ␛]0;owned␇ here" in out[1]  # the server's message in the failure
