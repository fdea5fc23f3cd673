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
    # What the cell's images were (``[image: 1280×960 PNG, from cell 12]``): history keeps these
    # placeholders, never the bytes, so later cells don't resend an image unless it is referenced again.
    images: tuple = ()

    def said(self) -> str:
        """The cell as history shows it: its text, then a placeholder per image it sent."""
        return "\n".join((self.prompt, *self.images)) if self.images else self.prompt


@dataclass
class Conversation:
    system: str | None = None
    exchanges: list[Exchange] = field(default_factory=list)

    def reset(self) -> None:
        self.system = None
        self.exchanges.clear()

    def prompt(self, cell: str, window: int = DEFAULT_WINDOW, system: str | None = None, images: tuple = ()) -> Prompt:
        """What one request asks: the system prompt, the last ``window`` exchanges, then ``cell`` and its ``images``."""
        system = system or self.system
        earlier = self.exchanges[-window:] if window > 0 else []
        return Prompt(
            text(system) if system else (),
            tuple((Turn(USER, text(e.said())), Turn(ASSISTANT, text(e.answer))) for e in earlier),
            text(cell) + tuple(images),
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
