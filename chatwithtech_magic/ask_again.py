"""Asking again over a cut-off answer (the error panel's Retry): one answer, never less text.

A stream that stops part-way leaves a partial answer on screen, marked incomplete, with a
panel offering Retry. Pressed, the new attempt must take the partial's place -- not appear
below it, showing the beginning of the answer twice -- and the conversation must hold one
exchange for the question, not the broken half and the new answer.

The new attempt streams over the partial as soon as its first text arrives, as a user
expects of "retry". But a retry can fail too, and a user must never lose text they were
shown unless something better replaced it. "Better" is decided once the retry is over:

- a complete answer always wins;
- a retry that also stopped early wins only with *more* text (a tie keeps the newer text,
  which is the one on screen at that moment, usually the very same words);
- otherwise (no text at all, or a shorter cut-off, or the user interrupted it) the earlier
  partial answer comes back, as it was shown, with its notes; the retry's own failure is the
  one the panel shows (the earlier failure when the retry was only interrupted).

The history then holds whatever is on screen, once. Every request still counts in the
spend ledger (spend.py): the cut-off attempt used tokens too. Works without IPython.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

from .answer import Answer
from .conversation import Conversation, Exchange

# Not taken back with a kept answer: the question, what the latest attempt's failure was
# (``failure``), and ``complete``, set from the two; and the thinking, which stays the latest attempt's.
NOT_SHOWN = frozenset({"prompt", "failure", "complete", "thinking"})  # thinking: the latest attempt's, as before


@dataclass
class Retake:
    """One Retry over ``earlier`` (the answer on screen, cut off or failed)."""

    earlier: Answer | None
    exchange: Exchange | None = None  # taken out of the conversation while asking again
    base: int = 0  # the number of exchanges once it was taken out
    kept_earlier: bool = False

    @classmethod
    def begin(cls, conversation: Conversation, prompt: str, earlier: Answer | None, remember: bool = True) -> "Retake":
        """Take the cut-off exchange out of the conversation, so the retry does not send the
        broken half as history (nor keep it next to the new answer)."""
        exchange = conversation.drop_unfinished(prompt) if remember else None
        return cls(earlier, exchange, len(conversation.exchanges))

    def keeps_earlier(self, answer: Answer) -> bool:
        """Whether the earlier text stays on screen instead of the retry's (see the module's rules)."""
        earlier = self.earlier
        if earlier is None or not earlier.text or answer.complete:
            return False
        return len(answer.text) < len(earlier.text)

    def choose(self, answer: Answer) -> bool:
        """Make ``answer`` what stays on screen; True when that is the earlier text.

        Called by the view as the session hands over the finished answer, so the view, the
        history and ``--out`` all read the same object.
        """
        self.kept_earlier = self.keeps_earlier(answer)
        earlier = self.earlier
        if self.kept_earlier and earlier is not None:
            failure = answer.failure or earlier.failure  # interrupted retry: the earlier failure stands
            for each in fields(Answer):  # in place: the view, the history and --out hold this very object
                if each.name not in NOT_SHOWN:
                    value = getattr(earlier, each.name)
                    setattr(answer, each.name, list(value) if isinstance(value, list) else value)
            answer.failure, answer.complete = failure, False
        return self.kept_earlier

    def restore_history(self, conversation: Conversation) -> None:
        """The history holds what is on screen: the earlier exchange back, in place of the retry's."""
        if not self.kept_earlier or self.exchange is None:
            return
        exchanges = conversation.exchanges
        if len(exchanges) > self.base:  # the retry's shorter cut-off was recorded: it is not what is shown
            del exchanges[self.base :]
        exchanges.append(self.exchange)


__all__ = ["Retake"]
