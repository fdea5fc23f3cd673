"""settings.py: one table of settings makes the traits, the ranges and the request's defaults, and every
setting refuses a bad ``%config`` value in one line, keeping the value it had."""

from __future__ import annotations

import logging
import math

import pytest
from IPython.utils.capture import capture_output

from chatwithtech_magic import defaults, options
from chatwithtech_magic.magics.chat import ChatMagics
from chatwithtech_magic.placeholders import Filled
from chatwithtech_magic.request import ChatRequest
from chatwithtech_magic.retry import RetryPolicy
from chatwithtech_magic.settings import BY_NAME, RANGES, SETTINGS, expected

# -- the table makes everything else ----------------------------------------------------------------


def test_every_setting_is_a_configurable_trait_with_the_tables_default_and_help():
    traits = ChatMagics.class_traits(config=True)
    assert set(traits) == set(BY_NAME)
    for setting in SETTINGS:
        assert traits[setting.name].default_value == setting.default
        assert traits[setting.name].help == setting.help


@pytest.mark.parametrize("setting", SETTINGS, ids=lambda s: s.name)
def test_every_default_is_a_value_its_own_setting_accepts(setting):
    assert isinstance(setting.default, setting.kind)
    assert options.problem(setting.name, setting.default) is None
    assert not setting.choices or setting.default in setting.choices


def test_the_ranges_options_checks_are_the_tables():
    assert options.RANGES is RANGES
    assert set(RANGES) == {s.name for s in SETTINGS if s.range is not None}


def test_a_request_made_in_plain_python_has_the_tables_defaults():
    request = ChatRequest()
    assert (request.model, request.window, request.connection, request.timeout, request.cache) == (
        BY_NAME["model"].default, BY_NAME["window"].default, BY_NAME["connection"].default, BY_NAME["timeout"].default, BY_NAME["cache"].default)
    assert RetryPolicy() == RetryPolicy(BY_NAME["retries"].default + 1, BY_NAME["max_retry_wait"].default, BY_NAME["retry_initial_delay"].default)
    assert Filled("").limit == BY_NAME["max_value_chars"].default
    assert defaults.DEFAULT_TIMEOUT == BY_NAME["timeout"].default == 600.0


def test_a_setting_with_choices_says_them_and_an_empty_choice_is_shown_as_empty_quotes():
    assert expected("cache") == "one of off, auto, record, replay"
    assert expected("reasoning_effort").startswith("one of '', none, minimal")
    assert expected("language", "zh") == "以下之一：auto, en, zh"


# -- every setting refuses a bad value in one line --------------------------------------------------


def bad_values(setting) -> list:
    """Values ``setting`` must refuse: past each end of its range, not a number, or of the wrong type."""
    if setting.choices:
        return ["'loud'", 3]
    if setting.kind is bool:
        return ["'yes'", 2]
    if setting.kind is str:
        return [5, None]
    values = ["'many'"]
    low, high = setting.range.low, setting.range.high
    values.append(low if setting.range.low_open else low - 1)
    if high is not None:
        values.append(high + 1)
    if setting.kind is float:
        values.append("float('nan')")
    else:
        values.append(low + 0.5)  # a whole number only
    return values


CASES = [(s.name, value) for s in SETTINGS if s.name not in ("model", "base_url") for value in bad_values(s)]


@pytest.mark.parametrize("name,value", CASES, ids=[f"{n}={v}" for n, v in CASES])
def test_a_bad_config_value_is_refused_in_one_line_and_the_setting_keeps_its_value(shell, caplog, name, value):
    magics = shell.magics_manager.registry["ChatMagics"]
    before = getattr(magics, name)

    with caplog.at_level(logging.WARNING), capture_output() as cap:
        shell.run_line_magic("config", f"ChatMagics.{name} = {value}")

    assert getattr(magics, name) == before or (isinstance(before, float) and math.isnan(before))
    [line] = cap.stdout.splitlines()
    assert line.startswith(f"ChatMagics.{name} = ") and "is not allowed: use " in line
    assert line.endswith(f"It stays {before!r}.")
    assert cap.stderr == "" and caplog.records == []  # no traceback, nothing only logged


def test_the_refusal_names_what_to_write_for_a_wrong_type():
    from chatwithtech_magic.magics.traits import shown

    assert shown("long") == "'long'"
    assert shown(None) == "None"


def test_a_key_pasted_into_a_number_setting_is_never_repeated(shell):
    with capture_output() as cap:
        shell.run_line_magic("config", 'ChatMagics.timeout = "sk-proj-abcdefghijklmnopqrstuvwxyz0123"')
    assert cap.stdout == "ChatMagics.timeout = <str> is not allowed: use a number of seconds above 0, at most 3600. It stays 600.0.\n"


def test_a_wrong_type_is_refused_in_chinese_when_the_language_is_chinese(shell):
    shell.run_line_magic("config", "ChatMagics.language = 'zh'")
    with capture_output() as cap:
        shell.run_line_magic("config", "ChatMagics.window = 'many'")
    assert cap.stdout == "ChatMagics.window = 'many' 不可用：请使用1 到 50 之间的整数。它保持为 4。\n"


def test_a_good_value_after_a_refused_one_is_taken(shell):
    magics = shell.magics_manager.registry["ChatMagics"]
    with capture_output():
        shell.run_line_magic("config", "ChatMagics.max_value_chars = 0")
    shell.run_line_magic("config", "ChatMagics.max_value_chars = 10")
    assert magics.max_value_chars == 10


def test_a_bad_value_assigned_in_python_is_refused_the_same_way(shell):
    magics = shell.magics_manager.registry["ChatMagics"]
    with capture_output() as cap:
        magics.cache = "sometimes"
    assert magics.cache == "off"
    assert cap.stdout == "ChatMagics.cache = 'sometimes' is not allowed: use one of off, auto, record, replay. It stays 'off'.\n"


def test_a_bad_value_in_ipython_config_is_refused_when_the_magics_start_and_the_default_stays(shell):
    from traitlets.config import Config

    with capture_output() as cap:
        magics = ChatMagics(shell=shell, config=Config({"ChatMagics": {"timeout": -5.0, "language": "fr"}}))
    assert (magics.timeout, magics.language) == (600.0, "auto")
    assert sorted(cap.stdout.splitlines()) == [
        "ChatMagics.language = 'fr' is not allowed: use one of auto, en, zh. It stays 'auto'.",
        "ChatMagics.timeout = -5.0 is not allowed: use a number of seconds above 0, at most 3600. It stays 600.0.",
    ]
