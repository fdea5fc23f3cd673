"""The conversation a notebook has with a model: its exchanges and window memory.

Each request sends the last ``window`` exchanges, the way a chat does. An answer
cut short (interrupted, dropped, failed mid-stream) is kept and marked incomplete.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .defaults import DEFAULT_WINDOW, WINDOW_RANGE  # noqa: F401 (re-exported)
from .prompt import ASSISTANT, USER, Prompt, Turn, text


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

    def prompt(self, cell: str, window: int = DEFAULT_WINDOW, system: str | None = None) -> Prompt:
        """What one request asks: the system prompt, the last ``window`` exchanges, then ``cell``."""
        system = system or self.system
        earlier = self.exchanges[-window:] if window > 0 else []
        return Prompt(
            text(system) if system else (),
            tuple((Turn(USER, text(e.prompt)), Turn(ASSISTANT, text(e.answer))) for e in earlier),
            text(cell),
        )

    def add(self, exchange: Exchange) -> None:
        self.exchanges.append(exchange)

    def drop_unfinished(self, prompt: str) -> Exchange | None:
        """Take out the last exchange when it is a cut-off answer to ``prompt``, before asking it again.

        A Retry after a broken stream must not send the broken half as history, nor keep it
        next to the full answer (ask_again.py puts it back if the retry brings less).
        """
        if self.exchanges and not self.exchanges[-1].complete and self.exchanges[-1].prompt == prompt:
            return self.exchanges.pop()
        return None
