"""Streaming an answer into a view: accumulate deltas, throttle re-renders.

``sse.py`` reads the stream into a ``Draft`` (answer.py) through the wire's dialect; this module
holds the views' protocol and the throttle that bounds what re-rendering sends to the frontend.
"""

from __future__ import annotations

import sys
import time
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
