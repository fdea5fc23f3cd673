"""The error catalog (catalog.py, through its public ``CATALOG`` and ``errors.kind_named``).

Every failure a user can meet says what happened, why and what to do now, in English and in Chinese, and
fills from any failure's facts.
"""

from __future__ import annotations

import string

import pytest

from chatwithtech_magic import errors
from chatwithtech_magic.catalog import CATALOG
from chatwithtech_magic.i18n import Text

KINDS = sorted(CATALOG)
TEXTS = ("title", "explanation", "next_step")
ACTIONS = {"set_key", "retry", "switch_model", "reset"}  # the buttons a panel can bind


def _names(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def _only_facts(template: str) -> bool:
    """A text that is nothing but facts (``{message}``) reads the same in both languages."""
    return all(not literal.strip() for literal, *_ in string.Formatter().parse(template))


def _bare(kind: str) -> errors.Failure:
    """A failure of ``kind`` with no facts at all: what a panel gets when a server says nothing useful."""
    return errors.Failure(errors.kind_named(kind))


def _full(kind: str) -> errors.Failure:
    """A failure of ``kind`` with every fact a session can give it."""
    return errors.Failure(
        errors.kind_named(kind), status=429, error_type="tokens", code="rate_limit_exceeded",
        request_id="req_1", message="The server said no.", model="gpt-4o-mini",
        base_url="https://api.openai.com/v1", connection="default", masked_key="sk-...abcd", key_source="env",
        organization="org-1", timeout=60.0, summary="502 Bad Gateway",
        attempts=3, waited=2.5, proxy="http://proxy:3128", reason="refused", param="max_tokens",
        shutdown="2026-10-23", successor="gpt-6-sol",
        facts={"cell_tokens": "9,000", "context_window": "8,192", "spent": "$0.50", "budget": "$1.00",
               "cell_cost": "$0.02", "estimate": Text("about $0.60", "约 $0.60"), "raise_to": "$2.00",
               "url_source": "OPENAI_BASE_URL", "suggested": "gpt-4.1-mini", "path": "/v1/chat/completions"},
    )


def test_the_catalog_knows_the_failures_users_meet_most():
    for kind in ("missing_key", "invalid_api_key", "rate_limit", "insufficient_quota", "model_not_found",
                 "context_length", "connection", "timeout", "overloaded", "model_retired", "not_json",
                 "proxy"):
        assert errors.kind_named(kind).kind == kind


def test_each_entry_is_filed_under_its_own_name():
    assert all(CATALOG[name].kind == name for name in KINDS)
    assert all(errors.kind_named(name) is CATALOG[name] for name in KINDS)


@pytest.mark.parametrize("kind", KINDS)
def test_every_kind_has_a_title_an_explanation_and_a_next_step_in_both_languages(kind):
    entry = errors.kind_named(kind)
    for name in TEXTS:
        text = getattr(entry, name)
        assert isinstance(text, Text), (kind, name)
        assert text.en.strip() and text.zh.strip(), (kind, name)
        assert text.en != text.zh or _only_facts(text.en), f"{kind}.{name} is not translated"


@pytest.mark.parametrize("kind", KINDS)
def test_the_chinese_text_names_the_same_facts_as_the_english(kind):
    entry = errors.kind_named(kind)
    for name in TEXTS:
        text = getattr(entry, name)
        assert _names(text.en) == _names(text.zh), (kind, name)


@pytest.mark.parametrize("language", ["en", "zh"])
@pytest.mark.parametrize("kind", KINDS)
def test_every_kind_fills_from_a_failure_without_any_facts(kind, language):
    failure = _bare(kind)
    values = failure.values(language)
    for name in TEXTS:
        # A KeyError here would be a traceback for the user.
        shown = getattr(failure.kind, name).get(language, **values)
        assert "{" not in shown, (kind, name, shown)
        # The explanation may be just the server's message (bad_setting's is), which a bare failure lacks.
        assert shown.strip() or name == "explanation", (kind, name)


@pytest.mark.parametrize("language", ["en", "zh"])
@pytest.mark.parametrize("kind", KINDS)
def test_every_kind_fills_from_a_failure_with_every_fact(kind, language):
    failure = _full(kind)
    values = failure.values(language)
    for name in TEXTS:
        shown = getattr(failure.kind, name).get(language, **values)
        assert "None" not in shown, (kind, name, shown)


@pytest.mark.parametrize("kind", KINDS)
def test_links_and_help_pages_are_https_and_labelled_in_both_languages(kind):
    entry = errors.kind_named(kind)
    urls = ([entry.help_url] if entry.help_url else []) + [url for _, url in entry.links]
    assert all(url.startswith("https://") for url in urls), urls
    assert all(label.en.strip() and label.zh.strip() for label, _ in entry.links)


@pytest.mark.parametrize("kind", KINDS)
def test_every_button_offered_is_one_a_panel_can_bind(kind):
    assert set(errors.kind_named(kind).actions) <= ACTIONS


def test_a_failure_that_is_retried_is_one_worth_retrying():
    retried = {name for name in KINDS if errors.kind_named(name).retried}
    assert {"missing_key", "invalid_api_key", "insufficient_quota"}.isdisjoint(retried)


def test_an_unknown_kind_is_a_key_error_not_a_silent_default():
    with pytest.raises(KeyError):
        errors.kind_named("no_such_kind")
