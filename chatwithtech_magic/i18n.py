"""User-facing text in English and Simplified Chinese, and the choice between them.

The seed documentation our users start from is Chinese, so every message has both.
"""

from __future__ import annotations

import locale
import os
from typing import NamedTuple

LANGUAGES = ("en", "zh")


class Text(NamedTuple):
    en: str
    zh: str

    def get(self, language: str, **values) -> str:
        template = self.zh if language == "zh" else self.en
        return template.format(**values) if values else template

    def fill(self, **values) -> "Text":
        """This text with its values filled in, still in both languages: a note made now, shown later
        in the view's language."""
        return Text(self.en.format(**values), self.zh.format(**values))


class Counted(NamedTuple):
    """A text about ``count`` things: English says "1 exchange" and "2 exchanges"; Chinese has one form."""

    one: Text
    many: Text

    def get(self, language: str, count: int, **values) -> str:
        return (self.one if count == 1 else self.many).get(language, count=count, **values)


def labelled(label: str, value: str, language: str) -> str:
    """``label: value``; Chinese text takes the full-width colon, with no space after it."""
    return f"{label}{'：' if language == 'zh' else ': '}{value}"


def bracketed(text: str, language: str) -> str:
    """`` (text)`` after a word; Chinese text takes full-width brackets, with no space before them."""
    return f"（{text}）" if language == "zh" else f" ({text})"


def sentences(language: str, *parts: str) -> str:
    """Sentences one after another: a space between them in English, none after Chinese "。"."""
    return ("" if language == "zh" else " ").join(part for part in parts if part)


def choose_language(setting: str = "auto") -> str:
    """``en`` or ``zh``: an explicit setting wins, otherwise the locale decides."""
    if setting in LANGUAGES:
        return setting
    for name in ("LC_ALL", "LC_MESSAGES", "LANGUAGE", "LANG"):
        value = os.environ.get(name)
        if value:
            return "zh" if value.lower().startswith("zh") else "en"
    try:
        code = locale.getlocale()[0] or ""
    except ValueError:
        code = ""
    return "zh" if code.lower().startswith("zh") else "en"
