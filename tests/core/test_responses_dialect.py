"""wire/responses.py: the body it writes from a prompt, what it reads from events and whole responses; and the
seam's choice between the two APIs (wire/dialect.py, wire/endpoints.py)."""

from __future__ import annotations

import httpx
import openai
import pytest

from chatwithtech_magic import errors
from chatwithtech_magic.answer import Draft
from chatwithtech_magic.params import Compat, family
from chatwithtech_magic.prompt import Prompt, Turn, text
from chatwithtech_magic.request import ChatRequest
from chatwithtech_magic.stream import Throttle
from chatwithtech_magic.tokens import Figures
from chatwithtech_magic.wire import dialect, endpoints
from chatwithtech_magic.wire.chat_completions import CHAT
from chatwithtech_magic.wire.dialect import LENGTH, STOP
from chatwithtech_magic.wire.json_object import as_attributes
from chatwithtech_magic.wire.responses import RESPONSES
from tests.support import spec_check

ASKED = Prompt(text("Be brief."), ((Turn("user", text("Hi")), Turn("assistant", text("Hello!"))),), text("And now?"))
REQUEST = httpx.Request("POST", "http://127.0.0.1:1/v1/responses")


class Seen:
    def __init__(self):
        self.updates: list[str] = []
        self.thoughts: list[str] = []

    def update(self, text: str) -> None:
        self.updates.append(text)

    def think(self, text: str) -> None:
        self.thoughts.append(text)


def body_for(request: ChatRequest, compat: Compat | None = None) -> tuple[dict, list]:
    settings, notes = RESPONSES.settings(request, compat or family(request.model))
    return RESPONSES.body(ASKED, settings), notes


def failure(status, message, code=None) -> errors.Failure:
    return errors.Failure(errors.kind_named(errors.Kind.MODEL_NOT_FOUND), status=status, message=message, code=code)


# -- which API ------------------------------------------------------------------------------------


def test_a_responses_only_model_of_the_table_goes_to_responses_any_other_to_chat_completions():
    assert dialect.dialect_for(ChatRequest(model="gpt-5.5-pro")) is RESPONSES
    assert dialect.dialect_for(ChatRequest(model="openai/o3-pro-2025-06-10")) is RESPONSES  # prefixed and dated
    assert dialect.dialect_for(ChatRequest(model="gpt-4.1-mini")) is CHAT
    assert dialect.dialect_for(ChatRequest(model="llama3")) is CHAT  # unknown: Chat Completions, which every gateway speaks


def test_a_forced_api_wins_over_the_table_and_a_lesson_wins_over_auto():
    assert dialect.dialect_for(ChatRequest(model="gpt-5.5-pro", api="chat")) is CHAT
    assert dialect.dialect_for(ChatRequest(model="gpt-4.1-mini", api="responses")) is RESPONSES
    assert dialect.dialect_for(ChatRequest(model="llama3"), learned="responses") is RESPONSES
    assert dialect.dialect_for(ChatRequest(model="llama3", api="chat"), learned="responses") is CHAT


def test_the_refusals_that_mean_the_other_endpoint_are_told_from_a_missing_model():
    assert endpoints.wrong_endpoint(failure(404, "This model is only supported in v1/responses and not in v1/chat/completions."))
    assert endpoints.wrong_endpoint(failure(400, "not supported", code="unsupported_api_for_model"))
    assert not endpoints.wrong_endpoint(failure(404, "The model `gpt-9` does not exist or you do not have access to it.", "model_not_found"))
    assert not endpoints.wrong_endpoint(None)


def test_only_a_404_on_the_path_itself_means_a_server_without_responses():
    assert endpoints.path_missing(errors.Failure(errors.kind_named(errors.Kind.PATH_NOT_FOUND), status=404, message="Invalid URL (POST /v1/responses)"))
    assert not endpoints.path_missing(failure(404, "The model `gpt-7-pro-lab` does not exist or you do not have access to it.", "model_not_found"))


def test_the_model_table_lists_the_sdks_responses_only_models():
    from chatwithtech_magic.models import table

    only = table()["responses_only"]
    assert {"gpt-5.5-pro", "o3-pro", "gpt-5-codex", "gpt-5.1-codex-max", "o3-deep-research"} <= set(only)
    assert not set(only) & set(table()["models"])  # a model Chat Completions serves is not among them


# -- the request -------------------------------------------------------------------------------------


def test_the_body_is_stateless_the_system_prompt_as_instructions_and_nothing_stored():
    body, notes = body_for(ChatRequest(model="gpt-5.5-pro", max_tokens=300, reasoning_effort="high"))
    assert body["instructions"] == "Be brief."
    assert body["input"] == [
        {"role": "user", "content": "Hi"},
        {"role": "assistant", "content": "Hello!"},
        {"role": "user", "content": "And now?"},
    ]
    assert body["max_output_tokens"] == 300 and body["reasoning"] == {"effort": "high", "summary": "auto"}
    assert body["store"] is False and "background" not in body and "temperature" not in body and notes == []
    assert RESPONSES.max_tokens(body) == 300


@pytest.mark.parametrize("model", ["gpt-5.5-pro", "gpt-4.1-mini", "a-gateway-model"])
def test_the_body_for_every_family_is_one_the_openapi_spec_accepts(model):
    body, _ = body_for(ChatRequest(model=model, max_tokens=100, reasoning_effort="low", store=True))
    assert spec_check.violations("/responses", body) == []


def test_a_classic_model_gets_the_default_temperature_and_no_reasoning():
    body, _ = body_for(ChatRequest(model="gpt-4.1-mini"))
    assert body["temperature"] == 0.3 and "reasoning" not in body


def test_a_cap_below_the_apis_least_is_raised_to_it_with_a_note():
    body, notes = body_for(ChatRequest(model="gpt-5.5-pro", max_tokens=5))
    assert body["max_output_tokens"] == 16
    assert [note.en for note in notes] == ["max tokens 5 is below the Responses API's least (16): 16 was sent"]


def test_provenance_names_the_api_and_only_plain_known_settings():
    settings = {"model": "m", "stream": True, "store": False, "reasoning": {"effort": "low", "summary": "auto"}, "extra_headers": {"a": "b"}}
    assert RESPONSES.plain_settings(settings) == {"api": "responses", "model": "m", "stream": True, "store": False,
                                                  "reasoning_effort": "low", "reasoning_summary": "auto"}


# -- the answer --------------------------------------------------------------------------------------


def event(kind: str, **fields) -> dict:
    return {"type": kind, **fields}


def ending(kind="response.completed", status="completed", **extra) -> dict:
    usage = {"input_tokens": 9, "input_tokens_details": {"cached_tokens": 4}, "output_tokens": 30,
             "output_tokens_details": {"reasoning_tokens": 20}, "total_tokens": 39}
    return event(kind, response={"id": "resp_1", "model": "gpt-5.5-pro-2026", "status": status, "usage": usage, "output": [], **extra})


def test_stream_events_fill_the_draft_in_any_order_and_the_ending_ends_it():
    draft, view = Draft(), Seen()
    events = [
        event("response.reasoning_summary_text.delta", item_id="rs", summary_index=0, delta="First. "),  # no part.added first
        event("response.created", response={"id": "resp_1", "model": "gpt-5.5-pro"}),
        event("response.reasoning_summary_text.delta", item_id="rs", summary_index=1, delta="Second."),
        event("response.output_text.delta", delta="Hel"),
        event("response.something.new", delta="ignored"),
        event("response.output_text.delta", delta="lo"),
        event("response.refusal.delta", delta="No."),
    ]
    assert not any(RESPONSES.apply(e, draft, view, Throttle(0)) for e in events)
    assert RESPONSES.apply(ending(), draft, view, Throttle(0)) is True

    assert (draft.text, draft.thinking, draft.refusal) == ("Hello", "First. \n\nSecond.", "No.")
    assert (draft.reason, draft.model, draft.response_id) == ("completed", "gpt-5.5-pro-2026", "resp_1")
    assert view.updates[-1] == "Hello" and view.thoughts
    assert RESPONSES.figures(draft.usage) == Figures(prompt=9, completion=30, cached=4, reasoning=20)
    assert RESPONSES.ended(draft.reason) == STOP


def test_an_incomplete_response_keeps_the_text_and_says_it_hit_the_limit():
    draft = Draft()
    RESPONSES.apply(event("response.output_text.delta", delta="Cut"), draft, Seen(), Throttle(0))
    RESPONSES.apply(ending("response.incomplete", "incomplete", incomplete_details={"reason": "max_output_tokens"}), draft, Seen(), Throttle(0))
    assert draft.text == "Cut" and RESPONSES.ended(draft.reason) == LENGTH


@pytest.mark.parametrize("failed", [
    ending("response.failed", "failed", error={"code": "server_error", "message": "The server had an error"}),
    event("error", code="server_error", message="The server had an error", param=None),
])
def test_a_failed_response_or_an_error_event_is_an_api_error_with_the_servers_message_and_code(failed):
    draft = Draft()
    RESPONSES.apply(event("response.output_text.delta", delta="Half"), draft, Seen(), Throttle(0))
    with pytest.raises(openai.APIError, match="The server had an error") as raised:
        RESPONSES.apply(failed, draft, Seen(), Throttle(0), REQUEST)
    assert raised.value.code == "server_error" and draft.text == "Half"


def test_events_of_the_wrong_shape_are_no_text_and_no_crash():
    draft = Draft()
    for bad in (None, {}, {"type": 5}, event("response.output_text.delta", delta=7), event("response.completed", response="x"),
                event("response.reasoning_summary_text.delta"), event("response.refusal.delta", delta=None)):
        RESPONSES.apply(bad, draft, Seen(), Throttle(0))
    assert (draft.text, draft.thinking, draft.usage) == ("", "", None)


def test_a_whole_response_is_read_from_its_output_text_and_summary():
    draft = Draft()
    whole = {"id": "resp_2", "model": "gpt-5.5-pro", "status": "completed", "usage": {"input_tokens": 5, "output_tokens": 2},
             "output": [{"type": "reasoning", "summary": [{"type": "summary_text", "text": "Thought."}]},
                        {"type": "message", "content": [{"type": "output_text", "text": "Whole "}, {"type": "output_text", "text": "answer."}]}]}
    RESPONSES.take_whole(as_attributes(whole), draft)
    assert (draft.text, draft.thinking, draft.reason, draft.response_id) == ("Whole answer.", "Thought.", "completed", "resp_2")
    assert RESPONSES.figures(draft.usage) == Figures(prompt=5, completion=2)


def test_a_whole_body_without_output_is_not_an_answer():
    from chatwithtech_magic.faults import NotAnAnswer

    with pytest.raises(NotAnAnswer):
        RESPONSES.take_whole(as_attributes({"choices": []}), Draft())
    with pytest.raises(NotAnAnswer):
        RESPONSES.take_whole("<html>portal</html>", Draft())


def test_a_refused_temperature_is_dropped_once_with_a_note():
    body, _ = body_for(ChatRequest(model="gpt-4.1-mini"))
    refused = errors.Failure(errors.kind_named(errors.Kind.REQUEST_REFUSED), status=400, code="unsupported_value", param="temperature",
                             message="Unsupported value: 'temperature' does not support 0.3 with this model.")
    step = RESPONSES.adapt(refused, {k: v for k, v in body.items() if k not in ("input", "instructions")}, ChatRequest(model="gpt-4.1-mini"), family("gpt-4.1-mini"))
    settings, _changes, notes, param = step
    assert param == "temperature" and "temperature" not in settings and notes
