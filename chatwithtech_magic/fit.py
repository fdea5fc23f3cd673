"""Make a request fit the model's context window before it is sent.

A request's ``Prompt`` is the system prompt, the window of past exchanges, and the cell. When its
estimated size (``tokens.estimate_prompt``) plus the answer's room (max tokens, when
set) is more than the model's context window, the oldest exchanges are left out, one
whole exchange at a time, instead of letting the server answer with a 400. When the
system prompt and the cell alone are too large, nothing can be left out: the caller
shows the context-length panel and sends nothing.

The window comes from the model table (``models.context_window``); a model it does not
know is sent as is, and the server has the last word.
"""

from __future__ import annotations

from dataclasses import dataclass

from .prompt import Prompt
from .tokens import estimate_prompt


@dataclass
class Fitted:
    prompt: Prompt
    tokens: int  # the estimate for the prompt kept
    limit: int | None  # the model's context window; None when unknown
    dropped: int = 0  # earlier exchanges left out
    too_large: bool = False  # the system prompt and the cell alone do not fit


def context_limit(model: str) -> int | None:
    from . import models

    try:
        return models.context_window(model)
    except Exception:  # the model table is another module's data: a bad entry must not stop a request
        return None


def fit(prompt: Prompt, model: str, reserve: int = 0, limit: int | None = None) -> Fitted:
    """The prompt that fits ``model``'s window with ``reserve`` tokens left for the answer."""
    limit = limit if limit is not None else context_limit(model)
    tokens = estimate_prompt(prompt)
    if not limit or tokens + reserve <= limit:
        return Fitted(prompt, tokens, limit)
    earlier, dropped = prompt.earlier, 0
    while earlier and tokens + reserve > limit:
        earlier, dropped = earlier[1:], dropped + 1  # the oldest whole exchange
        tokens = estimate_prompt(prompt.but(earlier=earlier))
    return Fitted(prompt.but(earlier=earlier), tokens, limit, dropped, too_large=tokens + reserve > limit)
