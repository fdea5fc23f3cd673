"""What a cell's request brings back: the ``Draft`` a dialect fills as events arrive, and the ``Answer``.

One module defines both. The session owns the ``Answer``: the steps (spend.py, replay.py,
empty.py, ask_again.py) return values, and the session puts them in. ``finish_reason`` keeps its
name for the users and tests that read it: the wire's own reason, as sent (``None`` when none came).

Whatever stops the stream -- an error event, a dropped connection, Ctrl-C -- the text received
so far stays in the ``Draft``, so nothing already shown is lost.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import TYPE_CHECKING

from . import errors
from .i18n import Text
from .tokens import Figures
from .wire.dialect import LENGTH
from .wire.json_object import JsonObject

if TYPE_CHECKING:
    from .thinking import Splitter

INTERRUPTED = Text("answer incomplete: interrupted", "回答不完整：已中断")
CUT_OFF = Text("answer incomplete: the stream stopped early", "回答不完整：数据流提前中断")
TRUNCATED = Text("stopped at the max tokens limit", "已达到最大令牌数限制而停止")

Note = str | Text  # plain text, or a text shown in the view's language


@dataclass
class Draft:
    """What arrived so far. The dialect fills it; the session turns it into an ``Answer``."""

    parts: list[str] = field(default_factory=list)
    usage: JsonObject | None = None  # the wire's usage, read as attributes
    finish_reason: str | None = None
    model: str | None = None
    request_id: str | None = None  # the server's id for the request, kept with a recorded answer (replay.py)
    # The server answered with a success status: the request is in its hands, working and maybe billing,
    # so whatever happens next it is never sent again by itself (session.py), and it is counted (spend.py).
    accepted: bool = False
    response_id: str | None = None  # Responses: the response's own id (provenance)
    size: int = 0  # characters in ``parts``, kept so that deciding to render needs no join
    refusal_parts: list[str] = field(default_factory=list)
    tool_calls: list[JsonObject] = field(default_factory=list)  # tool-call deltas, read as attributes
    # The model's thinking (thinking.py): shown apart, never part of ``text``.
    thinking_parts: list[str] = field(default_factory=list)
    thinking_size: int = 0
    splitter: Splitter | None = None  # made at the first content
    thinking_part: object = None  # Responses: the summary part thinking arrives in (a new one starts a paragraph)

    def add(self, text: str) -> None:
        self.parts.append(text)
        self.size += len(text)

    def add_content(self, text: str) -> None:
        """Content as a server sent it: ``<think>…</think>`` at its start is thinking, the rest the answer."""
        if self.splitter is None:
            from .thinking import Splitter

            self.splitter = Splitter(watch_lone_closer=not self.thinking_size)  # thinking in a field: tags are text
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

    def flush(self) -> None:
        """The stream is over (or stopped): what the splitter held back goes where it belongs."""
        if self.splitter is not None:
            thinking, answer = self.splitter.end()
            if thinking:
                self.add_thinking(thinking)
            if answer:
                self.add(answer)

    @property
    def reason(self) -> str | None:
        """Why the answer ended, as the wire said it (``None``: it did not say)."""
        return self.finish_reason

    @property
    def thinking(self) -> str:
        return "".join(self.thinking_parts)

    @property
    def text(self) -> str:
        return "".join(self.parts)

    @property
    def refusal(self) -> str:
        return "".join(self.refusal_parts)


@dataclass
class Answer:
    prompt: str
    text: str = ""
    model: str = ""
    complete: bool = False
    interrupted: bool = False
    finish_reason: str | None = None
    # Why it ended in every dialect's words (wire.dialect: STOP, LENGTH, REFUSAL, CONTENT_FILTER, FAILED).
    ended: str | None = None
    usage: JsonObject | None = None  # as the wire reported it (kept in a recorded answer)
    failure: errors.Failure | None = None
    refused: bool = False  # the text is the model's refusal (empty.verdict), not an answer
    thinking: str = ""  # the model's thinking (thinking.py): shown apart, never sent back, never in ``text``
    # Quiet plain-text lines shown under the answer (a model fallback, an adapted parameter,
    # a retirement date, spend...). Plain text: the views escape them.
    notes: list[Note] = field(default_factory=list)
    replayed: str = ""  # the date a replayed answer was recorded (replay.py); "" for a live answer
    # From spend.Meter when the answer is over: token figures (reported or estimated), the
    # estimated cost (None when the model has no known price), seconds, provenance.
    figures: Figures | None = None
    cost: Decimal | None = None
    elapsed: float | None = None
    metadata: dict = field(default_factory=dict)  # output metadata: what produced the answer (provenance.py)

    @property
    def reason(self) -> str | None:
        """Why the answer ended, as the wire said it (``None``: it did not say)."""
        return self.finish_reason

    def note_lines(self, language: str = "en") -> list[str]:
        return [note.get(language) if isinstance(note, Text) else str(note) for note in self.notes]

    def incomplete_note(self, language: str = "en") -> str:
        return (INTERRUPTED if self.interrupted else CUT_OFF).get(language)

    def truncated_note(self, language: str = "en") -> str | None:
        return TRUNCATED.get(language) if self.ended == LENGTH else None


def taken(answer: Answer, draft: Draft, model: str, ended: str | None) -> Answer:
    """``answer`` with what ``draft`` brought: the text, usage, reason and thinking, and the model that
    answered; ``ended``: the reason in the dialect's common words."""
    return replace(answer, text=draft.text, usage=draft.usage, finish_reason=draft.finish_reason, ended=ended,
                   thinking=draft.thinking, model=draft.model or model)


def replayed(answer: Answer, text: str, thinking: str, model: str, usage: JsonObject | None, reason: str | None,
             ended: str | None, date: str) -> Answer:
    """``answer`` as a recorded answer gives it back (replay.py)."""
    return replace(answer, text=text, thinking=thinking, model=model or answer.model, usage=usage,
                   finish_reason=reason, ended=ended, replayed=date)
