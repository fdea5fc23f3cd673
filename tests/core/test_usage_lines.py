"""render/usage.py: the line under an answer and ``%chat usage``'s table, as a user reads them, in both
languages.

The answer and the token figures are given as plain objects with the fields the footer reads, so these tests
do not depend on how the session builds them.
"""

from __future__ import annotations

import unicodedata
from decimal import Decimal
from types import SimpleNamespace

from chatwithtech_magic.render.usage import answer_line, token_text, usage_report


def figures(prompt=1_111, completion=123, cached=0, reasoning=0, estimated=False):
    return SimpleNamespace(
        prompt=prompt, completion=completion, cached=cached, reasoning=reasoning, estimated=estimated
    )


def row(model="gpt-4o-mini", requests=2, prompt=1_500, completion=300, cost="0.00064", **extra):
    return {"model": model, "requests": requests, "prompt_tokens": prompt, "completion_tokens": completion,
            "cached_tokens": extra.pop("cached", 0), "reasoning_tokens": extra.pop("reasoning", 0),
            "cost_usd": cost, **extra}


def test_the_footer_names_model_tokens_time_and_cost_in_that_order():
    answer = SimpleNamespace(
        model="gpt-4.1-mini", figures=figures(cached=100), elapsed=1.42, cost=Decimal("0.00064")
    )
    assert answer_line(answer) == "gpt-4.1-mini · 1,111 → 123 tokens (100 cached) · 1.4 s · ≈$0.00064"


def test_the_footer_reads_chinese_with_full_width_brackets():
    answer = SimpleNamespace(
        model="gpt-4.1-mini", figures=figures(cached=100, reasoning=64), elapsed=2.0, cost=None
    )
    assert answer_line(answer, "zh") == (
        "gpt-4.1-mini · 1,111 → 123 个令牌（缓存 100，推理 64） · 2.0 秒"
    )


def test_a_footer_leaves_out_what_it_does_not_know():
    bare = SimpleNamespace(model="", figures=figures(), elapsed=None, cost=None)
    assert answer_line(bare) == "1,111 → 123 tokens"


def test_counts_estimated_offline_are_marked_with_a_tilde_and_said_estimated():
    counted = figures(prompt=2_000, completion=50, estimated=True)
    assert token_text(counted) == "~2,000 → ~50 tokens (estimated)"


def test_reasoning_tokens_are_shown_beside_the_counts():
    assert token_text(figures(completion=900, reasoning=640)) == "1,111 → 900 tokens (640 reasoning)"


def test_an_empty_session_says_nothing_was_spent_and_links_to_the_accounts_pages():
    markdown, plain = usage_report([], {}, Decimal(0), 0.0)
    assert plain.startswith("Usage in this session\nNo answers yet in this session: nothing spent.")
    assert "Usage (credits used and left): https://platform.openai.com/usage" in plain
    assert "[Billing](https://platform.openai.com/settings/organization/billing/overview)" in markdown


def test_the_table_lists_each_model_and_a_total_with_the_budget_spent():
    rows = [row(), row(model="gpt-4.1-mini", requests=1, prompt=100, completion=10, cost="0.01")]
    totals = row(model="", requests=3, prompt=1_600, completion=310, cost="0.01064")
    _, plain = usage_report(rows, totals, Decimal("0.01064"), 1.0)
    lines = plain.splitlines()
    header = ["model", "requests", "prompt", "completion", "cached", "reasoning", "est.", "cost"]
    assert lines[1].split() == header
    assert lines[3].split() == ["gpt-4o-mini", "2", "1,500", "300", "0", "0", "≈$0.00064"]
    assert lines[6].split()[:2] == ["total", "3"]
    assert "Budget: ≈$0.011 of $1.00 spent (1%)." in plain


def test_without_a_budget_the_table_says_how_to_set_one():
    _, plain = usage_report([row()], row(model=""), Decimal("0.00064"), 0.0)
    assert "No budget set: %config ChatMagics.budget = 1.00 caps this session's spend (US dollars)." in plain


def test_a_model_without_a_price_says_so_and_is_left_out_of_the_total():
    rows = [row(model="my-local-model", requests=1, cost="0", unpriced=1)]
    _, plain = usage_report(rows, row(model="", requests=1, cost="0", unpriced=1), Decimal(0), 0.0)
    assert "no price known" in plain
    assert "Answers from models with no known price are not in the total (1)." in plain


def test_a_replayed_answer_is_labelled_and_a_model_name_is_never_markup():
    rows = [row(model="gpt-4o-mini", replayed=True), row(model="<img src=x onerror=alert(1)>")]
    markdown, plain = usage_report(rows, row(model=""), Decimal(0), 0.0)
    assert "gpt-4o-mini (replayed)" in plain
    assert "<img" not in markdown and "<img src=x onerror=alert(1)>" in plain


def test_the_chinese_table_lines_up_its_wide_characters():
    _, plain = usage_report([row()], row(model=""), Decimal("0.00064"), 0.0, "zh")
    header, rule = plain.splitlines()[1:3]
    assert header.startswith("模型") and "估算费用" in header
    # A CJK character takes two columns in a terminal: the rule is exactly as wide as the header looks.
    assert sum(2 if unicodedata.east_asian_width(c) in ("W", "F") else 1 for c in header) == len(rule)
    assert "用量（已用和剩余的信用点）：https://platform.openai.com/usage" in plain
