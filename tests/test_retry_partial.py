"""A Retry after a cut-off stream: the new answer takes the partial's place, never below it,
and a retry that fails too never takes away text the user was shown (see ``ask_again.py``).

What the user sees is read from IPython's display publisher: every output of the cell and every
update by display id, replayed in order into "the screen" (one entry per output area).
"""

from __future__ import annotations

import io

from IPython.utils.capture import capture_output

from chatwithtech_magic.render.answer import TerminalView
from chatwithtech_magic.session import ChatRequest, ChatSession
from tests.support.openai_server import Reply, StreamDrop, StreamError, overloaded
from tests.test_panel_in_place import WIDGET, message_and_buttons, press, run

MODEL = "gpt-4.1-mini"
CELL = f"%%chat -m {MODEL}\nTell me a story"
CUT_OFF = "answer incomplete: the stream stopped early"


def screen(*caps) -> list[dict]:
    """The outputs as the user finally sees them: each display id's latest data, in the order they appeared."""
    areas: dict = {}
    for cap in caps:
        for output in cap.outputs:
            key = (output.transient or {}).get("display_id") or id(output)
            areas[key] = output.data
    return list(areas.values())


def answers(*caps) -> list[str]:
    """The text of every output showing an answer (Markdown), as a saved notebook holds it (text/plain)."""
    return [data["text/plain"] for data in screen(*caps) if "text/markdown" in data]


def session_of(shell):
    return shell.magics_manager.registry["ChatMagics"].session


def exchanges(shell) -> list[tuple[str, bool]]:
    return [(e.answer, e.complete) for e in session_of(shell).conversation.exchanges]


def buttons_of(buttons_output) -> list[str]:
    from ipywidgets.widgets.widget import _instances

    panel = _instances[buttons_output.data[WIDGET]["model_id"]]
    return [b.description for b in panel.children[0].children]


def cut_off_cell(shell, server, *replies):
    """A cell whose stream is cut off (the first reply); its outputs, the panel's message and buttons."""
    shell.run_line_magic("config", "ChatMagics.retries = 0")
    server.script(*replies)
    first = run(shell, CELL)
    message, buttons = message_and_buttons(first)
    return first, message, buttons


# -- a cut-off stream, before any retry -----------------------------------------------------------


def test_a_cut_off_stream_is_not_retried_by_itself_and_keeps_its_partial_answer_above_the_panel(shell, server, api_key):
    server.script(StreamDrop("The first half, "), Reply("never asked"))

    first = run(shell, CELL)  # retries are on (3 by default): a partial answer is still not asked again

    assert len(server.chat_requests()) == 1
    [shown] = answers(first)
    assert shown.startswith("The first half, ") and CUT_OFF in shown
    message, buttons = message_and_buttons(first)
    assert message.data["text/plain"].startswith("✖ The answer was cut off")
    assert buttons_of(buttons) == ["Retry"]
    assert exchanges(shell) == [("The first half, ", False)]


def test_running_the_cell_again_after_a_cut_off_is_a_retry_the_broken_half_is_not_sent_or_kept(shell, server, api_key):
    cut_off_cell(shell, server, StreamDrop("The first half, "), Reply("The whole story."))

    again = run(shell, CELL)

    assert answers(again) == ["The whole story."]
    sent = server.chat_requests()[-1].body["messages"]
    assert [m["content"] for m in sent if m["role"] != "system"] == ["Tell me a story"]
    assert exchanges(shell) == [("The whole story.", True)]


def test_another_question_after_a_cut_off_keeps_the_partial_answer_as_history(shell, server, api_key):
    cut_off_cell(shell, server, StreamDrop("The first half, "), Reply("Next."))

    run(shell, f"%%chat -m {MODEL}\nAnd then?")

    sent = [m["content"] for m in server.chat_requests()[-1].body["messages"] if m["role"] != "system"]
    assert sent == ["Tell me a story", "The first half, ", "And then?"]
    assert exchanges(shell) == [("The first half, ", False), ("Next.", True)]


# -- Retry: the new answer replaces the partial, in place ---------------------------------------


def test_after_retry_the_whole_answer_replaces_the_partial_one_and_the_cell_shows_one_answer(shell, server, api_key):
    first, message, buttons = cut_off_cell(shell, server, StreamDrop("The first half, "), Reply("The first half, and the second half."))

    retried = press(buttons, "Retry")

    assert all(o.update for o in retried.outputs)  # nothing new below the panel
    assert answers(first, retried) == ["The first half, and the second half."]  # the beginning is not shown twice
    final = {(o.transient or {})["display_id"]: o.data for o in retried.outputs}
    assert final[message.transient["display_id"]] == {"text/plain": ""}  # "the partial answer is kept" is gone
    assert final[buttons.transient["display_id"]] == {"text/plain": ""}  # and so are the buttons


def test_the_new_answer_streams_into_the_partials_place_from_its_first_words(shell, server, api_key):
    first, message, buttons = cut_off_cell(shell, server, StreamDrop("Once upon "), Reply(chunks=["Once ", "upon ", "a time."]))
    [answer_id] = {o.transient["display_id"] for o in first.outputs if "text/markdown" in o.data}

    retried = press(buttons, "Retry")

    streamed = [o.data["text/markdown"] for o in retried.outputs if "text/markdown" in o.data]
    assert streamed[0].startswith("Once") and CUT_OFF not in streamed[0]
    assert {o.transient["display_id"] for o in retried.outputs if "text/markdown" in o.data} == {answer_id}


def test_after_retry_the_conversation_holds_one_exchange_and_the_ledger_counts_both_requests(shell, server, api_key):
    _, _, buttons = cut_off_cell(shell, server, StreamDrop("The first half, "), Reply("The whole answer."))

    press(buttons, "Retry")

    assert exchanges(shell) == [("The whole answer.", True)]
    retry_messages = server.chat_requests()[-1].body["messages"]
    assert [m["role"] for m in retry_messages] == ["user"]  # the broken half was not sent as history
    [row] = session_of(shell).meter.ledger.rows()
    assert row["requests"] == 2  # the cut-off attempt used tokens too


def test_a_retry_that_fails_before_any_text_leaves_the_partial_answer_and_shows_the_new_failure(shell, server, api_key):
    first, message, buttons = cut_off_cell(shell, server, StreamDrop("The first half, "), overloaded())

    retried = press(buttons, "Retry")

    [shown] = answers(first, retried)
    assert shown.startswith("The first half, ") and CUT_OFF in shown
    final = [o.data for o in retried.outputs if o.transient["display_id"] == message.transient["display_id"]][-1]
    assert final["text/plain"].startswith("✖ The server is overloaded")
    assert buttons_of(buttons) == ["Retry"]
    assert exchanges(shell) == [("The first half, ", False)]  # what is on screen, once


def test_a_retry_cut_off_sooner_brings_back_the_longer_partial_answer_on_screen_in_history_and_in_out(shell, server, api_key):
    shell.run_line_magic("config", "ChatMagics.retries = 0")
    server.script(StreamDrop("A long first half, "), StreamError("A lo"))
    first = run(shell, f"%%chat -m {MODEL} --out story\nTell me a story")
    _, buttons = message_and_buttons(first)

    retried = press(buttons, "Retry")

    [shown] = answers(first, retried)
    assert shown.startswith("A long first half, ") and CUT_OFF in shown
    assert exchanges(shell) == [("A long first half, ", False)]
    assert shell.user_ns["story"] == "A long first half, "
    assert buttons_of(buttons) == ["Retry"]


def test_a_retry_cut_off_later_replaces_the_partial_with_its_longer_text(shell, server, api_key):
    first, _, buttons = cut_off_cell(shell, server, StreamDrop("Short, "), StreamDrop("Short, then longer, "))

    retried = press(buttons, "Retry")

    [shown] = answers(first, retried)
    assert shown.startswith("Short, then longer, ") and CUT_OFF in shown
    assert exchanges(shell) == [("Short, then longer, ", False)]


def test_a_second_retry_after_a_failed_one_still_replaces_the_partial_answer_in_place(shell, server, api_key):
    first, message, buttons = cut_off_cell(shell, server, StreamDrop("The first half, "), overloaded(), Reply("All of it."))

    again = press(buttons, "Retry")
    last = press(buttons, "Retry")

    assert answers(first, again, last) == ["All of it."]
    assert exchanges(shell) == [("All of it.", True)]


def test_the_retrys_countdown_shows_under_the_partial_answer_which_stays_until_new_text_arrives(shell, server, api_key):
    first, message, buttons = cut_off_cell(shell, server, StreamDrop("The first half, "), overloaded(), Reply("The whole answer."))
    shell.run_line_magic("config", "ChatMagics.retries = 1")  # read again by Retry: one automatic retry inside it

    retried = press(buttons, "Retry")

    on_message = [o.data["text/plain"] for o in retried.outputs if o.transient["display_id"] == message.transient["display_id"]]
    assert any(text.startswith("⏳ The server is overloaded") for text in on_message)
    assert on_message[-1] == ""
    countdown = [i for i, o in enumerate(retried.outputs) if o.data.get("text/plain", "").startswith("⏳")]
    new_text = [i for i, o in enumerate(retried.outputs) if "text/markdown" in o.data]
    assert max(countdown) < min(new_text)  # the partial answer stayed on screen through the wait
    assert answers(first, retried) == ["The whole answer."]


# -- a Retry after a failure without text, cut off in its turn ----------------------------------------


def test_a_retry_cut_off_where_no_answer_was_shown_keeps_its_partial_text_with_the_message_below(shell, server, api_key):
    shell.run_line_magic("config", "ChatMagics.retries = 0")
    server.script(overloaded(), StreamDrop("<b>Half</b> of it, "), Reply("The whole answer."))
    first = run(shell, CELL)
    message, buttons = message_and_buttons(first)

    retried = press(buttons, "Retry")

    final = [o.data for o in retried.outputs if o.transient["display_id"] == message.transient["display_id"]][-1]
    assert final["text/plain"].startswith("<b>Half</b> of it, ") and CUT_OFF in final["text/plain"]
    assert "✖ The answer was cut off" in final["text/plain"]  # the message, under the text it speaks of
    assert "<b>" not in final["text/markdown"] and "text/html" not in final  # a server's text is never markup
    assert buttons_of(buttons) == ["Retry"]
    assert exchanges(shell) == [("<b>Half</b> of it, ", False)]

    last = press(buttons, "Retry")

    assert answers(first, retried, last) == ["The whole answer."]
    assert exchanges(shell) == [("The whole answer.", True)]


# -- the terminal: no panel, and nothing asked again by itself ----------------------------------------------------


def test_in_a_terminal_a_cut_off_answer_is_printed_once_with_its_note_and_not_asked_again(server, api_key):
    server.script(StreamDrop("The first half, "), Reply("never asked"))
    out, err = io.StringIO(), io.StringIO()

    answer = ChatSession().ask("Tell me a story", ChatRequest(model=MODEL), TerminalView("en", out=out, err=err))

    assert out.getvalue().count("The first half, ") == 1
    assert f"[{CUT_OFF}]" in out.getvalue()
    assert len(server.chat_requests()) == 1 and answer.failure.kind.kind == "stream_interrupted"
    assert err.getvalue() == ""  # no countdown: there was no retry


# -- the rule itself, without IPython (ask_again.py) ------------------------------------------------------


def test_a_retry_the_user_interrupts_with_less_text_leaves_the_earlier_answer_and_its_failure():
    from chatwithtech_magic import errors
    from chatwithtech_magic.conversation import Conversation, Exchange
    from chatwithtech_magic.ask_again import Retake
    from chatwithtech_magic.session import Answer

    cut = errors.Failure(errors.kind_named("stream_interrupted"))
    earlier = Answer("Q", text="A long first half, ", model=MODEL, failure=cut, notes=["a note"])
    conversation = Conversation(exchanges=[Exchange("Q", "A long first half, ", MODEL, complete=False)])
    retake = Retake.begin(conversation, "Q", earlier)
    assert conversation.exchanges == []  # not sent as history with the retry

    stopped = Answer("Q", text="A lo", model=MODEL, interrupted=True)
    conversation.add(Exchange("Q", "A lo", MODEL, complete=False))  # what the session remembers of it
    assert retake.choose(stopped) is True
    retake.restore_history(conversation)

    assert (stopped.text, stopped.interrupted, stopped.failure, stopped.notes) == ("A long first half, ", False, cut, ["a note"])
    assert [(e.answer, e.complete) for e in conversation.exchanges] == [("A long first half, ", False)]


def test_a_complete_retry_always_replaces_the_earlier_answer_even_a_shorter_one():
    from chatwithtech_magic.ask_again import Retake
    from chatwithtech_magic.session import Answer

    retake = Retake(Answer("Q", text="A long, rambling first half, "))
    done = Answer("Q", text="Short.", complete=True)

    assert retake.choose(done) is False and done.text == "Short."
