"""Issue 18, panels and wording: prices that stay prices, base URLs that say what is wrong, and plain English.

Every test runs the magics in an IPython shell against the loopback server, as a user would.
"""

from __future__ import annotations

import re

import pytest
from IPython.utils.capture import capture_output

from chatwithtech_magic.render.safe import NO_MATH
from tests.support.environment import TEST_KEY
from tests.support.magics import chat, chat_line
from tests.support.openai_server import DEFAULT_MODELS, Error, invalid_api_key, no_organization, rate_limit

def magics(shell):
    return shell.magics_manager.registry["ChatMagics"]


def html_outputs(cap) -> list[str]:
    return [o.data["text/html"] for o in cap.outputs if "text/html" in o.data]


def panel_text(cap) -> str:
    [text] = [o.data["text/plain"] for o in cap.outputs if 'class="chatwithtech-error"' in o.data.get("text/html", "")][-1:]
    return text


def inside_no_math(markup: str) -> bool:
    """The whole HTML sits in one element MathJax leaves alone (JupyterLab typesets $…$ in HTML too)."""
    return markup.startswith(f'<div class="{NO_MATH}">') and markup.endswith("</div>")


# -- 13. "$" in HTML is never typeset as math -------------------------------------------------------


def test_a_budget_panel_with_two_prices_is_html_that_mathjax_leaves_alone(shell, server, api_key):
    shell.run_line_magic("config", "ChatMagics.budget = 0.000001")
    cap = chat(shell, "--max-tokens 1000", "Hello")
    [markup] = [h for h in html_outputs(cap) if "chatwithtech-error" in h]
    assert markup.count("$") >= 2
    assert inside_no_math(markup)
    assert server.chat_requests() == []


def test_every_html_the_key_form_shows_is_in_an_element_mathjax_leaves_alone(shell, server, memory_keyring):
    from tests.test_key_magic import open_form

    form, cap = open_form(shell)
    assert all(inside_no_math(h) for h in html_outputs(cap))  # the intro and the fallback
    assert inside_no_math(form.status.value)
    server.valid_keys = {TEST_KEY}
    form.key.value = "sk-wrong-0000000000000000"
    form.save_button.click()
    assert "chatwithtech-error" in form.result.value and inside_no_math(form.result.value)
    form.key.value = TEST_KEY
    form.save_button.click()
    assert inside_no_math(form.result.value) and "Connected" in form.result.value


def test_the_form_names_its_connection_once_under_its_intro(shell):
    from tests.test_key_magic import open_form

    form, cap = open_form(shell, "-c gateway")
    intro = cap.outputs[0].data["text/plain"]
    assert "OpenAI connection 'gateway'" in intro
    assert not any("OpenAI connection" in getattr(child, "value", "") for child in form.widget.children)


# -- 14. a base URL without http:// -----------------------------------------------------------------


def test_a_base_url_without_a_scheme_in_config_is_refused_with_the_url_to_write(shell):
    with capture_output() as cap:
        shell.run_line_magic("config", 'ChatMagics.base_url = "localhost:11434/v1"')
    assert "does not start with http:// or https://" in cap.stdout
    assert "write http://localhost:11434/v1" in cap.stdout
    assert magics(shell).base_url == ""


def test_a_remote_base_url_without_a_scheme_is_told_to_use_https(shell):
    with capture_output() as cap:
        shell.run_line_magic("config", 'ChatMagics.base_url = "gateway.example.com/v1"')
    assert "write https://gateway.example.com/v1" in cap.stdout


def test_openai_base_url_without_a_scheme_is_a_panel_that_says_so_before_any_request(shell, server, api_key, monkeypatch):
    monkeypatch.setenv("OPENAI_BASE_URL", "localhost:11434/v1")
    cap = chat(shell)
    text = panel_text(cap)
    assert text.startswith("✖ The base URL localhost:11434/v1 does not start with http:// or https://")
    assert "OPENAI_BASE_URL" in text and "http://localhost:11434/v1" in text
    assert "retried" not in text and "network" not in text
    assert server.requests == []


def test_a_connection_saved_with_a_base_url_without_a_scheme_names_the_connection(shell, server, memory_keyring):
    store = magics(shell).session.credentials
    store.save("local", TEST_KEY, base_url="127.0.0.1:8000/v1")  # saved before this check existed
    cap = chat(shell, "-c local")
    text = panel_text(cap)
    assert "connection 'local'" in text and "http://127.0.0.1:8000/v1" in text
    assert server.requests == []


def test_chatkey_set_refuses_a_base_url_without_a_scheme_before_asking_for_the_key(shell, monkeypatch, memory_keyring):
    asked = []
    monkeypatch.setattr("getpass.getpass", lambda prompt: asked.append(prompt) or TEST_KEY)
    with capture_output() as cap:
        shell.run_line_magic("chatkey", "set -c local --base-url localhost:11434/v1")
    assert "http://localhost:11434/v1" in cap.stdout and "Nothing was changed." in cap.stdout
    assert asked == [] and memory_keyring.entries == {}


def test_the_key_form_refuses_a_base_url_without_a_scheme_and_saves_nothing(shell, server, memory_keyring):
    from tests.test_key_magic import open_form

    form, _ = open_form(shell, "-c local")
    form.provider.value = "compatible"
    form.base_url.value = "localhost:11434/v1"
    form.key.value = TEST_KEY
    form.save_button.click()
    assert "write http://localhost:11434/v1" in form.result.value and "Nothing was saved." in form.result.value
    assert memory_keyring.entries == {} and server.requests == []


# -- 15. a 404 on the path itself -------------------------------------------------------------------


@pytest.mark.parametrize("suffix", ["/v1", ""], ids=["doubled /v1", "missing /v1"])
def test_a_404_on_the_path_names_the_base_url_and_quotes_the_servers_detail(shell, server, monkeypatch, suffix):
    server.unknown_path = "fastapi"
    root = server.base_url[: -len("/v1")]
    monkeypatch.setenv("OPENAI_API_KEY", TEST_KEY)
    monkeypatch.setenv("OPENAI_BASE_URL", root + suffix + ("/v1" if suffix else ""))
    cap = chat(shell)
    text = panel_text(cap)
    base = root + suffix + ("/v1" if suffix else "")
    assert text.startswith("✖ Nothing at /")
    assert base in text and "Not Found" in text and "/v1" in text
    assert "Check the cell's options" not in text
    assert len(server.requests) == 1  # the default model is not "fallen back" from: the path is wrong, not the model


def test_openais_invalid_url_404_is_a_wrong_base_url_too(shell, server, monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", TEST_KEY)
    monkeypatch.setenv("OPENAI_BASE_URL", server.base_url + "/v1")
    server.script()  # the default server answers an unknown path as the API does: "Invalid URL"
    server.unknown_path = "fastapi"
    text = panel_text(chat(shell))
    assert "Nothing at /v1/v1/chat/completions" in text


def test_chatkey_test_against_a_wrong_path_says_which_base_url(shell, server, monkeypatch):
    server.unknown_path = "fastapi"
    monkeypatch.setenv("OPENAI_API_KEY", TEST_KEY)
    monkeypatch.setenv("OPENAI_BASE_URL", server.base_url + "/v1")
    with capture_output() as cap:
        shell.run_line_magic("chatkey", "test")
    text = panel_text(cap)
    assert "/v1/v1/models" in text and "Not Found" in text


# -- 16. -s with --new on a cell that fails -------------------------------------------------------


def test_a_new_conversation_keeps_its_system_prompt_when_its_first_cell_fails(shell, server, api_key):
    chat(shell, "", "An earlier question")
    server.script(Error(400, {"message": "Bad request.", "type": "invalid_request_error"}))
    chat(shell, '-s "Answer in French." --new', "Hello")
    assert magics(shell).session.conversation.exchanges == []
    chat(shell, "", "Again")
    messages = server.chat_requests()[-1].body["messages"]
    assert messages[0] == {"role": "system", "content": "Answer in French."}
    assert [m["content"] for m in messages if m["role"] == "user"] == ["Again"]


# -- 17. wording ----------------------------------------------------------------------------------


def test_one_exchange_is_said_in_the_singular_in_both_languages(shell, server, api_key):
    chat(shell, "", "Hello")
    assert re.search(r"conversation\s+1 exchange$", chat_line(shell, "").stdout, re.MULTILINE)
    assert "Conversation forgotten (1 exchange)." in chat_line(shell, "reset").stdout
    chat(shell, "", "Hello")
    shell.run_line_magic("config", 'ChatMagics.language = "zh"')
    assert "已清除对话（1 轮）。" in chat_line(shell, "reset").stdout


def test_a_failure_that_was_not_retried_says_so_instead_of_retried_0_times(shell, server, api_key):
    shell.run_line_magic("config", "ChatMagics.retries = 0")
    server.script(rate_limit())
    text = panel_text(chat(shell))
    assert "It was not retried." in text and "0 times" not in text


def test_a_failure_retried_once_says_once(shell, server, api_key):
    shell.run_line_magic("config", "ChatMagics.retries = 1")
    magics(shell).session.sleep = lambda seconds: None
    server.script(rate_limit(), rate_limit())
    assert "It was retried once, after" in panel_text(chat(shell))


def test_the_form_and_chat_models_count_the_same_chat_models(shell, server, api_key):
    listed = chat_line(shell, "models").outputs[-1].data["text/plain"]
    chat_count = int(re.search(r"Chat models for connection 'openai' \((\d+)\)", listed).group(1))
    with capture_output() as cap:
        shell.run_line_magic("chatkey", "test")
    assert f"Connected: {chat_count} chat models (and {len(DEFAULT_MODELS) - chat_count} models not for chat)." in cap.stdout


def test_an_organization_error_with_no_organization_set_does_not_name_a_dash(shell, server, api_key):
    server.script(no_organization())
    text = panel_text(chat(shell))
    assert "organization —" not in text
    assert "no organization ID is set here" in text


def test_a_mistyped_command_gets_did_you_mean(shell):
    with capture_output() as cap:
        shell.run_cell("%chat modles")
    assert "%chat has no command 'modles' (did you mean models?)" in cap.stdout + cap.stderr


def test_settings_do_not_show_a_temperature_the_default_reasoning_model_is_not_sent(shell, server, api_key):
    shown = chat_line(shell, "").stdout
    assert re.search(r"temperature\s+model default \(none is sent to gpt-6-luna\)", shown)
    chat(shell)
    assert "temperature" not in server.chat_requests()[-1].body
    shell.run_line_magic("config", 'ChatMagics.model = "gpt-4o"')
    assert re.search(r"temperature\s+0\.3$", chat_line(shell, "").stdout, re.MULTILINE)


def test_a_terminal_prompt_for_a_first_key_does_not_promise_to_keep_a_current_one(shell, monkeypatch, memory_keyring):
    prompts = []
    monkeypatch.setattr("getpass.getpass", lambda prompt: prompts.append(prompt) or TEST_KEY)
    monkeypatch.setattr("builtins.input", lambda prompt: "")
    with capture_output():
        shell.run_line_magic("chatkey", "set")
        shell.run_line_magic("chatkey", "set")
    assert "Enter keeps" not in prompts[0]
    assert "Enter keeps the current one" in prompts[1]


def test_a_rejected_key_in_the_form_still_reads_as_a_panel(shell, server, memory_keyring):
    from tests.test_key_magic import open_form

    server.script_models(invalid_api_key(TEST_KEY))
    form, _ = open_form(shell)
    form.key.value = TEST_KEY
    form.save_button.click()
    assert "The API key was rejected" in form.result.value
