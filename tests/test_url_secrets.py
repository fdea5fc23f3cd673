"""A base URL's own secret (``user:password@``, ``?api-key=``) is used to send, and shown only as ``…``.

Every place that shows a base URL is checked with both kinds: ``%chat`` settings,
``%chatkey status``, an error panel and ``%chat error``, the key form's field and its
widget state. Harmless query parameters (Azure's ``api-version``) stay visible.
"""

from __future__ import annotations

import json

import pytest
from IPython.utils.capture import capture_output

from chatwithtech_magic.urls import mask_url
from chatwithtech_magic.urls import unmask_url
from tests.support.environment import TEST_KEY
from tests.support.openai_server import bad_request
from tests.test_errors import chat_error, closed_port, details, panel_bundle, panel_of, run, shown, widget_state
from tests.test_key_magic import everything_in, open_form

PASSWORD = "gw-pa55word-771"
GATEWAY_KEY = "GWKEY-0123456789abcdef"


def with_password(url: str) -> str:
    return url.replace("://", f"://gwuser:{PASSWORD}@", 1)


def with_key(url: str) -> str:
    return f"{url}?api-key={GATEWAY_KEY}&api-version=2024-10-21"


def secret_free(text: str) -> None:
    assert PASSWORD not in text and GATEWAY_KEY not in text and "gwuser" not in text and TEST_KEY not in text


@pytest.fixture
def sleeps(shell):
    recorded: list[float] = []
    shell.magics_manager.registry["ChatMagics"].session.sleep = recorded.append
    return recorded


# -- one function for "a URL as shown" -------------------------------------------------------------


@pytest.mark.parametrize(
    "url, seen",
    [
        ("https://user:password@gateway.example/v1", "https://…@gateway.example/v1"),
        ("https://gw.example/v1?api-key=XYZ", "https://gw.example/v1?api-key=…"),
        ("https://gw.example/v1?KEY=a&Token=b&access_token=c&sig=d&signature=e&password=f&secret=g&auth=h",
         "https://gw.example/v1?KEY=…&Token=…&access_token=…&sig=…&signature=…&password=…&secret=…&auth=…"),
        ("https://r.openai.azure.com/openai?api-version=2024-10-21&Api-Key=abc", "https://r.openai.azure.com/openai?api-version=2024-10-21&Api-Key=…"),
        ("https://token-as-user@gw.example/v1/", "https://…@gw.example/v1/"),
        ("user:pass@proxy.example:3128", "…@proxy.example:3128"),
        ("http://127.0.0.1:8000/v1", "http://127.0.0.1:8000/v1"),
        ("https://gw.example/v1?model=x&api-version=1", "https://gw.example/v1?model=x&api-version=1"),
    ],
)
def test_a_url_is_shown_with_its_userinfo_and_secret_query_values_masked_and_the_rest_as_written(url, seen):
    assert mask_url(url) == seen


def test_a_url_that_does_not_parse_is_still_shown_masked():
    assert mask_url("http://u:secret@[::1/v1?api-key=abc") == "http://…@[::1/v1?api-key=…"


def test_a_masked_url_edited_in_place_keeps_the_secrets_the_user_left_as_dots():
    original = f"https://gwuser:{PASSWORD}@gw.example/v1?api-key={GATEWAY_KEY}&api-version=1"
    assert unmask_url(mask_url(original), original) == original
    edited = "https://…@gw2.example/v1?api-key=…&api-version=2"
    assert unmask_url(edited, original) == f"https://gwuser:{PASSWORD}@gw2.example/v1?api-key={GATEWAY_KEY}&api-version=2"
    assert unmask_url("https://new:pw@gw3.example/v1", original) == "https://new:pw@gw3.example/v1"


# -- %chat settings and %chatkey status ------------------------------------------------------------


@pytest.mark.parametrize("secret_url, seen", [(with_password, "http://…@127.0.0.1"), (with_key, "?api-key=…&api-version=2024-10-21")])
def test_chat_settings_show_the_base_url_with_its_secret_masked(shell, server, api_key, secret_url, seen):
    shell.run_line_magic("config", f'ChatMagics.base_url = "{secret_url(server.base_url)}"')
    with capture_output() as cap:
        shell.run_line_magic("chat", "")
    settings = dict(line.split(None, 1) for line in cap.stdout.strip().splitlines())
    assert settings["base_url"] == mask_url(secret_url(server.base_url))
    assert seen in settings["base_url"]
    secret_free(everything_in(cap))


@pytest.mark.parametrize("secret_url, seen", [(with_password, "http://…@127.0.0.1"), (with_key, "?api-key=…&api-version=2024-10-21")])
def test_chatkey_status_shows_the_connections_base_url_with_its_secret_masked(shell, server, secret_url, seen):
    store = shell.magics_manager.registry["KeyMagics"].store
    store.save("gateway", "sk-gateway-key-00000000777", base_url=secret_url(server.base_url))
    with capture_output() as cap:
        shell.run_line_magic("chatkey", "status -c gateway")
    assert f"base_url: {mask_url(secret_url(server.base_url))}" in cap.stdout
    assert seen in cap.stdout
    secret_free(everything_in(cap))


# -- requests use the real URL ---------------------------------------------------------------------


def test_a_base_url_with_user_and_password_still_reaches_the_server_and_only_its_display_is_masked(shell, server, api_key):
    shell.run_line_magic("config", f'ChatMagics.base_url = "{with_password(server.base_url)}"')
    cap = run(shell, "%%chat -m gpt-4.1-mini\nHello")
    assert "Hello from the test server." in shown(cap)
    assert server.chat_requests()[-1].path == "/v1/chat/completions"
    # httpx sent the URL's userinfo (as Basic auth): the real URL was used, not the masked one.
    import base64

    assert server.chat_requests()[-1].headers["authorization"] == "Basic " + base64.b64encode(f"gwuser:{PASSWORD}".encode()).decode()
    secret_free(shown(cap))


@pytest.mark.parametrize("stream", ["", " --no-stream"])
def test_a_base_url_with_its_key_in_the_query_sends_that_query_with_each_request(shell, server, api_key, stream):
    shell.run_line_magic("config", f'ChatMagics.base_url = "{with_key(server.base_url)}"')
    cap = run(shell, f"%%chat -m gpt-4.1-mini{stream}\nHello")
    assert "Hello from the test server." in shown(cap)
    assert server.chat_requests()[-1].path == f"/v1/chat/completions?api-key={GATEWAY_KEY}&api-version=2024-10-21"
    secret_free(shown(cap))


def test_a_gateway_quoting_its_own_url_in_an_error_has_the_password_masked_in_the_panel_and_chat_error(shell, server, api_key):
    url = with_password(server.base_url)
    shell.run_line_magic("config", f'ChatMagics.base_url = "{url}"')
    server.script(bad_request(f"Gateway {url}/chat/completions refused the request (password {PASSWORD})"))
    cap = run(shell, "%%chat -m gpt-4.1-mini\nHello")
    bundle = panel_bundle(cap)
    secret_free(json.dumps(bundle, ensure_ascii=False))
    secret_free(chat_error(shell))
    assert "http://…@127.0.0.1" in details(shell)["message"]


# -- error panels and %chat error ------------------------------------------------------------------


@pytest.mark.parametrize("secret_url, seen", [(with_password, "http://…@127.0.0.1"), (with_key, "/v1?api-key=…&api-version=2024-10-21")])
def test_a_connection_failure_names_the_base_url_with_its_secret_masked_in_the_panel_and_chat_error(shell, server, api_key, sleeps, secret_url, seen):
    url = secret_url(f"http://127.0.0.1:{closed_port()}/v1")
    shell.run_line_magic("config", f'ChatMagics.base_url = "{url}"')
    cap = run(shell)

    text = panel_bundle(cap)["text/plain"]
    assert text.startswith(f"✖ Can't reach {mask_url(url)}") and seen in text
    secret_free(shown(cap))
    secret_free(widget_state(panel_of(cap).children[0]))
    facts = details(shell)
    assert facts["base_url"] == mask_url(url)
    secret_free(chat_error(shell))
    secret_free(repr(shell.magics_manager.registry["ChatMagics"].session.last_failure))


def test_pressing_retry_sends_to_the_real_url_not_the_masked_one(shell, server, api_key, sleeps):
    from tests.test_errors import click, output_bundles

    shell.run_line_magic("config", f'ChatMagics.base_url = "{with_password(f"http://127.0.0.1:{closed_port()}/v1")}"')
    panel = panel_of(run(shell, "%%chat -m gpt-4.1-mini\nStill there?"))
    shell.run_line_magic("config", f'ChatMagics.base_url = "{with_password(server.base_url)}"')
    click(panel, "Retry")
    assert output_bundles(panel)[-1]["text/markdown"].startswith("Hello from the test server.")
    assert server.chat_requests()[-1].headers["authorization"].startswith("Basic ")


def test_a_request_and_its_repr_never_show_the_base_url():
    from chatwithtech_magic.request import ChatRequest

    request = ChatRequest(base_url=with_password("https://gw.example/v1"))
    assert PASSWORD not in repr(request) and request.but(model="x").base_url == with_password("https://gw.example/v1")


# -- the key form ----------------------------------------------------------------------------------


def _stored(memory_keyring, connection: str = "openai") -> dict:
    return json.loads(memory_keyring.entries[("chatwithtech_magic", connection)])


def test_the_key_form_shows_the_stored_base_url_masked_and_saving_it_unchanged_keeps_the_real_one(shell, server, memory_keyring):
    import ipywidgets.embed

    real = with_key(with_password(server.base_url))
    shell.magics_manager.registry["KeyMagics"].store.save("openai", TEST_KEY, base_url=real)
    form, cap = open_form(shell)
    assert form.provider.value == "compatible"
    assert form.base_url.value == mask_url(real)
    assert "api-version=2024-10-21" in form.base_url.value
    state = json.dumps(ipywidgets.embed.embed_data(views=[form.widget])["manager_state"], ensure_ascii=False)
    secret_free(state)
    secret_free(everything_in(cap))

    form.org.value = "org-team"
    form.save_button.click()  # the field still holds the masked text

    assert _stored(memory_keyring)["base_url"] == real
    assert _stored(memory_keyring)["organization"] == "org-team"
    assert form.base_url.value == mask_url(real)


def test_a_new_base_url_typed_into_the_form_is_stored_and_its_password_leaves_widget_state_at_once(shell, server, memory_keyring):
    import ipywidgets.embed

    shell.magics_manager.registry["KeyMagics"].store.save("openai", TEST_KEY, base_url="http://old.example/v1")
    form, _ = open_form(shell)
    typed = with_password(server.base_url)
    form.base_url.value = typed  # what the browser sends when the field is left
    assert form.base_url.value == mask_url(typed)
    state = json.dumps(ipywidgets.embed.embed_data(views=[form.widget])["manager_state"], ensure_ascii=False)
    secret_free(state)

    form.save_button.click()

    assert _stored(memory_keyring)["base_url"] == typed
    assert "Connected" in form.result.value  # tested through the real URL
    secret_free(form.result.value + form.status.value)


def test_a_plain_base_url_typed_into_the_form_is_stored_as_typed(shell, server, memory_keyring):
    shell.magics_manager.registry["KeyMagics"].store.save("openai", TEST_KEY, base_url=with_password("http://old.example/v1"))
    form, _ = open_form(shell)
    form.base_url.value = server.base_url
    form.save_button.click()
    assert _stored(memory_keyring)["base_url"] == server.base_url
    assert form.base_url.value == server.base_url


def test_editing_only_the_host_of_a_masked_url_in_the_form_keeps_its_password(shell, server, memory_keyring):
    shell.magics_manager.registry["KeyMagics"].store.save("openai", TEST_KEY, base_url=with_password("http://old.example/v1"))
    form, _ = open_form(shell)
    form.base_url.value = form.base_url.value.replace("old.example", f"127.0.0.1:{server.port}")
    form.save_button.click()
    assert _stored(memory_keyring)["base_url"] == with_password(server.base_url)
    assert "…" not in _stored(memory_keyring)["base_url"]
