"""Streaming an answer into a view: accumulate deltas, throttle re-renders.

Whatever stops the stream -- an error event, a dropped connection, Ctrl-C --
the text received so far stays in the ``Draft``, so nothing already shown is lost.
"""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass, field
from typing import Protocol

from .defaults import DEFAULT_RENDER_INTERVAL as DEFAULT_INTERVAL


class AnswerView(Protocol):
    """Where an answer is shown. The magics supply Markdown and terminal views."""

    def update(self, text: str) -> None: ...

    def finish(self, answer) -> None: ...


class TextView:
    """Plain text on a stream, written as it arrives (terminal IPython, plain Python)."""

    def __init__(self, out=None):
        self.out = out or sys.stdout
        self.shown = 0

    def update(self, text: str) -> None:
        self.out.write(text[self.shown :])
        self.out.flush()
        self.shown = len(text)

    def finish(self, answer) -> None:
        self.update(answer.text)
        if answer.text:
            self.out.write("\n")
        if not answer.complete and answer.text:
            self.out.write(f"[{answer.incomplete_note()}]\n")
        self.out.flush()


class Throttle:
    def __init__(self, interval: float = DEFAULT_INTERVAL, clock=time.monotonic):
        self.interval, self.clock, self.last = interval, clock, None

    def ready(self) -> bool:
        now = self.clock()
        if self.last is None or now - self.last >= self.interval:
            self.last = now
            return True
        return False


@dataclass
class Draft:
    parts: list[str] = field(default_factory=list)
    usage: object = None
    finish_reason: str | None = None
    model: str | None = None

    @property
    def text(self) -> str:
        return "".join(self.parts)


def consume(stream, draft: Draft, view: AnswerView, throttle: Throttle) -> None:
    """Read chunks into ``draft``, re-rendering ``view`` at most once per throttle interval."""
    for chunk in stream:
        if getattr(chunk, "usage", None):
            draft.usage = chunk.usage
        draft.model = getattr(chunk, "model", None) or draft.model
        for choice in chunk.choices or ():
            delta = getattr(choice.delta, "content", None) if choice.delta else None
            if delta:
                draft.parts.append(delta)
                if throttle.ready():
                    view.update(draft.text)
            if choice.finish_reason:
                draft.finish_reason = choice.finish_reason


def take_whole(completion, draft: Draft) -> None:
    """A non-streamed completion, recorded the same way."""
    choice = completion.choices[0] if completion.choices else None
    if choice is not None:
        draft.parts.append(choice.message.content or "")
        draft.finish_reason = choice.finish_reason
    draft.usage = completion.usage
    draft.model = completion.model
