"""Issue 19: a model's thinking is shown apart from its answer, live and folded, and never resent.

Gateways send thinking three ways: ``reasoning_content`` (DeepSeek, LiteLLM), ``reasoning``
(vLLM, Ollama, OpenRouter), or ``<think>…</think>`` at the start of the content (llama.cpp),
with a tag that can be cut across two chunks. Whichever way, the answer's text is only the
answer: history, ``--out``, ``-f code``, ``%chat history`` and recorded answers' text.
"""

from __future__ import annotations

import html
import re

import pytest
from IPython.utils.capture import capture_output

from chatwithtech_magic.thinking import Splitter
from tests.support.magics import chat, chat_line
from tests.support.openai_server import Reply

MODEL = "gpt-4.1-mini"
THOUGHT = "The user greets me. I should greet back."
ANSWER = "Hello! How can I help?"


def session_of(shell):
    return shell.magics_manager.registry["ChatMagics"].session


def markdown_renders(cap) -> list[str]:
    return [o.data["text/markdown"] for o in cap.outputs if "text/markdown" in o.data]


def thinking_shown(markdown: str) -> str:
    """The text inside the thinking block, as a reader sees it."""
    match = re.search(r'<details class="chatwithtech-thinking"[^>]*>.*?<div[^>]*>(.*?)</div></details>', markdown)
    return html.unescape(match.group(1).replace("<br>", "\n")) if match else ""


def split(chunks) -> tuple[str, str]:
    splitter, thinking, answer = Splitter(), [], []
    for chunk in chunks:
        t, a = splitter.feed(chunk)
        thinking.append(t)
        answer.append(a)
    t, a = splitter.end()
    return "".join(thinking + [t]), "".join(answer + [a])


# -- the splitter -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "chunks",
    [
        ["<think>pondering</think>\n\nThe answer."],
        ["<thi", "nk>pond", "ering</th", "ink>", "\n\nThe answer."],
        ["  \n", "<", "t", "h", "i", "n", "k", ">", "pondering", "<", "/", "think", ">", "The answer."],
        ["<thinking>pondering</thinking>The answer."],
    ],
    ids=["whole", "cut-tags", "one-char-at-a-time", "thinking-tag"],
)
def test_a_think_tag_at_the_start_is_thinking_wherever_the_chunks_cut_it(chunks):
    assert split(chunks) == ("pondering", "The answer.")


def test_a_tag_later_in_the_answer_is_answer_text():
    text = "Use <think> tags like this: <think>x</think>."
    assert split([text[i : i + 3] for i in range(0, len(text), 3)]) == ("", text)


def test_an_answer_starting_with_a_lone_angle_bracket_is_held_only_until_it_cannot_be_a_tag():
    splitter = Splitter()

    assert splitter.feed("<") == ("", "")
    assert splitter.feed("b>bold</b>") == ("", "<b>bold</b>")


def test_a_stream_that_stops_inside_the_thinking_keeps_it_as_thinking_and_a_held_prefix_as_text():
    assert split(["<think>still going</thi"]) == ("still going</thi", "")
    assert split(["<thi"]) == ("", "<thi")


# -- in a cell --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "reply",
    [
        Reply(ANSWER, reasoning=["The user greets me. ", "I should greet back."], reasoning_field="reasoning_content"),
        Reply(ANSWER, reasoning=["The user greets me. ", "I should greet back."], reasoning_field="reasoning"),
        Reply(chunks=["<thi", "nk>The user greets me. I should", " greet back.</thi", "nk>\n\n", "Hello! How can I help?"]),
    ],
    ids=["reasoning_content", "reasoning", "think-tags"],
)
def test_thinking_is_shown_folded_above_the_answer_and_never_sent_back(shell, server, api_key, reply):
    server.script(reply)

    first = chat(shell, f"-m {MODEL} --out said", "Hi")
    chat(shell, f"-m {MODEL}", "And then?")

    final = markdown_renders(first)[-1]
    assert thinking_shown(final) == THOUGHT
    assert "<details" in final and " open" not in final.split("</summary>")[0]  # folded once the answer is there
    assert final.index("</details>") < final.index(ANSWER)
    assert shell.user_ns["said"] == ANSWER
    assert session_of(shell).conversation.exchanges[0].answer == ANSWER
    sent = server.chat_requests()[-1].body["messages"]
    assert sent[-2] == {"role": "assistant", "content": ANSWER}
    assert all("greets me" not in str(message) for message in sent)
    assert len(server.chat_requests()) == 2


def test_thinking_streams_live_before_the_answer_starts(shell, server, api_key):
    server.script(Reply(ANSWER, reasoning=["First I think. ", "Then I think more."]))

    cap = chat(shell, f"-m {MODEL}", "Hi")

    renders = markdown_renders(cap)
    early = [r for r in renders if ANSWER[:5] not in r]
    assert early and thinking_shown(early[0]) == "First I think. "  # shown as it arrives, open while alone
    assert "<details class=\"chatwithtech-thinking\" open>" in early[0]


def test_show_thinking_false_hides_it_and_the_answer_is_unchanged(shell, server, api_key):
    shell.run_line_magic("config", "ChatMagics.show_thinking = False")
    server.script(Reply(ANSWER, reasoning=[THOUGHT]))

    cap = chat(shell, f"-m {MODEL}", "Hi")

    assert all("greets me" not in r and "<details" not in r for r in markdown_renders(cap))
    assert markdown_renders(cap)[-1].startswith(ANSWER)


def test_thinking_is_text_never_markup_and_never_math(shell, server, api_key):
    thought = "<img src=x onerror=alert(1)> costs $5 and $6, \\(x\\)\n\nthen `code` & more"
    server.script(Reply(ANSWER, reasoning=[thought]))

    final = markdown_renders(chat(shell, f"-m {MODEL}", "Hi"))[-1]

    block = final.split("</details>")[0]
    assert "<img" not in block and "$" not in block and "\\" not in block
    assert "\n" not in block  # one HTML block: a blank line would end it and the rest would be Markdown
    assert 'class="tex2jax_ignore mathjax_ignore"' in block
    assert thinking_shown(final) == thought


def test_history_and_code_format_see_only_the_answer(shell, server, api_key):
    server.script(Reply(chunks=["<think>Maybe print?</think>", "```python\nprint(1)\n```"]))

    chat(shell, f"-m {MODEL} -f code", "Code please")
    history = chat_line(shell, "history")

    shown = history.stdout + "".join(str(v) for o in history.outputs for v in o.data.values())
    assert "Maybe print?" not in shown and "print(1)" in shown
    assert session_of(shell).conversation.exchanges[0].answer == "```python\nprint(1)\n```"
    assert shell.rl_next_input == "print(1)"  # the new cell holds the answer's code, no thinking


def test_a_whole_answer_with_thinking_shows_it_and_remembers_only_the_answer(shell, server, api_key):
    server.script(Reply(ANSWER, reasoning=[THOUGHT], reasoning_field="reasoning"))

    cap = chat(shell, f"-m {MODEL} --no-stream", "Hi")

    assert thinking_shown(markdown_renders(cap)[-1]) == THOUGHT
    assert session_of(shell).conversation.exchanges[0].answer == ANSWER


def test_a_recorded_answer_replays_with_its_thinking_apart(shell, server, api_key, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    shell.run_line_magic("config", 'ChatMagics.cache = "auto"')
    server.script(Reply(ANSWER, reasoning=[THOUGHT]))

    chat(shell, f"-m {MODEL} --no-history", "Hi")
    again = chat(shell, f"-m {MODEL} --no-history", "Hi")

    assert len(server.chat_requests()) == 1
    final = markdown_renders(again)[-1]
    assert thinking_shown(final) == THOUGHT and "replayed" in final
    recorded = (tmp_path / "chatwithtech_answers.jsonl").read_text()
    assert '"answer": "Hello! How can I help?"' in recorded and '"thinking": "The user greets me.' in recorded


def test_reasoning_tokens_are_counted_and_the_footer_is_about_the_answer(shell, server, api_key):
    server.script(Reply(ANSWER, reasoning=[THOUGHT], usage={"prompt_tokens": 10, "completion_tokens": 50, "reasoning_tokens": 40}))

    final = markdown_renders(chat(shell, f"-m {MODEL}", "Hi"))[-1]

    footer = final.rsplit("<sub>", 1)[-1]
    assert "40" in footer  # the reasoning tokens, as today
    with capture_output() as usage:
        shell.run_line_magic("chat", "usage")
    assert "50" in usage.stdout + "".join(str(v) for o in usage.outputs for v in o.data.values())


def test_without_usage_the_estimate_counts_the_thinking_too(shell, server, api_key):
    # The model generated (and the account pays for) its thinking, even where no usage is reported.
    server.script(Reply("Yes.", usage=False), Reply("Yes.", usage=False, reasoning=["Let me weigh this. " * 40]))

    plain = markdown_renders(chat(shell, f"-m {MODEL} --no-history", "Sure?"))[-1].rsplit("<sub>", 1)[-1]
    thought = markdown_renders(chat(shell, f"-m {MODEL} --no-history", "Sure?"))[-1].rsplit("<sub>", 1)[-1]

    tokens = [int(re.search(r"→ ~(\d+)", footer.replace("\\", "")).group(1)) for footer in (plain, thought)]
    assert tokens[1] > tokens[0] + 100
