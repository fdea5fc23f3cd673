"""The conversation a notebook has with a model: its exchanges and window memory.

Each request sends the last ``window`` exchanges, the way a chat does. An answer
cut short (interrupted, dropped, failed mid-stream) is kept and marked incomplete.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .defaults import DEFAULT_WINDOW, WINDOW_RANGE  # noqa: F401 (re-exported)


@dataclass
class Exchange:
    prompt: str
    answer: str
    model: str
    complete: bool = True


@dataclass
class Conversation:
    system: str | None = None
    exchanges: list[Exchange] = field(default_factory=list)

    def reset(self) -> None:
        self.system = None
        self.exchanges.clear()

    def messages(self, prompt: str, window: int = DEFAULT_WINDOW, system: str | None = None) -> list[dict]:
        """The messages for one request: system prompt, the last ``window`` exchanges, then ``prompt``."""
        messages = []
        system = system or self.system
        if system:
            messages.append({"role": "system", "content": system})
        for exchange in self.exchanges[-window:] if window > 0 else []:
            messages.append({"role": "user", "content": exchange.prompt})
            messages.append({"role": "assistant", "content": exchange.answer})
        messages.append({"role": "user", "content": prompt})
        return messages

    def record(self, exchange: Exchange) -> None:
        self.exchanges.append(exchange)

    def drop_unfinished(self, prompt: str) -> Exchange | None:
        """Take out the last exchange when it is a cut-off answer to ``prompt``, before asking it again.

        A Retry after a broken stream must not send the broken half as history, nor keep it
        next to the full answer (retake.py puts it back if the retry brings less).
        """
        if self.exchanges and not self.exchanges[-1].complete and self.exchanges[-1].prompt == prompt:
            return self.exchanges.pop()
        return None
