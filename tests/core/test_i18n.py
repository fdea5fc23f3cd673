"""i18n.py: every message in English and Simplified Chinese, with each language's punctuation, and the choice
between them."""

from __future__ import annotations

import pytest

from chatwithtech_magic import i18n
from chatwithtech_magic.i18n import Counted, Text

GREETING = Text("Hello {name}", "你好 {name}")


def test_a_text_reads_in_the_language_asked_and_english_for_any_other():
    assert GREETING.get("en", name="Ada") == "Hello Ada"
    assert GREETING.get("zh", name="Ada") == "你好 Ada"
    assert GREETING.get("fr", name="Ada") == "Hello Ada"


def test_a_text_without_values_is_returned_as_written_even_with_braces_in_it():
    assert Text("Use {braces} literally", "照原样").get("en") == "Use {braces} literally"


def test_a_filled_text_keeps_both_languages_for_a_view_that_chooses_later():
    note = GREETING.fill(name="Ada")
    assert note == Text("Hello Ada", "你好 Ada")
    assert note.get("zh") == "你好 Ada"


def test_a_count_of_one_reads_singular_and_any_other_plural_in_english():
    exchanges = Counted(
        Text("{count} exchange", "{count} 轮对话"), Text("{count} exchanges", "{count} 轮对话")
    )
    assert exchanges.get("en", 1) == "1 exchange"
    assert exchanges.get("en", 0) == "0 exchanges"
    assert exchanges.get("en", 2) == "2 exchanges"
    assert exchanges.get("zh", 2) == "2 轮对话"


def test_chinese_takes_full_width_colon_and_brackets_and_no_spaces_between_sentences():
    assert i18n.labelled("Model", "gpt-4o", "en") == "Model: gpt-4o"
    assert i18n.labelled("模型", "gpt-4o", "zh") == "模型：gpt-4o"
    assert i18n.bracketed("retried", "en") == " (retried)"
    assert i18n.bracketed("已重试", "zh") == "（已重试）"
    assert i18n.sentences("en", "One.", "", "Two.") == "One. Two."
    assert i18n.sentences("zh", "第一句。", "第二句。") == "第一句。第二句。"


@pytest.mark.parametrize("setting", ["en", "zh"])
def test_an_explicit_language_setting_wins_over_the_locale(monkeypatch, setting):
    monkeypatch.setenv("LC_ALL", "zh_CN.UTF-8" if setting == "en" else "en_US.UTF-8")
    assert i18n.choose_language(setting) == setting


@pytest.mark.parametrize(
    "variable,value,expected",
    [
        ("LC_ALL", "zh_CN.UTF-8", "zh"),
        ("LANG", "zh_TW.UTF-8", "zh"),
        ("LANG", "en_GB.UTF-8", "en"),
        ("LANGUAGE", "de", "en"),
    ],
)
def test_auto_follows_the_first_locale_variable_set(monkeypatch, variable, value, expected):
    for name in ("LC_ALL", "LC_MESSAGES", "LANGUAGE", "LANG"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv(variable, value)
    assert i18n.choose_language("auto") == expected


def test_lc_all_outranks_lang_as_in_posix(monkeypatch):
    for name in ("LC_MESSAGES", "LANGUAGE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LC_ALL", "en_US.UTF-8")
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    assert i18n.choose_language() == "en"
