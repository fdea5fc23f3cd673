"""caps.py: a long text is shown cut, and the cut says how much was left out; a short one is shown whole."""

from __future__ import annotations

import pytest

from chatwithtech_magic import caps


def test_a_text_within_the_limit_is_shown_exactly_as_it_is():
    assert caps.cap("x" * caps.MESSAGE_LIMIT) == "x" * caps.MESSAGE_LIMIT


def test_a_long_text_is_cut_at_the_limit_and_says_how_many_characters_were_left_out():
    shown = caps.cap("x" * 5_000, limit=1_000)
    assert shown == "x" * 1_000 + "… [4,000 more characters not shown; the whole text is kept]"


def test_the_cut_note_reads_chinese_for_a_chinese_user():
    shown = caps.cap("字" * 30, limit=10, language="zh")
    assert shown == "字" * 10 + "… [另有 20 个字符未显示；完整内容已保留]"


@pytest.mark.parametrize("value", [None, 42, b"bytes" * 1000])
def test_what_is_not_a_str_is_passed_through_untouched(value):
    assert caps.cap(value, limit=3) is value


def test_a_history_entry_may_be_longer_than_a_panel_message():
    assert caps.HISTORY_LIMIT > caps.MESSAGE_LIMIT
    assert caps.cap("y" * caps.HISTORY_LIMIT, caps.HISTORY_LIMIT) == "y" * caps.HISTORY_LIMIT
