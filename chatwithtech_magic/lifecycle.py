"""Models coming and going, as the user meets it: retirement notes, retired-model panels, fitting suggestions.

The session asks here; the facts come from ``models.py``. Everything returned is plain text
(``i18n.Text`` notes) or data on a catalog ``Failure``: the views escape it.
"""

from __future__ import annotations

import re

from . import errors, models
from .i18n import Text

FELL_BACK = Text(
    "{model} is not available here; answered with {chosen} · choose with %config ChatMagics.model",
    "{model} 在此不可用；已改用 {chosen} 回答 · 可用 %config ChatMagics.model 选择",
)
RETIRING = Text("{model} shuts down on {date}: use {successor} instead", "{model} 将于 {date} 停用：请改用 {successor}")
_LIMIT = re.compile(r"maximum context length is (\d+)")


def fell_back(model: str, chosen: str) -> Text:
    return FELL_BACK.fill(model=model, chosen=chosen)


def retiring_notes(model: str) -> list[Text]:
    """One quiet line for a model within ``models.RETIRING_DAYS`` of its shutdown date."""
    if models.status(model) != "retiring":
        return []
    successor = models.successor(model)
    if not successor:
        return []
    values = {"model": model, "date": models.shutdown(model).isoformat(), "successor": successor}
    return [RETIRING.fill(**values)]


def mark_retired(failure: errors.Failure, model: str) -> None:
    """A 404 for a model past its shutdown date: the panel says so, with the date and the live successor."""
    if failure.kind.kind == errors.Kind.MODEL_NOT_FOUND and models.status(model) == "retired":
        failure.kind = errors.kind_named(errors.Kind.MODEL_RETIRED)
        failure.shutdown = models.shutdown(model).isoformat()
        failure.successor = models.successor(model) or "—"


def suggestions(failure: errors.Failure, model: str, available: list[str] | None) -> list[str]:
    """Models that fit: a larger window after an overflow; after a 404, the successor, then live chat models."""
    if failure.kind.kind == errors.Kind.IMAGES_NOT_READ:  # the default model reads images
        from .settings import default

        reader = default("model")
        return [reader] if reader != model and (available is None or reader in available) else []
    if failure.kind.kind == errors.Kind.CONTEXT_LENGTH:
        match = _LIMIT.search(failure.message or "")
        return models.larger_context(model, available, int(match.group(1)) if match else None)[:3]
    return models.suggest_after_not_found(model, available)
