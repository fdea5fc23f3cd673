"""What a cell asks, whatever the wire: the system prompt, the window's earlier exchanges and the
cell, each a tuple of typed parts.

The dialects (wire/) write a ``Prompt`` in their own format; everything else reads the prompt:
token estimates and fitting (tokens.py, fit.py), the budget (spend.py), ``--dry-run``
(preview.py), provenance, the replay key, and the masking of secrets. A reader dispatches on the
part's type, so an image is one more part type (``ImagePart``), never base64 inside a text.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace

SYSTEM, USER, ASSISTANT = "system", "user", "assistant"


@dataclass(frozen=True)
class TextPart:
    text: str


@dataclass(frozen=True)
class ImagePart:
    """An image, as its bytes (already within the limits: images.py) and what is said of it.

    ``origin`` names where it came from ("cell 12", a path). The bytes never appear in a repr, a
    preview, the history or a replay file: those show ``label`` and, at most, ``sha256``.
    """

    data: bytes = field(repr=False)
    media_type: str = "image/png"
    width: int = 0
    height: int = 0
    detail: str = "auto"
    origin: str = ""

    @property
    def format(self) -> str:
        return self.media_type.rpartition("/")[2].upper()

    @property
    def sha256(self) -> str:
        import hashlib

        return hashlib.sha256(self.data).hexdigest()

    @property
    def label(self) -> str:
        """``[image: 1280×960 PNG, from cell 12]``: what history, previews and notes say of it."""
        origin = f", from {self.origin}" if self.origin else ""
        return f"[image: {self.width}×{self.height} {self.format}{origin}]"

    def data_url(self) -> str:
        """The image as a ``data:`` URL: the one form every server takes (Ollama takes nothing else)."""
        import base64

        return f"data:{self.media_type};base64," + base64.b64encode(self.data).decode("ascii")


# Every part type a prompt may hold; each reader below handles each of them.
Part = TextPart | ImagePart
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
    if isinstance(part, ImagePart):  # masking and cleaning are about text: an image passes untouched
        return part
    raise TypeError(f"unknown prompt part {type(part).__name__}")


def text_of(parts: Parts) -> str:
    """The text of ``parts``, for what reads text only (an estimate, a note): texts joined by a space."""
    texts = []
    for part in parts:
        if isinstance(part, TextPart):
            texts.append(part.text)
        elif isinstance(part, ImagePart):
            texts.append(part.label)  # what a text-only reader knows of an image
        else:
            raise TypeError(f"unknown prompt part {type(part).__name__}")
    return texts[0] if len(texts) == 1 else " ".join(texts)


def images_of(parts: Parts) -> tuple:
    """The image parts among ``parts``."""
    return tuple(part for part in parts if isinstance(part, ImagePart))


def shown(part: Part) -> str:
    """A part as ``--dry-run`` shows it: a text in full, an image as one line, never its bytes."""
    if isinstance(part, TextPart):
        return part.text
    if isinstance(part, ImagePart):
        return f"{part.label} sha256:{part.sha256[:12]}… detail={part.detail}"
    raise TypeError(f"unknown prompt part {type(part).__name__}")


def write_parts(parts: Parts, text: Callable, image: Callable) -> list:
    """``parts`` in a wire's format: ``text(part)`` for each text, ``image(part)`` for each image.

    The one place a dialect dispatches on part types: Chat Completions writes ``image_url``
    parts, Responses ``{"type": "input_image", "image_url": part.data_url(), "detail": part.detail}``."""
    written = []
    for part in parts:
        if isinstance(part, TextPart):
            written.append(text(part))
        elif isinstance(part, ImagePart):
            written.append(image(part))
        else:
            _unknown(part)
    return written


def key_parts(parts: Parts):
    """What the replay key covers for ``parts``: a lone text as itself (keys recorded before parts
    existed still match), else one entry per part."""
    if len(parts) == 1 and isinstance(parts[0], TextPart):
        return parts[0].text
    return [_key_part(part) for part in parts]


def _key_part(part):
    if isinstance(part, TextPart):
        return {"type": "text", "text": part.text}
    if isinstance(part, ImagePart):  # the bytes by their hash: a key never holds them
        return {"type": "image", "sha256": part.sha256, "media_type": part.media_type, "detail": part.detail}
    return _unknown(part)


def _unknown(part):
    raise TypeError(f"unknown prompt part {type(part).__name__}")
