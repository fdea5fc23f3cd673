"""Streaming an answer into a view: accumulate deltas, throttle re-renders.

``sse.py`` reads the stream into a ``Draft``; this module holds the draft, the views'
protocol and the throttle that bounds what re-rendering sends to the frontend.

Whatever stops the stream -- an error event, a dropped connection, Ctrl-C --
the text received so far stays in the ``Draft``, so nothing already shown is lost.
"""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Protocol

from .defaults import DEFAULT_RENDER_INTERVAL as DEFAULT_INTERVAL


class AnswerView(Protocol):
    """Where an answer is shown. The magics supply Markdown and terminal views."""

    def update(self, text: str) -> None: ...

    def finish(self, answer) -> None: ...


# A terminal obeys escape sequences: an answer or a server's message could retitle the window,
# rewrite what is already on screen or (OSC 52) set the clipboard. Every control character but
# line breaks and tabs is shown as its visible symbol (ESC as "␛"), one character for one, so
# lengths and the text already shown stay as they were.
_CONTROLS = {code: chr(0x2400 + code) for code in range(0x20) if chr(code) not in "\n\t"}
_CONTROLS.update({0x7F: "\u2421", **{code: "\ufffd" for code in range(0x80, 0xA0)}})


def visible(text: str) -> str:
    """``text`` for a terminal: shown as written, never obeyed as escape sequences."""
    return text.translate(_CONTROLS)


class TextView:
    """Plain text on a stream, written as it arrives (terminal IPython, plain Python)."""

    incremental = True  # an update writes only what is new, so it needs no traffic budget

    def __init__(self, out=None):
        self.out = out or sys.stdout
        self.shown = 0

    def update(self, text: str) -> None:
        self.out.write(visible(text[self.shown :]))
        self.out.flush()
        self.shown = len(text)

    def finish(self, answer) -> None:
        self.update(answer.text)
        if answer.text:
            self.out.write("\n")
        if not answer.complete and answer.text:
            self.out.write(f"[{answer.incomplete_note()}]\n")
        self.out.flush()


# A re-render re-sends the whole text so far, so re-rendering at a fixed interval makes the
# traffic grow with the square of the answer (a 140 KB answer once sent 56 MB to the browser).
# Re-rendering only while the text re-sent stays within TRAFFIC_RATIO times the text's length
# (plus TRAFFIC_SLACK characters, so a short answer is shown live at the interval) bounds the
# traffic linearly, whatever the interval: in a long answer, a render waits until the text has
# grown by 1/TRAFFIC_RATIO since the last one. The first text is always shown at once.
TRAFFIC_RATIO = 16
TRAFFIC_SLACK = 4096


class Throttle:
    """When to re-render a streaming answer: after ``interval`` seconds, and within the traffic budget."""

    def __init__(self, interval: float = DEFAULT_INTERVAL, clock=time.monotonic, ratio: float = TRAFFIC_RATIO,
                 slack: int = TRAFFIC_SLACK):
        interval = float(interval)
        self.interval = interval if interval >= 0 and interval != float("inf") else DEFAULT_INTERVAL
        self.clock, self.ratio, self.slack = clock, ratio, slack
        self.last = None
        self.sent = 0  # characters re-sent by the renders so far

    @classmethod
    def for_view(cls, view, interval: float = DEFAULT_INTERVAL) -> "Throttle":
        """A view that writes only the new text (a terminal) costs nothing to update: no budget."""
        return cls(interval, ratio=float("inf")) if getattr(view, "incremental", False) else cls(interval)

    def ready(self, length: int = 0) -> bool:
        """Whether to re-render now, the text being ``length`` characters long."""
        now = self.clock()
        if self.last is not None:
            if now - self.last < self.interval or self.sent + length > self.ratio * length + self.slack:
                return False
        self.last = now
        self.sent += length
        return True


@dataclass
class Draft:
    """What arrived so far. The parser fills it; the session turns it into an ``Answer``."""

    parts: list[str] = field(default_factory=list)
    usage: object = None
    finish_reason: str | None = None
    model: str | None = None
    size: int = 0  # characters in ``parts``, kept so that deciding to render needs no join
    refusal_parts: list[str] = field(default_factory=list)
    tool_calls: list = field(default_factory=list)  # tool-call deltas, as attribute records
    # The model's thinking (thinking.py): shown apart, never part of ``text``.
    thinking_parts: list[str] = field(default_factory=list)
    thinking_size: int = 0
    splitter: object = None  # thinking.Splitter, made at the first content

    def add(self, text: str) -> None:
        self.parts.append(text)
        self.size += len(text)

    def add_content(self, text: str) -> None:
        """Content as a server sent it: ``<think>…</think>`` at its start is thinking, the rest the answer."""
        if self.splitter is None:
            from .thinking import Splitter

            self.splitter = Splitter()
        thinking, answer = self.splitter.feed(text)
        if self.splitter.took_back:  # a lone </think>: all the content so far, split at it, replaces the answer
            self.parts, self.size = [], 0
        if thinking:
            self.add_thinking(thinking)
        if answer:
            self.add(answer)

    def add_thinking(self, text: str) -> None:
        self.thinking_parts.append(text)
        self.thinking_size += len(text)

    def settle(self) -> None:
        """The stream is over (or stopped): what the splitter held back goes where it belongs."""
        if self.splitter is not None:
            thinking, answer = self.splitter.end()
            if thinking:
                self.add_thinking(thinking)
            if answer:
                self.add(answer)

    @property
    def thinking(self) -> str:
        return "".join(self.thinking_parts)

    @property
    def text(self) -> str:
        return "".join(self.parts)

    @property
    def refusal(self) -> str:
        return "".join(self.refusal_parts)


def take_whole(completion, draft: Draft) -> None:
    """A non-streamed completion (``sse.read_whole``: its JSON read as attributes), recorded the same way.

    As in the streamed path (``sse.apply``), a server may send anything in any field: only text
    is taken as text, and only an object as usage, so a malformed answer is an empty one, not a crash.
    """
    choice = completion.choices[0] if completion.choices else None
    message = getattr(choice, "message", None)
    content, refusal = getattr(message, "content", None), getattr(message, "refusal", None)
    if message is not None:
        from .thinking import thinking_of

        thinking = thinking_of(message)
        if thinking:
            draft.add_thinking(thinking)
    if isinstance(content, str):
        draft.add_content(content)
    if refusal and isinstance(refusal, str):
        draft.refusal_parts.append(refusal)
    finish = getattr(choice, "finish_reason", None)
    if isinstance(finish, str):
        draft.finish_reason = finish
    if isinstance(completion.usage, SimpleNamespace):
        draft.usage = completion.usage
    if isinstance(completion.model, str):
        draft.model = completion.model
