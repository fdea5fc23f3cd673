"""Where a Retry shows its answer: over the answer the cell shows, in place (the rules: ``ask_again.py``).

A cell whose stream was cut off shows two outputs: the partial answer (its own display, A) and
the error panel's message (M, by display id, with the buttons below). A Retry used to stream
its answer into M, so the partial stayed in A above it: the beginning of the answer twice.
Now the retry streams into A, M is emptied once the new text arrives (it speaks of the partial
being kept), and a retry that fails puts its message in M again.

A cell that failed before any text has no A: there the answer streams into M, as before. If
that retry is cut off too, M holds the partial answer *and* the message below it, in one
output (an answer and a failure in one place), rather than the message replacing the text.
"""

from __future__ import annotations

from ..ask_again import Retake
from .answer import markdown_bundle, waiting_text

EMPTY = {"text/plain": ""}


class Shown:
    """What a cell with an error panel shows as its answer: the view holding it, and the answer.

    Kept by the panel's button handler, so each Retry replaces what the last one left.
    """

    def __init__(self, view, answer):
        self.view, self.answer = view, answer

    def retry(self, conversation, prompt: str, remember: bool, message_view, place, language: str) -> "RetakeView":
        """The view for one Retry: into the answer on screen, or into the panel's message when there is none."""
        retake = Retake.begin(conversation, prompt, self.answer, remember)
        if getattr(self.view, "answer_handle", None) is None:
            self.view = message_view  # no answer on screen yet: it will stand where the message is
        return RetakeView(self.view, place, retake, language)


class RetakeView:
    """Streams a Retry into ``area`` (the view that showed the earlier answer); ``place`` is the panel's message."""

    def __init__(self, area, place, retake: Retake, language: str = "en"):
        self.area, self.place, self.retake, self.language = area, place, retake, language
        handle = getattr(area, "answer_handle", None)
        self.in_message = handle is None or handle is place  # the answer stands where the message is
        self.cleared = False

    def __getattr__(self, name):  # plain, renders...: the area's
        if name == "area":  # not set yet (a copy): no endless lookup
            raise AttributeError(name)
        return getattr(self.area, name)

    def _clear_message(self) -> None:
        if not self.in_message and not self.cleared:
            self.place.show(EMPTY)
            self.cleared = True

    def update(self, text: str) -> None:
        self._clear_message()  # "the partial answer above is kept" no longer holds: the new text replaces it
        self.area.update(text)

    def waiting(self, failure, seconds, attempt, attempts) -> None:
        if self.in_message:
            self.area.waiting(failure, seconds, attempt, attempts)
            return
        # Under the earlier answer, which stays until the new text comes: the countdown replaces the message.
        self.place.show({"text/plain": waiting_text(failure, seconds, attempt, attempts, self.language)} if failure else EMPTY)

    def finish(self, answer) -> None:
        self.retake.choose(answer)  # the earlier text back, unless the retry brought something better
        if answer.failure is None:
            self._clear_message()  # resolved (or stopped by the user with more text): no message stays
        self.area.finish(answer)

    def show_failure(self, answer, panel) -> bool:
        """Show the retry's failure when the answer kept stands in the message's place: both, in one
        output. False when the ordinary way (the message replaces the panel's) applies."""
        if not (self.in_message and answer.text and panel is not None):
            return False
        panel.place.show(with_failure(answer, answer.failure, self.language, getattr(self.area, "plain", False)))
        panel.show_buttons(answer.failure)
        return True


def with_failure(answer, failure, language: str = "en", plain: bool = False) -> dict:
    """A kept partial answer and, under it, the failure's message: one output, Markdown and text.

    Not HTML: a frontend prefers HTML to Markdown, so the answer would not show. The message is
    the catalog's plain text, each line literal Markdown (a server's words never become markup).
    """
    from .panels import failure_text
    from .safe import literal_markdown

    bundle = markdown_bundle(answer.text, answer, language)
    message = failure_text(failure, language)
    lines = [literal_markdown(line) for line in message.splitlines()] or [""]
    lines[0] = f"**{lines[0]}**" if lines[0] else ""
    bundle["text/markdown"] += "\n\n---\n\n" + "  \n".join(lines)
    bundle["text/plain"] += "\n\n" + message
    if plain:
        del bundle["text/markdown"]
    return bundle


__all__ = ["RetakeView", "Shown", "with_failure"]
