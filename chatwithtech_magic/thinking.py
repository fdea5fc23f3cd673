"""A model's thinking, told apart from its answer.

Gateways send thinking beside the answer as fields the dialect reads (wire/chat_completions.py:
``THINKING_FIELDS``), or as ``<think>…</think>`` at the start of the answer's text (llama.cpp's
server, LiteLLM's merge mode), which needs ``Splitter``: it reads the text as it streams.

Thinking is never part of the answer's text: not sent back as history, not in ``--out`` or
``-f code``. A tag can be cut across two chunks (``<thi`` + ``nk>``), so a possible tag
prefix at the end of a chunk is held back until the next chunk decides.
"""

from __future__ import annotations

# Opening tags and their closers; only at the very start of the content (after blank space).
TAGS = {"<think>": "</think>", "<thinking>": "</thinking>"}


class Splitter:
    """Content in, ``(thinking, answer)`` out, chunk by chunk; ``end()`` flushes what was held back.

    States: ``start`` (leading blank space and a possible opening tag are held), ``thinking``
    (inside the tags; a possible closing-tag prefix is held), ``gap`` (blank lines right after
    the closing tag are dropped; the first line's indentation stays, it may open a code block),
    ``answer`` (everything passes through).

    A closing tag with no opening one: DeepSeek-R1's and Qwen3's chat templates put ``<think>`` in
    the *prompt*, so a server without a reasoning parser streams ``thinking…</think>\n\nanswer``.
    What came before such a closer was thinking after all: ``took_back`` is then set, and the
    caller moves the answer it has so far to the thinking (``answer.Draft.add_content``). Only once,
    only for the first closer, only at a line's end as templates write it (``</think>\n``), never after a
    backtick, a code fence or an opening tag (an answer about the tags), and not when the thinking came
    in its own field (``watch_lone_closer=False``).
    """

    def __init__(self, watch_lone_closer: bool = True):
        self.state = "start"
        self.held = ""
        self.closer = ""
        self.opened = False  # an opening tag was seen: a later closer is the answer's own text
        self.took_back = False  # the last ``feed`` found a lone closer (see the class's docstring)
        self._answered = ""  # the answer passed on so far, while a lone closer may still come
        self._watching = watch_lone_closer
        self._pending: int | None = None  # where a closer at the very end of the answer so far stands

    def feed(self, text: str) -> tuple[str, str]:
        self.took_back = False
        if self.state == "answer":
            return self._lone_closer(text)
        self.held += text
        thinking = answer = ""
        if self.state == "start":
            body = self.held.lstrip()
            if not body:
                return "", ""
            opener = next((tag for tag in TAGS if body.startswith(tag)), None)
            if opener is None:
                if any(tag.startswith(body) for tag in TAGS):
                    return "", ""  # "<thi": the next chunk decides
                self.state, answer, self.held = "answer", self.held, ""
                return self._lone_closer(answer)
            self.state, self.closer, self.held, self.opened = "thinking", TAGS[opener], body[len(opener):], True
        if self.state == "thinking":
            end = self.held.find(self.closer)
            if end < 0:
                keep = _partial_suffix(self.held, self.closer)
                thinking, self.held = self.held[: len(self.held) - keep], self.held[len(self.held) - keep :]
                return thinking, ""
            thinking, self.held = self.held[:end], self.held[end + len(self.closer):]
            self.state = "gap"
        if self.state == "gap":
            answer = _after_blank_lines(self.held)
            if answer:
                self.state, self.held = "answer", ""
        return thinking, answer

    def _lone_closer(self, text: str) -> tuple[str, str]:
        """Pass the answer on, watching for a closing tag that was never opened (the class's docstring).

        On finding one, ``(thinking, answer)`` are the whole content so far split at it: the caller
        replaces what it holds. Each chunk is searched only where a tag could newly end (linear time).
        """
        if self.opened or not self._watching:
            return "", text
        start = self._pending if self._pending is not None else max(0, len(self._answered) - _LOOKBACK)  # "</thi" + "nk>"
        self._answered += text
        window = self._answered[start:]
        found = min(((window.find(tag), tag) for tag in (*TAGS.values(), *TAGS, "```") if tag in window), default=None)
        if found is None:
            if len(self._answered) > _WATCH_LIMIT:  # a long answer: a closer now would be its own text
                self._watching, self._answered = False, ""
            return "", text
        at, tag = start + found[0], found[1]
        after = self._answered[at + len(tag):]
        if tag in TAGS.values() and not after:
            self._pending = at  # what follows the closer decides: the next chunk
            return "", text
        self._pending = None
        seen, self._watching, self._answered = self._answered, False, ""
        # Code, an opening tag, or a closer in prose ("ends with </think>; then…", "`</think>`"): text.
        if tag not in TAGS.values() or after[0] not in "\r\n" or (at > 0 and seen[at - 1] == "`"):
            return "", text
        self.took_back = True
        thinking, rest = seen[:at], seen[at + len(tag):]
        answer = _after_blank_lines(rest)
        self.state, self.held = ("answer", "") if answer else ("gap", rest)
        return thinking, answer


    def end(self) -> tuple[str, str]:
        """What was held back: text after all when it never became a tag; thinking when the tag was never closed."""
        held, self.held = self.held, ""
        if self.state == "start":
            self.state = "answer"
            return "", held
        if self.state == "thinking":
            return held, ""
        return "", ""


# How much answer is watched for a lone closing tag: thinking that long before it is unusual, and the
# watched text is a second copy of the answer.
_WATCH_LIMIT = 1 << 20
_LOOKBACK = max(len(tag) for tag in (*TAGS, *TAGS.values())) - 1


def _after_blank_lines(text: str) -> str:
    """``text`` without the blank lines it starts with, keeping the first line's own indentation
    (``    x = 1`` opens a code block); "" while it is blank space only (the next chunk decides).
    Spaces on the closing tag's own line go."""
    body = text.lstrip()
    if not body:
        return ""
    lead = text[: len(text) - len(body)]
    newline = max(lead.rfind("\n"), lead.rfind("\r"))
    return text[newline + 1 :] if newline >= 0 else body


def _partial_suffix(text: str, tag: str) -> int:
    """The length of the longest end of ``text`` that begins ``tag`` (what might still become it)."""
    for size in range(min(len(tag) - 1, len(text)), 0, -1):
        if text.endswith(tag[:size]):
            return size
    return 0
