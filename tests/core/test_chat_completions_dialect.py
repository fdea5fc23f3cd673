"""wire/chat_completions.py: the body it writes from a prompt, what it reads from events and whole answers."""

from __future__ import annotations

import openai
import pytest

from chatwithtech_magic import errors, faults
from chatwithtech_magic.answer import Draft
from chatwithtech_magic.params import Compat, family
from chatwithtech_magic.prompt import Prompt, Turn, text
from chatwithtech_magic.request import ChatRequest
from chatwithtech_magic.stream import Throttle
from chatwithtech_magic.tokens import Figures
from chatwithtech_magic.wire import dialect
from chatwithtech_magic.wire.chat_completions import CHAT, messages, prompt_of
from chatwithtech_magic.wire.json_object import as_attributes
from tests.support import spec_check

ASKED = Prompt(text("Be brief."), ((Turn("user", text("Hi")), Turn("assistant", text("Hello!"))),), text("And now?"))


class Seen:
    def __init__(self):
        self.updates: list[str] = []

    def update(self, text: str) -> None:
        self.updates.append(text)


def body_for(request: ChatRequest, compat: Compat | None = None) -> tuple[dict, list]:
    settings, notes = CHAT.settings(request, compat or family(request.model))
    return CHAT.body(ASKED, settings), notes


def test_every_request_is_chat_completions_for_now():
    assert dialect.dialect_for(ChatRequest()) is CHAT and CHAT.path == "/chat/completions"


def test_the_body_holds_the_prompt_as_messages_a_lone_text_as_a_plain_string():
    body, _ = body_for(ChatRequest(model="gpt-4.1-mini"))
    assert body["messages"] == [
        {"role": "system", "content": "Be brief."},
        {"role": "user", "content": "Hi"},
        {"role": "assistant", "content": "Hello!"},
        {"role": "user", "content": "And now?"},
    ]
    assert prompt_of(body["messages"]) == ASKED  # read back, the same prompt


@pytest.mark.parametrize("model", ["gpt-4.1-mini", "o4-mini", "a-gateway-model"])
def test_the_body_for_every_family_is_one_the_openapi_spec_accepts(model):
    body, _ = body_for(ChatRequest(model=model, max_tokens=100, temperature=None, reasoning_effort="low"))
    assert spec_check.violations("/chat/completions", body) == []


def test_a_classic_model_gets_the_default_temperature_max_tokens_and_usage_in_the_stream():
    body, notes = body_for(ChatRequest(model="gpt-4.1-mini", max_tokens=50))
    assert (body["temperature"], body["max_tokens"], body["stream_options"]) == (0.3, 50, {"include_usage": True})
    assert "max_completion_tokens" not in body and notes == []


def test_a_reasoning_model_gets_its_own_max_tokens_name_and_no_default_temperature():
    body, _ = body_for(ChatRequest(model="o4-mini", max_tokens=300))
    assert body["max_completion_tokens"] == 300 and "max_tokens" not in body and "temperature" not in body
    assert CHAT.max_tokens(body) == 300


def test_a_setting_the_model_does_not_take_is_left_out_with_a_note():
    body, notes = body_for(ChatRequest(model="gpt-4.1-mini", reasoning_effort="high"), Compat(reasoning_effort=False))
    assert "reasoning_effort" not in body
    assert [note.en for note in notes] == ["reasoning effort high ignored: gpt-4.1-mini does not take it"]


def test_provenance_keeps_only_plain_known_settings():
    settings = {"model": "m", "stream": True, "stream_options": {"include_usage": True}, "extra_headers": {"a": "b"}}
    assert CHAT.plain_settings(settings) == {"model": "m", "stream": True, "stream_usage": True}


def chunk(**delta) -> dict:
    return {"choices": [{"index": 0, "delta": delta, "finish_reason": None}]}


def test_stream_events_fill_the_draft_text_thinking_refusal_tool_calls_and_the_reason():
    draft, view = Draft(), Seen()
    events = [
        chunk(reasoning_content="Let me see. "),
        chunk(content="Hel"),
        chunk(content="lo"),
        chunk(refusal="No."),
        chunk(tool_calls=[{"index": 0, "function": {"name": "f"}}]),
        {"choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}], "model": "gpt-4.1-mini-2025"},
        {"choices": [], "usage": {"prompt_tokens": 9, "completion_tokens": 3, "prompt_tokens_details": {"cached_tokens": 4}}},
    ]
    for event in events:
        CHAT.apply(event, draft, view, Throttle(0))

    assert (draft.text, draft.thinking, draft.refusal, draft.reason, draft.model) == ("Hello", "Let me see. ", "No.", "stop", "gpt-4.1-mini-2025")
    assert draft.tool_calls[0].function.name == "f" and view.updates[-1] == "Hello"
    assert CHAT.figures(draft.usage) == Figures(prompt=9, completion=3, cached=4)


def test_an_error_event_is_an_api_error_with_the_servers_message():
    import httpx

    request = httpx.Request("POST", "http://127.0.0.1:1/v1/chat/completions")
    with pytest.raises(openai.APIError, match="overloaded") as raised:
        CHAT.apply({"error": {"message": "overloaded"}}, Draft(), Seen(), Throttle(0), request)
    assert raised.value.body == {"message": "overloaded"}


def test_events_of_the_wrong_shape_are_no_text_and_no_crash():
    draft = Draft()
    for event in ({"choices": "x"}, {"choices": [None, {"delta": "x"}]}, {"usage": 5}, None, {}):
        CHAT.apply(event, draft, Seen(), Throttle(0))
    assert (draft.text, draft.usage, draft.reason) == ("", None, None)


def test_a_whole_answer_is_read_like_a_stream():
    draft = Draft()
    whole = {"model": "m", "choices": [{"message": {"content": "<think>Hmm.</think>Yes.", "refusal": None}, "finish_reason": "length"}],
             "usage": {"prompt_tokens": 5, "completion_tokens": 7, "completion_tokens_details": {"reasoning_tokens": 2}}}
    CHAT.take_whole(as_attributes(whole), draft)
    draft.flush()
    assert (draft.text, draft.thinking, draft.reason, draft.model) == ("Yes.", "Hmm.", "length", "m")
    assert CHAT.figures(draft.usage) == Figures(prompt=5, completion=7, reasoning=2)


@pytest.mark.parametrize("value", ["<html>Sign in to the Wi-Fi</html>", as_attributes({"object": "list", "data": []})])
def test_a_whole_answer_that_is_not_one_says_so(value):
    with pytest.raises(faults.NotAnAnswer):
        CHAT.take_whole(value, Draft())


def test_usage_without_counts_is_no_figures_and_a_recorded_dict_reads_the_same():
    assert CHAT.figures(None) is None and CHAT.figures({"total_tokens": 3}) is None
    assert CHAT.figures({"prompt_tokens": "7", "completion_tokens": -1}) == Figures(prompt=7, completion=0)


def test_why_an_answer_ended_in_the_dialects_common_words():
    assert [CHAT.ended(r) for r in ("stop", "length", "content_filter", "tool_calls", None)] == [
        dialect.STOP, dialect.LENGTH, dialect.CONTENT_FILTER, dialect.FAILED, None]


def refusal(message: str, param: str | None = None, code: str | None = None) -> errors.Failure:
    return errors.Failure(errors.kind_named("parameter_refused"), status=400, message=message, param=param, code=code)


def test_a_refused_max_tokens_is_renamed_once_and_the_lesson_names_the_style_not_the_wire():
    request = ChatRequest(model="local/qwen3", max_tokens=100)
    settings, _ = CHAT.settings(request, Compat(cap="completion"))
    step = CHAT.adapt(refusal("Unrecognized request argument supplied: max_completion_tokens"), settings, request, Compat(cap="completion"))

    adapted, changes, notes, param = step
    assert param == "max_completion_tokens" and adapted["max_tokens"] == 100 and "max_completion_tokens" not in adapted
    assert changes == {"cap": "plain"} and "sent as max_tokens" in notes[0].en
    assert CHAT.group(param) == CHAT.group("max_tokens")


def test_a_refusal_about_something_else_is_not_adapted():
    settings, _ = CHAT.settings(ChatRequest(model="gpt-4.1-mini", temperature=5.0), Compat())
    assert CHAT.adapt(refusal("temperature must be at most 2"), settings, ChatRequest(), Compat()) is None
    assert CHAT.refused(refusal("Unsupported parameter: 'stream_options'"), {"stream_options": {}}) == "stream_options"
    assert CHAT.endpoint_wide("stream_options") and not CHAT.endpoint_wide("temperature")


def test_the_messages_of_a_prompt_without_a_system_prompt_start_with_the_first_exchange():
    assert [m["role"] for m in messages(Prompt((), (), text("Hi")))] == ["user"]


def test_an_answer_cut_at_the_max_tokens_says_so_from_the_common_word_not_the_wires():
    from chatwithtech_magic.answer import Answer

    assert Answer("Q", finish_reason="length", ended=CHAT.ended("length")).truncated_note() == "stopped at the max tokens limit"
    assert Answer("Q", finish_reason="stop", ended=CHAT.ended("stop")).truncated_note() is None
