"""Answers with no text: a refusal, a tool call, a content filter, an empty list of choices.

Without this the user saw nothing at all, and the history recorded a complete, empty
exchange. A refusal is an answer (shown as the answer, marked as a refusal); anything else
with no text is a catalog failure that says why, from the reason the wire gave.

Every dialect fills the ``Draft`` the same way (wire/): ``parts`` for text, ``refusal_parts``
for a refusal, ``tool_calls`` for tool calls, and the reason it ended as sent.
"""

from __future__ import annotations

from dataclasses import dataclass

from . import errors
from .answer import Draft
from .i18n import Text

REFUSED = Text("the model refused: this is its refusal, not an answer", "模型拒绝回答：以上是它的拒绝说明，而不是回答")


@dataclass(frozen=True)
class Verdict:
    """What a draft that ended without an error is: a refusal to show as the answer, or a failure, or neither."""

    refusal: str = ""
    failure: errors.Failure | None = None


def verdict(draft: Draft, stream: bool, ended: str | None = None) -> Verdict:
    """``ended``: why the answer ended in the dialect's common words (wire/dialect.py), which a wire's own
    reason (Responses' ``max_output_tokens``) may need to be understood."""
    if draft.text:
        if stream and draft.reason is None:
            return Verdict(failure=errors.Failure(errors.kind_named(errors.Kind.STREAM_INTERRUPTED), message="the stream ended without a finish reason"))
        return Verdict()
    if draft.refusal:
        return Verdict(refusal=draft.refusal)
    finish = draft.reason
    if draft.tool_calls and finish in (None, "stop"):
        finish = "tool_calls"
    if finish not in errors.REASONS and ended in errors.REASONS:
        finish = ended  # "max_output_tokens" is what Chat Completions calls "length"
    reason = finish if finish in errors.REASONS else ("no_choices" if finish is None else "stop")
    return Verdict(failure=errors.Failure(errors.kind_named(errors.Kind.EMPTY_ANSWER), message=finish or "none", reason=reason))
