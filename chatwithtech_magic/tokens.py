"""Token counts: the figures of an answer (each dialect reads its wire's usage into them), or an
offline estimate when the usage reports nothing.

The exact count needs the model's own tokenizer. ``tiktoken`` downloads its encodings from
the internet the first time they are used, so it can't be relied on offline (a kernel
behind a firewall, an air-gapped lab). Instead this counts by character class, following
how OpenAI's tokenizers (cl100k_base, o200k_base) cut text:

==========================================================  ====================================
what                                                        tokens
==========================================================  ====================================
a word of ASCII letters                                     1, plus 1 for every 9 letters
a number                                                    1 for every 3 digits (or part)
a run of ASCII punctuation (``,`` ``?`` ``():`` `````` ``)  1, plus 1 if it is 3 or more long
a single space                                              0 (it belongs to the next word)
any other run of whitespace (newlines, indentation)         1/2
a Chinese, Japanese or Korean character (Han, kana,         1 (cl100k: 1–1.5, o200k: 0.6–1)
Hangul, CJK and full-width punctuation)
another letter (accented Latin, Greek, Cyrillic, ...)       1/2
anything else (emoji, rare symbols)                         1
==========================================================  ====================================

plus 4 tokens per message (``prompt.Turn``) and 3 for the reply's start, as OpenAI's cookbook counts chat
messages. English prose and code come out within about 10–15 % of the real count. Chinese
text errs on the high side for the newest models, the safe side for a context window and a
budget; a plain ``len(text) / 4`` would count it four times too low. Whatever shows an
estimate says so (``~``).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

PER_MESSAGE = 4  # role and separators around each message
REPLY_PRIMING = 3  # every reply starts with <|start|>assistant<|message|>

_CJK_CLASS = (
    "[\u1100-\u11ff\u2e80-\u2fff\u3000-\u303f\u3040-\u30ff\u3100-\u31ff\u3200-\u33ff\u3400-\u4dbf"
    "\u4e00-\u9fff\ua960-\ua97f\uac00-\ud7ff\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef"
    "\U00020000-\U0003ffff]"
)
_cjk: re.Pattern | None = None  # compiled on the first non-ASCII text: the class takes ~5 ms to compile, at every kernel start
_WHITESPACE_RUN = re.compile(r"\s{2,}|[^\S ]")  # any whitespace but a lone space
_NUMBER_PART = re.compile(r"[0-9]{1,3}")
_WORD = re.compile(r"[A-Za-z]+")
_LONG_WORD_PART = re.compile(r"[A-Za-z]{9}")
_PUNCTUATION = re.compile(r"[!-/:-@\[-`{-~]+")
_LONG_PUNCTUATION = re.compile(r"[!-/:-@\[-`{-~]{3,}")
_NON_ASCII = re.compile(r"[^\x00-\x7f]")
_OTHER_LETTER = re.compile(r"[^\W\d_\x00-\x7f]")  # a letter of another script (CJK is taken out first)


@dataclass(frozen=True)
class Figures:
    """The token counts of one answer: as the usage reported them, or ``estimated``."""

    prompt: int = 0
    completion: int = 0
    cached: int = 0  # prompt tokens served from the prompt cache (billed at a lower rate)
    reasoning: int = 0  # completion tokens spent thinking (billed as completion, not shown)
    estimated: bool = False

    def __add__(self, other: "Figures") -> "Figures":
        return Figures(
            self.prompt + other.prompt,
            self.completion + other.completion,
            self.cached + other.cached,
            self.reasoning + other.reasoning,
            self.estimated or other.estimated,
        )


def _count(pattern: re.Pattern, text: str) -> int:
    return pattern.subn("", text)[1]


def estimate(text: str) -> int:
    """About how many tokens ``text`` takes (see the table above); 0 for empty text.

    Counted with regular-expression passes rather than a loop over characters, so a
    cell of a million characters is estimated in well under a second.
    """
    global _cjk
    if not text:
        return 0
    if text.isascii():  # the passes below for CJK, other letters and non-ASCII find nothing in it
        total = (
            _count(_WHITESPACE_RUN, text) / 2
            + _count(_NUMBER_PART, text)
            + _count(_WORD, text)
            + _count(_LONG_WORD_PART, text)
            + _count(_PUNCTUATION, text)
            + _count(_LONG_PUNCTUATION, text)
        )
        return math.ceil(total)
    if _cjk is None:
        _cjk = re.compile(_CJK_CLASS)
    text, cjk = _cjk.subn("\x01", text)  # a control character: neither a letter, a space nor punctuation
    letters = _count(_OTHER_LETTER, text)
    total = (
        cjk
        + _count(_WHITESPACE_RUN, text) / 2
        + _count(_NUMBER_PART, text)
        + _count(_WORD, text)
        + _count(_LONG_WORD_PART, text)
        + _count(_PUNCTUATION, text)
        + _count(_LONG_PUNCTUATION, text)
        + letters / 2
        + _count(_NON_ASCII, text) - letters
    )
    return math.ceil(total)


def estimate_parts(parts) -> int:
    """About how many tokens a message's parts take, by part type (texts as the table above says)."""
    from .prompt import ImagePart, TextPart

    texts, pictures = [], 0
    for part in parts:
        if isinstance(part, TextPart):
            texts.append(part.text)
        elif isinstance(part, ImagePart):
            pictures += image_tokens(part.width, part.height, part.detail)
        else:
            raise TypeError(f"no estimate for a {type(part).__name__}")
    if not texts:
        return pictures
    return estimate(texts[0] if len(texts) == 1 else " ".join(texts)) + pictures


# OpenAI's rule for an image's input tokens: 85 at low detail; at high (and auto) 85 plus 170 per
# 512-px tile, after the image is scaled to fit 2048×2048 and then its short side to 768.
IMAGE_BASE, IMAGE_TILE = 85, 170


def image_tokens(width: int, height: int, detail: str = "auto") -> int:
    """About how many input tokens an image of ``width``×``height`` takes at ``detail``."""
    if detail == "low" or width <= 0 or height <= 0:
        return IMAGE_BASE
    w, h = float(width), float(height)
    if max(w, h) > 2048:
        scale = 2048 / max(w, h)
        w, h = w * scale, h * scale
    if min(w, h) > 768:
        scale = 768 / min(w, h)
        w, h = w * scale, h * scale
    tiles = math.ceil(w / 512) * math.ceil(h / 512)
    return IMAGE_BASE + IMAGE_TILE * tiles


def estimate_turns(turns) -> int:
    """About how many prompt tokens a request with these messages (``prompt.Turn``) takes."""
    if not turns:
        return 0
    return sum(PER_MESSAGE + estimate_parts(turn.parts) for turn in turns) + REPLY_PRIMING


def estimate_prompt(prompt) -> int:
    """About how many prompt tokens ``prompt`` (a ``prompt.Prompt``) takes."""
    return estimate_turns(prompt.turns())


def approx(count: int, estimated: bool = True) -> str:
    """A token count for people: ``1,234``, or ``~1,234`` when it is an estimate."""
    return f"{'~' if estimated else ''}{count:,}"
