"""Never a traceback, bad input costs no request, answers with no text say so (issue 8, items 7-13).

Notes for the speed engineer's code path (``sse.py``, ``wire/chat_completions.py``), checked by the tests below:
* ``sse.read_stream`` calls ``faults.refuse_web_page(response.http_response)`` before reading:
  a 200 ``text/html`` page (captive portal) to a streamed request becomes the ``not_json``
  panel instead of an empty answer. Keep that call in whatever reads the stream.
* The ``Draft`` must keep collecting ``refusal`` deltas into ``refusal_parts``, tool-call
  deltas into ``tool_calls`` and the ``finish_reason`` as sent, for streams and for
  ``take_whole``: ``empty.verdict`` turns a draft with no text into a refusal shown as the
  answer, or an ``empty_answer`` panel that names the finish reason.
* The dialect's ``take_whole`` refuses a non-streamed 200 that is a web page (a ``str``) or of
  another shape (``faults.NotAnAnswer``) before reading it.

Everything goes through the real ``openai`` SDK over HTTP to the loopback server; the kernel
test runs a real IPython kernel through nbclient.
"""

from __future__ import annotations

import json
import socket

import pytest
from IPython.core.error import UsageError
from IPython.utils.capture import capture_output

from tests.support.environment import TEST_KEY
from tests.support.magics import chat
from tests.support.openai_server import Error, Events, Reply, StreamError

MODEL = "gpt-4.1-mini"  # takes temperature and max_tokens
PORTAL = (
    "<!doctype html><html><head><title>Hotel Wi-Fi – please log in</title></head>"
    "<body><form>Room number <input name=room></form></body></html>"
)


# -- helpers -----------------------------------------------------------------------------------


def run(shell, source: str):
    """Run a cell as a notebook does; it must never end in a traceback."""
    with capture_output() as cap:
        result = shell.run_cell(source)
    shown = cap.stdout + cap.stderr
    assert "Traceback" not in shown, shown
    assert result.error_in_exec is None or isinstance(result.error_in_exec, UsageError), result.error_in_exec
    return result, cap


def session_of(shell):
    return shell.magics_manager.registry["ChatMagics"].session


def panels(cap) -> list[dict]:
    """The failure messages shown (their plain-text form starts with ✖; the buttons are a widget below)."""
    return [o.data for o in cap.outputs if str(o.data.get("text/plain", "")).startswith("✖")]


def panel_text(cap) -> str:
    bundles = panels(cap)
    assert bundles, f"no panel among {[list(o.data) for o in cap.outputs]}; stdout={cap.stdout!r}"
    return bundles[-1].get("text/plain", "")


def last_kind(shell) -> str:
    return session_of(shell).last_failure.kind.kind


def everything(cap) -> str:
    parts = [cap.stdout, cap.stderr]
    for output in cap.outputs:
        parts.extend(str(v) for v in output.data.values())
    return "\n".join(parts)


def open_key_form(shell):
    """``%chatkey``'s form, as the magic shows it."""
    from chatwithtech_magic.magics.key import KeyMagics

    chat = shell.magics_manager.registry["ChatMagics"]
    with capture_output():
        return KeyMagics.show_form(chat, chat.connection)


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def no_proxy_env(monkeypatch):
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY", "http_proxy", "https_proxy", "all_proxy", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


# -- item 7: never a traceback ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "variable, value, field, char",
    [
        ("OPENAI_ORG_ID", "org-Ünïcode", "organization", "U+00DC"),
        ("OPENAI_ORG_ID", "org-abc\x07def", "organization", "U+0007"),
        ("OPENAI_PROJECT_ID", "proj_ab\ncd", "project", "U+000A"),
        ("OPENAI_PROJECT_ID", "proj_ab cd", "project", "U+0020"),
    ],
)
def test_an_organization_or_project_id_with_a_bad_character_says_which_character_and_sends_nothing(
    shell, server, api_key, monkeypatch, variable, value, field, char
):
    monkeypatch.setenv(variable, value)

    _, cap = run(shell, f"%%chat -m {MODEL}\nHello")

    text = panel_text(cap)
    assert last_kind(shell) == "bad_header"
    assert f"The {field} ID contains characters" in text and char in text
    assert "network" not in text.lower() and "refused the connection" not in text
    assert server.requests == []  # not sent, not retried


@pytest.mark.parametrize("stream", [True, False], ids=["streamed", "no-stream"])
def test_a_captive_portal_page_answering_a_chat_request_is_named_as_a_web_page_not_a_traceback(shell, server, api_key, stream):
    server.script(Error(200, PORTAL, content_type="text/html; charset=utf-8"))

    _, cap = run(shell, f"%%chat -m {MODEL} {'' if stream else '--no-stream'}\nHello")

    text = panel_text(cap)
    assert last_kind(shell) == "not_json"
    assert "is not an API response" in text and "Hotel Wi-Fi – please log in" in text
    assert "<form" not in everything(cap)  # the page's title, never the page
    assert session_of(shell).conversation.exchanges == []
    assert len(server.chat_requests()) == 1


def test_invalid_json_in_a_200_answer_is_a_panel_not_a_traceback(shell, server, api_key):
    server.script(Error(200, '{"id": "chatcmpl-1", "choices": [', content_type="application/json"))

    _, cap = run(shell, f"%%chat -m {MODEL} --no-stream\nHello")

    assert last_kind(shell) == "not_json"
    assert "is not an API response" in panel_text(cap)


def test_a_200_json_answer_of_another_shape_is_a_panel_not_a_traceback(shell, server, api_key):
    server.script(Error(200, '{"status": "ok", "message": "welcome"}', content_type="application/json"))

    _, cap = run(shell, f"%%chat -m {MODEL} --no-stream\nHello")

    assert last_kind(shell) == "not_json"
    assert "welcome" in panel_text(cap)


@pytest.mark.parametrize(
    "choices",
    [["x"], [{"message": "hi"}], [{}], [None], [{"message": {"content": 5, "refusal": 7}, "finish_reason": 3}]],
    ids=["a-string", "a-string-message", "an-empty-choice", "null", "content-not-text"],
)
def test_a_200_answer_whose_choice_holds_no_text_is_the_no_text_panel_not_a_traceback(shell, server, api_key, choices):
    server.script(Error(200, json.dumps({"choices": choices, "usage": "x", "model": 3}), content_type="application/json"))

    _, cap = run(shell, f"%%chat -m {MODEL} --no-stream\nHello")

    assert last_kind(shell) == "empty_answer"
    assert "The model sent no text" in panel_text(cap)


def test_a_web_page_answering_the_model_list_is_a_panel_in_chat_models(shell, server, api_key):
    server.script_models(Error(200, PORTAL, content_type="text/html"))

    _, cap = run(shell, "%chat models")

    assert last_kind(shell) == "not_json"
    assert "Hotel Wi-Fi" in panel_text(cap)


def test_model_list_entries_without_an_id_are_skipped_and_the_rest_are_listed(shell, server, api_key):
    body = {"object": "list", "data": [{"object": "model"}, {"id": MODEL, "object": "model"}, {"id": None}, "junk"]}
    server.script_models(Error(200, json.dumps(body), content_type="application/json"))

    _, cap = run(shell, "%chat models")

    assert MODEL in everything(cap)
    assert not panels(cap)


@pytest.mark.parametrize(
    "models_answer, expected",
    [
        (Error(200, json.dumps({"object": "list", "data": [{"object": "model"}, {"id": MODEL}]}), content_type="application/json"), "Connected: 1 chat model."),
        (Error(200, PORTAL, content_type="text/html"), "is not an API response"),
    ],
    ids=["entry-without-id", "web-page"],
)
def test_the_key_forms_save_and_test_never_stays_at_testing(shell, server, models_answer, expected):
    server.script_models(models_answer)
    form = open_key_form(shell)
    form.key.value = TEST_KEY

    form.save_button.click()

    assert "Testing…" not in form.result.value
    assert expected in form.result.value


def test_a_lone_surrogate_in_an_interpolated_value_is_sent_as_a_replacement_character(shell, server, api_key):
    shell.user_ns["name"] = b"caf\xe9".decode("utf-8", "surrogateescape")  # what a mis-decoded file name holds

    _, cap = run(shell, f"%%chat -m {MODEL}\nWhat is {{name}}?")

    assert not panels(cap)
    [request] = server.chat_requests()
    assert request.body["messages"][-1]["content"] == "What is caf\ufffd?"
    assert "Hello from the test server." in everything(cap)


@pytest.mark.parametrize("value", ["-t nan", "-t inf", "--temperature=-inf", "-t NaN"])
def test_a_temperature_of_nan_or_infinity_is_refused_in_one_line_before_any_request(shell, server, api_key, value):
    with pytest.raises(UsageError, match="not allowed"):
        shell.run_cell_magic("chat", f"-m {MODEL} {value}", "Hello")
    assert server.requests == []


@pytest.mark.parametrize("setting, value", [("timeout", "-1"), ("timeout", "0"), ("timeout", "float('nan')"), ("window", "0"),
                                            ("retries", "-2"), ("temperature", "5"), ("model", '""')])
def test_a_setting_out_of_range_is_refused_with_a_visible_message_and_keeps_its_value(shell, server, api_key, setting, value):
    before = getattr(shell.magics_manager.registry["ChatMagics"], setting)

    _, cap = run(shell, f"%config ChatMagics.{setting} = {value}")

    assert f"ChatMagics.{setting} = " in cap.stdout and "not allowed" in cap.stdout or "needs a model name" in cap.stdout
    assert f"It stays {before!r}" in cap.stdout
    assert getattr(shell.magics_manager.registry["ChatMagics"], setting) == before
    _, cap = run(shell, f"%%chat -m {MODEL}\nHello")
    assert "Hello from the test server." in everything(cap)


def test_a_setting_message_is_in_chinese_when_the_language_is_chinese(shell):
    shell.run_line_magic("config", 'ChatMagics.language = "zh"')

    _, cap = run(shell, "%config ChatMagics.timeout = -1")

    assert "不可用" in cap.stdout and "600.0" in cap.stdout


def test_a_request_out_of_range_from_plain_python_is_a_failure_and_sends_nothing(server, api_key):
    from chatwithtech_magic.request import ChatRequest
    from chatwithtech_magic.session import ChatSession

    answer = ChatSession().ask("Hello", ChatRequest(model=MODEL, timeout=0), view=_Quiet())

    assert answer.failure.kind.kind == "bad_setting" and "timeout = 0" in answer.failure.message
    assert server.requests == []


def test_a_socks_proxy_without_socksio_names_the_proxy_and_the_missing_package(shell, server, api_key, no_proxy_env):
    try:
        import socksio  # noqa: F401
    except ImportError:
        pass
    else:
        pytest.skip("socksio is installed here")
    no_proxy_env.setenv("ALL_PROXY", "socks5://proxyuser:proxypass@127.0.0.1:1080")

    _, cap = run(shell, f"%%chat -m {MODEL}\nHello")

    text = panel_text(cap)
    assert last_kind(shell) == "proxy"
    assert "socks5://…@127.0.0.1:1080" in text and "socksio" in text
    assert "proxypass" not in everything(cap)
    assert server.requests == []


@pytest.mark.parametrize("value, detail", [("ftp://proxy.example:21", "Unknown scheme"), ("http://proxy.example:notaport", "Invalid port")])
def test_a_malformed_http_proxy_names_the_proxy_instead_of_a_traceback(shell, server, api_key, no_proxy_env, value, detail):
    no_proxy_env.setenv("HTTP_PROXY", value)

    _, cap = run(shell, f"%%chat -m {MODEL}\nHello")

    text = panel_text(cap)
    assert last_kind(shell) == "proxy"
    assert f"The proxy {value} can't be used" in text and detail in text
    assert server.requests == []


class _Quiet:
    def update(self, text):
        pass

    def finish(self, answer):
        pass


class _GetRaises:
    """A keyring whose set works and whose get raises (a locked collection, a broken D-Bus session)."""

    priority = 1

    def __init__(self):
        self.entries = {}

    def set_password(self, service, username, password):
        self.entries[(service, username)] = password

    def get_password(self, service, username):
        raise RuntimeError("org.freedesktop.Secret.Error.IsLocked: Cannot get secret of a locked object")

    def delete_password(self, service, username):
        self.entries.pop((service, username), None)


@pytest.fixture
def get_raises_keyring():
    import keyring
    from keyring.backend import KeyringBackend

    backend = type("GetRaises", (_GetRaises, KeyringBackend), {})()
    previous = keyring.get_keyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


def test_a_keyring_whose_get_raises_after_set_works_keeps_the_key_for_the_session_and_says_so(shell, server, get_raises_keyring):
    form = open_key_form(shell)
    form.key.value = TEST_KEY
    form.save_button.click()

    assert "Testing…" not in form.result.value
    assert "Connected" in form.result.value
    _, cap = run(shell, f"%%chat -m {MODEL}\nHello")
    assert "Hello from the test server." in everything(cap)
    assert server.chat_requests()[-1].bearer == TEST_KEY
    _, cap = run(shell, "%chatkey status")
    assert TEST_KEY not in everything(cap)


@pytest.mark.parametrize(
    "entry",
    [
        {"api_key": 12345, "organization": "org-x"},
        {"api_key": TEST_KEY, "organization": ["org-x"], "project": 7, "base_url": {"u": 1}},
        {"api_key": None},
        [TEST_KEY],
    ],
    ids=["numeric-key", "wrong-typed-fields", "null-key", "a-list"],
)
def test_a_keyring_entry_with_wrong_typed_fields_never_causes_a_traceback(shell, server, memory_keyring, entry):
    memory_keyring.entries[("chatwithtech_magic", "openai")] = json.dumps(entry)

    for source in (f"%%chat -m {MODEL}\nHello", "%chat", "%chatkey status", "%chat models"):
        _, cap = run(shell, source)
        assert TEST_KEY not in everything(cap)
    if isinstance(entry, dict) and isinstance(entry.get("api_key"), str):
        assert server.chat_requests()[-1].bearer == TEST_KEY
        assert "openai-organization" not in server.chat_requests()[-1].headers


# -- item 8: --out never breaks the kernel ---------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    ["__builtins__", "__name__", "get_ipython", "In", "Out", "exit", "quit", "_", "__", "___", "_i", "_ii", "_iii",
     "_i3", "_12", "_oh", "_ih", "_dh", "print", "class"],
)
def test_out_refuses_names_python_or_ipython_need_and_sends_nothing(shell, server, api_key, name):
    before = shell.user_ns.get(name, "absent")

    with pytest.raises(UsageError, match="--out"):
        shell.run_cell_magic("chat", f"-m {MODEL} --out {name}", "Hello")

    assert server.requests == []
    assert shell.user_ns.get(name, "absent") is before
    _, cap = run(shell, f"%%chat -m {MODEL}\nStill working?")  # every later cell and magic still works
    assert "Hello from the test server." in everything(cap)


def test_out_with_an_ordinary_name_still_stores_the_answer(shell, server, api_key):
    run(shell, f"%%chat -m {MODEL} --out answer\nHello")

    assert shell.user_ns["answer"] == "Hello from the test server."


# -- item 9: answers with no text ------------------------------------------------------------------


def _chunk(delta=None, finish=None):
    return {"choices": [{"index": 0, "delta": delta or {}, "logprobs": None, "finish_reason": finish}]}


def _completion(message: dict, finish: str) -> Error:
    body = {"id": "chatcmpl-x", "object": "chat.completion", "created": 1, "model": MODEL,
            "choices": [{"index": 0, "message": {"role": "assistant", **message}, "logprobs": None, "finish_reason": finish}]}
    return Error(200, json.dumps(body), content_type="application/json")


REFUSAL = "I'm sorry, but I can't help with that."


def test_a_streamed_refusal_is_shown_as_the_answer_marked_as_a_refusal(shell, server, api_key):
    server.script(Events([_chunk({"role": "assistant", "content": None, "refusal": ""}),
                          _chunk({"refusal": "I'm sorry, but "}), _chunk({"refusal": "I can't help with that."}),
                          _chunk(finish="stop")]))

    _, cap = run(shell, f"%%chat -m {MODEL}\nHelp me with something bad")

    final = cap.outputs[-1].data
    assert REFUSAL in final["text/plain"] and "refused" in final["text/plain"]
    assert not panels(cap)
    [exchange] = session_of(shell).conversation.exchanges
    assert exchange.answer == REFUSAL


def test_a_refusal_without_streaming_is_shown_as_the_answer_marked_as_a_refusal(shell, server, api_key):
    server.script(_completion({"content": None, "refusal": REFUSAL}, "stop"))

    _, cap = run(shell, f"%%chat -m {MODEL} --no-stream\nHelp me with something bad")

    assert REFUSAL in everything(cap) and "refused" in everything(cap)


@pytest.mark.parametrize(
    "answer, stream, reason",
    [
        (Events([_chunk({"role": "assistant", "content": None}),
                 _chunk({"tool_calls": [{"index": 0, "id": "call_1", "type": "function", "function": {"name": "f", "arguments": "{}"}}]}),
                 _chunk(finish="tool_calls")]), True, "call a tool"),
        (Events([{"choices": []}]), True, "sent no answer at all"),
        (Events([_chunk({"role": "assistant", "content": ""}), _chunk(finish="content_filter")]), True, "content filter"),
        (_completion({"content": None}, "content_filter"), False, "content filter"),
        (_completion({"content": None, "tool_calls": [{"id": "c", "type": "function", "function": {"name": "f", "arguments": "{}"}}]}, "tool_calls"), False, "call a tool"),
        (Error(200, json.dumps({"id": "x", "object": "chat.completion", "created": 1, "model": MODEL, "choices": []}), content_type="application/json"), False, "sent no answer at all"),
        (_completion({"content": ""}, "length"), False, "max tokens"),
    ],
    ids=["stream-tool-calls", "stream-no-choices", "stream-content-filter", "content-null", "tool-calls", "no-choices", "length"],
)
def test_an_answer_with_no_text_says_so_and_why_and_is_not_remembered(shell, server, api_key, answer, stream, reason):
    server.script(answer)

    _, cap = run(shell, f"%%chat -m {MODEL} {'' if stream else '--no-stream'}\nHello")

    text = panel_text(cap)
    assert last_kind(shell) == "empty_answer"
    assert "The model sent no text" in text and reason in text
    assert "partial answer above" not in everything(cap)
    assert session_of(shell).conversation.exchanges == []
    run(shell, "%chat history")


def test_an_error_before_any_text_does_not_mention_a_partial_answer_above(shell, server, api_key):
    server.script(StreamError(text=""))

    _, cap = run(shell, f"%%chat -m {MODEL}\nHello")

    text = panel_text(cap)
    assert last_kind(shell) == "stream_failed"
    assert "The server had an error while processing your request" in text
    assert "partial answer above" not in everything(cap)
    assert session_of(shell).conversation.exchanges == []


# -- item 10: cell options out of range send nothing ------------------------------------------------


@pytest.mark.parametrize("options", ["-t 5", "-t -1", "--max-tokens -5", "--max-tokens=-5", '-m ""', "-m '  '", "-t 2.5"])
def test_a_cell_option_out_of_range_is_refused_in_one_line_and_sends_nothing(shell, server, api_key, options):
    with pytest.raises(UsageError) as refused:
        shell.run_cell_magic("chat", f"-m {MODEL} {options}" if not options.startswith("-m") else options, "Hello")

    assert "Nothing was sent" in str(refused.value) and "\n" not in str(refused.value)
    assert server.requests == []


def test_cell_options_at_the_edges_of_their_range_are_sent(shell, server, api_key):
    run(shell, f"%%chat -m {MODEL} -t 0 --max-tokens 1\nHello")
    run(shell, f"%%chat -m {MODEL} -t 2\nHello")

    first, second = (r.body for r in server.chat_requests())
    assert first["temperature"] == 0 and second["temperature"] == 2


# -- item 11: %chatkey reads options like a shell, as %%chat does ----------------------------------


def test_chatkey_set_with_an_empty_org_clears_the_organization(shell, server, monkeypatch, memory_keyring):
    monkeypatch.setattr("getpass.getpass", lambda prompt: TEST_KEY)
    monkeypatch.setattr("builtins.input", lambda prompt: pytest.fail("no organization prompt expected"))
    run(shell, '%chatkey set --org "org-old"')
    assert json.loads(memory_keyring.entries[("chatwithtech_magic", "openai")])["organization"] == "org-old"

    run(shell, '%chatkey set --org ""')

    assert json.loads(memory_keyring.entries[("chatwithtech_magic", "openai")])["organization"] is None
    run(shell, f"%%chat -m {MODEL}\nHello")
    assert "openai-organization" not in server.chat_requests()[-1].headers


def test_chatkey_with_an_unclosed_quote_is_a_one_line_message(shell):
    with pytest.raises(UsageError, match="Could not read the options"):
        shell.run_line_magic("chatkey", 'set --org "org-x')


# -- item 12: the retry countdown and connection failures say what happened -------------------------


def test_the_retry_countdown_names_the_base_url_and_the_panel_says_the_connection_was_refused(shell, server, api_key):
    port = closed_port()
    shell.magics_manager.registry["ChatMagics"].session.sleep = lambda seconds: None
    run(shell, f'%config ChatMagics.base_url = "http://127.0.0.1:{port}/v1"')
    run(shell, "%config ChatMagics.retries = 1")

    _, cap = run(shell, f"%%chat -m {MODEL}\nHello")

    countdowns = [str(o.data.get("text/plain", "")) for o in cap.outputs if "retrying" in str(o.data.get("text/plain", ""))]
    assert countdowns and f"Can't reach http://127.0.0.1:{port}/v1 — retrying" in countdowns[0]
    assert "The connection failed: the endpoint refused the connection" in panel_text(cap)


def test_a_dead_proxy_is_named_instead_of_blaming_the_endpoint(shell, server, api_key, no_proxy_env):
    port = closed_port()
    no_proxy_env.setenv("HTTP_PROXY", f"http://127.0.0.1:{port}")
    shell.magics_manager.registry["ChatMagics"].session.sleep = lambda seconds: None

    _, cap = run(shell, f"%%chat -m {MODEL}\nHello")

    text = panel_text(cap)
    assert last_kind(shell) == "proxy"
    assert f"The proxy http://127.0.0.1:{port} can't be used" in text
    assert "refused the connection or its name did not resolve" not in text
    assert server.requests == []


# -- item 13: what is shown is capped, what is stored is whole ---------------------------------------


def test_a_huge_server_message_is_cut_in_the_panel_and_in_chat_error_but_kept_whole(shell, server, api_key):
    from tests.support.openai_server import bad_request

    message = "Invalid request: " + "x" * 3_000_000
    server.script(bad_request(message))

    _, cap = run(shell, f"%%chat -m {MODEL}\nHello")

    shown = sum(len(json.dumps(o.data)) for o in cap.outputs)
    assert shown < 40_000
    assert "characters not shown; the whole text is kept" in panel_text(cap)
    assert session_of(shell).last_failure.message == message
    _, cap = run(shell, "%chat error")
    assert len(cap.stdout) < 10_000 and "characters not shown" in cap.stdout


def test_history_after_a_huge_prompt_is_cut_with_a_note_and_the_conversation_keeps_it_whole(shell, server, api_key):
    prompt = "Summarize this: " + "lorem ipsum " * 200_000  # 2.4 MB

    run(shell, f"%%chat -m {MODEL}\n{prompt}")
    _, cap = run(shell, "%chat history")

    shown = sum(len(json.dumps(o.data)) for o in cap.outputs) + len(cap.stdout)
    assert shown < 200_000
    assert "characters not shown; the whole text is kept" in everything(cap)
    assert session_of(shell).conversation.exchanges[0].prompt == prompt


# -- item 7 in a real kernel ------------------------------------------------------------------------


def test_in_a_real_kernel_bad_settings_out_names_and_surrogates_give_one_line_messages_never_a_traceback(server, api_key, tmp_path):
    import nbformat
    from nbclient import NotebookClient

    sources = [
        "%load_ext chatwithtech_magic",
        "%config ChatMagics.timeout = -1",
        f"%%chat -m {MODEL} --out get_ipython\nHello",
        'weird = b"caf\\xe9".decode("utf-8", "surrogateescape")',
        f"%%chat -m {MODEL}\nWhat is {{weird}}?",
        f"%%chat -m {MODEL} -t nan\nHello",
        "%chat",
    ]
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [nbformat.v4.new_code_cell(source) for source in sources]

    NotebookClient(nb, timeout=60, kernel_name="python3", allow_errors=True,
                   resources={"metadata": {"path": str(tmp_path)}}).execute()

    outputs = [cell.outputs for cell in nb.cells]
    config_text = "".join(o.get("text", "") for o in outputs[1])
    assert "ChatMagics.timeout = -1" in config_text and "It stays 600.0" in config_text
    for index, words in ((2, "--out get_ipython would overwrite"), (5, "nan is not allowed")):
        [line] = outputs[index]  # IPython shows a UsageError as one line on stderr
        assert line.output_type == "stream" and line.text.startswith("UsageError: ") and words in line.text
        assert line.text.count("\n") == 1
    answer = [o for o in outputs[4] if o.output_type == "display_data"][-1]
    assert "Hello from the test server." in answer.data["text/plain"]
    assert "timeout" in "".join(o.get("text", "") for o in outputs[6])  # the magics still work after --out get_ipython
    assert "Traceback" not in nbformat.writes(nb)
    [request] = server.chat_requests()
    assert request.body["messages"][-1]["content"] == "What is caf\ufffd?"


def test_the_key_form_shows_a_message_even_when_testing_fails_in_an_unexpected_way(shell, memory_keyring):
    from chatwithtech_magic.widgets.key_form import KeyForm

    def broken(connection):
        raise RuntimeError("the test itself broke")

    form = KeyForm(session_of(shell).credentials, "openai", "en", broken)
    form.key.value = TEST_KEY

    form.save_button.click()

    assert "Testing…" not in form.result.value
    assert "the test itself broke" in form.result.value


def test_a_whole_answer_whose_model_name_is_not_text_still_shows_under_the_requested_name(shell, server, api_key):
    server.script(Reply("Fine.", model=123))
    cap = chat(shell, "--no-stream -m gpt-4.1-mini", "Hi")

    shown = "".join(o.data.get("text/plain", "") for o in cap.outputs)
    assert "Fine." in shown and "Traceback" not in cap.stdout + cap.stderr
    assert "gpt-4.1-mini" in cap.outputs[-1].data["text/markdown"]
