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
    (inside the tags; a possible closing-tag prefix is held), ``gap`` (blank space right after
    the closing tag is dropped), ``answer`` (everything passes through).
    """

    def __init__(self):
        self.state = "start"
        self.held = ""
        self.closer = ""

    def feed(self, text: str) -> tuple[str, str]:
        if self.state == "answer":
            return "", text
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
                return "", answer
            self.state, self.closer, self.held = "thinking", TAGS[opener], body[len(opener):]
        if self.state == "thinking":
            end = self.held.find(self.closer)
            if end < 0:
                keep = _partial_suffix(self.held, self.closer)
                thinking, self.held = self.held[: len(self.held) - keep], self.held[len(self.held) - keep :]
                return thinking, ""
            thinking, self.held = self.held[:end], self.held[end + len(self.closer):]
            self.state = "gap"
        if self.state == "gap":
            rest = self.held.lstrip()
            self.held = ""
            if rest:
                self.state, answer = "answer", rest
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


def _partial_suffix(text: str, tag: str) -> int:
    """The length of the longest end of ``text`` that begins ``tag`` (what might still become it)."""
    for size in range(min(len(tag) - 1, len(text)), 0, -1):
        if text.endswith(tag[:size]):
            return size
    return 0
