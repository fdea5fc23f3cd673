"""What each answer cost (issue 9): the line under it, %chat usage, the budget, context that fits, provenance.

Usage figures come from the loopback server's usage chunk; expected prices are computed
here with ``genai_prices`` itself, so the tests hold when its price table changes.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from decimal import Decimal

import nbformat
import pytest
from nbclient import NotebookClient

from chatwithtech_magic import models
from chatwithtech_magic.pricing import format_cost, price
from chatwithtech_magic.provenance import KEY
from chatwithtech_magic.render.safe import literal_markdown
from chatwithtech_magic.spend import Ledger
from chatwithtech_magic.tokens import Figures, estimate, estimate_prompt, estimate_turns
from chatwithtech_magic.wire.chat_completions import CHAT, prompt_of
from tests.support.environment import TEST_KEY
from tests.support.magics import chat, chat_line
from tests.support.openai_server import Reply, StreamDrop

USAGE = {"prompt_tokens": 1111, "completion_tokens": 123, "cached_tokens": 100, "reasoning_tokens": 50}


def genai_price(model: str, usage: dict) -> Decimal:
    """What genai-prices says, from the usage as the API reports it (its own OpenAI extractor)."""
    from genai_prices import extract_usage

    details = {
        "prompt_tokens": usage["prompt_tokens"],
        "completion_tokens": usage["completion_tokens"],
        "prompt_tokens_details": {"cached_tokens": usage.get("cached_tokens", 0)},
        "completion_tokens_details": {"reasoning_tokens": usage.get("reasoning_tokens", 0)},
    }
    return extract_usage({"model": model, "usage": details}, provider_id="openai", api_flavor="chat").calc_price().total_price


def final_render(cap):
    return [o for o in cap.outputs if "text/markdown" in o.data][-1]


def line_under(cap) -> str:
    """The quiet line under the answer, as the user reads it (Markdown escapes removed)."""
    markdown = final_render(cap).data["text/markdown"]
    return re.findall(r"<sub>(.*?)</sub>", markdown)[0].replace("\\", "")


def notes_under(cap) -> str:
    return " ".join(re.findall(r"<sub>(.*?)</sub>", final_render(cap).data["text/markdown"])[1:]).replace("\\", "")


def panel_text(cap) -> str:
    return "\n".join(o.data["text/plain"] for o in cap.outputs if "text/html" in o.data)


def ledger_of(shell) -> Ledger:
    return shell.magics_manager.registry["ChatMagics"].session.meter.ledger


@pytest.fixture
def small_window():
    """A model whose context window holds 300 tokens, so that a test can overflow it."""
    models.register("small-window-model", context_window=300)
    yield "small-window-model"
    models.unregister("small-window-model")


# -- under each answer ---------------------------------------------------------------------------


@pytest.mark.parametrize("stream", ["", "--no-stream"])
def test_the_line_under_an_answer_shows_model_tokens_cached_and_reasoning_time_and_the_genai_prices_cost(shell, server, api_key, stream):
    server.script(Reply("Paris.", usage=USAGE))

    cap = chat(shell, f"-m gpt-4.1-mini {stream}", "Capital of France?")

    expected = genai_price("gpt-4.1-mini", USAGE)
    line = line_under(cap)
    assert re.fullmatch(r"gpt-4\.1-mini · 1,111 → 123 tokens \(100 cached, 50 reasoning\) · \d+\.\d s · (.+)", line)
    assert line.endswith(" · " + format_cost(expected)) and format_cost(expected).startswith("≈$0.000")
    [entry] = ledger_of(shell).entries
    assert entry.cost == expected  # to the last digit, not only as shown
    assert f"<sub>{literal_markdown(line)}</sub>" in final_render(cap).data["text/markdown"]  # escaped as text
    assert final_render(cap).metadata[KEY]["request_id"].startswith("req_")


def test_the_line_speaks_chinese(shell, server, api_key):
    shell.run_line_magic("config", "ChatMagics.language = 'zh'")
    server.script(Reply("巴黎。", usage=USAGE))

    cap = chat(shell, "-m gpt-4.1-mini", "法国的首都？")

    assert "1,111 → 123 个令牌（缓存 100，推理 50）" in line_under(cap) and " 秒 · ≈$" in line_under(cap)


def test_a_model_with_no_known_price_shows_its_tokens_and_no_cost(shell, server, api_key):
    server.script(Reply("Hi.", usage={"prompt_tokens": 40, "completion_tokens": 2}))

    cap = chat(shell, "-m my-local-llama", "Hi")

    line = line_under(cap)
    assert line.startswith("my-local-llama · 40 → 2 tokens · ") and "$" not in line
    assert price("my-local-llama", Figures(40, 2)) is None
    assert final_render(cap).metadata[KEY]["cost_usd"] is None


def test_a_gateways_model_name_is_priced_as_the_model_it_serves():
    figures = Figures(prompt=1000, completion=200)

    assert price("openai/gpt-4.1-mini", figures) == price("gpt-4.1-mini", figures) > 0
    assert price("some-gateway/no-such-model", figures) is None


def test_costs_are_shown_with_two_significant_digits_or_cents():
    assert format_cost(Decimal("0.0012345")) == "≈$0.0012"
    assert format_cost(Decimal("0.0006112")) == "≈$0.00061"
    assert format_cost(Decimal("0.04071")) == "≈$0.041"
    assert format_cost(Decimal("12.3456")) == "≈$12.35"
    assert format_cost(None) == ""


def test_an_answer_cut_off_before_its_usage_still_counts_as_an_estimate(shell, server, api_key):
    server.script(StreamDrop("Half an answer that was"))

    cap = chat(shell, "-m gpt-4.1-mini", "Tell me")

    [entry] = ledger_of(shell).entries
    assert entry.figures.estimated and entry.figures.prompt > 0 and entry.figures.completion == estimate("Half an answer that was")
    assert entry.cost == price("gpt-4.1-mini", entry.figures) > 0
    assert re.search(r"~\d+ → ~\d+ tokens \(estimated\)", line_under(cap))


def test_an_answer_interrupted_mid_stream_still_counts_in_the_sessions_spend(server):
    from chatwithtech_magic.credentials import CredentialStore
    from chatwithtech_magic.request import ChatRequest
    from chatwithtech_magic.session import ChatSession

    class StopAtFirstText:  # what Ctrl-C does while the first words are on screen
        def update(self, text):
            raise KeyboardInterrupt

        def finish(self, answer):
            pass

    session = ChatSession(CredentialStore(environ={"OPENAI_API_KEY": TEST_KEY, "OPENAI_BASE_URL": server.base_url}))
    server.script(Reply(chunks=["One ", "two ", "three."]))

    answer = session.ask("Count", ChatRequest(model="gpt-4.1-mini"), StopAtFirstText())

    assert answer.interrupted and answer.figures.estimated and answer.cost > 0
    assert session.meter.ledger.spent == answer.cost


# -- %chat usage ------------------------------------------------------------------------------------


def test_chat_usage_totals_several_cells_and_models_and_stores_the_rows(shell, server, api_key):
    first, second, third = (
        {"prompt_tokens": 1000, "completion_tokens": 200, "cached_tokens": 400},
        {"prompt_tokens": 500, "completion_tokens": 50},
        {"prompt_tokens": 2000, "completion_tokens": 900, "reasoning_tokens": 600},
    )
    server.script(Reply("a", usage=first), Reply("b", usage=second), Reply("c", usage=third), Reply("d", usage={"prompt_tokens": 7, "completion_tokens": 3}))
    chat(shell, "-m gpt-4.1-mini", "One")
    chat(shell, "-m gpt-4.1-mini", "Two")
    chat(shell, "-m gpt-6-luna", "Three")
    chat(shell, "-m my-local-llama", "Four")

    cap = chat_line(shell, "usage --out spend")

    rows = {row["model"]: row for row in shell.user_ns["spend"]}
    mini, luna, llama = rows["gpt-4.1-mini"], rows["gpt-6-luna"], rows["my-local-llama"]
    assert (mini["requests"], mini["prompt_tokens"], mini["completion_tokens"], mini["cached_tokens"]) == (2, 1500, 250, 400)
    assert (luna["requests"], luna["reasoning_tokens"], llama["unpriced"], llama["cost_usd"]) == (1, 600, 1, None)
    mini_cost = genai_price("gpt-4.1-mini", first) + genai_price("gpt-4.1-mini", second)
    assert Decimal(str(mini["cost_usd"])) == mini_cost
    assert ledger_of(shell).spent == mini_cost + genai_price("gpt-6-luna", third)
    [shown] = cap.outputs
    markdown, plain = shown.data["text/markdown"], shown.data["text/plain"]
    assert "| **total** | **4** | **3,507** | **1,153** | **400** | **600** |" in markdown
    assert format_cost(ledger_of(shell).spent) in plain
    assert "https://platform.openai.com/usage" in markdown and "https://platform.openai.com/settings/organization/billing/overview" in markdown
    assert "estimates" in plain and "usage page is the truth" in plain
    assert len(server.chat_requests()) == 4  # %chat usage itself sends nothing


def test_chat_usage_speaks_chinese_and_says_when_nothing_was_spent(shell, server, api_key):
    shell.run_line_magic("config", "ChatMagics.language = 'zh'")

    [shown] = chat_line(shell, "usage").outputs

    assert "本会话还没有回答" in shown.data["text/plain"] and "用量页面为准" in shown.data["text/plain"]


def test_chat_usage_in_a_terminal_is_a_text_table(server):
    from tests.test_terminal import terminal

    server.script(Reply("a", usage={"prompt_tokens": 1000, "completion_tokens": 200}))

    [_, usage], _ = terminal("%%chat -m gpt-4.1-mini\nHi", "%chat usage")

    lines = usage.splitlines()
    assert lines[1].split() == ["model", "requests", "prompt", "completion", "cached", "reasoning", "est.", "cost"]
    assert lines[3].split()[:4] == ["gpt-4.1-mini", "1", "1,000", "200"] and lines[3].split()[-1].startswith("≈$")
    assert "|" not in usage and "<" not in usage and "Billing: https://platform.openai.com/settings/organization/billing/overview" in usage


def test_a_replayed_answer_is_counted_apart_at_no_cost():
    ledger = Ledger()
    ledger.add("gpt-4.1-mini", CHAT.figures({"prompt_tokens": 10, "completion_tokens": 5}), Decimal("0.01"))
    ledger.add("gpt-4.1-mini", CHAT.figures({"prompt_tokens": 10, "completion_tokens": 5}), Decimal("0.01"), replayed=True)

    live, replayed = ledger.rows()
    assert ledger.spent == Decimal("0.01") and replayed["replayed"] and replayed["cost_usd"] == 0.0
    assert live["requests"] == replayed["requests"] == 1


# -- the budget --------------------------------------------------------------------------------------


def test_a_spent_budget_refuses_the_next_cell_with_no_request_sent(shell, server, api_key):
    shell.run_line_magic("config", "ChatMagics.budget = 0.0005")
    server.script(Reply("Paris.", usage=USAGE))  # about $0.0006: over the budget once it is spent
    chat(shell, "-m gpt-4.1-mini", "Capital of France?")

    cap = chat(shell, "-m gpt-4.1-mini", "And of Italy?")

    assert len(server.chat_requests()) == 1
    text = panel_text(cap)
    assert text.startswith("✖ This cell would go over the session's $0.0005 budget")
    assert f"spent {format_cost(genai_price('gpt-4.1-mini', USAGE))}" in text and "No request was sent" in text
    assert "%config ChatMagics.budget = " in text and "https://platform.openai.com/usage" in text


def test_pressing_retry_after_raising_the_budget_sends_the_cell(shell, server, api_key):
    from tests.test_errors import click, output_bundles, panel_of, run

    shell.run_line_magic("config", "ChatMagics.budget = 0.05")
    cap = run(shell, "%%chat -m gpt-4.1-mini --max-tokens 100000\nWrite a novel.")
    panel = panel_of(cap)
    assert server.chat_requests() == []

    shell.run_line_magic("config", "ChatMagics.budget = 1")  # what the panel says to do
    click(panel, "Retry")

    assert len(server.chat_requests()) == 1
    assert output_bundles(panel)[-1]["text/markdown"].startswith("Hello from the test server.")


def test_a_cell_whose_own_estimate_would_cross_the_budget_is_not_sent(shell, server, api_key):
    shell.run_line_magic("config", "ChatMagics.budget = 0.05")

    cap = chat(shell, "-m gpt-4.1-mini --max-tokens 100000", "Write a novel.")  # 100k answer tokens: about $0.16

    assert server.chat_requests() == []
    assert "+ up to 100,000 answer tokens" in panel_text(cap) and "spent ≈$0 so far" in panel_text(cap)


def test_without_max_tokens_the_budget_does_not_assume_the_models_largest_answer(shell, server, api_key):
    shell.run_line_magic("config", "ChatMagics.budget = 0.01")  # 128k answer tokens of gpt-6-luna would cost more

    chat(shell, "-m gpt-6-luna", "Hi")

    assert len(server.chat_requests()) == 1


def test_at_80_percent_of_the_budget_a_line_under_the_answer_says_so(shell, server, api_key):
    cost = genai_price("gpt-4.1-mini", USAGE)
    shell.run_line_magic("config", f"ChatMagics.budget = {float(cost) * 1.1}")
    server.script(Reply("Paris.", usage=USAGE))

    cap = chat(shell, "-m gpt-4.1-mini", "Capital of France?")

    assert re.search(r"≈\$0\.000\d+ of this session's \$0\.000\d+ budget spent \(90%\)", notes_under(cap))


def test_a_negative_budget_is_refused_with_a_one_line_message(shell):
    from IPython.utils.capture import capture_output

    with capture_output() as cap:
        shell.run_line_magic("config", "ChatMagics.budget = -1")

    assert "ChatMagics.budget = -1.0 is not allowed: use an amount in US dollars, 0 or more (0: no cap)." in cap.stdout


# -- context that fits ----------------------------------------------------------------------------------


def test_earlier_exchanges_that_would_overflow_the_window_are_left_out_and_a_line_says_so(shell, server, api_key, small_window):
    words = "word " * 90  # ~90 tokens a question
    for n in range(3):
        chat(shell, f"-m {small_window}", f"Question {n}: {words}")

    cap = chat(shell, f"-m {small_window}", f"Last question: {words}")

    sent = server.chat_requests()[-1].body["messages"]
    assert [m["content"][:15] for m in sent if m["role"] == "user"] == ["Question 2: wor", "Last question: "]
    assert estimate_prompt(prompt_of(sent)) <= 300
    assert "2 earlier exchanges left out to fit small-window-model's context" in notes_under(cap)
    assert len(shell.magics_manager.registry["ChatMagics"].session.conversation.exchanges) == 4  # only left out of this request


def test_a_default_model_that_falls_over_to_a_smaller_one_is_fitted_to_that_models_context(shell, server, api_key, small_window):
    from chatwithtech_magic.defaults import DEFAULT_MODEL
    from tests.support.openai_server import model_not_found

    server.models = [small_window]  # the account's only chat model: the default falls over to it
    words = "word " * 90
    for n in range(3):
        chat(shell, f"-m {small_window}", f"Question {n}: {words}")
    server.script(model_not_found(DEFAULT_MODEL))

    cap = chat(shell, "", f"Last question: {words}")

    first, sent = (r.body for r in server.chat_requests()[-2:])
    assert first["model"] == DEFAULT_MODEL and len(first["messages"]) == 7  # the default's window holds them all
    assert sent["model"] == small_window
    assert [m["content"][:15] for m in sent["messages"] if m["role"] == "user"] == ["Question 2: wor", "Last question: "]
    assert "2 earlier exchanges left out to fit small-window-model's context" in notes_under(cap)


def test_a_default_model_that_falls_over_is_not_asked_when_the_budget_cannot_cover_the_model_answering_instead(shell, server, api_key):
    from chatwithtech_magic.defaults import DEFAULT_MODEL
    from tests.support.openai_server import model_not_found

    server.models = ["gpt-4.1-mini"]
    shell.run_line_magic("config", "ChatMagics.budget = 0.10")
    server.script(model_not_found(DEFAULT_MODEL))

    cap = chat(shell, "--max-tokens 100000", "Write a novel.")  # 100k answer tokens: about $0.05 with the default, $0.16 with gpt-4.1-mini

    assert [r.body["model"] for r in server.chat_requests()] == [DEFAULT_MODEL]  # gpt-4.1-mini is never asked
    assert panel_text(cap).startswith("✖ This cell would go over the session's $0.10 budget")
    assert "this cell would cost ≈$0.16" in panel_text(cap)  # priced as the model that would have answered


def test_a_cell_too_large_for_the_model_gets_the_context_length_panel_and_no_request(shell, server, api_key, small_window):
    cap = chat(shell, f"-m {small_window}", "机器学习" * 100)  # 400 Chinese characters: ~400 tokens, not 100

    assert server.chat_requests() == []
    text = panel_text(cap)
    assert text.startswith("✖ This cell is too long for small-window-model")
    assert re.search(r"about 4\d\d tokens \(an estimate\), and small-window-model takes 300 tokens in all", text)


def test_the_token_estimate_counts_chinese_characters_as_tokens_and_english_by_words():
    english = "The quick brown fox jumps over the lazy dog. " * 20  # 200 real tokens (cl100k and o200k)
    chinese = "机器学习是人工智能的一个分支。" * 20  # 300 characters: ~300 tokens in cl100k, ~200 in o200k

    assert 180 <= estimate(english) <= 230
    assert 250 <= estimate(chinese) <= 320  # len / 4 would say 75
    assert estimate("") == 0 and estimate_turns([]) == 0


# -- off the load path, offline --------------------------------------------------------------------------

OFFLINE_CHECK = """
import socket, sys
tried = []
def refuse(self, address, *a):
    tried.append(address)
    raise OSError("this test has no network")
socket.socket.connect = refuse
from IPython.core.interactiveshell import InteractiveShell
shell = InteractiveShell.instance()
shell.run_line_magic("load_ext", "chatwithtech_magic")
loaded_at_load_ext = "genai_prices" in sys.modules
from chatwithtech_magic.pricing import price
from chatwithtech_magic.tokens import Figures
cost = price("gpt-4.1-mini", Figures(prompt=1000, completion=100))
import genai_prices.data_snapshot as snapshot
print(loaded_at_load_ext, cost is not None and cost > 0, snapshot._custom_snapshot is None, tried)
"""


def test_genai_prices_is_not_imported_at_load_ext_and_prices_without_the_network():
    done = subprocess.run([sys.executable, "-c", OFFLINE_CHECK], capture_output=True, text=True, timeout=60)

    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["False", "True", "True", "[]"]


FIRST_TEXT_CHECK = """
import sys
from chatwithtech_magic.credentials import CredentialStore
from chatwithtech_magic.request import ChatRequest
from chatwithtech_magic.session import ChatSession

class View:
    seen = None
    def update(self, text):
        if self.seen is None:
            self.seen = "genai_prices" in sys.modules
    def finish(self, answer):
        pass

view = View()
store = CredentialStore(environ={"OPENAI_API_KEY": "%s", "OPENAI_BASE_URL": "%s"})
answer = ChatSession(store).ask("Hi", ChatRequest(model="gpt-4.1-mini"), view)
print(view.seen, answer.cost is not None and answer.cost > 0)
"""


def test_genai_prices_loads_only_after_the_first_text_is_on_screen_and_the_price_is_there_at_the_end(server, tmp_path):
    import os

    # An empty cache: a first kernel, with no price rates kept from an earlier one (price_rates.py)
    env = {**os.environ, "PYTHON_KEYRING_BACKEND": "tests.support.memory_keyring.MemoryKeyring", "XDG_CACHE_HOME": str(tmp_path)}
    done = subprocess.run([sys.executable, "-c", FIRST_TEXT_CHECK % (TEST_KEY, server.base_url)], capture_output=True, text=True, timeout=60, env=env)

    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["False", "True"]


INTERRUPTED_AS_PRICES_LOAD = """
import threading
from chatwithtech_magic.credentials import CredentialStore
from chatwithtech_magic.request import ChatRequest
from chatwithtech_magic.session import ChatSession

start = threading.Thread.start

def interrupted_start(thread):
    if thread.name == "chatwithtech-prices":
        raise KeyboardInterrupt  # Ctrl-C lands as the first text shows, before the price thread runs
    start(thread)

threading.Thread.start = interrupted_start
store = CredentialStore(environ={"OPENAI_API_KEY": "%s", "OPENAI_BASE_URL": "%s"})
answer = ChatSession(store).ask("Hi", ChatRequest(model="gpt-4.1-mini"), type("View", (), {"update": lambda s, t: None, "finish": lambda s, a: None})())
print(answer.interrupted, bool(answer.text), answer.failure is None, answer.cost is not None and answer.cost > 0)
"""


def test_a_ctrl_c_just_as_the_price_table_starts_loading_keeps_the_interrupted_answer_and_its_price(server, tmp_path):
    # In a kernel the user's Ctrl-C lands wherever the main thread is; right after the first text is shown that is
    # often inside the thread start of pricing.warm(). It once left a thread that never ran, and joining it raised.
    import os

    server.script(Reply(chunks=[f"w{i} " for i in range(20)], delay=0.01))
    env = {**os.environ, "PYTHON_KEYRING_BACKEND": "tests.support.memory_keyring.MemoryKeyring", "XDG_CACHE_HOME": str(tmp_path)}  # a first kernel
    done = subprocess.run(
        [sys.executable, "-c", INTERRUPTED_AS_PRICES_LOAD % (TEST_KEY, server.base_url)], capture_output=True, text=True, timeout=60, env=env
    )

    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["True", "True", "True", "True"]


# -- provenance in a saved notebook ---------------------------------------------------------------------------


def test_a_saved_notebook_records_what_produced_each_answer_and_never_the_key(server, api_key, tmp_path):
    server.script(Reply("Paris.", usage=USAGE))
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [nbformat.v4.new_code_cell(s) for s in ("%load_ext chatwithtech_magic", "%%chat -m gpt-4.1-mini -t 0.2\nCapital of France?")]

    NotebookClient(nb, timeout=60, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}).execute()
    path = tmp_path / "saved.ipynb"
    nbformat.write(nb, path)

    saved = nbformat.read(path, as_version=4)
    [output] = saved.cells[1].outputs
    record = output.metadata[KEY]
    assert record["model"] == "gpt-4.1-mini" and record["request_id"].startswith("req_")  # the server's x-request-id
    assert record["usage"] == {"prompt_tokens": 1111, "completion_tokens": 123, "cached_tokens": 100, "reasoning_tokens": 50, "estimated": False}
    assert Decimal(str(record["cost_usd"])) == genai_price("gpt-4.1-mini", USAGE)
    assert record["parameters"]["model"] == "gpt-4.1-mini" and record["parameters"]["temperature"] == 0.2
    assert record["parameters"]["messages"] == 1 and record["elapsed_s"] >= 0 and record["sent_at"].endswith("Z")
    text = path.read_text(encoding="utf-8")
    assert TEST_KEY not in text and TEST_KEY[-8:] not in text
    json.loads(text)  # a valid notebook file
