"""``%%chat`` and ``%chat`` in an IPython shell, against the loopback OpenAI server (issue 2).

Everything between the magic and the wire is real: the ``openai`` SDK sends real HTTP
to ``tests.support.openai_server``; what a user would see is read from the captured
display bundles, stdout and stderr.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time

import pytest
from IPython.core.error import UsageError
from IPython.utils.capture import capture_output

from tests.support.environment import TEST_KEY
from tests.support.magics import chat
from tests.support.openai_server import DEFAULT_REPLY, Hang, OpenAIServer, Reply

FULL_TEXT = "# Title\n\nSome **bold** words, then a list:\n\n- one\n- two\n"


def run(shell, source: str):
    """A cell run the way a notebook runs it: errors are shown, not raised."""
    with capture_output() as cap:
        result = shell.run_cell(source)
    return result, cap


def markdown_renders(cap) -> list[str]:
    return [o.data["text/markdown"] for o in cap.outputs if "text/markdown" in o.data]


def session_of(shell):
    return shell.magics_manager.registry["ChatMagics"].session


def everything_shown(cap) -> str:
    parts = [cap.stdout, cap.stderr]
    for output in cap.outputs:
        parts.extend(str(value) for value in output.data.values())
    return "\n".join(parts)


# -- streaming -------------------------------------------------------------------------------


def test_an_answer_streams_as_markdown_into_one_display_and_the_last_render_holds_the_complete_text(shell, server, api_key):
    server.script(Reply(chunks=["# Title\n\n", "Some **bold** ", "words, then a list:\n\n", "- one\n", "- two\n"]))

    cap = chat(shell, "", "Show me some markdown")

    renders = markdown_renders(cap)
    assert len(renders) >= 5  # one per chunk at render_interval 0, plus the final one
    assert renders[0] == "# Title\n\n"
    for earlier, later in zip(renders, renders[1:]):
        assert later.startswith(earlier.split("\n\n<sub>")[0])  # each render grows the same answer
    assert renders[-1].startswith(FULL_TEXT)
    assert "luna" in renders[-1] and "tokens" in renders[-1]  # usage line under the answer: the default gpt-6-luna
    display_ids = {o.transient.get("display_id") for o in cap.outputs if "text/markdown" in o.data}
    assert len(display_ids) == 1 and None not in display_ids  # updated in place, not appended
    assert cap.outputs[-1].data["text/plain"] == FULL_TEXT


def test_with_render_interval_zero_every_chunk_is_rendered(shell, server, api_key):
    pieces = [f"word{i} " for i in range(20)]
    server.script(Reply(chunks=pieces))

    cap = chat(shell)

    renders = markdown_renders(cap)
    assert len(renders) == len(pieces) + 1  # every chunk, then the final render with the usage line
    assert renders[-2] == "".join(pieces)


def test_with_a_long_render_interval_few_renders_happen_but_the_last_one_is_complete(shell, server, api_key):
    pieces = [f"word{i} " for i in range(40)]
    server.script(Reply(chunks=pieces))
    shell.run_line_magic("config", "ChatMagics.render_interval = 3600")

    cap = chat(shell)

    renders = markdown_renders(cap)
    assert 1 <= len(renders) <= 3
    assert renders[-1].startswith("".join(pieces))


def test_no_stream_sends_a_request_without_stream_and_shows_the_whole_answer_once(shell, server, api_key):
    server.script(Reply(FULL_TEXT))

    cap = chat(shell, "--no-stream")

    body = server.chat_requests()[0].body
    assert "stream" not in body and "stream_options" not in body
    renders = markdown_renders(cap)
    assert len(renders) == 1 and renders[0].startswith(FULL_TEXT)


# -- options ----------------------------------------------------------------------------------


def test_the_default_model_gets_no_temperature_and_a_model_that_takes_one_gets_0_3(shell, server, api_key):
    from chatwithtech_magic.defaults import DEFAULT_MODEL

    chat(shell)
    chat(shell, "-m gpt-4.1-mini")

    first, second = (r.body for r in server.chat_requests())
    assert first["model"] == DEFAULT_MODEL == "gpt-6-luna"  # a reasoning model: no temperature unless asked
    assert "temperature" not in first and "max_tokens" not in first and first["stream"] is True
    assert second["model"] == "gpt-4.1-mini" and second["temperature"] == 0.3


@pytest.mark.parametrize("model", ["gpt-4.1-mini", "my-org/llama-3.1:8b-instruct", "ft:gpt-3.5-turbo:acme::abc123"])
def test_any_model_name_given_with_m_passes_through_unchanged(shell, server, api_key, model):
    cap = chat(shell, f'-m "{model}"')

    assert server.chat_requests()[0].body["model"] == model
    assert model in markdown_renders(cap)[-1]  # the usage line names the model that answered


def test_temperature_max_tokens_and_system_options_appear_in_the_request_body(shell, server, api_key):
    chat(shell, '-m gpt-4.1-mini -t 0.9 --max-tokens 50 -s "You are terse."')

    body = server.chat_requests()[0].body
    assert body["temperature"] == 0.9
    assert body["max_tokens"] == 50
    assert body["messages"][0] == {"role": "system", "content": "You are terse."}
    assert body["messages"][-1] == {"role": "user", "content": "Hello"}


def test_config_changes_the_default_model_temperature_max_tokens_and_system_prompt(shell, server, api_key):
    shell.run_line_magic("config", 'ChatMagics.model = "gpt-4.1-mini"')
    shell.run_line_magic("config", "ChatMagics.temperature = 1.2")
    shell.run_line_magic("config", "ChatMagics.max_tokens = 77")
    shell.run_line_magic("config", 'ChatMagics.system = "Answer in French."')

    chat(shell)
    chat(shell, "-m gpt-4o")

    first, second = (r.body for r in server.chat_requests())
    assert (first["model"], first["temperature"], first["max_tokens"]) == ("gpt-4.1-mini", 1.2, 77)
    assert first["messages"][0] == {"role": "system", "content": "Answer in French."}
    assert second["model"] == "gpt-4o"


def test_a_long_answer_cut_at_max_tokens_says_so_under_the_answer(shell, server, api_key):
    server.script(Reply("A long story that", finish_reason="length"))

    cap = chat(shell, "--max-tokens 4")

    final = markdown_renders(cap)[-1]
    assert final.startswith("A long story that")
    assert "max tokens" in final


def test_format_code_puts_the_answers_code_into_a_new_cell_below(shell, server, api_key):
    server.script(Reply("Here you go:\n\n```python\nimport math\nprint(math.pi)\n```\n\nEnjoy."))

    cap = chat(shell, "-f code", "Print pi")

    assert shell.rl_next_input == "import math\nprint(math.pi)"  # InteractiveShell.set_next_input
    assert "new cell below" in cap.stdout
    assert markdown_renders(cap)[-1].startswith("Here you go:")  # the answer is still shown


def test_format_code_without_a_code_block_says_no_cell_was_added(shell, server, api_key):
    server.script(Reply("No code needed."))

    cap = chat(shell, "--format code")

    assert "no code block" in cap.stdout
    assert not getattr(shell, "rl_next_input", None)


def test_format_text_shows_the_answer_as_plain_text_not_markdown(shell, server, api_key):
    server.script(Reply("Some **bold** text"))

    cap = chat(shell, "-f text")

    assert markdown_renders(cap) == []
    assert cap.outputs[-1].data == {"text/plain": "Some **bold** text"}


def test_out_stores_the_answer_text_in_a_notebook_variable(shell, server, api_key):
    server.script(Reply("Forty-two."))

    chat(shell, "--out answer")

    assert shell.user_ns["answer"] == "Forty-two."


def test_out_with_something_that_is_not_a_variable_name_is_a_usage_error_and_sends_nothing(shell, server, api_key):
    with pytest.raises(UsageError, match="variable name"):
        shell.run_cell_magic("chat", "--out 2bad", "Hello")

    assert server.chat_requests() == []


# -- line commands ------------------------------------------------------------------------------


def test_chat_models_lists_live_chat_models_first_marks_the_seeds_as_retired_and_puts_the_others_apart(shell, server, api_key):
    server.models = ["my-finetune", "gpt-4", "babbage-002", "gpt-3.5-turbo", "gpt-6-luna"]

    with capture_output() as cap:
        shell.run_line_magic("chat", "models")

    bundle = cap.outputs[-1].data
    lines = bundle["text/plain"].splitlines()
    assert "(4)" in lines[0] and "openai" in lines[0]
    assert [line.strip() for line in lines[1:]] == [
        "gpt-6-luna — default, reasoning",
        "my-finetune",
        "gpt-3.5-turbo — retired 2026-10-23, from the seed's catalog",
        "gpt-4 — retired 2026-10-23, from the seed's catalog",
        "",
        "Not for chat (1): babbage-002",
    ]
    assert "`gpt-6-luna`" in bundle["text/markdown"] and "`my-finetune`" in bundle["text/markdown"]
    assert server.requests[-1].path == "/v1/models"


def test_bare_chat_shows_the_settings_with_the_key_masked(shell, server, api_key):
    shell.run_line_magic("config", 'ChatMagics.model = "gpt-4"')

    with capture_output() as cap:
        shell.run_line_magic("chat", "")

    settings = dict(line.split(None, 1) for line in cap.stdout.strip().splitlines())
    assert settings["model"] == "gpt-4"
    assert settings["temperature"] == "0.3"
    assert settings["window"] == "4"
    assert settings["key"] == "sk-…WXYZ · from the OPENAI_API_KEY environment variable"
    assert settings["base_url"] == server.base_url
    assert TEST_KEY not in cap.stdout
    assert server.requests == []


def test_bare_chat_without_a_key_says_how_to_set_one(shell, server):
    with capture_output() as cap:
        shell.run_line_magic("chat", "")

    assert "not set — run %chatkey" in cap.stdout


# -- environment and client ----------------------------------------------------------------------


def test_openai_base_url_sends_the_requests_to_that_server(shell, server, api_key, monkeypatch):
    with OpenAIServer() as other:
        monkeypatch.setenv("OPENAI_BASE_URL", other.base_url)
        other.script(Reply("From the other server."))

        cap = chat(shell)

        assert len(other.chat_requests()) == 1
    assert server.chat_requests() == []
    assert markdown_renders(cap)[-1].startswith("From the other server.")


def test_config_base_url_wins_over_openai_base_url(shell, server, api_key, monkeypatch):
    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:9/v1")
    shell.run_line_magic("config", f'ChatMagics.base_url = "{server.base_url}"')

    chat(shell)

    assert len(server.chat_requests()) == 1


@pytest.mark.parametrize("variable", ["OPENAI_ORG_ID", "OPENAI_ORGANIZATION"])
def test_the_organization_from_the_environment_is_sent_as_the_openai_organization_header(shell, server, api_key, monkeypatch, variable):
    monkeypatch.setenv(variable, "org-from-env")

    chat(shell)

    assert server.chat_requests()[0].headers["openai-organization"] == "org-from-env"


def test_the_key_from_openai_api_key_is_sent_as_the_bearer_token(shell, server, api_key):
    chat(shell)

    assert server.chat_requests()[0].bearer == TEST_KEY


def test_one_client_is_reused_across_cells_and_whole_answers_reuse_one_connection(shell, server, api_key):
    chat(shell)
    client = next(iter(session_of(shell).clients._clients.values()))
    chat(shell, "--no-stream")  # builds nothing new
    before = server.connections_opened

    for _ in range(3):
        chat(shell, "--no-stream")

    assert server.connections_opened == before  # keep-alive: the same TCP connection
    assert list(session_of(shell).clients._clients.values()) == [client]
    assert len(server.chat_requests()) == 5


# -- bad input ---------------------------------------------------------------------------------------


def test_an_unknown_option_is_a_one_line_usage_error_without_traceback_and_sends_nothing(shell, server, api_key):
    result, cap = run(shell, "%%chat --bogus\nHello")

    assert isinstance(result.error_in_exec, UsageError)
    assert cap.stderr.strip().startswith("UsageError: %%chat has no option --bogus. Its options: -m/--model")
    assert "Traceback" not in cap.stdout + cap.stderr
    assert server.requests == []


def test_an_unclosed_quote_in_the_options_is_a_one_line_usage_error_and_sends_nothing(shell, server, api_key):
    result, cap = run(shell, '%%chat -s "Be brief\nHello')

    assert isinstance(result.error_in_exec, UsageError)
    assert cap.stderr.startswith("UsageError: Could not read the options (No closing quotation)")
    assert len(cap.stderr.strip().splitlines()) == 1 and "Traceback" not in cap.stdout + cap.stderr
    assert server.requests == []


def test_quoted_option_values_are_sent_without_their_quotes(shell, server, api_key):
    chat(shell, "-s 'You are a pirate.' -m \"gpt-4\"")

    body = server.chat_requests()[0].body
    assert body["messages"][0]["content"] == "You are a pirate."
    assert body["model"] == "gpt-4"


def test_a_line_command_given_to_the_cell_magic_is_a_usage_error_that_names_the_line_magic(shell, server, api_key):
    result, cap = run(shell, "%%chat reset\nHello")

    assert isinstance(result.error_in_exec, UsageError)
    assert "%chat reset" in cap.stderr and len(cap.stderr.strip().splitlines()) == 1
    assert server.requests == []


@pytest.mark.parametrize("cell", ["\n", "   \n\t\n"])
def test_a_blank_cell_says_there_is_nothing_to_send_and_sends_nothing(shell, server, api_key, cell):
    result, cap = run(shell, "%%chat\n" + cell)

    assert result.success
    assert cap.stdout.strip() == "Nothing to send: the cell is empty. Write your question below %%chat."
    assert server.requests == []


def test_a_cell_with_only_the_magic_line_is_a_one_line_usage_error_and_sends_nothing(shell, server, api_key):
    result, cap = run(shell, "%%chat -m gpt-4\n")

    assert isinstance(result.error_in_exec, UsageError)  # IPython's own check for an empty cell body
    assert cap.stderr.startswith("UsageError: %%chat is a cell magic, but the cell body is empty.")
    assert len(cap.stderr.strip().splitlines()) == 1
    assert server.requests == []


def test_with_no_key_anywhere_a_panel_says_how_to_set_one_and_nothing_is_sent(shell, server):
    result, cap = run(shell, "%%chat\nHello")

    assert result.success
    bundle, buttons = (o.data for o in cap.outputs[-2:])
    assert "application/vnd.jupyter.widget-view+json" in buttons  # "Set API key", under the message
    assert "No API key is set" in bundle["text/plain"]
    assert "%chatkey" in bundle["text/plain"] and "%chatkey" in bundle["text/html"]
    assert "Traceback" not in cap.stdout + cap.stderr
    assert server.requests == []


# -- interrupt ---------------------------------------------------------------------------------------


def _press_ctrl_c_once_streaming(server, after: float = 0.4):
    """Send SIGINT to this process once the server has begun answering, as Ctrl-C would."""

    def press():
        deadline = time.monotonic() + 10
        while not server.chat_requests() and time.monotonic() < deadline:
            time.sleep(0.01)
        time.sleep(after)  # by default a few chunks have arrived; many more are still to come
        os.kill(os.getpid(), signal.SIGINT)

    thread = threading.Thread(target=press, daemon=True)
    thread.start()
    return thread


@pytest.mark.skipif(sys.platform == "win32", reason="SIGINT to self")
def test_ctrl_c_while_streaming_keeps_the_partial_answer_visible_and_in_history_marked_incomplete(shell, server, api_key):
    pieces = [f"w{i} " for i in range(100)]
    server.script(Reply(chunks=pieces, delay=0.05))  # five seconds of streaming at most
    presser = _press_ctrl_c_once_streaming(server)

    result, cap = run(shell, "%%chat\nCount slowly")
    presser.join()

    assert result.success and "Traceback" not in cap.stdout + cap.stderr
    final = markdown_renders(cap)[-1]
    partial = final.split("\n\n>")[0]
    assert partial.startswith("w0 w1 ") and len(partial) < len("".join(pieces))
    assert "answer incomplete: interrupted" in final
    exchange = session_of(shell).conversation.exchanges[-1]
    assert exchange.complete is False and exchange.answer == partial

    # The shell still works, and the next cell sends the partial answer as history.
    result, cap = run(shell, "%%chat\nGo on")
    assert result.success
    assert markdown_renders(cap)[-1].startswith("Hello from the test server.")
    assert server.chat_requests()[-1].body["messages"][1] == {"role": "assistant", "content": partial}
    assert shell.run_cell("1 + 1").result == 2


@pytest.mark.skipif(sys.platform == "win32", reason="SIGINT to self")
def test_ctrl_c_before_any_text_arrives_says_so_and_remembers_nothing(shell, server, api_key):
    server.script(Hang(3))
    presser = _press_ctrl_c_once_streaming(server, after=0.2)

    result, cap = run(shell, "%%chat\nTake your time")
    presser.join()

    assert result.success and "Traceback" not in cap.stdout + cap.stderr
    assert "Interrupted before any answer arrived" in cap.stdout
    assert session_of(shell).conversation.exchanges == []
    assert shell.run_cell("1 + 1").result == 2


# -- the extension --------------------------------------------------------------------------------------


def test_load_ext_registers_the_magics_and_unload_ext_removes_them(shell):
    magics = shell.magics_manager.magics
    assert "chat" in magics["cell"] and "chat" in magics["line"] and "chatkey" in magics["line"]

    shell.run_line_magic("unload_ext", "chatwithtech_magic")
    assert "chat" not in magics["cell"] and "chat" not in magics["line"] and "chatkey" not in magics["line"]
    assert "ChatMagics" not in [type(c).__name__ for c in shell.configurables]

    shell.run_line_magic("load_ext", "chatwithtech_magic")
    assert "chat" in magics["cell"]
    shell.run_line_magic("reload_ext", "chatwithtech_magic")
    assert [type(c).__name__ for c in shell.configurables].count("ChatMagics") == 1


def loaded_in_a_fresh_kernel(steps: str, modules: tuple) -> list[str]:
    """Which of ``modules`` a fresh IPython has imported after ``%load_ext`` and ``steps``."""
    code = (
        "import sys\n"
        "from IPython.core.interactiveshell import InteractiveShell\n"
        "from IPython.utils.capture import capture_output\n"
        "ip = InteractiveShell.instance()\n"
        "ip.run_line_magic('load_ext', 'chatwithtech_magic')\n"
        "assert 'chat' in ip.magics_manager.magics['cell']\n"
        f"{steps}"
        f"print(sorted(m for m in {modules!r} if m in sys.modules))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return eval(done.stdout.strip().splitlines()[-1])


def test_loading_the_extension_imports_neither_openai_nor_ipywidgets_nor_keyring():
    assert loaded_in_a_fresh_kernel("", ("openai", "ipywidgets", "keyring", "httpx2")) == []


def test_an_answer_never_imports_the_sdks_chat_resource_or_its_pydantic_stream_types(api_key):
    """The request goes through the SDK's generic ``client.post`` (sse.py): a fresh kernel's first
    cell does not wait for modules that build objects we never use (about 15 ms)."""
    steps = (
        "with capture_output() as cap:\n"
        "    ip.run_cell_magic('chat', '-m gpt-4.1-mini', 'Hello')\n"
        "    ip.run_cell_magic('chat', '-m gpt-4.1-mini --no-stream', 'Again')\n"
        f"answers = [o for o in cap.outputs if o.data.get('text/plain', '').startswith({DEFAULT_REPLY!r})]\n"
        "assert len(answers) == 2 and 'openai' in sys.modules, [o.data for o in cap.outputs]\n"
    )
    assert loaded_in_a_fresh_kernel(steps, ("openai.resources.chat", "openai.lib.streaming.chat")) == []


# -- secrets ---------------------------------------------------------------------------------------------


def test_the_key_never_appears_in_answers_settings_history_or_reprs(shell, server, api_key):
    caps = [chat(shell), chat(shell, "--no-stream")]
    for command in ("", "history", "models", "error"):
        with capture_output() as cap:
            shell.run_line_magic("chat", command)
        caps.append(cap)

    session = session_of(shell)
    shown = "\n".join(everything_shown(cap) for cap in caps)
    shown += repr(session.__dict__) + repr(session.credentials) + repr(session.credentials.resolve())
    assert TEST_KEY not in shown
    assert "sk-…WXYZ" in shown


def test_an_endpoint_that_refuses_stream_options_still_streams_answers_without_token_counts(shell, server, api_key):
    from tests.support.openai_server import bad_request

    server.script(bad_request("Unrecognized request argument supplied: stream_options"), Reply("Streamed anyway."))
    cap = chat(shell)
    assert markdown_renders(cap)[-1].startswith("Streamed anyway.")
    first, second = server.chat_requests()
    assert "stream_options" in first.body and "stream_options" not in second.body and second.body["stream"] is True

    chat(shell, cell="And again")
    assert "stream_options" not in server.chat_requests()[-1].body  # remembered: no failed request per cell
