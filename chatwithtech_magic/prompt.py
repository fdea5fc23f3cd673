"""What a cell asks, whatever the wire: the system prompt, the window's earlier exchanges and the
cell, each a tuple of typed parts.

The dialects (wire/) write a ``Prompt`` in their own format; everything else reads the prompt:
token estimates and fitting (tokens.py, fit.py), the budget (spend.py), ``--dry-run``
(preview.py), provenance, the replay key, and the masking of secrets. A reader dispatches on the
part's type, so an image is one more part type (issue 22), never base64 inside a text.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

SYSTEM, USER, ASSISTANT = "system", "user", "assistant"


@dataclass(frozen=True)
class TextPart:
    text: str


# Every part type a prompt may hold; each reader below handles each of them. Next: ``TextPart | ImagePart``.
Part = TextPart
Parts = tuple  # tuple[Part, ...]


@dataclass(frozen=True)
class Turn:
    """One message: who says it, and its parts."""

    role: str
    parts: Parts


@dataclass(frozen=True)
class Prompt:
    system: Parts = ()  # empty: no system prompt
    earlier: tuple = ()  # the window's exchanges, oldest first: ``(user Turn, assistant Turn)`` pairs
    cell: Parts = ()

    def turns(self) -> list[Turn]:
        """The messages in order: the system prompt, each earlier exchange, then the cell."""
        turns = [Turn(SYSTEM, self.system)] if self.system else []
        for exchange in self.earlier:
            turns.extend(exchange)
        turns.append(Turn(USER, self.cell))
        return turns

    def but(self, **changes) -> Prompt:
        return replace(self, **changes)

    def map_text(self, change: Callable[[str], str]) -> Prompt:
        """The same prompt with ``change`` applied to every text it holds (masking secrets, cleaning)."""
        return Prompt(
            map_parts(self.system, change),
            tuple(tuple(Turn(t.role, map_parts(t.parts, change)) for t in exchange) for exchange in self.earlier),
            map_parts(self.cell, change),
        )


def text(value: str) -> Parts:
    """A text as parts (one text part, even when empty: a cell or an answer is always said)."""
    return (TextPart(value),)


def map_parts(parts: Parts, change: Callable[[str], str]) -> Parts:
    return tuple(map_part(part, change) for part in parts)


def map_part(part: Part, change: Callable[[str], str]) -> Part:
    if isinstance(part, TextPart):
        return TextPart(change(part.text))
    raise TypeError(f"unknown prompt part {type(part).__name__}")


def text_of(parts: Parts) -> str:
    """The text of ``parts``, for what reads text only (an estimate, a note): texts joined by a space."""
    texts = []
    for part in parts:
        if isinstance(part, TextPart):
            texts.append(part.text)
        else:
            raise TypeError(f"unknown prompt part {type(part).__name__}")
    return texts[0] if len(texts) == 1 else " ".join(texts)


def shown(part: Part) -> str:
    """A part as ``--dry-run`` shows it: a text in full (an image will be a line, never its bytes)."""
    if isinstance(part, TextPart):
        return part.text
    raise TypeError(f"unknown prompt part {type(part).__name__}")


def key_parts(parts: Parts):
    """What the replay key covers for ``parts``: a lone text as itself (keys recorded before parts
    existed still match), else one entry per part."""
    if len(parts) == 1 and isinstance(parts[0], TextPart):
        return parts[0].text
    return [{"type": "text", "text": part.text} if isinstance(part, TextPart) else _unknown(part) for part in parts]


def _unknown(part):
    raise TypeError(f"unknown prompt part {type(part).__name__}")
