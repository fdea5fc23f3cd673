"""thinking.py: a model's thinking told apart from its answer, whichever way a gateway sends it.

tests/test_thinking.py covers the ``<think>`` splitter and thinking in a cell; these cover the thinking fields
and the splitter's edges.
"""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from chatwithtech_magic.thinking import Splitter
from chatwithtech_magic.wire.chat_completions import thinking_of


@pytest.mark.parametrize("field", ["reasoning_content", "reasoning"])
def test_thinking_is_read_from_either_field_of_a_dict_or_a_record(field):
    assert thinking_of({field: "pondering", "content": "answer"}) == "pondering"
    assert thinking_of(SimpleNamespace(**{field: "pondering"})) == "pondering"


def test_the_deepseek_field_is_read_first_when_both_are_sent():
    assert thinking_of({"reasoning": "second", "reasoning_content": "first"}) == "first"


@pytest.mark.parametrize("part", [{}, {"content": "answer"}, {"reasoning_content": None}, {"reasoning": ""},
                                  {"reasoning": {"summary": "not text"}}, SimpleNamespace(content="x")])
def test_a_part_without_thinking_text_has_none(part):
    assert thinking_of(part) == ""


def test_a_field_that_is_not_text_gives_way_to_the_next_one():
    assert thinking_of({"reasoning_content": 42, "reasoning": "words"}) == "words"


def test_an_answer_without_tags_passes_through_from_the_first_chunk():
    splitter = Splitter()
    assert splitter.feed("Plain ") == ("", "Plain ")
    assert splitter.feed("answer.") == ("", "answer.")
    assert splitter.end() == ("", "")


def test_blank_lines_after_the_closing_tag_are_dropped_even_across_chunks_and_the_first_lines_indent_kept():
    splitter = Splitter()
    assert splitter.feed("<think>hm</think>") == ("hm", "")
    assert splitter.feed("\n\n") == ("", "")
    assert splitter.feed("    code") == ("", "    code")  # an indented code block stays one


def test_thinking_streams_as_it_comes_holding_back_only_what_may_be_the_closing_tag():
    splitter = Splitter()
    assert splitter.feed("<thinking>step one, ") == ("step one, ", "")
    assert splitter.feed("step two</thin") == ("step two", "")
    assert splitter.feed("king>Done.") == ("", "Done.")


def test_a_reply_of_only_blank_space_is_given_back_at_the_end():
    splitter = Splitter()
    assert splitter.feed("  \n") == ("", "")
    assert splitter.end() == ("", "  \n")
