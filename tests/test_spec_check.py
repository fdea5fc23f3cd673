"""The loopback server holds every request body to OpenAI's official OpenAPI spec.

A body the real API would refuse (a wrong type, a value out of range, a parameter that
belongs to another endpoint) is answered with the API's 400 and recorded, and the test that
sent it fails (tests/conftest.py), so the package can't pass its tests by sending what
OpenAI would refuse.
"""

from __future__ import annotations

import openai
import pytest

from tests.support import spec_check
from tests.support.environment import TEST_KEY

CHAT = {"model": "gpt-4.1-mini", "messages": [{"role": "user", "content": "What is a list comprehension?"}]}


def test_a_plain_chat_body_is_valid():
    assert spec_check.violations("/chat/completions", CHAT) == []


def test_a_streamed_chat_body_with_history_and_a_system_message_is_valid():
    body = {
        "model": "gpt-4o",
        "messages": [
            {"role": "system", "content": "Answer briefly."},
            {"role": "user", "content": "Hi"},
            {"role": "assistant", "content": "Hello!"},
            {"role": "user", "content": "And now?"},
        ],
        "stream": True,
        "stream_options": {"include_usage": True},
        "temperature": 0.3,
        "max_completion_tokens": None,  # `nullable: true` in the spec: the API takes null there
    }

    assert spec_check.violations("/v1/chat/completions", body) == []


def test_a_message_with_an_image_part_is_valid():
    body = {**CHAT, "messages": [{"role": "user", "content": [
        {"type": "text", "text": "What is in this picture?"},
        {"type": "image_url", "image_url": {"url": "data:image/png;base64,iVBORw0KGgo=", "detail": "low"}},
    ]}]}

    assert spec_check.violations("/chat/completions", body) == []


def test_a_numeric_model_and_a_temperature_of_5_are_two_violations_each_naming_its_parameter():
    found = spec_check.violations("/chat/completions", {**CHAT, "model": 5, "temperature": 5})

    assert found == ["$.model: 5 is not of type 'string'", "$.temperature: 5 is greater than the maximum of 2"]


def test_a_misspelled_role_lists_the_roles_there_are():
    body = {**CHAT, "messages": [{"role": "usr", "content": "Hi"}]}

    [line] = spec_check.violations("/chat/completions", body)

    assert line.startswith("$.messages[0].role: 'usr' is not one of [")
    assert "'user'" in line and "'assistant'" in line


def test_a_parameter_of_another_endpoint_is_an_unknown_parameter():
    body = {"model": "gpt-4.1-mini", "input": "Hi", "max_tokens": 100}

    assert spec_check.violations("/responses", body) == ["$: unknown parameter 'max_tokens'"]


def test_a_responses_body_with_instructions_store_and_reasoning_is_valid():
    body = {"model": "gpt-5-mini", "input": "Hi", "instructions": "Answer briefly.", "store": False,
            "max_output_tokens": 400, "reasoning": {"effort": "low"}}

    assert spec_check.violations("/responses", body) == []


def test_an_exempt_parameter_is_not_reported():
    body = {**CHAT, "temperature": "hot", "top_k": 40}

    assert spec_check.violations("/chat/completions", body, exempt={"temperature", "top_k"}) == []


def test_an_endpoint_without_a_schema_is_named_in_the_error():
    with pytest.raises(ValueError, match="/embeddings"):
        spec_check.violations("/v1/embeddings", {"model": "text-embedding-3-small", "input": "Hi"})


def test_the_sdk_gets_the_apis_400_for_a_body_the_spec_refuses_and_the_server_records_it(server):
    with openai.OpenAI(api_key=TEST_KEY, base_url=server.base_url, max_retries=0) as client:
        with pytest.raises(openai.BadRequestError) as caught:
            client.chat.completions.create(**CHAT, extra_body={"temperature": "hot"})

    assert caught.value.status_code == 400
    assert caught.value.body["type"] == "invalid_request_error"
    assert caught.value.body["param"] == "temperature"
    assert "'hot' is not of type 'number'" in caught.value.message
    assert server.spec_violations == [
        "POST /v1/chat/completions: $.temperature: 'hot' is not of type 'number' or 'null'"
    ]
    assert server.pending() == 0 and len(server.chat_requests()) == 1
    server.spec_violations.clear()  # seen: this test sent it on purpose (else the fixture fails the test)


def test_an_unknown_parameter_is_refused_as_the_api_refuses_it(server):
    with openai.OpenAI(api_key=TEST_KEY, base_url=server.base_url, max_retries=0) as client:
        with pytest.raises(openai.BadRequestError) as caught:
            client.chat.completions.create(**CHAT, extra_body={"max_output_tokens": 100})

    assert caught.value.body == {"message": "Unrecognized request argument supplied: max_output_tokens",
                                 "type": "invalid_request_error", "param": None, "code": None}
    assert server.spec_violations == ["POST /v1/chat/completions: $: unknown parameter 'max_output_tokens'"]
    server.spec_violations.clear()


def test_a_test_can_exempt_a_parameter_it_sends_off_spec_on_purpose(server):
    server.spec_exempt = {"top_k"}  # a gateway-only sampling parameter
    with openai.OpenAI(api_key=TEST_KEY, base_url=server.base_url, max_retries=0) as client:
        answer = client.chat.completions.create(**CHAT, extra_body={"top_k": 40})

    assert answer.choices[0].message.content
    assert server.spec_violations == []


def test_every_request_the_server_answered_was_checked(server):
    before = spec_check.stats["checked"]
    with openai.OpenAI(api_key=TEST_KEY, base_url=server.base_url, max_retries=0) as client:
        client.chat.completions.create(**CHAT)
        client.models.list()  # no body: nothing to check

    assert spec_check.stats["checked"] == before + 1


def test_a_responses_message_with_text_and_image_parts_passes_though_two_of_the_specs_branches_match_it():
    body = {
        "model": "gpt-4.1-mini",
        "input": [{"role": "user", "content": [
            {"type": "input_text", "text": "What does this plot show?"},
            {"type": "input_image", "image_url": "data:image/png;base64,AAAA", "detail": "auto"},
        ]}],
    }
    assert spec_check.violations("/responses", body) == []
    body["input"][0]["content"][1]["detail"] = "sharp"  # a value no branch takes is still refused
    assert spec_check.violations("/responses", body) != []
