"""How much of a long text is shown: what a server, a prompt or an answer holds can be megabytes.

A 3 MB error page must not become a 6 MB panel, nor an 8 MB prompt 16 MB of ``%chat history``
in the notebook. Only what is *shown* is cut, and the cut says how much was left out; what is
stored (the conversation, ``Failure.message``, ``--out`` variables) stays whole. What is *sent*
(a value in a ``%%chat`` cell, a traceback) is bounded too, with a mark the model can read.
"""

from __future__ import annotations

from .i18n import Text

MESSAGE_LIMIT = 2_000  # a server's message in a panel or in %chat error: a few lines is what helps
HISTORY_LIMIT = 20_000  # one prompt or answer in %chat history: a long answer still reads whole

CUT = Text("… [{count:,} more characters not shown; the whole text is kept]", "… [另有 {count:,} 个字符未显示；完整内容已保留]")


def cap(text, limit: int = MESSAGE_LIMIT, language: str = "en"):
    """``text`` up to ``limit`` characters, with a note saying how much was left out."""
    if not isinstance(text, str) or len(text) <= limit:
        return text
    return text[:limit] + CUT.get(language, count=len(text) - limit)


def bound_middle(text: str, limit: int) -> str:
    """At most about ``limit`` characters: the first lines and the last ones, with a mark between."""
    if len(text) <= limit:
        return text
    head, tail = text[: limit // 4], text[-(limit - limit // 4) :]
    head = head[: head.rfind("\n")] if "\n" in head else head
    tail = tail[tail.find("\n") + 1 :] if "\n" in tail else tail
    omitted = len(text) - len(head) - len(tail)
    return f"{head}\n    … [{omitted:,} characters omitted] …\n{tail}"


def bound(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters, with a mark that tells the model it was cut."""
    if len(text) <= limit:
        return text
    return f"{text[:limit]}… [{len(text) - limit:,} more characters cut]"


def safe_str(value) -> str:
    """``str(value)``, or ``<TypeName>`` when a user's ``__str__`` raises."""
    try:
        return str(value)
    except Exception:
        return f"<{type(value).__name__}>"
