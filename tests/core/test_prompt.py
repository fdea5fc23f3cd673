"""prompt.py: a cell, the system prompt and the window's exchanges as typed parts, whatever the wire."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from chatwithtech_magic import fit, preview, prompt, tokens
from chatwithtech_magic.conversation import Conversation, Exchange
from chatwithtech_magic.prompt import ASSISTANT, SYSTEM, USER, Prompt, TextPart, Turn, text


def conversation(exchanges: int = 2, system: str | None = "Be brief.") -> Conversation:
    return Conversation(system, [Exchange(f"question {n} " + "word " * 40, f"answer {n}", "m") for n in range(exchanges)])


def test_a_prompt_is_the_system_prompt_then_each_earlier_exchange_then_the_cell():
    asked = conversation(2).prompt("The cell.", window=10)

    assert [turn.role for turn in asked.turns()] == [SYSTEM, USER, ASSISTANT, USER, ASSISTANT, USER]
    assert asked.turns()[-1] == Turn(USER, (TextPart("The cell."),))
    assert asked.earlier[0][1].parts == text("answer 0")


def test_the_window_keeps_only_the_last_exchanges_and_no_system_prompt_means_no_system_message():
    asked = conversation(3, system=None).prompt("Hi", window=1)
    assert [turn.role for turn in asked.turns()] == [USER, ASSISTANT, USER]
    assert asked.earlier[0][0].parts == text("question 2 " + "word " * 40)
    assert conversation(3).prompt("Hi", window=0).earlier == ()


def test_the_system_prompt_of_the_request_wins_over_the_conversations():
    assert conversation(0).prompt("Hi", system="Answer in French.").system == text("Answer in French.")


def test_a_change_to_the_text_reaches_every_part_of_every_message():
    masked = conversation(1).prompt("my sk-secret").map_text(lambda s: s.replace("sk-secret", "sk-…").upper())
    assert [prompt.text_of(turn.parts) for turn in masked.turns()] == ["BE BRIEF.", "QUESTION 0 " + "WORD " * 40, "ANSWER 0", "MY SK-…"]


def test_an_empty_cell_is_still_a_message_and_a_prompt_is_compared_by_value():
    assert Prompt(cell=text("")).turns() == [Turn(USER, (TextPart(""),))]
    assert conversation(1).prompt("Hi") == conversation(1).prompt("Hi")


@dataclass(frozen=True)
class StrangePart:
    """A part type no reader knows yet: each must say so rather than send or count it as nothing."""

    data: bytes = b"\x89PNG"


@pytest.mark.parametrize(
    "read",
    [
        lambda parts: prompt.map_parts(parts, str.upper),
        prompt.text_of,
        lambda parts: [prompt.shown(part) for part in parts],
        prompt.key_parts,
        tokens.estimate_parts,
    ],
    ids=["mask", "text", "dry-run", "replay key", "estimate"],
)
def test_every_reader_dispatches_on_the_part_type_and_refuses_one_it_does_not_know(read):
    with pytest.raises(TypeError):
        read((TextPart("a"), StrangePart()))


def test_the_estimate_counts_each_message_and_the_replys_start():
    asked = Prompt(text("Be brief."), (), text("Hello there"))
    expected = 2 * tokens.PER_MESSAGE + tokens.estimate("Be brief.") + tokens.estimate("Hello there") + tokens.REPLY_PRIMING
    assert tokens.estimate_prompt(asked) == expected
    assert tokens.estimate_turns([]) == 0


def test_fitting_leaves_out_the_oldest_whole_exchanges_and_keeps_the_system_prompt_and_the_cell():
    asked = conversation(4).prompt("The cell.")
    one_exchange = tokens.estimate_prompt(asked) - tokens.estimate_prompt(asked.but(earlier=asked.earlier[1:]))
    fitted = fit.fit(asked, "any-model", limit=tokens.estimate_prompt(asked) - one_exchange // 2)

    assert fitted.dropped == 1 and not fitted.too_large
    assert fitted.prompt.system == asked.system and fitted.prompt.cell == asked.cell
    assert fitted.prompt.earlier == asked.earlier[1:]


def test_a_dry_run_shows_every_message_of_the_prompt_in_full_and_the_settings():
    from chatwithtech_magic.wire.dialect import Outgoing, dialect_for

    shown = preview.render(Outgoing(conversation(1).prompt("What is <b>?"), {"model": "gpt-4.1-mini", "stream": True}, dialect_for()))

    assert "model   gpt-4.1-mini" in shown and "4 messages" in shown
    assert "── [4] user " in shown and "What is <b>?" in shown and "answer 0" in shown
