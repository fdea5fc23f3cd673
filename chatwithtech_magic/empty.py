"""Answers with no text: a refusal, a tool call, a content filter, an empty list of choices.

Without this the user saw nothing at all, and the history recorded a complete, empty
exchange. A refusal is an answer (shown as the answer, marked as a refusal); anything else
with no text is a catalog failure that says why, from the ``finish_reason``.

Both readers fill the ``Draft`` the same way (``sse.apply`` for streams, ``stream.take_whole``
for ``--no-stream``): ``parts`` for text, ``refusal_parts`` for ``delta.refusal`` /
``message.refusal``, ``tool_calls`` for tool-call deltas, ``finish_reason`` as sent.
"""

from __future__ import annotations

from . import errors
from .i18n import Text

REFUSED = Text("the model refused: this is its refusal, not an answer", "模型拒绝回答：以上是它的拒绝说明，而不是回答")


def settle(draft, answer, stream: bool) -> errors.Failure | None:
    """Fill ``answer`` from a ``draft`` that ended without an error; the failure to show, if any."""
    if draft.text:
        if stream and draft.finish_reason is None:
            return errors.Failure(errors.kind_named(errors.Kind.STREAM_INTERRUPTED), message="the stream ended without a finish reason")
        return None
    refusal = getattr(draft, "refusal", "")
    if refusal:
        answer.text = refusal
        answer.refused = True
        answer.notes.append(REFUSED)
        return None
    finish = draft.finish_reason
    if getattr(draft, "tool_calls", None) and finish in (None, "stop"):
        finish = "tool_calls"
    reason = finish if finish in errors.REASONS else ("no_choices" if finish is None else "stop")
    return errors.Failure(errors.kind_named(errors.Kind.EMPTY_ANSWER), message=finish or "none", reason=reason)
