"""Make a request fit the model's context window before it is sent.

The messages of a request are: the system prompt (and any other leading ``system`` or
``developer`` messages), the window of past exchanges, and the cell, last. When their
estimated size (``tokens.estimate_messages``) plus the answer's room (max tokens, when
set) is more than the model's context window, the oldest exchanges are left out, one
whole exchange at a time, instead of letting the server answer with a 400. When the
system prompt and the cell alone are too large, nothing can be left out: the caller
shows the context-length panel and sends nothing.

The window comes from the model table (``models.context_window``); a model it does not
know is sent as is, and the server has the last word.
"""

from __future__ import annotations

from dataclasses import dataclass

from .tokens import estimate_messages

_LEADING = ("system", "developer")


@dataclass
class Fitted:
    messages: list[dict]
    tokens: int  # the estimate for the messages kept
    limit: int | None  # the model's context window; None when unknown
    dropped: int = 0  # earlier exchanges left out
    too_large: bool = False  # the system prompt and the cell alone do not fit


def context_limit(model: str) -> int | None:
    from . import models

    try:
        return models.context_window(model)
    except Exception:  # the model table is another module's data: a bad entry must not stop a request
        return None


def fit(messages: list[dict], model: str, reserve: int = 0, limit: int | None = None) -> Fitted:
    """The messages that fit ``model``'s window with ``reserve`` tokens left for the answer."""
    limit = limit if limit is not None else context_limit(model)
    tokens = estimate_messages(messages)
    if not limit or tokens + reserve <= limit:
        return Fitted(list(messages), tokens, limit)
    head = 0
    while head < len(messages) - 1 and messages[head].get("role") in _LEADING:
        head += 1
    lead, middle, cell = list(messages[:head]), list(messages[head:-1]), messages[-1:]
    dropped = 0
    while middle and tokens + reserve > limit:
        # One exchange: the user's message and the answers up to the next user message.
        end = 1
        while end < len(middle) and middle[end].get("role") != "user":
            end += 1
        middle = middle[end:]
        dropped += 1
        tokens = estimate_messages(lead + middle + cell)
    return Fitted(lead + middle + cell, tokens, limit, dropped, too_large=tokens + reserve > limit)
