"""The models the seed documentation offers, with their context windows.

Any other model name passes through unchanged: the catalog only informs
suggestions (a larger context window, a model the account can use).
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class ModelInfo:
    name: str
    context_window: int


CATALOG = (
    ModelInfo("gpt-4", 8_192),
    ModelInfo("gpt-4-32k", 32_768),
    ModelInfo("gpt-4-1106-preview", 128_000),
    ModelInfo("gpt-3.5-turbo", 16_385),
    ModelInfo("gpt-3.5-turbo-16k", 16_385),
)
CATALOG_NAMES = tuple(info.name for info in CATALOG)
from .defaults import DEFAULT_MODEL  # noqa: E402,F401 (re-exported)


def context_window(name: str) -> int | None:
    for info in CATALOG:
        if info.name == name:
            return info.context_window
    return None


def catalog_first(available: list[str], limit: int | None = None) -> list[str]:
    """The account's models with the seed's models first, in the seed's order."""
    ordered = [name for name in CATALOG_NAMES if name in available]
    ordered += sorted(name for name in available if name not in ordered)
    return ordered[:limit] if limit else ordered


def larger_context(name: str, available: list[str] | None = None) -> list[str]:
    """Catalog models with a larger context window than ``name``, smallest first."""
    current = context_window(name) or 0
    bigger = sorted((info for info in CATALOG if info.context_window > current), key=lambda i: i.context_window)
    names = [info.name for info in bigger]
    if available is not None:
        names = [n for n in names if n in available]
    return names


# Families a /models list holds that can't answer a chat request (OpenAI's list has dozens).
_NOT_CHAT = re.compile(
    r"embedding|whisper|tts|dall-e|gpt-image|davinci|babbage|moderation|transcribe|realtime|audio|sora|gpt-3\.5-turbo-instruct",
    re.IGNORECASE,
)


def chat_models(available: list[str]) -> list[str]:
    """The names that may be chat models: suggestions must not offer ``dall-e-3`` or ``whisper-1``."""
    return [name for name in available if not _NOT_CHAT.search(name)]
