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


THINKING = Text("Thinking", "思考过程")


def thinking_block(thinking: str, language: str = "en", folded: bool = True) -> str:
    """The model's thinking as a dimmed, collapsible block to put above the answer's Markdown ("" for none).

    Text, never markup: escaped HTML on one line (a blank line would end the HTML block, and
    the rest would be read as Markdown), with ``$`` and ``\\`` as entities and MathJax told to
    keep out, so thinking about prices or TeX stays as written. Open while it streams alone,
    folded once the answer comes.
    """
    if not thinking or not thinking.strip():
        return ""
    from .safe import html_text

    body = html_text(thinking.strip("\n").replace("\r\n", "\n").replace("\r", "\n"))
    body = body.replace("$", "&#36;").replace("\\", "&#92;").replace("`", "&#96;").replace("\n", "<br>")
    opened = "" if folded else " open"
    return (
        f'<details class="chatwithtech-thinking"{opened}><summary>{html_text(THINKING.get(language))}</summary>'
        f'<div class="tex2jax_ignore mathjax_ignore" style="opacity:0.65">{body}</div></details>\n\n'
    )


def markdown_bundle(text: str, answer=None, language: str = "en", thinking: str = "") -> dict:
    from .safe import literal_markdown, safe_markdown

    # The answer and the model's name come from a server: shown as text, never as HTML.
    markdown, plain = safe_markdown(text, close=True), text
    if thinking:  # shown apart, above; never in the text/plain that stands for the answer
        markdown = thinking_block(thinking, language, folded=bool(text)) + markdown
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
        if answer.text and answer.notes:
            quiet = " · ".join(answer.note_lines(language))
            markdown += f"\n\n<sub>{literal_markdown(quiet)}</sub>"
            plain += f"\n[{quiet}]"
    return {"text/markdown": markdown, "text/plain": plain}


class MarkdownView:
    """Streams into one display, updated in place by ``display_id``."""

    plain = False  # ``-f text``: show the answer as plain text, not rendered Markdown
    show_thinking = True  # ChatMagics.show_thinking

    def __init__(self, language: str = "en", display=None):
        if display is None:
            from IPython.display import display
        self.display = display
        self.language = language
        self.answer_handle = None
        self.status_handle = None
        self.renders = 0
        self.thinking = ""  # the thinking so far (``think``), shown above the answer
        self.text = ""
        self._ticker = None  # render/waiting.py, while no text has come
        self.live_handle = None  # the output showing the live line; the answer takes it over
        self.live_shown = False

    def _show(self, bundle: dict, metadata: dict | None = None) -> None:
        from .safe import plain_bundle

        self._stop_ticker()
        self.renders += 1
        if self.plain:
            bundle = {"text/plain": bundle["text/plain"]}
        bundle = plain_bundle(bundle)  # text/plain is printed by consoles: never escape sequences
        extra = {"metadata": metadata} if metadata else {}  # provenance.py: what produced the answer
        if self.answer_handle is None and self.live_handle is not None:
            self.answer_handle, self.live_handle, self.live_shown = self.live_handle, None, False  # the line's place
        if self.answer_handle is None:
            self.answer_handle = self.display(bundle, raw=True, display_id=True, **extra)
        else:
            self.answer_handle.update(bundle, raw=True, **extra)

    def update(self, text: str) -> None:
        self.text = text
        bundle = markdown_bundle(text, thinking=self.thinking if self.show_thinking else "", language=self.language)
        if not self.plain:  # while streaming, one copy of the text: the final render carries both
            bundle = {"text/markdown": bundle["text/markdown"]}
        self._show(bundle)

    def think(self, thinking: str) -> None:
        """The thinking so far; shown (above the answer) while no answer text has come, else with the next update."""
        self.thinking = thinking
        if self.show_thinking and not self.plain and not self.text:
            self._show({"text/markdown": thinking_block(thinking, self.language, folded=False)})

    # -- the live line while nothing has come (render/waiting.py) --
    def begin_wait(self, model: str) -> None:
        if self.answer_handle is not None or self._ticker is not None:
            return  # a Retry over an answer on screen: that answer stays until the new text comes
        from .waiting import Ticker

        self._ticker = Ticker(lambda seconds: self._tick(model, seconds)).start()

    def _tick(self, model: str, seconds: float) -> None:
        from .safe import plain_bundle
        from .waiting import waiting_line

        bundle = plain_bundle({"text/plain": waiting_line(model, seconds, self.language)})  # a listed model's name
        if self.live_handle is None:
            self.live_handle = self.display(bundle, raw=True, display_id=True)
        else:
            self.live_handle.update(bundle, raw=True)
        self.live_shown = True

    def _stop_ticker(self) -> None:
        ticker, self._ticker = self._ticker, None
        if ticker is not None:
            ticker.stop()

    def end_wait(self) -> None:
        """No text came (a failure, Ctrl-C): the line goes; a saved notebook never keeps it."""
        self._stop_ticker()
        if self.live_shown and self.live_handle is not None:
            self.live_handle.update({"text/plain": ""}, raw=True)
            self.live_shown = False

    def spare_output(self):
        """The output the live line had, now blank, for the failure's panel to take (``show.show_failure``):
        then no empty output is left in the cell. None when the answer took it, or there was none."""
        handle, self.live_handle = (self.live_handle, None) if self.answer_handle is None else (None, self.live_handle)
        return handle

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
        self.end_wait()
        if answer.text or self.answer_handle is not None:
            thinking = answer.thinking if self.show_thinking else ""
            self._show(markdown_bundle(answer.text, answer, self.language, thinking), answer.metadata)


def _is_tty(stream) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


class TerminalView(TextView):
    """Plain text as it streams, with retry countdowns, the live line and the thinking on stderr."""

    show_thinking = True

    def __init__(self, language: str = "en", out=None, err=None):
        super().__init__(out)
        self.err = err or sys.stderr
        self.language = language
        self._ticker = None
        self.thought = 0  # characters of thinking written so far

    def begin_wait(self, model: str) -> None:
        # One line redrawn in place on a terminal; a pipe or a log file gets nothing (it would be noise).
        if self._ticker is not None or self.shown or self.thought or not _is_tty(self.err):
            return
        from .waiting import Ticker, waiting_line

        def tick(seconds):
            self.err.write("\r" + visible(waiting_line(model, seconds, self.language, terminal=True)) + "\x1b[K")
            self.err.flush()

        self._ticker = Ticker(tick).start()

    def end_wait(self) -> None:
        ticker, self._ticker = self._ticker, None
        if ticker is not None:
            ticker.stop()
            self.err.write("\r\x1b[K")  # the line goes: the text takes its place
            self.err.flush()

    def think(self, thinking: str) -> None:
        self.end_wait()
        if not self.show_thinking or len(thinking) <= self.thought:
            return
        new, self.thought = thinking[self.thought :], len(thinking)
        dim = _is_tty(self.err) and not os.environ.get("NO_COLOR")
        self.err.write(f"\x1b[2m{visible(new)}\x1b[0m" if dim else visible(new))
        self.err.flush()

    def update(self, text: str) -> None:
        self.end_wait()
        if self.thought and not self.shown and text:
            self.err.write("\n\n")  # the thinking ends; the answer starts on its own line
            self.err.flush()
        super().update(text)

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
        self.end_wait()
        if not self.thought and answer.thinking and not self.shown:
            self.think(answer.thinking)  # a whole (or replayed) answer: its thinking first, as it streams live
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
    if answer.notes:
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
