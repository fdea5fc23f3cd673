"""What the restructuring of issue 20 must not change, as a second review found it: a model's answer
stays as the model wrote it (only the session's own keys are masked), a terminal prints it once and
whole, a captive portal's page costs nothing, a closing tag in prose is prose, a variable name is not a
key, a panel that took the live line's place still works, and every valid setting is taken silently.
"""

from __future__ import annotations

import io
import re

import pytest
from IPython.utils.capture import capture_output

from tests.support.magics import chat
from tests.support.openai_server import (
    Error,
    Reply,
    model_not_found,
    rate_limit,
    server_error,
)

CODE_ANSWER = (
    "Use SQLAlchemy:\n\n```python\nfrom sqlalchemy import create_engine\n"
    'engine = create_engine("postgresql://alice:s3cretpw@db.example.com:5432/shop")\n'
    'page = requests.get("https://api.example.com/items?page=2&api_key=YOUR_API_KEY")\n```\n'
)


def test_an_answer_holding_an_example_connection_string_reaches_out_and_code_as_the_model_wrote_it(shell, server, api_key):
    """At e0381a8 the answer in --out (and in the -f code cell) was the model's text. Now every URL's
    userinfo and every 'secret-looking' query value in ANY answer is replaced by '…', though neither is a
    secret the session knows: the code the user runs is broken."""
    server.script(Reply(CODE_ANSWER))
    chat(shell, "--out answer", "How do I connect to Postgres?")
    assert shell.user_ns["answer"] == CODE_ANSWER


def test_the_code_cell_from_f_code_holds_the_models_code(shell, server, api_key):
    server.script(Reply(CODE_ANSWER))
    chat(shell, "-f code", "How do I connect to Postgres?")
    placed = shell.rl_next_input if hasattr(shell, "rl_next_input") else None
    assert placed is not None and "alice:s3cretpw@db.example.com" in placed and "api_key=YOUR_API_KEY" in placed


def test_a_plain_python_text_view_prints_the_streamed_answer_once_and_whole(server, api_key, memory_keyring):
    """Plain Python (session.ask with a TextView, as the terminal's view) writes only what is new at each
    update, by length. The masking view changes the length of text already written, so characters are
    lost or repeated: the terminal shows something that is neither the answer nor the masked answer."""
    from chatwithtech_magic.request import ChatRequest
    from chatwithtech_magic.session import ChatSession
    from chatwithtech_magic.stream import TextView

    text = "Connect with postgresql://alice:s3cretpw@db.example.com/shop and then run the query now."
    server.script(Reply(text))
    out = io.StringIO()
    answer = ChatSession().ask("How?", ChatRequest(model="gpt-4.1-mini"), TextView(out), throttle_interval=0)
    assert out.getvalue() == answer.text + "\n"


















def readable(seen) -> list:
    """What the user reads in each step, times and dates taken out."""
    said = []
    for step in seen:
        texts = [step["stdout"], step["stderr"]] + [v for o in step["outputs"] for v in o["data"].values()]
        said.append([re.sub(r"\d+(\.\d+)? ?(s|ms|seconds)\b", "T", t) for t in texts if t])
    return said


SCENARIOS = {
    "a gateway refusing max_completion_tokens": (
        lambda s: s.refuse("max_completion_tokens"), (),
        [["cell", "-m gpt-5.6-terra --max-tokens 60", "One"], ["cell", "-m gpt-5.6-terra --max-tokens 60", "Two"],
         ["cell", "-m gpt-6-sol --max-tokens 60", "Three"]]),
    "an endpoint refusing stream_options": (
        lambda s: s.refuse("stream_options", style="openai"), (),
        [["cell", "-m gpt-4.1-mini", "One"], ["cell", "-m gpt-4o", "Two"], ["cell", "-m gpt-4o --no-stream", "Three"]]),
    "a gateway refusing temperature": (
        lambda s: s.refuse("temperature"), (),
        [["cell", "-m my-local", "One"], ["cell", "-m my-local -t 0.9", "Two"], ["cell", "-m my-local", "Three"]]),
    "the default model retired here": (
        lambda s: s.retired.add("gpt-6-luna"), (),
        [["cell", "", "One"], ["cell", "", "Two"], ["cell", "-m gpt-6-luna", "Three"]]),
    "the default model not found": (
        None, (model_not_found("gpt-6-luna"),),
        [["cell", "", "One"], ["cell", "", "Two"]]),
    "a rate limit then an answer": (
        None, (rate_limit(), server_error()),
        [["cell", "-m gpt-4.1-mini", "One"], ["cell", "-m gpt-4.1-mini", "Two"]]),
    "a budget": (
        None, (),
        [["config", "ChatMagics.budget = 0.0001", None], ["cell", "-m gpt-4.1-mini --max-tokens 20", "One"],
         ["cell", "-m gpt-6-sol", "Two " * 200], ["line", "usage", None]]),
}






@pytest.mark.parametrize("line", ["-m gpt-4.1-mini", "-m gpt-4.1-mini --no-stream"])
def test_a_captive_portals_page_costs_nothing_in_usage(shell, server, api_key, line):
    """A hotel Wi-Fi's login page answers 200 with HTML: no model saw the prompt, nothing can be billed.
    At e0381a8 nothing was counted; now ``accepted`` (any 2xx) counts the prompt's estimate, priced."""
    portal = Error(200, "<html><head><title>Hotel Wi-Fi</title></head><body>Please log in</body></html>",
                   content_type="text/html")
    server.script(portal, portal)
    chat(shell, line, "Hello " * 500)
    chat(shell, line, "Hello " * 500)
    shell.run_line_magic("chat", "usage --out rows")
    rows = shell.user_ns.get("rows") or []
    assert sum(row["requests"] for row in rows) == 0, rows



WIDGET = "application/vnd.jupyter.widget-view+json"


@pytest.fixture
def quick_line(monkeypatch):
    from chatwithtech_magic.render import waiting

    monkeypatch.setattr(waiting, "SHOW_AFTER", 0.05)
    monkeypatch.setattr(waiting, "INTERVAL", 0.05)


def _press(buttons, label):
    from ipywidgets.widgets.widget import _instances

    panel = _instances[buttons.data[WIDGET]["model_id"]]
    [button] = [b for b in panel.children[0].children if b.description == label]
    with capture_output() as cap:
        button.click()
    return cap


def test_retry_on_a_panel_that_took_the_live_lines_output_replaces_its_message_in_place(shell, server, api_key, quick_line):
    shell.run_line_magic("config", "ChatMagics.timeout = 0.3")
    server.script(Reply("Too late.", think=1.0), Reply("Four."))
    with capture_output() as cap:
        shell.run_cell("%%chat -m gpt-4.1-mini\nWhat is 2+2?")
    messages = [o for o in cap.outputs if 'class="chatwithtech-error"' in o.data.get("text/html", "")]
    assert messages, [o.data for o in cap.outputs]
    message_id = messages[-1].transient["display_id"]
    labels_found = [o for o in cap.outputs if WIDGET in o.data]
    assert labels_found
    from ipywidgets.widgets.widget import _instances

    panel = _instances[labels_found[-1].data[WIDGET]["model_id"]]
    labels = [b.description for b in panel.children[0].children]
    retry = next(label for label in labels if "Retry" in label or "again" in label.lower())
    after = _press(labels_found[-1], retry)
    assert all(o.update for o in after.outputs), [(o.update, o.data) for o in after.outputs]
    on_message = [o.data for o in after.outputs if o.transient and o.transient.get("display_id") == message_id]
    assert on_message and on_message[-1].get("text/plain", "").startswith("Four."), on_message


VALID = [
    ("model", '"x"', "x"), ("base_url", '""', ""), ("budget", "0", 0.0), ("budget", "2.5", 2.5),
    ("system", '"Line one.\\nLine two."', "Line one.\nLine two."), ("timeout", "0.5", 0.5), ("timeout", "3600", 3600.0),
    ("temperature", "0", 0.0), ("temperature", "2", 2.0), ("temperature", "1", 1.0), ("max_tokens", "0", 0),
    ("window", "1", 1), ("window", "50", 50), ("retries", "0", 0), ("max_retry_wait", "0", 0.0),
    ("retry_initial_delay", "0", 0.0), ("render_interval", "0", 0.0), ("max_value_chars", "1", 1),
    ("reasoning_effort", '""', ""), ("reasoning_effort", '"xhigh"', "xhigh"), ("language", '"zh"', "zh"),
    ("cache", '"replay"', "replay"), ("show_thinking", "False", False), ("connection", '"work"', "work"),
    ("base_url", '"http://localhost:11434/v1"', "http://localhost:11434/v1"),
]


@pytest.mark.parametrize("name,typed,value", VALID)
def test_a_valid_setting_is_taken_silently(shell, name, typed, value):
    with capture_output() as cap:
        shell.run_line_magic("config", f"ChatMagics.{name} = {typed}")
    magics = shell.magics_manager.registry["ChatMagics"]
    assert cap.stdout == "" and getattr(magics, name) == value


ABOUT_THE_TAG = ("DeepSeek-R1 writes its reasoning first and ends it with </think>; everything after that tag is "
                 "the answer, so split the text there.")


@pytest.mark.parametrize("line", ["-m gpt-4.1-mini", "-m gpt-4.1-mini --no-stream"])
def test_an_answer_that_mentions_the_closing_tag_in_prose_is_the_answer(shell, server, api_key, line):
    """At e0381a8 only a tag at the very start was thinking. Now the first </think> anywhere in the first
    megabyte of any model's answer (before a code fence) turns all the text before it into folded thinking:
    the answer, --out and the history start mid-sentence."""
    server.script(Reply(ABOUT_THE_TAG))
    chat(shell, f"{line} --out answer", "Where does DeepSeek's reasoning end?")
    assert shell.user_ns["answer"] == ABOUT_THE_TAG




SNAKE = "hf_dataset_revision_for_training"  # a Python name, as Hugging Face users write them


def test_out_with_a_long_hf_variable_name_is_not_refused_as_a_key(shell, server, api_key):
    """6076931 made ``hf_`` + 20 characters a key's shape on a magic's line too: ``--out`` with a Hugging Face
    user's variable name is refused as "a key typed on the magic's line" (and 'masked in history')."""
    server.script(Reply("Forty-two."))
    cap = chat(shell, f"-m gpt-4.1-mini --out {SNAKE}", "Hello")
    assert shell.user_ns.get(SNAKE) == "Forty-two.", cap.stdout + cap.stderr




