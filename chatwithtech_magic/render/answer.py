"""Answer views: live Markdown in a notebook, plain text in a terminal.

Both receive throttled updates from ``stream.consume``; the final ``finish``
always renders the complete text, plus a note when the answer is incomplete.
"""

from __future__ import annotations

import sys

from ..i18n import Text
from ..stream import TextView

RETRYING = Text(
    "⏳ {title} — retrying in {seconds} s (attempt {attempt} of {attempts})",
    "⏳ {title} — {seconds} 秒后重试（第 {attempt} 次，共 {attempts} 次）",
)


def usage_line(answer) -> str:
    usage = answer.usage
    if not usage:
        return answer.model
    return f"{answer.model} · {usage.prompt_tokens} → {usage.completion_tokens} tokens"


def waiting_text(failure, seconds: float, attempt: int, attempts: int, language: str) -> str:
    title = failure.kind.title.get(language, **failure.values(language))
    return RETRYING.get(language, title=title, seconds=f"{seconds:.0f}" if seconds >= 1 else f"{seconds:.1f}", attempt=attempt, attempts=attempts)


def markdown_bundle(text: str, answer=None, language: str = "en") -> dict:
    markdown, plain = text, text
    if answer is not None:
        notes = []
        if not answer.complete and answer.text:
            notes.append(answer.incomplete_note(language))
        if answer.truncated_note(language):
            notes.append(answer.truncated_note(language))
        for note in notes:
            markdown += f"\n\n> ⚠️ *{note}*"
            plain += f"\n[{note}]"
        if answer.text and (answer.usage or answer.model):
            markdown += f"\n\n<sub>{usage_line(answer)}</sub>"
    return {"text/markdown": markdown, "text/plain": plain}


def output_item(bundle: dict) -> dict:
    """One display bundle as an entry of an ``ipywidgets.Output``'s ``outputs``."""
    return {"output_type": "display_data", "data": bundle, "metadata": {}}


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

    def _show(self, bundle: dict) -> None:
        self.renders += 1
        if self.plain:
            bundle = {"text/plain": bundle["text/plain"]}
        if self.answer_handle is None:
            self.answer_handle = self.display(bundle, raw=True, display_id=True)
        else:
            self.answer_handle.update(bundle, raw=True)

    def update(self, text: str) -> None:
        self._show(markdown_bundle(text))

    def waiting(self, failure, seconds, attempt, attempts) -> None:
        text = waiting_text(failure, seconds, attempt, attempts, self.language) if failure else ""
        bundle = {"text/plain": text}
        if self.status_handle is None:
            if failure is not None:
                self.status_handle = self.display(bundle, raw=True, display_id=True)
        else:
            self.status_handle.update(bundle, raw=True)

    def finish(self, answer) -> None:
        if answer.text or self.answer_handle is not None:
            self._show(markdown_bundle(answer.text, answer, self.language))


class OutputWidgetView(MarkdownView):
    """The same view inside an ``ipywidgets.Output`` (a panel's Retry), by setting its outputs.

    Setting ``outputs`` works from button callbacks, where display-id updates
    would be routed to the cell that first ran, not to the panel.
    """

    def __init__(self, output, language: str = "en"):
        super().__init__(language, display=lambda *a, **k: None)
        self.output = output
        self.status = ""
        self.current = None

    def _publish(self) -> None:
        items = []
        if self.current is not None:
            items.append(output_item(self.current))
        if self.status:
            items.append(output_item({"text/plain": self.status}))
        self.output.outputs = tuple(items)

    def _show(self, bundle: dict) -> None:
        self.renders += 1
        self.current = {"text/plain": bundle["text/plain"]} if self.plain else bundle
        self.answer_handle = True
        self._publish()

    def waiting(self, failure, seconds, attempt, attempts) -> None:
        self.status = waiting_text(failure, seconds, attempt, attempts, self.language) if failure else ""
        self._publish()


class TerminalView(TextView):
    """Plain text as it streams, with retry countdowns on stderr."""

    def __init__(self, language: str = "en", out=None, err=None):
        super().__init__(out)
        self.err = err or sys.stderr
        self.language = language

    def waiting(self, failure, seconds, attempt, attempts) -> None:
        if failure is not None:
            self.err.write("\r" + waiting_text(failure, seconds, attempt, attempts, self.language))
        else:
            self.err.write("\n")
        self.err.flush()

    def finish(self, answer) -> None:
        self.update(answer.text)
        if answer.text:
            self.out.write("\n")
            for note in (answer.incomplete_note(self.language) if not answer.complete else None, answer.truncated_note(self.language)):
                if note:
                    self.out.write(f"[{note}]\n")
        self.out.flush()
