"""render/code_blocks.py: which lines of an answer stay verbatim as code, and which are escaped as text.

Only lines every Markdown renderer reads as code stay verbatim (``a<b`` reads ``a<b``); anything else is text,
escaped, so that ``<img onerror=…>`` never becomes markup. tests/test_code_in_lists.py checks the same
against JupyterLab's marked and mistune; here the reading itself is pinned down, case by case.
"""

from __future__ import annotations

from chatwithtech_magic.render.code_blocks import blocks

DEFUSED = "`\u200b`\u200b`\u200b"  # a fence with an invisible space after each backtick: no renderer opens it


def _read(text: str) -> list[tuple[str, list[str], str]]:
    return list(blocks(text.split("\n")))


def test_a_fenced_block_is_code_and_the_prose_around_it_is_text():
    assert _read("Hi <b>\n\n```py\na<b\n```\nafter") == [
        ("text", ["Hi <b>", ""], ""),
        ("code", ["```py", "a<b", "```"], ""),
        ("text", ["after"], ""),
    ]


def test_an_answer_without_code_is_all_text():
    assert _read("Just <b>words</b>.\nTwo lines.") == [("text", ["Just <b>words</b>.", "Two lines."], "")]


def test_a_tilde_fence_is_code_too_and_only_a_matching_fence_closes_it():
    assert _read("~~~~\n```\nstill code\n~~~~") == [("code", ["~~~~", "```", "still code", "~~~~"], "")]


def test_a_fence_the_answer_leaves_open_is_code_with_the_closer_that_ends_it():
    assert _read("Here:\n\n````\nopen<code") == [
        ("text", ["Here:", ""], ""),
        ("open", ["````", "open<code"], "````"),
    ]


def test_indented_code_is_rewritten_as_a_fence_every_renderer_reads_alike():
    assert _read("    indented<code\n\ntext") == [
        ("code", ["```", "indented<code", "```"], ""),
        ("text", ["", "text"], ""),
    ]


def test_code_in_a_list_item_after_a_blank_line_is_code_at_the_items_column():
    assert _read("- item\n\n  ```\n  x<y\n  ```") == [
        ("text", ["- item", ""], ""),
        ("code", ["  ```", "  x<y", "  ```"], ""),
    ]


def test_code_in_a_block_quote_is_code():
    assert _read("> quote\n> ```\n> q<1\n> ```") == [
        ("text", ["> quote"], ""),
        ("code", ["> ```", "> q<1", "> ```"], ""),
    ]


def test_after_a_lazy_continuation_renderers_may_part_so_fences_are_defused_and_escaped_as_text():
    [(kind, lines, _)] = _read("- a\nlazy\n```\n<img src=x onerror=alert(1)>\n```")
    assert kind == "text"
    assert lines == ["- a", "lazy", DEFUSED, "<img src=x onerror=alert(1)>", DEFUSED]


def test_a_blank_line_and_a_line_at_column_0_bring_the_reading_back_to_code():
    read = _read("- a\nlazy\n\nback\n\n```\nx<y\n```")
    assert read[-1] == ("code", ["```", "x<y", "```"], "")


def test_a_closing_fence_only_some_renderers_accept_is_rewritten_as_the_plain_one():
    assert _read("```\nx\n```~") == [("code", ["```", "x", "```"], "")]


def test_every_line_of_the_answer_is_kept_in_order():
    text = "intro\n\n- a\n\n  ```\n  b\n  ```\n\n> c\n\n    d\n\ne"
    kept = [line for _, lines, _ in _read(text) for line in lines]
    words = [line for line in kept if line.strip() not in ("```", "")]
    assert words == ["intro", "- a", "  b", "> c", "d", "e"]
