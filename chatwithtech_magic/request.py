"""A cell's request: the resolved options for one call, and the parameters sent."""

from __future__ import annotations

from dataclasses import dataclass, replace

from .conversation import DEFAULT_WINDOW, Conversation
from .credentials import DEFAULT_CONNECTION
from .models import DEFAULT_MODEL
from .retry import RetryPolicy

from .defaults import DEFAULT_TEMPERATURE  # noqa: E402


@dataclass(frozen=True)
class ChatRequest:
    model: str = DEFAULT_MODEL
    temperature: float | None = DEFAULT_TEMPERATURE
    max_tokens: int | None = None
    system: str | None = None
    stream: bool = True
    remember: bool = True
    window: int = DEFAULT_WINDOW
    connection: str = DEFAULT_CONNECTION
    base_url: str = ""
    timeout: float = 60.0
    retry: RetryPolicy = RetryPolicy()

    def but(self, **changes) -> "ChatRequest":
        return replace(self, **changes)


def build_params(prompt: str, request: ChatRequest, conversation: Conversation) -> dict:
    """The keyword arguments for ``client.chat.completions.create``."""
    params = {
        "model": request.model,
        "messages": conversation.messages(prompt, request.window, request.system),
    }
    if request.temperature is not None:
        params["temperature"] = request.temperature
    if request.max_tokens:
        params["max_tokens"] = request.max_tokens
    if request.stream:
        params["stream"] = True
        params["stream_options"] = {"include_usage": True}
    return params
