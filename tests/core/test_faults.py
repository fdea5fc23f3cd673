"""faults.py: what is not an ``openai.APIError`` still reaches the user as a catalog failure, never a
traceback; what can be checked before sending (header characters, lone surrogates) is checked first."""

from __future__ import annotations

import json
import socket
from dataclasses import dataclass, field
from types import SimpleNamespace

import pytest

from chatwithtech_magic import errors, faults


@dataclass
class Page:
    """What ``model_ids`` reads of a raw ``/models`` response: its status, headers and body."""

    text: str
    status_code: int = 200
    headers: dict = field(default_factory=lambda: {"content-type": "application/json"})

    def json(self):
        return json.loads(self.text)


def Credentials(api_key: str, organization: str | None = None, project: str | None = None):
    """The IDs ``header_problem`` reads (credentials.py is being reorganized; this reads the same fields)."""
    return SimpleNamespace(api_key=api_key, organization=organization, project=project)


# -- before sending -------------------------------------------------------------------------


def test_a_lone_surrogate_in_a_prompt_becomes_a_replacement_character_instead_of_an_encoding_error():
    broken = b"caf\xe9 ok".decode("utf-8", "surrogateescape")
    cleaned = faults.clean_text(broken)
    assert cleaned == "caf\ufffd ok"
    cleaned.encode("utf-8")


@pytest.mark.parametrize("text", ["plain", "中文 and emoji 🎉", "", None])
def test_text_that_encodes_is_left_exactly_as_it_is(text):
    assert faults.clean_text(text) == text


def test_an_organization_id_with_an_accent_is_named_with_its_code_point():
    assert faults.header_problem(Credentials("sk-test", organization="org-é")) == ("organization", "U+00E9")


def test_a_project_id_with_a_line_break_inside_is_named_too():
    assert faults.header_problem(Credentials("sk-test", project="proj_1\nx")) == ("project", "U+000A")


def test_ids_that_fit_in_a_header_and_ones_not_set_are_no_problem():
    assert faults.header_problem(Credentials("sk-test", organization=" org-1 ", project="proj_1")) is None
    assert faults.header_problem(Credentials("sk-test")) is None


# -- proxies --------------------------------------------------------------------------------


def test_the_proxy_in_use_is_named_without_its_password():
    environ = {"HTTPS_PROXY": "http://alice:s3cret-pass@proxy.example:3128"}
    shown = faults.proxy_for("https://api.openai.com/v1", environ)
    assert shown.endswith("@proxy.example:3128") and "s3cret" not in shown


def test_all_proxy_serves_when_no_scheme_proxy_is_set_and_no_proxy_bypasses_it():
    socks = {"all_proxy": "socks5://gw:1080"}
    assert faults.proxy_for("https://api.openai.com/v1", socks) == "socks5://gw:1080"
    bypass = {"all_proxy": "socks5://gw:1080", "NO_PROXY": "localhost,.openai.com"}
    assert faults.proxy_for("https://api.openai.com/v1", bypass) is None
    everything_direct = {"http_proxy": "http://gw:8080", "no_proxy": "*"}
    assert faults.proxy_for("http://127.0.0.1:8000/v1", everything_direct) is None


def test_without_proxy_variables_there_is_no_proxy():
    assert faults.proxy_for("https://api.openai.com/v1", {}) is None


# -- classification -------------------------------------------------------------------------


def _raised(exc: BaseException, cause: BaseException) -> BaseException:
    try:
        try:
            raise cause
        except BaseException as inner:
            raise exc from inner
    except BaseException as outer:
        return outer


def test_a_refused_connection_says_the_endpoint_refused_it(monkeypatch):
    for name in ("HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    failure = errors.Failure(errors.kind_named("connection"))
    exc = _raised(ConnectionError("Connection error."), ConnectionRefusedError(111, "Connection refused"))
    faults.refine_connection(failure, exc, "http://127.0.0.1:9/v1")
    assert failure.kind.kind == "connection" and failure.reason == "refused"
    assert "refused" in failure.values("en")["reason"]


def test_a_name_that_does_not_resolve_says_so(monkeypatch):
    for name in ("HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    failure = errors.Failure(errors.kind_named("connection"))
    exc = _raised(ConnectionError("Connection error."), socket.gaierror(-2, "Name or service not known"))
    faults.refine_connection(failure, exc, "https://api.openai.invalid/v1")
    assert failure.reason == "dns"


def test_a_connection_failure_through_a_proxy_blames_the_proxy_with_its_own_words(monkeypatch):
    monkeypatch.setenv("HTTPS_PROXY", "http://bob:hunter22@proxy.example:3128")
    failure = errors.Failure(errors.kind_named("connection"))
    cause = OSError("Tunnel connection failed: 407 Proxy Authentication Required")
    exc = _raised(ConnectionError("Connection error."), cause)
    faults.refine_connection(failure, exc, "https://api.openai.com/v1")
    assert failure.kind.kind == "proxy"
    assert failure.message == "Tunnel connection failed: 407 Proxy Authentication Required"
    assert "hunter22" not in failure.proxy and failure.proxy.endswith("proxy.example:3128")


def test_a_failure_that_is_not_about_the_connection_is_left_alone():
    failure = errors.Failure(errors.kind_named("rate_limit"), message="slow down")
    assert faults.refine_connection(failure, ConnectionRefusedError(), "http://127.0.0.1:9/v1") is failure
    assert failure.kind.kind == "rate_limit" and failure.reason == ""


def test_a_web_page_instead_of_an_answer_is_summarized_by_its_title():
    page = "<html><head><title>Sign in to the hotel Wi-Fi</title></head><body><script>x()</script></body>"
    failure = faults.classify_other(faults.NotAnAnswer(page, 200, "text/html"))
    assert failure.kind.kind == "not_json"
    assert failure.summary == "Sign in to the hotel Wi-Fi (HTTP 200)"
    assert "<" not in failure.message


def test_broken_json_is_not_json_and_names_the_decoder_problem():
    try:
        json.loads("{not json")
    except json.JSONDecodeError as exc:
        failure = faults.classify_other(exc)
    assert failure.kind.kind == "not_json" and failure.exception == "JSONDecodeError"
    assert failure.message.startswith("Expecting property name")


def test_a_socks_proxy_without_socksio_says_what_to_install():
    exc = ImportError("Using SOCKS proxy, but the 'socksio' package is not installed.")
    failure = faults.classify_other(exc)
    assert failure.kind.kind == "proxy" and "pip install socksio" in failure.message


def test_a_malformed_proxy_url_is_a_proxy_failure_only_when_a_proxy_is_in_use(monkeypatch):
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.example:notaport")
    failure = faults.classify_other(ValueError("Invalid port: 'notaport'"), "https://api.openai.com/v1")
    assert failure.kind.kind == "proxy" and failure.proxy
    for name in ("HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    assert faults.classify_other(ValueError("bad"), "https://api.openai.com/v1").kind.kind == "unexpected"


def test_anything_else_is_unexpected_with_its_first_line_and_no_secret_in_it():
    exc = RuntimeError("boom with sk-proj-abcdefghijklmnopqrstuvwxyz0123456789\nsecond line")
    failure = faults.classify_other(exc, secrets=("sk-proj-abcdefghijklmnopqrstuvwxyz0123456789",))
    assert failure.kind.kind == "unexpected" and failure.exception == "RuntimeError"
    assert "abcdefghijklmnop" not in failure.message and "second line" not in failure.message


def test_an_exception_without_a_message_is_named_by_its_type():
    assert faults.classify_other(KeyError()).message == "KeyError"


# -- /models pages --------------------------------------------------------------------------


def test_model_ids_are_read_sorted_and_without_duplicates():
    data = [{"id": "gpt-4o"}, {"id": "gpt-4.1-mini"}, {"id": "gpt-4o"}]
    page = Page(json.dumps({"object": "list", "data": data}))
    assert faults.model_ids(page) == ["gpt-4.1-mini", "gpt-4o"]


def test_entries_without_a_string_id_are_skipped_as_some_gateways_send_them():
    data = [{"id": "gpt-4o"}, {"name": "no id"}, {"id": 7}, {"id": ""}, "bare string", None]
    assert faults.model_ids(Page(json.dumps({"data": data}))) == ["gpt-4o"]


def test_a_bare_list_of_models_is_read_too():
    assert faults.model_ids(Page(json.dumps([{"id": "llama3"}]))) == ["llama3"]


def test_a_web_page_for_models_is_not_an_answer_and_keeps_its_status_and_type():
    page = Page("<html><title>Login</title></html>", 200, {"content-type": "text/html"})
    with pytest.raises(faults.NotAnAnswer) as caught:
        faults.model_ids(page)
    assert caught.value.status == 200 and caught.value.content_type == "text/html"
    assert "Login" in caught.value.body


@pytest.mark.parametrize("body", [{"data": "nope"}, {"error": "x"}, "just a string", 42])
def test_json_of_another_shape_for_models_is_not_an_answer(body):
    with pytest.raises(faults.NotAnAnswer):
        faults.model_ids(Page(json.dumps(body)))
