"""Answer views: live Markdown in a notebook, plain text in a terminal.

Both receive throttled updates from ``sse.read_stream`` (see ``stream.Throttle``); the final ``finish``
always renders the complete text, plus a note when the answer is incomplete.
"""

from __future__ import annotations

import os
import sys

from ..i18n import Text
from ..replay import replayed_text
from ..stream import TextView, visible

RETRYING = Text(
    "⏳ {title} — retrying in {seconds} s (attempt {attempt} of {attempts})",
    "⏳ {title} — {seconds} 秒后重试（第 {attempt} 次，共 {attempts} 次）",
)


def usage_line(answer, language: str = "en") -> str:
    replayed = replayed_text(answer, language)
    if replayed:  # a recorded answer: nothing was sent, so no tokens were paid for
        return f"{answer.model} · {replayed}"
    from .usage import answer_line

    return answer_line(answer, language)  # model · tokens · seconds · ≈$cost, plain text (render/usage.py)


def waiting_text(failure, seconds: float, attempt: int, attempts: int, language: str) -> str:
    title = failure.kind.title.get(language, **failure.values(language))
    return RETRYING.get(language, title=title, seconds=f"{seconds:.0f}" if seconds >= 1 else f"{seconds:.1f}", attempt=attempt, attempts=attempts)


def markdown_bundle(text: str, answer=None, language: str = "en") -> dict:
    from .safe import literal_markdown, safe_markdown

    # The answer and the model's name come from a server: shown as text, never as HTML.
    markdown, plain = safe_markdown(text, close=True), text
    if answer is not None:
        notes = []
        if not answer.complete and answer.text:
            notes.append(answer.incomplete_note(language))
        if answer.truncated_note(language):
            notes.append(answer.truncated_note(language))
        for note in notes:
            markdown += f"\n\n> ⚠️ *{literal_markdown(note)}*"
            plain += f"\n[{note}]"
        if answer.text and (answer.usage or answer.model):
            markdown += f"\n\n<sub>{literal_markdown(usage_line(answer, language))}</sub>"
        if answer.text and getattr(answer, "notes", None):
            quiet = " · ".join(answer.note_lines(language))
            markdown += f"\n\n<sub>{literal_markdown(quiet)}</sub>"
            plain += f"\n[{quiet}]"
    return {"text/markdown": markdown, "text/plain": plain}


class MarkdownView:
    """Streams into one display, updated in place by ``display_id``."""

    plain = False  # ``-f text``: show the answer as plain text, not rendered Markdown

    def __init__(self, language: str = "en", display=None):
        if display is None:
            from IPython.display import display
        self.display = display
        self.language = language
        self.answer_handle = None
        self.status_handle = None
        self.renders = 0

    def _show(self, bundle: dict, metadata: dict | None = None) -> None:
        from .safe import plain_bundle

        self.renders += 1
        if self.plain:
            bundle = {"text/plain": bundle["text/plain"]}
        bundle = plain_bundle(bundle)  # text/plain is printed by consoles: never escape sequences
        extra = {"metadata": metadata} if metadata else {}  # provenance.py: what produced the answer
        if self.answer_handle is None:
            self.answer_handle = self.display(bundle, raw=True, display_id=True, **extra)
        else:
            self.answer_handle.update(bundle, raw=True, **extra)

    def update(self, text: str) -> None:
        bundle = markdown_bundle(text)
        if not self.plain:  # while streaming, one copy of the text: the final render carries both
            bundle = {"text/markdown": bundle["text/markdown"]}
        self._show(bundle)

    def waiting(self, failure, seconds, attempt, attempts) -> None:
        from .safe import plain_bundle

        text = waiting_text(failure, seconds, attempt, attempts, self.language) if failure else ""
        bundle = plain_bundle({"text/plain": text})  # a server's message is in the title
        if self.status_handle is None:
            if failure is not None:
                self.status_handle = self.display(bundle, raw=True, display_id=True)
        else:
            self.status_handle.update(bundle, raw=True)

    def finish(self, answer) -> None:
        if answer.text or self.answer_handle is not None:
            self._show(markdown_bundle(answer.text, answer, self.language), getattr(answer, "metadata", None))


class TerminalView(TextView):
    """Plain text as it streams, with retry countdowns on stderr."""

    def __init__(self, language: str = "en", out=None, err=None):
        super().__init__(out)
        self.err = err or sys.stderr
        self.language = language

    def waiting(self, failure, seconds, attempt, attempts) -> None:
        # A terminal redraws one line with \r; a pipe or a log file gets whole lines, or they run together.
        try:
            live = self.err.isatty()
        except (AttributeError, ValueError):
            live = False
        if failure is not None:
            text = waiting_text(failure, seconds, attempt, attempts, self.language)
            self.err.write("\r" + text if live else text + "\n")
        elif live:
            self.err.write("\n")
        self.err.flush()

    def finish(self, answer) -> None:
        self.update(answer.text)
        if answer.text:
            self.out.write("\n")
            for note in (answer.incomplete_note(self.language) if not answer.complete else None, answer.truncated_note(self.language)):
                if note:
                    self.out.write(f"[{note}]\n")
            self.out.write(quiet_line(answer, self.language, self.out))
        self.out.flush()


def quiet_line(answer, language: str, out=None) -> str:
    """What a notebook shows small under an answer (model · tokens · time · ≈$cost, or "replayed", then
    the notes) as one line for a terminal: after "— ", dimmed when ``out`` is a terminal (unless NO_COLOR is
    set). No brackets around it: the token figures have their own, and brackets must not nest."""
    parts = [usage_line(answer, language)] if (answer.usage or answer.model) else []
    if getattr(answer, "notes", None):
        parts.extend(answer.note_lines(language))
    parts = [part for part in parts if part]
    if not parts:
        return ""
    line = visible("— " + " · ".join(parts))  # the model's name comes from the server
    try:
        live = out is not None and out.isatty() and not os.environ.get("NO_COLOR")
    except (AttributeError, ValueError):
        live = False
    return f"\x1b[2m{line}\x1b[0m\n" if live else f"{line}\n"
