"""Issue 18, items 5-7: the budget holds when the server renames the model, when a resend drops the
max tokens it was checked with, and when the kept price rates on disk are damaged.

Usage comes from the loopback server's usage chunk; expected prices from ``chatwithtech_magic.pricing``
(genai-prices underneath), so the tests hold when the price table changes.
"""

from __future__ import annotations

import json
import re
from decimal import Decimal

import pytest

from chatwithtech_magic import price_rates, pricing
from chatwithtech_magic.tokens import Figures
from tests.support.magics import chat
from tests.support.openai_server import Reply, bad_request

BIG = {"prompt_tokens": 200_000, "completion_tokens": 10}


def panel_text(cap) -> str:
    return "\n".join(o.data["text/plain"] for o in cap.outputs if "text/html" in o.data)


def line_under(cap) -> str:
    markdown = [o for o in cap.outputs if "text/markdown" in o.data][-1].data["text/markdown"]
    return re.findall(r"<sub>(.*?)</sub>", markdown)[0].replace("\\", "")


@pytest.fixture
def fresh_rates(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    price_rates.forget()
    yield tmp_path
    price_rates.forget()


# -- 5. a model the server renames; a model with no known price -------------------------------------


def test_an_answer_under_the_deployments_own_name_is_priced_as_the_model_asked_for(shell, server, api_key):
    each = pricing.price("gpt-4.1", Figures(prompt=200_000, completion=10))
    shell.run_line_magic("config", f"ChatMagics.budget = {float(each * Decimal('1.75')):.4f}")  # room for two such cells
    for _ in range(3):
        server.script(Reply("Done.", usage=BIG, model="my-deployment-xyz"))

    first = chat(shell, "-m gpt-4.1", "Summarize the report.")
    chat(shell, "-m gpt-4.1", "And the appendix.")
    third = chat(shell, "-m gpt-4.1", "And the index.")

    assert len(server.chat_requests()) == 2  # the third would cross the budget: not sent
    assert line_under(first).startswith("my-deployment-xyz · ")  # the name shown stays the server's
    assert pricing.format_cost(each) in line_under(first)
    assert panel_text(third).startswith("✖ This cell would go over the session's")


def test_an_answer_with_no_known_price_counts_at_the_highest_known_rate(shell, server, api_key):
    usage = {"prompt_tokens": 1000, "completion_tokens": 1000}
    counted = pricing.highest(Figures(prompt=1000, completion=1000))
    shell.run_line_magic("config", f"ChatMagics.budget = {float(counted / 2):.4f}")
    server.script(Reply("Hi.", usage=usage))

    first = chat(shell, "-m my-local-llama", "Hello")
    second = chat(shell, "-m my-local-llama", "Again")

    assert len(server.chat_requests()) == 1
    assert "≈$" not in line_under(first)  # shown without a cost: never a guess
    text = panel_text(second)
    assert f"spent {pricing.format_cost(counted)}" in text
    assert "no known price for my-local-llama: counted at the highest known rate" in text


def test_the_budget_rule_for_unpriced_answers_is_stated_where_the_budget_is_described(shell):
    from chatwithtech_magic.magics.chat import ChatMagics

    assert "highest" in ChatMagics.class_traits()["budget"].help


# -- 6. every resend is checked again ------------------------------------------------------------------


def refuse_the_cap(server) -> None:
    """A deployment that refuses the answer cap asked for: the cell is resent without it (params.py)."""
    refusal = bad_request("Invalid 'max_tokens': this deployment supports at most 50.", param="max_tokens", code="unsupported_value")
    server.script(refusal)


def test_a_resend_without_the_refused_max_tokens_is_checked_against_the_budget_again(shell, server, api_key):
    refuse_the_cap(server)
    shell.run_line_magic("config", "ChatMagics.budget = 0.05")

    cap = chat(shell, "-m gpt-4.1 --max-tokens 100", "Write a short poem.")

    [sent] = server.chat_requests()  # the capped request only: uncapped, the answer could cost ≈$0.26
    assert sent.body["max_tokens"] == 100
    text = panel_text(cap)
    assert text.startswith("✖ This cell would go over the session's $0.05 budget") and "No request was sent" in text


def test_a_retry_is_checked_against_the_budget_again_before_it_is_sent(shell, server, api_key):
    from tests.support.openai_server import overloaded

    session = shell.magics_manager.registry["ChatMagics"].session
    shell.run_line_magic("config", "ChatMagics.budget = 1")
    server.script(overloaded())
    # While the retry waits, the session's spend moves (another cell's answer, counted at last): the
    # retry is held to the budget as it stands when it is about to be sent.
    session.sleep = lambda seconds: session.meter.ledger.add("gpt-4.1", Figures(prompt=10, completion=10), 5)

    cap = chat(shell, "-m gpt-4.1", "Hello")

    assert len(server.chat_requests()) == 1
    assert "This cell would go over" in panel_text(cap)


def test_with_room_in_the_budget_the_uncapped_resend_goes_through(shell, server, api_key):
    refuse_the_cap(server)
    shell.run_line_magic("config", "ChatMagics.budget = 5")

    cap = chat(shell, "-m gpt-4.1 --max-tokens 100", "Write a short poem.")

    last = server.chat_requests()[-1].body
    assert "max_tokens" not in last and "max_completion_tokens" not in last
    assert "Hello from the test server." in cap.outputs[-1].data["text/plain"]


# -- 7. damaged rates on disk ----------------------------------------------------------------------------


@pytest.mark.parametrize("bad", ["NaN", "sNaN", "-2", "Infinity", "1e999", "two", 2, None, {"base": "NaN", "tiers": []}])
def test_damaged_kept_rates_are_ignored_and_the_price_is_asked_again(fresh_rates, bad):
    figures = Figures(prompt=1111, completion=123)
    expected = pricing.price("gpt-4.1-mini", figures)
    saved = json.loads((fresh_rates / "chatwithtech_magic" / "prices.json").read_text())
    saved["models"]["gpt-4.1-mini"]["input_mtok"] = bad
    (fresh_rates / "chatwithtech_magic" / "prices.json").write_text(json.dumps(saved))
    price_rates.forget()

    again = pricing.price("gpt-4.1-mini", figures)

    assert again == expected and again > 0


def test_a_budget_with_damaged_rates_on_disk_gives_no_traceback_and_no_negative_spend(fresh_rates, shell, server, api_key):
    chat(shell, "-m gpt-4.1-mini", "Hi")  # the rates are kept on disk
    path = fresh_rates / "chatwithtech_magic" / "prices.json"
    saved = json.loads(path.read_text())
    saved["models"]["gpt-4.1-mini"] = {"input_mtok": "-1000", "output_mtok": "NaN"}
    path.write_text(json.dumps(saved))
    price_rates.forget()
    shell.run_line_magic("config", "ChatMagics.budget = 1")

    cap = chat(shell, "-m gpt-4.1-mini", "Again")

    assert "Traceback" not in cap.stdout + cap.stderr
    meter = shell.magics_manager.registry["ChatMagics"].session.meter
    assert meter.ledger.spent > 0 and all(e.cost is None or e.cost >= 0 for e in meter.ledger.entries)


@pytest.mark.skipif(not __import__("os").path.exists("/dev/zero"), reason="/dev/zero")
def test_kept_rates_linked_to_an_endless_file_are_not_read(fresh_rates):
    import os

    folder = fresh_rates / "chatwithtech_magic"
    folder.mkdir(parents=True, exist_ok=True)
    os.symlink("/dev/zero", folder / "prices.json")

    assert pricing.price("gpt-4.1-mini", Figures(prompt=1000, completion=10)) > 0  # asked of genai-prices instead
