"""Today's models (issue 7): a default that exists, the parameters each model takes, retirements,
today's error codes and suggestions that fit, through the real SDK against the loopback server.

The server behaves as the API does today: the seed's five models answer 404 "has been
deprecated", reasoning models refuse ``max_tokens`` and any temperature but 1, and a gateway
can be told to refuse a parameter (``server.refuse``).
"""

from __future__ import annotations

import datetime
import json
from pathlib import Path

import pytest

from chatwithtech_magic import clock, models
from chatwithtech_magic.defaults import DEFAULT_MODEL
from tests.support.magics import chat, chat_line
from tests.support.openai_server import (
    BILLING_CODES,
    Error,
    Reply,
    bad_request,
    billing_error,
    ip_not_authorized,
    model_not_found,
)
from tests.test_errors import labels, panel_bundle, panel_of, run


ROOT = Path(__file__).resolve().parent.parent


def bodies(server) -> list[dict]:
    return [r.body for r in server.chat_requests()]


def last_render(cap) -> str:
    """The answer as last rendered, with Markdown's escaping taken off (names are escaped as text)."""
    import re

    markdown = [o.data["text/markdown"] for o in cap.outputs if "text/markdown" in o.data][-1]
    return re.sub(r"\\(.)", r"\1", markdown)


# -- a default that exists ------------------------------------------------------------------------


def test_a_bare_chat_answers_with_todays_default_and_sends_it_no_temperature(shell, server, api_key):
    cap = chat(shell)

    [body] = bodies(server)
    assert body["model"] == DEFAULT_MODEL == "gpt-6-luna"
    assert "temperature" not in body and "max_tokens" not in body
    assert last_render(cap).startswith("Hello from the test server.")


def test_the_default_falls_over_once_to_the_best_model_the_account_lists_says_so_and_remembers(shell, server, api_key):
    server.models = ["whisper-1", "gpt-4.1-mini", "gpt-5.6-luna", "gpt-3.5-turbo"]
    server.script(model_not_found(DEFAULT_MODEL))

    first = chat(shell, "", "Hello")
    second = chat(shell, "", "Again")

    assert [b["model"] for b in bodies(server)] == ["gpt-6-luna", "gpt-5.6-luna", "gpt-5.6-luna"]
    assert "gpt-6-luna is not available here; answered with gpt-5.6-luna" in last_render(first)
    assert "%config ChatMagics.model" in last_render(first)
    assert "not available" not in last_render(second)  # said once
    assert not [o for o in first.outputs if 'class="chatwithtech-error"' in o.data.get("text/html", "")]


def test_a_gateway_whose_list_has_other_names_answers_with_one_of_them(shell, server, api_key):
    server.models = ["nomic-embed-text", "llama3"]
    server.script(Error(404, {"error": "model 'gpt-6-luna' not found, try pulling it first"}))  # Ollama's shape

    cap = chat(shell)

    assert [b["model"] for b in bodies(server)] == ["gpt-6-luna", "llama3"]
    assert bodies(server)[1]["temperature"] == 0.3  # a model we know nothing about gets the classic parameters
    assert "answered with llama3" in last_render(cap)


@pytest.mark.parametrize("how", ["-m", "config"])
def test_a_model_the_user_chose_is_never_replaced_behind_their_back(shell, server, api_key, how):
    server.script(model_not_found("gpt-6-sol"))
    if how == "config":
        shell.run_line_magic("config", 'ChatMagics.model = "gpt-6-sol"')
    cap = run(shell, "%%chat -m gpt-6-sol\nHello" if how == "-m" else "%%chat\nHello")

    assert panel_bundle(cap)["text/plain"].startswith("✖ Model gpt-6-sol is not available")
    assert len(bodies(server)) == 1


def test_a_retired_model_named_by_the_user_gets_its_shutdown_date_and_its_live_successor_first(shell, server, api_key):
    cap = run(shell, "%%chat -m gpt-3.5-turbo\nHello")

    text = panel_bundle(cap)["text/plain"]
    assert text.startswith("✖ gpt-3.5-turbo was shut down on 2026-10-23")
    assert "Its successor is gpt-6-luna" in text  # gpt-3.5-turbo -> gpt-4.1-mini (retiring 2027-01-14) -> gpt-6-luna
    assert labels(panel_of(cap))[0] == "Use gpt-6-luna"
    assert len(bodies(server)) == 1


def test_every_model_of_the_seeds_catalog_is_retired_with_a_chain_to_a_live_model():
    for name in models.CATALOG_NAMES:
        assert models.status(name) == "retired" and models.info(name).seed
        assert models.status(models.successor(name)) == "current"
    assert models.successor_chain("gpt-3.5-turbo") == ["gpt-4.1-mini", "gpt-6-luna"]


@pytest.mark.parametrize("day", ["the table's day", "a year later"])
def test_a_model_close_to_its_shutdown_gets_one_quiet_line_and_one_further_away_none(shell, server, api_key, monkeypatch, day):
    if day == "a year later":
        monkeypatch.setenv(clock.ENV, (clock.today() + datetime.timedelta(days=400)).isoformat())
    today = clock.today()
    models.register("test-soon-gone", shutdown=today + datetime.timedelta(days=10), successor="gpt-6-luna")
    models.register("test-later-gone", shutdown=today + datetime.timedelta(days=40), successor="gpt-6-luna")
    try:
        soon = chat(shell, "-m test-soon-gone")
        later = chat(shell, "-m test-later-gone")
    finally:
        models.unregister("test-soon-gone")
        models.unregister("test-later-gone")

    date = (today + datetime.timedelta(days=10)).isoformat()
    assert f"test-soon-gone shuts down on {date}: use gpt-6-luna instead" in last_render(soon)
    assert "shuts down" not in last_render(later)


# -- parameters each model takes --------------------------------------------------------------------


def test_a_reasoning_model_answers_with_and_without_max_tokens(shell, server, api_key):
    plain = chat(shell, "-m gpt-5.6-luna")
    limited = chat(shell, "-m gpt-5.6-luna --max-tokens 300")

    first, second = bodies(server)
    assert "temperature" not in first and "max_tokens" not in first and "max_completion_tokens" not in first
    assert second["max_completion_tokens"] == 300 and "max_tokens" not in second
    assert last_render(plain).startswith("Hello") and last_render(limited).startswith("Hello")


def test_a_temperature_a_reasoning_model_refuses_is_dropped_with_a_plain_note_and_remembered(shell, server, api_key):
    first = chat(shell, "-m gpt-5.6-luna -t 0.7")
    second = chat(shell, "-m gpt-5.6-luna -t 0.7")

    sent = bodies(server)
    assert [b.get("temperature") for b in sent] == [0.7, None, None]  # one resend, then never again
    note = "temperature 0.7 ignored: gpt-5.6-luna accepts only the default (1)"
    assert last_render(first).startswith("Hello") and note in last_render(first)
    assert note in last_render(second)


def test_a_temperature_of_1_reaches_a_reasoning_model(shell, server, api_key):
    chat(shell, "-m gpt-6-luna -t 1")

    [body] = bodies(server)
    assert body["temperature"] == 1


def test_a_model_that_takes_temperature_gets_the_seeds_0_3_and_max_tokens_by_its_classic_name(shell, server, api_key):
    chat(shell, "-m gpt-4.1-mini --max-tokens 50")

    [body] = bodies(server)
    assert (body["temperature"], body["max_tokens"]) == (0.3, 50) and "max_completion_tokens" not in body


def test_a_gateway_model_that_refuses_a_parameter_is_asked_again_once_without_it_and_remembers(shell, server, api_key):
    server.refuse("temperature", style="openai")

    first = chat(shell, "-m local/qwen3")
    second = chat(shell, "-m local/qwen3")

    sent = bodies(server)
    assert ["temperature" in b for b in sent] == [True, False, False]  # exactly one resend, then remembered
    assert "local/qwen3 refused temperature: sent without it" in last_render(first)
    assert "refused" not in last_render(second)


def test_a_dry_run_shows_the_model_and_parameters_the_session_learned_to_send(shell, server, api_key):
    # --dry-run and a real cell prepare the request through the same step: what the session learned shows in both.
    server.models = ["nomic-embed-text", "llama3"]
    server.script(Error(404, {"error": "model 'gpt-6-luna' not found, try pulling it first"}))
    server.refuse("temperature", style="openai")
    chat(shell, "--max-tokens 40", "First")  # gpt-6-luna is not there: llama3 answers, once it is asked without temperature

    dry = chat(shell, "--dry-run --max-tokens 40", "Second").stdout
    chat(shell, "--max-tokens 40", "Second")

    sent = bodies(server)[-1]
    assert [b["model"] for b in bodies(server)] == ["gpt-6-luna", "llama3", "llama3", "llama3"]
    assert "temperature" not in sent and sent["max_tokens"] == 40
    assert "model           llama3" in dry and "temperature" not in dry and "max_tokens      40" in dry


def test_what_one_endpoint_refused_is_not_held_against_another(shell, server, api_key):
    from tests.support.openai_server import OpenAIServer

    server.refuse("temperature", style="openai")
    chat(shell, "-m local/qwen3")
    with OpenAIServer() as other:
        shell.run_line_magic("config", f'ChatMagics.base_url = "{other.base_url}"')
        chat(shell, "-m local/qwen3")
        [elsewhere] = [r.body for r in other.chat_requests()]

    assert elsewhere["temperature"] == 0.3
    assert len(bodies(server)) == 2


def test_an_endpoint_that_refuses_max_completion_tokens_gets_max_tokens_instead(shell, server, api_key):
    server.strict = False  # an older Azure API version: it knows max_tokens only
    server.refuse("max_completion_tokens", style="azure")

    first = chat(shell, "-m gpt-6-luna --max-tokens 100")
    chat(shell, "-m gpt-6-luna --max-tokens 100")

    sent = bodies(server)
    assert [("max_completion_tokens" in b, b.get("max_tokens")) for b in sent] == [(True, None), (False, 100), (False, 100)]
    assert "gpt-6-luna refused max_completion_tokens: sent as max_tokens" in last_render(first)


def test_a_parameter_refused_under_both_names_ends_in_a_panel_naming_it_without_a_loop(shell, server, api_key):
    server.refuse("max_tokens", style="openai")
    server.refuse("max_completion_tokens", style="azure")

    cap = run(shell, "%%chat -m local/qwen3 --max-tokens 100\nHello")

    assert len(bodies(server)) == 2
    text = panel_bundle(cap)["text/plain"]
    assert text.startswith("✖ local/qwen3 does not accept max_completion_tokens")
    assert "Unrecognized request argument supplied: max_completion_tokens" in text


def test_a_bad_value_the_server_calls_invalid_is_the_users_to_fix_not_silently_dropped(shell, server, api_key):
    server.script(bad_request("Invalid 'temperature': expected a value <= 1.5, got 1.9.", param="temperature"))

    cap = run(shell, "%%chat -m gpt-4.1-mini -t 1.9\nHello")

    assert "expected a value <= 1.5" in panel_bundle(cap)["text/plain"]
    assert len(bodies(server)) == 1


def test_reasoning_effort_goes_only_to_models_that_take_it(shell, server, api_key):
    chat(shell, "-m gpt-6-luna -r high")
    other = chat(shell, "-m gpt-4.1-mini -r high")
    shell.run_line_magic("config", 'ChatMagics.reasoning_effort = "low"')
    chat(shell, "-m gpt-5.6-luna")

    first, second, third = bodies(server)
    assert first["reasoning_effort"] == "high" and "reasoning_effort" not in second and third["reasoning_effort"] == "low"
    assert "reasoning effort high ignored: gpt-4.1-mini does not take it" in last_render(other)


def test_reasoning_tokens_reported_by_the_usage_are_shown_under_the_answer(shell, server, api_key):
    server.script(Reply("Thought about it.", usage={"prompt_tokens": 20, "completion_tokens": 90, "reasoning_tokens": 64}))

    cap = chat(shell, "-m gpt-6-luna")

    assert "64 reasoning" in last_render(cap)


# -- errors of today's API ------------------------------------------------------------------------------


@pytest.mark.parametrize("code", BILLING_CODES)
def test_each_billing_code_has_its_own_panel_with_the_quota_article_and_is_never_retried(shell, server, api_key, code):
    server.script(billing_error(code))

    cap = run(shell)

    bundle = panel_bundle(cap)
    assert f'data-kind="{code}"' in bundle["text/html"]
    assert "6891831" in bundle["text/html"] and "nothing was retried" in bundle["text/plain"]
    assert len(bodies(server)) == 1


def test_a_key_used_from_an_ip_address_outside_its_allowlist_says_so(shell, server, api_key):
    server.script(ip_not_authorized())

    cap = run(shell)

    text = panel_bundle(cap)["text/plain"]
    assert text.startswith("✖ This network's IP address is not allowed for the key")
    assert "allowlist" in text and len(bodies(server)) == 1


# -- suggestions and %chat models ---------------------------------------------------------------------


def test_larger_window_suggestions_come_from_the_table_when_the_account_list_is_unknown():
    assert models.larger_context("gpt-4o", None)[:2] == ["gpt-6-luna", "gpt-5.6-luna"]
    assert all((models.context_window(n) or 0) > 8192 for n in models.larger_context("unknown-model", None, limit_tokens=8192))


def test_gateway_prefixes_and_dated_snapshots_resolve_to_the_table():
    assert models.context_window("openai/gpt-4.1-mini") == models.context_window("gpt-4.1-mini") == 1_000_000
    assert models.max_output("gpt-4.1-mini-2099-01-01") == 32768
    assert models.context_window("llama3") is None and models.is_reasoning("azure/o7-mini") is True


def test_chat_models_lists_chat_models_first_marked_and_the_others_apart(shell, server, api_key):
    cap = chat_line(shell, "models")

    plain = cap.outputs[-1].data["text/plain"]
    lines = [line.strip() for line in plain.splitlines()]
    assert lines[1] == "gpt-6-luna — default, reasoning"
    assert lines.index("gpt-4.1-mini — shutdown 2027-01-14") > lines.index("gpt-6-sol — reasoning")
    assert lines[-1] == "Not for chat (5): dall-e-3, omni-moderation-latest, text-embedding-3-small, tts-1, whisper-1"


def test_the_model_table_holds_on_its_own_day_what_the_product_relies_on():
    """What the table means, not whether it is the newest: that is `scripts/refresh_models.py --check`."""
    table = models.table()
    day = datetime.date.fromisoformat(table["generated"])

    assert models.status(DEFAULT_MODEL, on=day) == "current"
    assert all(models.is_live(name, on=day) for name in table["preferred"])
    for name, entry in table["models"].items():
        if entry.get("shutdown"):  # every successor chain ends at a model alive on the table's day
            chain = models.successor_chain(name, on=day)
            assert chain and models.is_live(chain[-1], on=day), (name, chain)
    assert {name for name, entry in table["models"].items() if entry.get("seed")} == set(models.CATALOG_NAMES)


def test_the_refresh_script_reports_what_changed_upstream_without_writing(tmp_path):
    import subprocess
    import sys

    table = json.loads((ROOT / "chatwithtech_magic" / "model_table.json").read_text())
    table["sources"]["openai"] = "openai 0.0.1: an older release"
    del table["models"]["gpt-4o"]
    table["models"]["gpt-4.1"]["context_window"] = 1
    old = tmp_path / "model_table.json"
    old.write_text(json.dumps(table))

    done = subprocess.run(
        [sys.executable, "scripts/refresh_models.py", "--check", "--table", str(old)],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )

    assert done.returncode == 1, done.stdout + done.stderr
    assert "sources.openai:" in done.stdout and "+ gpt-4o" in done.stdout
    assert "gpt-4.1.context_window: 1 ->" in done.stdout
    assert json.loads(old.read_text()) == table  # a check writes nothing
