"""The vocabulary of the loopback server (tests/support/openai_server.py): what it records, and the
responses a test scripts into it (a reply, an HTTP error, a stream that fails or drops, a hang, raw events).

Kept apart so the canned failures (tests/support/canned_failures.py) and the server can both use them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# Put this in an error message to have it replaced by the response's x-request-id, as
# OpenAI's own 5xx messages quote it.
REQUEST_ID_PLACEHOLDER = "{request_id}"


# --------------------------------------------------------------------------- records


@dataclass
class Recorded:
    """One request as the server received it."""

    method: str
    path: str  # as sent, including any query string, e.g. "/v1/chat/completions"
    headers: dict[str, str]  # lower-cased names
    body: dict | None  # parsed JSON body (None when empty or not JSON)
    raw: bytes = field(default=b"", repr=False)

    @property
    def bearer(self) -> str | None:
        """The bearer token from the Authorization header, if any."""
        value = self.headers.get("authorization", "")
        return value[7:] if value[:7].lower() == "bearer " else None


# --------------------------------------------------------------------------- responses


@dataclass
class Reply:
    """A successful chat completion; streamed when the request has ``"stream": true``.

    ``text`` defaults to the server's ``reply`` (or to ``"".join(chunks)`` when chunks are
    given). ``usage`` may be ``True`` (plausible counts), ``False`` (no usage at all) or a
    dict ``{"prompt_tokens", "completion_tokens"[, "total_tokens", "cached_tokens", "reasoning_tokens"]}``
    (the last two are sent inside ``prompt_tokens_details`` and ``completion_tokens_details``).
    """

    text: str | None = None
    chunks: list[str] | None = None
    delay: float = 0.0
    finish_reason: str | None = "stop"
    usage: bool | dict = True
    model: str | None = None  # the model name the server reports (default: the one requested)
    # A model that thinks: ``think`` seconds of silence after the response headers, before the first
    # token (``ping``: a ": ping" comment every so many seconds meanwhile, as some proxies send);
    # ``reasoning`` streamed first as thinking deltas in the field ``reasoning_field``
    # ("reasoning_content": DeepSeek, LiteLLM; "reasoning": vLLM, Ollama, OpenRouter), and sent in
    # the whole message too.
    think: float = 0.0
    ping: float = 0.0
    reasoning: list[str] | None = None
    reasoning_field: str = "reasoning_content"
    # A gateway that ignores ``stream: true`` and answers with one JSON completion; or that streams
    # although the request did not ask for it.
    ignore_stream: bool = False
    stream_anyway: bool = False


@dataclass
class Error:
    """An HTTP error. A dict body is sent as ``{"error": body}`` unless it already has an
    ``error`` key; a str body is sent as is (HTML unless ``content_type`` says otherwise)."""

    status: int
    body: dict | str
    headers: dict | None = None
    content_type: str | None = None

    @property
    def error(self) -> dict | None:
        """The inner error dict (what the SDK exposes as ``e.body``), or None for raw bodies."""
        if isinstance(self.body, dict):
            return self.body["error"] if "error" in self.body else self.body
        return None


@dataclass
class StreamError:
    """Stream some content of ``text``, then a ``data: {"error": {...}}`` event, then end the
    body cleanly (no ``[DONE]``). The SDK raises a plain ``openai.APIError``."""

    text: str = "Partial answer"
    error: dict | None = None  # default: stream_server_error()
    delay: float = 0.0


@dataclass
class StreamDrop:
    """Stream content of ``text`` (no finish_reason), then drop the TCP connection without
    ``[DONE]`` and without the terminating chunk. The SDK raises ``APIConnectionError``."""

    text: str = "Partial answer"
    delay: float = 0.0
    reasoning: list[str] | None = None  # thinking streamed first (see ``Reply``)
    reasoning_field: str = "reasoning_content"
    think: float = 0.0
    ping: float = 0.0


@dataclass
class Hang:
    """Wait ``seconds`` (interrupted by ``stop()``), then answer like ``reply`` (default: a
    normal ``Reply``). For client-timeout tests."""

    seconds: float
    reply: Any = None


@dataclass
class Events:
    """A 200 event stream of exactly these events, then ``data: [DONE]`` (unless ``done`` is False).

    A dict is sent as one chat-completion chunk: its keys are merged over a chunk's envelope
    (``id``, ``object``, ``created``, ``model``), so ``{"choices": [{"index": 0, "delta": {"refusal": "No."},
    "finish_reason": None}]}`` or ``{"choices": []}`` are enough. A str is written as is (raw SSE lines)."""

    events: list
    done: bool = True
    delay: float = 0.0  # seconds before each event
    after_done: list = field(default_factory=list)  # raw strings sent after [DONE] (a proxy's pings), ``delay`` apart
