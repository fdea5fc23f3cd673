"""Security (issue 8, items 1-6, 14, 16-19): what a model or a server sends is text, never markup,
and a key typed by mistake survives nowhere.

Everything goes through the real ``openai`` SDK against the loopback server, the magics in an
IPython shell, and (where the issue says so) a real kernel or a real terminal IPython.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import pytest
from IPython.utils.capture import capture_output

from chatwithtech_magic.render.safe import html_text, literal_markdown, safe_markdown
from tests.support.environment import TEST_KEY
from tests.support.magics import chat, chat_line
from tests.support.openai_server import Error, Reply, bad_request, overloaded

HOSTILE = (
    'Here you go: <img src=x onerror="window.__pwned=1"> and <script>window.__pwned=2</script>\n\n'
    "**bold** stays bold, `<div>` is inline code, and [a link](javascript:alert(1)).\n\n"
    "```html\n<b>tags in a code block</b>\n```\n"
)
VIEW = "application/vnd.jupyter.widget-view+json"


def markdown_outputs(cap) -> list[str]:
    return [o.data["text/markdown"] for o in cap.outputs if "text/markdown" in o.data]


def everything_in(cap) -> str:
    return json.dumps([o.data for o in cap.outputs], ensure_ascii=False) + cap.stdout + cap.stderr


def outside_code(markdown: str) -> str:
    """The Markdown with fenced code blocks removed (where tags are shown literally anyway)."""
    return re.sub(r"^```.*?^```", "", markdown, flags=re.DOTALL | re.MULTILINE)


def raw_tags(markdown: str) -> list[str]:
    """Tags a renderer would turn into HTML, other than the harmless ones we write ourselves."""
    tags = re.findall(r"<(/?[A-Za-z][\w-]*)", outside_code(markdown))
    return [t for t in tags if t.lstrip("/") not in ("sub", "code")]


def store_of(shell):
    return shell.magics_manager.registry["KeyMagics"].store


# -- 1. HTML in answers, model names, errors -----------------------------------------------


def test_html_in_an_answer_is_shown_as_text_while_bold_and_code_blocks_still_render(shell, server, api_key):
    server.script(Reply(HOSTILE))
    cap = chat(shell, "-m gpt-4.1-mini")
    final = markdown_outputs(cap)[-1]
    assert raw_tags(final) == []
    assert "&lt;img src=x onerror" in final and "&lt;script>" in final
    assert "**bold**" in final
    assert "```html\n<b>tags in a code block</b>\n```" in final  # code blocks are left exactly as written
    assert "<code>&lt;div&gt;</code>" in final  # inline code with a tag looks the same, as our own HTML
    assert "javascript:" not in final  # the link is dead
    assert cap.outputs[-1].data["text/plain"].startswith(HOSTILE.strip()[:40])  # the text itself is unchanged


def test_every_streamed_render_is_escaped_not_only_the_last(shell, server, api_key):
    server.script(Reply(HOSTILE))
    with capture_output() as cap:
        shell.run_line_magic("config", "ChatMagics.render_interval = 0")
        shell.run_cell_magic("chat", "-m gpt-4.1-mini", "Hello")
    renders = markdown_outputs(cap)
    assert renders and all(raw_tags(md) == [] for md in renders)


def test_a_model_name_from_the_server_is_escaped_in_the_line_under_the_answer(shell, server, api_key):
    server.script(Reply("Fine.", model='gpt-4.1-mini<img src=x onerror="window.__pwned=3">'))
    final = markdown_outputs(chat(shell, "-m gpt-4.1-mini"))[-1]
    assert raw_tags(final) == []
    assert "onerror" in final  # still visible, as text


def test_history_shows_prompts_answers_and_model_names_as_text(shell, server, api_key):
    server.script(Reply(HOSTILE, model="gpt-4.1-mini<script>x()</script>"))
    chat(shell, "-m gpt-4.1-mini", "Summarise <iframe src=javascript:alert(1)></iframe>")
    history = markdown_outputs(chat_line(shell, "history"))[0]
    assert raw_tags(history) == []
    assert "&lt;iframe" in history


def test_an_error_message_with_html_is_escaped_in_the_panel(shell, server, api_key):
    server.script(bad_request('<img src=x onerror="window.__pwned=4"> is not a valid request'))
    cap = chat(shell, "-m gpt-4.1-mini")
    html = next(o.data["text/html"] for o in cap.outputs if "text/html" in o.data)
    assert "<img" not in html and "&lt;img src=x onerror" in html


def test_a_page_title_from_a_proxy_is_escaped_in_the_panel(shell, server, api_key):
    page = "<html><head><title>&lt;img src=x onerror=alert(1)&gt; Bad Gateway</title></head></html>"
    shell.run_line_magic("config", "ChatMagics.retries = 0")
    server.script(Error(502, page))
    cap = chat(shell, "-m gpt-4.1-mini")
    html = next(o.data["text/html"] for o in cap.outputs if "text/html" in o.data)
    assert "<img" not in html and "Bad Gateway" in html


def test_model_names_with_html_or_line_breaks_stay_inside_their_code_spans_in_chat_models(shell, server, api_key):
    server.models = ["gpt-4.1-mini", "gpt-x\n<img src=x onerror=alert(1)>", "gpt-<script>y()</script>"]
    listing = markdown_outputs(chat_line(shell, "models"))[0]
    without_spans = re.sub(r"`[^`\n]*`", "", listing)
    assert raw_tags(without_spans) == [] and "onerror" in listing


@pytest.mark.parametrize(
    "text",
    [
        "[x](javascript:alert(1))",
        "[x](JaVaScRiPt:alert(1))",
        "[x](javascript\\:alert(1))",
        "[x](javascript&#58;alert(1))",
        "[x]: javascript:alert(1)\n\n[x]",
        "[x](data:text/html,<script>alert(1)</script>)",
        "[x](<javascript:alert(1)>)",
        "![x](vbscript:msgbox(1))",
    ],
)
def test_links_that_would_run_code_are_disabled(text):
    shown = safe_markdown(text)
    assert not re.search(r"(?i)(javascript|vbscript|data)\\?:", shown.replace("&amp;#58;", "")), shown
    assert "&#58;" not in shown.replace("&amp;#58;", "")


@pytest.mark.parametrize(
    "text",
    ["[x](javascript&#58;alert(1))", "[x](java&#115;cript&colon;alert(1))", "[x](data&#x3A;text/html,x)", "[x](javascript&#58alert(1))"],
)
def test_links_spelled_with_character_references_stay_dead_in_a_notebook_exported_to_html(text):
    # nbconvert's Markdown renderer (mistune) decodes a link's URL twice: "&amp;#58;" must not become ":".
    nbformat = pytest.importorskip("nbformat")
    nbconvert = pytest.importorskip("nbconvert")
    notebook = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("%%chat\nHello")
    cell.outputs = [nbformat.v4.new_output("display_data", data={"text/markdown": safe_markdown(text)})]
    notebook.cells = [cell]
    page, _ = nbconvert.HTMLExporter().from_notebook_node(notebook)
    hrefs = re.findall(r'<a href="([^"]*)">x</a>', page)
    assert hrefs and not any(re.match(r"(?i)\s*(javascript|vbscript|data):", href) for href in hrefs), hrefs


@pytest.mark.parametrize(
    "text",
    [
        "<img src=x onerror=alert(1)>",
        "</p><script>alert(1)</script>",
        "<!-- comment --><svg onload=alert(1)>",
        "<?php x ?>",
        "- item\n\n    <img src=x onerror=alert(1)>",  # list text indented like code: not code
        "1. step\n   ```\n   code\n  <img src=x onerror=alert(1)>\n   ```",
        "`a` <b onclick=x>`c`",
        "[a](http://x/`) <img src=x onerror=alert(1)> `)",
        "\\`<img src=x onerror=alert(1)>`",
        "text\r\n```\r\n<b>code</b>\r\n```\r\n<img src=x onerror=alert(1)>",
    ],
)
def test_raw_html_never_survives_outside_code_whatever_its_shape(text):
    assert raw_tags(safe_markdown(text)) == []


def test_markdown_formatting_tables_math_and_code_keep_working():
    text = "# Title\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n$0<x<1$ and `x < y` and AT&T\n\n    <kbd>indented</kbd>\n"
    shown = safe_markdown(text)
    assert shown.startswith("# Title\n\n| a | b |\n|---|---|\n| 1 | 2 |")
    assert "$0< x<1$" in shown  # in TeX the space changes nothing; outside math it stops a tag
    assert "`x < y`" in shown and "AT&amp;T" in shown  # renders as AT&T
    assert "```\n<kbd>indented</kbd>\n```" in shown  # an indented block stays code, as a fence


def test_a_cut_off_code_block_does_not_swallow_the_line_under_the_answer():
    from chatwithtech_magic.render.answer import markdown_bundle
    from chatwithtech_magic.session import Answer

    answer = Answer(prompt="p", text="```python\nprint(1)", model="gpt-4.1-mini", complete=False)
    markdown = markdown_bundle(answer.text, answer)["text/markdown"]
    assert markdown.index("```\n") < markdown.index("<sub>")


def test_literal_markdown_and_html_text_show_a_server_string_as_written():
    assert literal_markdown("gpt*4 <b>x</b> [y](z) & co") == r"gpt\*4 &lt;b>x&lt;/b> \[y\](z) &amp; co"
    assert html_text("<b>O'Neil & co</b>") == "&lt;b&gt;O'Neil &amp; co&lt;/b&gt;"


# -- 2. a key on the %chatkey line: refused with an ok reply, only that line rewritten ---------


def test_a_refused_key_line_ends_normally_and_rewrites_only_its_own_line(shell):
    cell = f"x = 1\n%chatkey set --org org-1 {TEST_KEY}\ny = 2"
    with capture_output() as cap:
        result = shell.run_cell(cell, store_history=True)
    assert result.success and result.error_in_exec is None
    assert "Refused" in cap.stdout and TEST_KEY not in everything_in(cap)
    assert shell.rl_next_input == "x = 1\n%chatkey set --org org-1\ny = 2"
    assert shell.user_ns["x"] == 1 and shell.user_ns["y"] == 2


@pytest.mark.parametrize("line", ["delete openai", "status now", "status", "delete gateway"])
def test_harmless_lines_are_not_refused(shell, line):
    with capture_output() as cap:
        shell.run_line_magic("chatkey", line)
    assert "Refused" not in cap.stdout


def test_chatkey_delete_with_a_name_deletes_that_connection(shell, memory_keyring):
    store_of(shell).save("gateway", "sk-gateway-key-00000000777")
    with capture_output() as cap:
        shell.run_line_magic("chatkey", "delete gateway")
    assert "Deleted connection 'gateway'" in cap.stdout
    assert memory_keyring.entries == {}


# -- 3. key-shaped values in any option form, on every magic --------------------------------


@pytest.mark.parametrize(
    "line",
    [
        f"set --key={TEST_KEY}",
        f"set --org={TEST_KEY}",
        f"set -c={TEST_KEY}",
        f"set -c{TEST_KEY}",
        f"set --org {TEST_KEY}",
        f"status --project={TEST_KEY}",
        f"set --base-url=http://x/?k={TEST_KEY}",
        TEST_KEY[3:] + "0000",  # pasted without its prefix
    ],
)
def test_a_key_in_any_option_form_is_refused_without_echo_and_never_stored(shell, memory_keyring, line):
    with capture_output() as cap:
        shell.run_line_magic("chatkey", line)
    assert "Refused" in cap.stdout
    assert TEST_KEY[3:] not in everything_in(cap)
    assert memory_keyring.entries == {} and store_of(shell).session == {}


@pytest.mark.parametrize("line", [f"-s {TEST_KEY}", f"--model={TEST_KEY}", f"-c={TEST_KEY}", f'-s "use {TEST_KEY} please"'])
def test_a_key_on_the_chat_cell_line_is_refused_and_nothing_is_sent(shell, server, api_key, line):
    with capture_output() as cap:
        result = shell.run_cell(f"%%chat {line}\nHello", store_history=True)
    assert result.success
    assert "Refused" in cap.stdout and TEST_KEY[3:] not in everything_in(cap)
    assert server.chat_requests() == []
    assert shell.rl_next_input.startswith("%%chat") and shell.rl_next_input.endswith("\nHello")
    assert TEST_KEY not in shell.rl_next_input


def test_a_cell_that_builds_the_line_in_code_is_not_rewritten(shell):
    shell.rl_next_input = None
    cell = "line = 'set ' + 'sk-' + 'test-0123456789abcdefWXYZ'\nget_ipython().run_line_magic('chatkey', line)"
    with capture_output() as cap:
        shell.run_cell(cell, store_history=True)
    assert "Refused" in cap.stdout and shell.rl_next_input is None  # the user's code is kept


def test_a_key_on_the_chat_line_magic_is_refused(shell, server, api_key):
    with capture_output() as cap:
        shell.run_line_magic("chat", f"models -c={TEST_KEY}")
    assert "Refused" in cap.stdout and TEST_KEY not in everything_in(cap)
    assert server.requests == []


# -- 4. every copy IPython keeps: _i, _ii, _iii, _iN, the history manager's own ---------------


def test_a_refused_line_is_masked_in_every_input_copy_over_the_next_cells(shell):
    with capture_output():
        shell.run_cell(f"%chatkey set {TEST_KEY}", store_history=True)
        for n in range(4):
            shell.run_cell(f"n = {n}", store_history=True)
            history = shell.history_manager
            copies = [shell.user_ns.get(name, "") for name in ("_i", "_ii", "_iii")]
            copies += [history._i00, history._i, history._ii, history._iii]
            copies += [v for k, v in {**shell.user_ns, **shell.user_ns_hidden}.items() if re.fullmatch(r"_i\d*", k)]
            assert not any(TEST_KEY in str(c) for c in copies), n
    assert any("sk-…WXYZ" in str(v) for v in shell.user_ns.values())


def test_in_terminal_ipython_the_refused_line_is_masked_in_i_ii_iii():
    cells = [f"%chatkey set {TEST_KEY}", "a = 1", "b = 2", "print(repr(_iii), repr(_ii), repr(_i)); print(In)"]
    code = "for cell in %r:\n    get_ipython().run_cell(cell, store_history=True)\n" % cells
    done = subprocess.run(
        [sys.executable, "-m", "IPython", "--ext", "chatwithtech_magic", "--no-banner", "--colors=nocolor",
         "--HistoryManager.hist_file=:memory:", "-c", code],
        capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL, env={**os.environ, "OPENAI_API_KEY": ""},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "Refused" in done.stdout and "sk-…WXYZ" in done.stdout
    assert TEST_KEY not in done.stdout + done.stderr
    assert "Traceback" not in done.stdout + done.stderr


def test_in_a_kernel_the_cell_is_rewritten_with_an_ok_reply_and_no_copy_keeps_the_key(tmp_path):
    from jupyter_client.manager import start_new_kernel

    km, kc = start_new_kernel(kernel_name="python3", cwd=str(tmp_path))
    try:
        def run(code):
            outputs = []
            def keep(message):  # what the cell shows (its input is echoed back as typed, by design)
                if message["msg_type"] in ("stream", "display_data", "execute_result", "error"):
                    outputs.append(message["content"])

            reply = kc.execute_interactive(code, timeout=60, output_hook=keep)
            return reply["content"], json.dumps(outputs, ensure_ascii=False)

        run("%load_ext chatwithtech_magic")
        reply, shown = run(f"x = 1\n%chatkey set {TEST_KEY}\ny = 2")
        assert reply["status"] == "ok"  # JupyterLab applies the payload only then
        [payload] = [p for p in reply["payload"] if p["source"] == "set_next_input"]
        assert payload["replace"] is True and payload["text"] == "x = 1\n%chatkey set\ny = 2"
        assert "Refused" in shown and TEST_KEY not in shown
        run("a = 1")
        run("b = 2")
        _, shown = run("print(_iii, _ii, _i, In, get_ipython().history_manager._iii, get_ipython().kernel.get_parent())")
        assert "sk-…WXYZ" in shown and TEST_KEY not in shown
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)


# -- 5. a keyring that stores in the clear counts as no keyring ----------------------------


@pytest.fixture
def plaintext_keyring(tmp_path, monkeypatch):
    import keyring
    from keyrings.alt.file import PlaintextKeyring

    monkeypatch.delenv("CHATWITHTECH_ALLOW_PLAINTEXT_KEYRING", raising=False)
    backend = PlaintextKeyring()
    backend.file_path = str(tmp_path / "keyring_pass.cfg")
    previous = keyring.get_keyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


def open_form(shell):
    import ipywidgets

    with capture_output() as cap:
        shell.run_line_magic("chatkey", "")
    model_id = next(o.data[VIEW]["model_id"] for o in cap.outputs if VIEW in o.data)
    widget = ipywidgets.widgets.widget._instances[model_id]
    import gc

    from chatwithtech_magic.widgets.key_form import KeyForm

    return next(f for f in gc.get_objects() if isinstance(f, KeyForm) and f.widget is widget)


def test_a_plaintext_keyring_is_never_written_and_the_form_says_why_before_a_key_is_typed(shell, server, plaintext_keyring):
    form = open_form(shell)
    assert "this session only" in form.result.value and "plain file" in form.result.value
    form.key.value = TEST_KEY
    form.save_button.click()
    assert not os.path.exists(plaintext_keyring.file_path)
    assert "this session only" in form.status.value
    assert "Connected" in form.result.value  # the key still works, for this session
    with capture_output() as cap:
        shell.run_line_magic("chatkey", "status")
    assert "PlaintextKeyring" in cap.stdout and "Not used" in cap.stdout


def test_a_user_can_opt_in_to_a_plaintext_keyring_with_an_environment_variable(shell, server, plaintext_keyring, monkeypatch):
    monkeypatch.setenv("CHATWITHTECH_ALLOW_PLAINTEXT_KEYRING", "1")
    form = open_form(shell)
    form.key.value = TEST_KEY
    form.save_button.click()
    assert os.path.exists(plaintext_keyring.file_path)
    assert "the keyring" in form.status.value


def test_the_null_backend_and_a_chain_of_only_plaintext_backends_count_as_no_keyring():
    import keyring
    from keyring.backends import fail, null

    from chatwithtech_magic.credentials import CredentialStore

    previous = keyring.get_keyring()
    keyring.set_keyring(null.Keyring())  # stores nothing, and says nothing about it
    try:
        outcome = CredentialStore(environ={}).save("openai", TEST_KEY)
    finally:
        keyring.set_keyring(previous)
    assert outcome.persisted is False and "stores nothing" in outcome.problem
    from keyrings.alt.file import PlaintextKeyring

    from chatwithtech_magic.keyring_check import unsafe_reason
    from tests.support.memory_keyring import MemoryKeyring

    class ChainerBackend:
        def __init__(self, *backends):
            self.backends = list(backends)

    assert unsafe_reason(null.Keyring(), {}) is not None
    assert unsafe_reason(fail.Keyring(), {}) is not None
    assert unsafe_reason(ChainerBackend(), {}) is not None
    assert "plain file" in unsafe_reason(ChainerBackend(PlaintextKeyring(), MemoryKeyring()), {}).en
    assert unsafe_reason(ChainerBackend(MemoryKeyring(), PlaintextKeyring()), {}) is None
    assert unsafe_reason(PlaintextKeyring(), {"CHATWITHTECH_ALLOW_PLAINTEXT_KEYRING": "1"}) is None


# -- 6. the key masked in every field shown, with or without its prefix ----------------------


def test_a_key_echoed_in_any_error_field_is_masked_in_the_panel_and_in_chat_error(shell, server, api_key):
    bare = TEST_KEY[3:]
    error = Error(400, {"message": f"bad key {bare}", "type": TEST_KEY, "code": bare, "param": None},
                  headers={"x-request-id": TEST_KEY})  # fmt: skip
    server.script(error)
    shown = everything_in(chat(shell, "-m gpt-4.1-mini")) + everything_in(chat_line(shell, "error"))
    assert bare not in shown
    assert "sk-…WXYZ" in shown


def test_a_keyring_error_quoting_the_stored_entry_is_masked(shell, monkeypatch):
    import keyring
    from keyring.backend import KeyringBackend

    class Leaky(KeyringBackend):
        priority = 1

        def get_password(self, service, username):
            return None

        def set_password(self, service, username, password):
            raise RuntimeError(f"could not write {password} to the store")

        def delete_password(self, service, username):
            pass

    previous = keyring.get_keyring()
    keyring.set_keyring(Leaky())
    try:
        monkeypatch.setattr("getpass.getpass", lambda prompt: TEST_KEY)
        with capture_output() as cap:
            shell.run_line_magic("chatkey", "set --org org-1")
    finally:
        keyring.set_keyring(previous)
    assert "this session only" in cap.stdout and "RuntimeError" in cap.stdout
    assert TEST_KEY[3:] not in everything_in(cap)


# -- 14. the typed key is not echoed back to other frontends ----------------------------------


def test_the_key_field_is_never_echoed_back_to_other_frontends(shell):
    form = open_form(shell)
    sent = []
    form.key._send = lambda msg, buffers=None: sent.append(msg)
    form.key.set_state({"value": TEST_KEY})  # what a frontend sends when the user leaves the field
    assert form.key.trait_metadata("value", "echo_update") is False
    assert not any(m.get("method") == "echo_update" for m in sent)
    assert TEST_KEY not in json.dumps(sent)
    assert form.key.value == ""


# -- 16. advice that fits where the user is ---------------------------------------------------


def test_the_form_never_tells_the_user_to_press_a_retry_button_it_does_not_have(shell, server):
    shell.run_line_magic("config", "ChatMagics.retries = 0")
    server.script_models(overloaded())
    form = open_form(shell)
    form.key.value = TEST_KEY
    form.save_button.click()
    assert "Retry" not in form.result.value and "Save &amp; test again" in form.result.value


@pytest.mark.parametrize("language", ["en", "zh"])
def test_terminal_text_of_every_failure_mentions_no_button_form_or_cell_below(language):
    from chatwithtech_magic.errors import CATALOG, Failure
    from chatwithtech_magic.render.panels import failure_text

    for kind in CATALOG.values():
        text = failure_text(Failure(kind, model="gpt-4.1-mini", base_url="http://x"), language, "terminal")
        assert not re.search(r"(press|click) Retry|button|key form|cell below|点击“重试”|按钮|下方的新单元格|表单", text), (kind.kind, text)


def test_in_a_terminal_chatkey_alone_prompts_and_code_goes_to_the_next_prompt(server):
    server.script(Reply("```python\nprint(1)\n```"))
    cells = ["%chatkey", "%chatkey set", "%%chat -m gpt-4.1-mini -f code\nCode, please."]
    code = "for cell in %r:\n    get_ipython().run_cell(cell)\n" % cells
    done = subprocess.run(
        [sys.executable, "-m", "IPython", "--ext", "chatwithtech_magic", "--no-banner", "--colors=nocolor",
         "--HistoryManager.hist_file=:memory:", "-c", code],
        capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL, env={**os.environ, "OPENAI_API_KEY": TEST_KEY},
    )  # fmt: skip
    shown = done.stdout + done.stderr
    assert "needs a live notebook" not in shown and "Jupyter server" not in shown and "cell below" not in shown
    assert "before starting IPython" in shown
    assert "ready at the next prompt" in shown


def test_the_terminal_prompts_up_arrow_history_is_scrubbed_too():
    from types import SimpleNamespace

    from chatwithtech_magic.magics.line_secrets import scrub_shell

    strings = [f"%chatkey set {TEST_KEY}", "a = 1"]
    shell = SimpleNamespace(user_ns={}, user_ns_hidden={}, pt_app=SimpleNamespace(history=SimpleNamespace(_loaded_strings=strings)))
    scrub_shell(shell, [TEST_KEY])
    assert strings == ["%chatkey set sk-…WXYZ", "a = 1"]


def test_a_headless_chatkey_set_in_a_terminal_names_the_shell_not_the_jupyter_server():
    code = (
        "import keyring, keyring.backends.fail, getpass; keyring.set_keyring(keyring.backends.fail.Keyring());"
        f" getpass.getpass = lambda prompt: {TEST_KEY!r}; get_ipython().run_line_magic('chatkey', 'set --org org-1')"
    )
    done = subprocess.run(
        [sys.executable, "-m", "IPython", "--ext", "chatwithtech_magic", "--no-banner", "--colors=nocolor",
         "--HistoryManager.hist_file=:memory:", "-c", code],
        capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL,
    )  # fmt: skip
    assert "this session only" in done.stdout
    assert "before starting IPython" in done.stdout and "Jupyter server" not in done.stdout


# -- 17, 18. the form on a headless machine, and a badly pasted key ----------------------------


def test_on_a_machine_without_a_keyring_the_form_says_so_before_a_key_is_typed(shell, fail_keyring):
    form = open_form(shell)
    assert "this session only" in form.result.value
    assert "no keyring backend is installed" in form.result.value


@pytest.mark.parametrize("bad, named", [("sk-abc def0123456789", "U+0020"), ("sk-abc\u2014def0123456789", "U+2014")])
def test_a_badly_pasted_key_is_refused_at_save_and_the_character_is_named(shell, memory_keyring, bad, named):
    form = open_form(shell)
    form.key.value = bad
    form.save_button.click()
    assert named in form.result.value and "Not saved" in form.result.value
    assert memory_keyring.entries == {} and store_of(shell).session == {}
    assert bad not in form.result.value


# -- 19. smaller things that read wrong ----------------------------------------------------------


def test_chat_settings_name_the_key_source_without_nested_brackets(shell, api_key):
    with capture_output() as cap:
        shell.run_line_magic("chat", "")
    assert "sk-…WXYZ · from the OPENAI_API_KEY environment variable" in cap.stdout
    assert "((" not in cap.stdout and "))" not in cap.stdout


def test_chat_error_after_a_connection_failure_has_no_empty_rows(shell, api_key):
    shell.run_line_magic("config", "ChatMagics.base_url = 'http://127.0.0.1:9/v1'")
    shell.run_line_magic("config", "ChatMagics.retries = 0")
    chat(shell, "-m gpt-4.1-mini")
    rows = chat_line(shell, "error").stdout.strip().splitlines()
    assert rows and all(len(row.split(None, 1)) == 2 for row in rows), rows


def test_chat_history_in_chinese_says_you_in_chinese(shell, server, api_key):
    shell.run_line_magic("config", "ChatMagics.language = 'zh'")
    chat(shell, "-m gpt-4.1-mini", "你好")
    history = chat_line(shell, "history")
    assert "**1. 你**" in markdown_outputs(history)[0]
    assert "[1] 你：你好" in history.outputs[0].data["text/plain"]  # full-width colon in Chinese


def test_the_terminal_countdown_writes_whole_lines_when_the_output_is_not_a_terminal():
    import io

    from chatwithtech_magic.errors import CATALOG, Failure
    from chatwithtech_magic.render.answer import TerminalView

    err = io.StringIO()
    view = TerminalView("en", out=io.StringIO(), err=err)
    failure = Failure(CATALOG["overloaded"])
    for seconds in (2, 1):
        view.waiting(failure, seconds, 2, 4)
    view.waiting(None, 0, 2, 4)
    assert "\r" not in err.getvalue()
    assert len(err.getvalue().strip().splitlines()) == 2


# -- 5. keys of other providers' shapes on a line: the same refusal -----------------------------------

OTHER_SHAPES = ["gsk_" + "Q7x9ZpL2mN4vR8tK" * 3, "xai-" + "Zq8Wm3Lp0Rt7Yv2N" * 3, "hf_" + "AbCdEfGhIjKlMnOpQrStUv12"]


@pytest.mark.parametrize("key", OTHER_SHAPES)
def test_a_groq_xai_or_hugging_face_key_on_a_chat_cell_line_is_refused_and_nothing_is_sent(shell, server, api_key, key):
    with capture_output() as cap:
        result = shell.run_cell(f'%%chat -s "my key is {key}"\nHello', store_history=True)
    assert result.success
    assert "Refused" in cap.stdout and key not in everything_in(cap)
    assert server.chat_requests() == [] and key not in shell.rl_next_input


@pytest.mark.parametrize("key", OTHER_SHAPES)
def test_a_groq_xai_or_hugging_face_key_given_to_chatkey_as_an_option_is_refused_and_never_stored(shell, memory_keyring, key):
    with capture_output() as cap:
        shell.run_line_magic("chatkey", f"set --org={key}")
    assert "Refused" in cap.stdout and key not in everything_in(cap)
    assert memory_keyring.entries == {} and store_of(shell).session == {}
