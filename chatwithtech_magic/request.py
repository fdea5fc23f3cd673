"""A cell's request: the resolved options for one call (the dialect writes them on the wire: wire/)."""

from __future__ import annotations

from dataclasses import dataclass, field, fields

from .conversation import DEFAULT_WINDOW
from .credentials import DEFAULT_CONNECTION
from .defaults import DEFAULT_CACHE, DEFAULT_MODEL, DEFAULT_TIMEOUT
from .retry import RetryPolicy


@dataclass(frozen=True)
class ChatRequest:
    model: str = DEFAULT_MODEL
    # None: the user set no temperature; the seed's 0.3 then goes only to models that take one.
    temperature: float | None = None
    max_tokens: int | None = None
    reasoning_effort: str | None = None  # -r: sent only to models that take it
    # True when the model came from the default, not from -m or the user's config: if the server
    # does not have it, the session answers with the best model the account lists instead.
    model_is_default: bool = False
    system: str | None = None
    stream: bool = True
    remember: bool = True
    window: int = DEFAULT_WINDOW
    connection: str = DEFAULT_CONNECTION
    base_url: str = field(default="", repr=False)  # may hold user:password@ or ?api-key=: never in a repr
    timeout: float = DEFAULT_TIMEOUT  # the longest silence allowed (client.http_timeout)
    retry: RetryPolicy = RetryPolicy()
    # Quiet notes known before asking (a reference not found, a value cut): shown under the answer, never sent.
    notes: tuple = ()
    # Recorded answers (replay.py): off | auto | record | replay, and --refresh (ask again, record anew).
    cache: str = DEFAULT_CACHE
    refresh: bool = False
    # The cell's images (prompt.ImagePart: --image, {fig}, {Out[n]}), sent after its text; never in a repr.
    images: tuple = field(default=(), repr=False)
    # Which API asks the model: auto (the model table, then what the server says), chat or responses (wire/).
    api: str = "auto"
    store: bool = False  # Responses: keep the response on OpenAI's side (ChatMagics.store); off by default

    def but(self, **changes) -> "ChatRequest":
        # A copy with ``changes``, as ``dataclasses.replace`` makes it but about 10x faster: a cell
        # makes several, and every microsecond of a call is ours, not the model's (issue 13).
        if not changes:
            return self
        unknown = changes.keys() - _FIELDS
        if unknown:
            raise TypeError(f"ChatRequest has no field {sorted(unknown)[0]!r}")
        copy = object.__new__(ChatRequest)
        copy.__dict__.update(self.__dict__)
        copy.__dict__.update(changes)
        return copy


_FIELDS = frozenset(f.name for f in fields(ChatRequest))
