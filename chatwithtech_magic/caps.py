"""How much of a long text is shown: what a server, a prompt or an answer holds can be megabytes.

A 3 MB error page must not become a 6 MB panel, nor an 8 MB prompt 16 MB of ``%chat history``
in the notebook. Only what is *shown* is cut, and the cut says how much was left out; what is
stored (the conversation, ``Failure.message``, ``--out`` variables) stays whole.
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
