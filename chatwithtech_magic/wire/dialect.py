"""One interface per wire protocol, and the one place that picks it.

A dialect turns a protocol-neutral ``Prompt`` and the request's settings into a body, reads the
events (or the whole answer) that come back into a ``Draft``, turns its usage into
``tokens.Figures`` and says why an answer ended. The transport (sse.py) moves bytes and calls it;
nothing else knows a wire field name. A second protocol (issue 21: Responses) is one more module
here and one more line in ``dialect_for``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from ..i18n import Text
from ..prompt import Prompt

# Why an answer ended, in every dialect's words mapped to these.
STOP, LENGTH, REFUSAL, CONTENT_FILTER, FAILED = "stop", "length", "refusal", "content_filter", "failed"


class Dialect(Protocol):
    name: str  # "chat"
    path: str  # the endpoint's path under the base URL
    adaptable: tuple[str, ...]  # the parameters it may adapt (drop or rename) after a refusal

    def settings(self, request, compat) -> tuple[dict, list[Text]]:
        """The request's parameters in this wire's names (no prompt), and notes on settings ignored."""

    def body(self, prompt: Prompt, settings: dict) -> dict:
        """What is posted: the prompt in this wire's format, with the settings."""

    def max_tokens(self, settings: dict) -> int:
        """The answer's cap in ``settings`` (0: none)."""

    def plain_settings(self, settings: dict) -> dict:
        """The settings worth keeping in provenance, under this wire's names, as plain values."""

    def is_end(self, data: bytes) -> bool:
        """Whether an event's data is the stream's last word (no event is read after it)."""

    def apply(self, event: dict | None, draft, view, throttle, request=None) -> None:
        """One stream event into ``draft``; re-renders ``view`` when ``throttle`` allows."""

    def take_whole(self, value: Any, draft) -> None:
        """A whole answer (its JSON read as attributes, or text) into ``draft``; faults.NotAnAnswer when it is none."""

    def figures(self, usage: Any):
        """The usage as ``tokens.Figures``; None when it reports no count."""

    def ended(self, reason: str | None) -> str | None:
        """Why an answer ended (STOP, LENGTH, REFUSAL, CONTENT_FILTER, FAILED), from the wire's reason."""

    def refused(self, failure, settings: dict) -> str | None:
        """The adaptable parameter a 400 refused, or None."""

    def adapt(self, failure, settings: dict, request, compat):
        """How to resend once: (settings, lessons, notes, param); None when it can't."""


@dataclass
class Outgoing:
    """One request before it is written on the wire: the prompt, the settings, the dialect."""

    prompt: Prompt
    settings: dict
    dialect: Dialect

    @property
    def model(self) -> str:
        return str(self.settings.get("model", ""))

    def body(self) -> dict:
        return self.dialect.body(self.prompt, self.settings)

    def but(self, prompt: Prompt | None = None, settings: dict | None = None) -> Outgoing:
        return Outgoing(self.prompt if prompt is None else prompt, self.settings if settings is None else settings, self.dialect)


def dialect_for(request=None, learned: str | None = None) -> Dialect:
    """The wire protocol for ``request``: the one it forces (``--api``, ``ChatMagics.api``), else the one
    this session learned its model takes here (``learned``: wire/endpoints.py), else the model table's
    (a Responses-only model), else Chat Completions, which every gateway speaks."""
    api = getattr(request, "api", "auto") if request is not None else "auto"
    if api == "auto":
        from .endpoints import table_api

        api = learned or table_api(getattr(request, "model", "") or "")
    return dialect_named(api)


def dialect_named(name: str | None) -> Dialect:
    """The dialect called ``name`` ("chat", "responses"); Chat Completions for any other."""
    if name == "responses":
        from .responses import RESPONSES

        return RESPONSES
    from .chat_completions import CHAT

    return CHAT
