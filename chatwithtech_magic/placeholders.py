"""Filling a cell's placeholders: ``{name}``, ``{In[n]}``, ``{Out[n]}`` and ``{Err[n]}`` get their values.

A value that is an image (a matplotlib ``Figure``, a PIL or IPython ``Image``, anything with
``_repr_png_``) is sent as an image part, its placeholder replaced by a line naming it; ``{fig}`` is
the last image the notebook displayed and ``{fig[n]}`` the images cell ``n`` displayed (images.py).

``{In[n]}``, ``{Out[n]}`` and ``{Err[n]}`` refer to cell ``n`` (negative ``n`` counts back from the
current cell); ``{Err}`` is the last error of the session. Which braces are placeholders is decided in
``cell.py``; this module decides their values. Works without IPython: the magics pass the shell's
inputs, outputs and namespace. Each value is bounded (``ChatMagics.max_value_chars``) and masked.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping, Sequence

from .caps import bound, safe_str
from .cell import Placeholder, substitute
from .defaults import DEFAULT_MAX_VALUE_CHARS
from .error_log import CellError, ErrorLog
from .frames import describe_frame, frame_library
from .i18n import Text
from .masking import redact

NOTES = {
    "missing": Text("not found, sent as written: {refs}", "未找到，已按原样发送：{refs}"),
    "cut": Text(
        "cut to {limit:,} characters (ChatMagics.max_value_chars): {items}",
        "已截断为 {limit:,} 个字符（ChatMagics.max_value_chars）：{items}",
    ),
    "cut_item": Text("{ref} {total:,} → {kept:,}", "{ref} {total:,} → {kept:,}"),
    "explained": Text("about In[{cell}]: {type}", "关于 In[{cell}]：{type}"),  # shown inside [...]: no brackets of its own
}


@dataclass
class Notebook:
    """What a cell may refer to. ``inputs`` is indexed by execution count (``In[0]`` is empty)."""

    inputs: Sequence[str] = ()
    outputs: Mapping[int, Any] = field(default_factory=dict)
    errors: ErrorLog = field(default_factory=ErrorLog)
    current: int = 0  # the execution count of the cell being run
    # The images each cell displayed (cell number -> PNG/JPEG/WEBP/GIF bytes, oldest first): displayed.py.
    figures: Mapping[int, Sequence[bytes]] = field(default_factory=dict)

    def last_figure(self) -> tuple[int, bytes] | None:
        for number in sorted(self.figures, reverse=True):
            if self.figures[number]:
                return number, self.figures[number][-1]
        return None

    def cell_number(self, index: int) -> int:
        return self.current + index if index < 0 else index

    def lookup(self, placeholder: Placeholder) -> tuple[bool, Any]:
        """``(True, value)`` for a reference that exists, else ``(False, None)``."""
        if placeholder.name == "Err" and placeholder.index is None:
            last = self.errors.last
            return (True, last) if last is not None else (False, None)
        number = self.cell_number(placeholder.index)
        if number < 1 or (self.current and number > self.current):
            return False, None
        if placeholder.name == "fig":
            shown = list(self.figures.get(number, ()))
            return (True, shown) if shown else (False, None)
        if placeholder.name == "In":
            return (True, self.inputs[number]) if number < len(self.inputs) else (False, None)
        if placeholder.name == "Out":
            return (True, self.outputs[number]) if number in self.outputs else (False, None)
        error = self.errors.get(number)
        return (error is not None), error


@dataclass
class Filled:
    """A cell's text with its values in, and what the user should know about it."""

    text: str
    missing: list[str] = field(default_factory=list)
    cut: list[tuple[str, int, int]] = field(default_factory=list)  # (placeholder, characters, kept)
    limit: int = DEFAULT_MAX_VALUE_CHARS
    about: CellError | None = None  # the error %chat explain sent
    # The placeholder whose value's ``__str__`` raised KeyboardInterrupt (a Ctrl-C while a slow value was
    # being read, or an object that raises it): the cell must not be sent half-filled.
    interrupted: str | None = None
    images: list = field(default_factory=list)  # prompt.ImagePart, in the order their placeholders appear
    image_problem: str | None = None  # why an image can't be sent (one line): the cell is not sent

    def notes(self, language: str = "en") -> list[str]:
        notes = []
        if self.about is not None:
            notes.append(NOTES["explained"].get(language, cell=self.about.cell, type=self.about.type))
        if self.missing:
            notes.append(NOTES["missing"].get(language, refs=", ".join(self.missing)))
        if self.cut:
            items = ", ".join(NOTES["cut_item"].get(language, ref=ref, total=total, kept=kept) for ref, total, kept in self.cut)
            notes.append(NOTES["cut"].get(language, limit=self.limit, items=items))
        return notes


def fill(text: str, namespace: Mapping[str, Any], notebook: Notebook | None = None, max_value_chars: int = DEFAULT_MAX_VALUE_CHARS,
         make_image=None, language: str = "en") -> Filled:
    """``text`` with ``{name}`` and ``{In[n]}``-style references replaced; never raises.

    Key-shaped strings in the values are masked (``sk-…1234``), as everywhere else.

    A plain name is the user's: it is used when it exists and left alone otherwise (code
    with braces is common, so that is not worth a note). ``{Err}`` means the last error
    unless the user has their own ``Err``. A cell reference that does not exist is left as
    written and named in a note.
    """
    filled = Filled(text, limit=max_value_chars)
    notebook = notebook or Notebook()
    if make_image is None:
        from .images import part_from_bytes as make_image
    seen: dict = {}  # (origin, the bytes displayed) -> the part made of them

    def as_images(shown: list[tuple[bytes, str]]) -> str | None:
        """Each image as a part of the cell, and the line that stands for them in its text."""
        from .images import ImageProblem

        labels = []
        for data, origin in shown:
            if (origin, data) in seen:  # {fig} and {fig[-1]} may name one image: it is sent once
                labels.append(seen[(origin, data)].label)
                continue
            try:
                part = make_image(data, origin)
            except ImageProblem as problem:
                filled.image_problem = filled.image_problem or problem.line(language)
                return None
            seen[(origin, data)] = part
            filled.images.append(part)
            labels.append(part.label)
        return " ".join(labels)

    def value_of(placeholder: Placeholder) -> str | None:
        if placeholder.name == "fig" and (placeholder.index is not None or placeholder.name not in namespace):
            if placeholder.index is None:
                last = notebook.last_figure()
                found, value = (True, [last[1]]) if last else (False, None)
                number = last[0] if last else 0
            else:
                found, value = notebook.lookup(placeholder)
                number = notebook.cell_number(placeholder.index)
            if not found:
                _add_once(filled.missing, placeholder.text)
                return None
            return as_images([(data, f"cell {number}") for data in value])
        if placeholder.index is None and placeholder.name in namespace:
            found, value = True, namespace[placeholder.name]
        elif placeholder.index is not None or placeholder.name == "Err":
            found, value = notebook.lookup(placeholder)
            if not found:
                _add_once(filled.missing, placeholder.text)
                return None
        else:
            return None
        if placeholder.name != "In" and not isinstance(value, (str, CellError)):
            from .images import image_bytes

            data = image_bytes(value)
            if data is not None:
                origin = f"cell {notebook.cell_number(placeholder.index)}" if placeholder.index is not None else placeholder.name
                return as_images([(data, origin)])
        try:
            described = describe(value)
        except KeyboardInterrupt:  # not a traceback: the magic says so in one line and sends nothing
            filled.interrupted = filled.interrupted or placeholder.text
            return None
        rendered = redact(describe_text(described))  # a key pasted into a cell is not sent on to the model
        bounded = bound(rendered, max_value_chars)
        if bounded != rendered:
            filled.cut.append((placeholder.text, len(rendered), max_value_chars))
        return bounded

    filled.text = substitute(text, value_of)
    return filled


def describe_text(value) -> str:
    """``describe``'s result as text: a ``__str__`` may return a str subclass, or not a str at all."""
    return value if type(value) is str else str.__str__(value) if isinstance(value, str) else safe_str(value)


def _add_once(items: list[str], item: str) -> None:
    if item not in items:
        items.append(item)


def describe(value: Any) -> str:
    """The text sent for a value: a cell error's traceback, a data frame's summary, else ``str``."""
    if isinstance(value, CellError):
        return value.text()
    library = frame_library(value)
    if library is not None:
        try:
            return describe_frame(value, library)
        except Exception:  # an exotic frame (a subclass, an old version): its str still says something
            pass
    return str(value)
