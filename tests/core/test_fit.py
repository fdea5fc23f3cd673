"""fit.py: what is sent when the conversation is longer than the model's window (no server, no IPython)."""

from __future__ import annotations

from chatwithtech_magic import fit as fitting
from chatwithtech_magic.prompt import Turn, text
from chatwithtech_magic.tokens import estimate_turns
from chatwithtech_magic.wire.chat_completions import messages as written, prompt_of


def fit(messages: list[dict], model: str, **options):
    """fit.fit on the prompt these messages say, with the messages it keeps as Chat Completions writes them."""
    fitted = fitting.fit(prompt_of(messages), model, **options)
    fitted.messages = written(fitted.prompt)
    return fitted


def estimate_messages(messages: list[dict]) -> int:
    return estimate_turns([Turn(m["role"], text(m["content"])) for m in messages])


def conversation(exchanges: int, words: int = 50) -> list[dict]:
    messages = [{"role": "system", "content": "Be brief."}]
    for n in range(exchanges):
        messages += [{"role": "user", "content": f"question {n} " + "word " * words}, {"role": "assistant", "content": f"answer {n} " + "word " * words}]
    return messages + [{"role": "user", "content": "The cell."}]


def test_a_conversation_that_fits_is_sent_whole_with_its_estimate():
    messages = conversation(3)
    fitted = fit(messages, "any-model", limit=100_000)
    assert fitted.messages == messages and fitted.dropped == 0 and not fitted.too_large
    assert fitted.tokens == estimate_messages(messages)


def test_the_oldest_exchanges_go_first_one_whole_exchange_at_a_time_keeping_the_system_prompt_and_the_cell():
    messages = conversation(4)
    one_exchange = estimate_messages(messages[1:3])
    fitted = fit(messages, "any-model", limit=estimate_messages(messages) - one_exchange // 2)

    assert fitted.dropped == 1 and not fitted.too_large
    assert fitted.messages[0]["role"] == "system" and fitted.messages[-1]["content"] == "The cell."
    assert fitted.messages[1]["content"].startswith("question 1 ")  # exchange 0 went, whole


def test_room_for_the_answer_counts_against_the_window():
    messages = conversation(2)
    total = estimate_messages(messages)
    assert fit(messages, "any-model", reserve=0, limit=total).dropped == 0
    assert fit(messages, "any-model", reserve=10, limit=total).dropped >= 1


def test_a_cell_too_large_on_its_own_is_marked_too_large_with_every_exchange_dropped():
    messages = conversation(2)[:-1] + [{"role": "user", "content": "word " * 5000}]
    fitted = fit(messages, "any-model", limit=100)
    assert fitted.too_large and fitted.dropped == 2 and fitted.limit == 100


def test_a_model_the_table_does_not_know_is_sent_as_is():
    messages = conversation(30)
    fitted = fit(messages, "a-gateway-model-nobody-knows")
    assert fitted.limit is None and fitted.messages == messages
