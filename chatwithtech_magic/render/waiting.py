"""The live line while a model thinks: ``gpt-5.5-pro · thinking · 1:42 · ■ Stop or Ctrl-C cancels``.

Reasoning models can be silent for minutes before their first token, and an empty output
reads as a hung cell. The main thread is blocked reading the socket then, so a small
background thread (``Ticker``) redraws the line about once a second, from ``SHOW_AFTER``
seconds on (a quick answer never shows it). The views (answer.py) decide where the line
goes: in a notebook, the output that the answer then takes over; in a terminal, one
rewritten line on stderr, and nothing when it is not a terminal.
"""

from __future__ import annotations

import contextvars
import threading
import time

from ..i18n import Text

# Seconds of silence before the line appears, and between redraws.
SHOW_AFTER = 1.0
INTERVAL = 1.0

LINE = Text("{model} · thinking · {elapsed} · {cancel}", "{model} · 思考中 · {elapsed} · {cancel}")
CANCEL_NOTEBOOK = Text("■ Stop or Ctrl-C cancels", "■ 点击“停止”或按 Ctrl-C 取消")
CANCEL_TERMINAL = Text("Ctrl-C cancels", "按 Ctrl-C 取消")


def clock_text(seconds: float) -> str:
    """``1:42``, ``0:05``, ``1:02:03``."""
    seconds = max(int(seconds), 0)
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def waiting_line(model: str, seconds: float, language: str = "en", terminal: bool = False) -> str:
    """The line's text; the model's name comes from the user or a server, and the views show it as text."""
    cancel = (CANCEL_TERMINAL if terminal else CANCEL_NOTEBOOK).get(language)
    return LINE.get(language, model=model or "?", elapsed=clock_text(seconds), cancel=cancel)


class Ticker:
    """Calls ``show(seconds_waited)`` from a daemon thread: first after ``SHOW_AFTER``, then every ``INTERVAL``.

    ``stop()`` returns only once no call is running or can start, so whatever the caller shows
    next (the first text) is never overwritten by a late tick. The thread runs in a copy of the
    caller's context, so ipykernel sends its output to the cell that started it.
    """

    def __init__(self, show, clock=time.monotonic):
        self.show, self.clock = show, clock
        self.started = clock()
        self.after, self.interval = SHOW_AFTER, INTERVAL
        self._lock = threading.Lock()
        self._stopped = threading.Event()
        context = contextvars.copy_context()
        self._thread = threading.Thread(target=context.run, args=(self._run,), name="chatwithtech-waiting", daemon=True)

    def start(self) -> "Ticker":
        self._thread.start()
        return self

    def _run(self) -> None:
        wait = self.after
        while not self._stopped.wait(wait):
            with self._lock:
                if self._stopped.is_set():
                    return
                try:
                    self.show(self.clock() - self.started)
                except Exception:  # a display that went away: the line is a courtesy, never a failure
                    return
            wait = self.interval

    def stop(self) -> None:
        self._stopped.set()
        with self._lock:  # a tick in progress finishes first
            pass
