"""The notebook as context: other cells, the errors they raised, data frames, bounded values.

``{In[n]}``, ``{Out[n]}`` and ``{Err[n]}`` in a ``%%chat`` cell refer to cell ``n`` (negative
``n`` counts back from the current cell); ``{Err}`` is the last error of the session.
Which braces are placeholders is decided in ``cell.py``; this module decides their values.

Works without IPython: the magics pass the shell's inputs, outputs and namespace, and feed
the ``ErrorLog`` from IPython's ``post_run_cell`` event. Nothing here imports pandas or
polars: a data frame is recognised by its class's module, and only described with the
methods of the object the user already has.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Mapping, Sequence

from .cell import Placeholder, substitute
from .credentials import redact
from .defaults import DEFAULT_MAX_VALUE_CHARS
from .i18n import Text

TRACEBACK_CHARS = 3000  # a deep traceback's middle says little; its head and tail say where and what
FRAME_ROWS = 10
FRAME_COLUMNS = 20
FRAME_CELL_CHARS = 40
KEPT_ERRORS = 100  # errors of older cells are forgotten first

NOTES = {
    "missing": Text("not found, sent as written: {refs}", "未找到，已按原样发送：{refs}"),
    "cut": Text(
        "cut to {limit:,} characters (ChatMagics.max_value_chars): {items}",
        "已截断为 {limit:,} 个字符（ChatMagics.max_value_chars）：{items}",
    ),
    "cut_item": Text("{ref} {total:,} → {kept:,}", "{ref} {total:,} → {kept:,}"),
    "explained": Text("about In[{cell}]: {type}", "关于 In[{cell}]：{type}"),  # shown inside [...]: no brackets of its own
}

EXPLAIN = Text(
    "This Jupyter notebook cell (In[{cell}]) failed. Explain the cause in plain words, briefly. "
    "Then give a corrected version of the whole cell in one fenced code block.\n\n"
    "The cell:\n{code}\n\nThe error:\n{error}",
    "这个 Jupyter notebook 单元格（In[{cell}]）运行失败。请用简体中文、用通俗的话简要解释原因，"
    "然后在一个代码块中给出整个单元格修正后的版本。\n\n单元格：\n{code}\n\n错误：\n{error}",
)

_ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07]*\x07")


# -- errors ------------------------------------------------------------------------------
@dataclass(frozen=True)
class CellError:
    """What a failing cell left behind, as text: no exception object, so no frames or locals stay alive."""

    cell: int
    code: str
    type: str
    message: str
    traceback: str

    def text(self) -> str:
        """Type, message and traceback as plain text (the traceback's last line names both)."""
        headline = f"{self.type}: {self.message}" if self.message else self.type
        if not self.traceback:
            return headline
        return self.traceback if headline in self.traceback else f"{self.traceback}\n{headline}"


@dataclass
class ErrorLog:
    """Errors by execution count, kept when later cells succeed."""

    by_cell: dict[int, CellError] = field(default_factory=dict)
    last: CellError | None = None

    def record(self, cell: int, code: str, error: BaseException, skip_frames: int = 0, before_exec: bool = False) -> CellError:
        entry = CellError(
            cell=cell,
            code=code,
            type=type(error).__name__,
            message=strip_ansi(_safe_str(error)),
            traceback=plain_traceback(error, skip_frames, before_exec),
        )
        self.by_cell[cell] = entry
        for old in sorted(self.by_cell)[:-KEPT_ERRORS]:
            del self.by_cell[old]
        self.last = entry
        return entry

    def get(self, cell: int) -> CellError | None:
        return self.by_cell.get(cell)


def plain_traceback(error: BaseException, skip_frames: int = 0, before_exec: bool = False) -> str:
    """The traceback as plain text, bounded. IPython's format when it is there (cells read ``Cell In[3]``)."""
    text = ""
    try:
        text = _ipython_traceback(error, skip_frames, before_exec)
    except Exception:  # older or missing IPython: the standard library's format says the same
        import traceback

        try:
            if before_exec:
                text = "".join(traceback.format_exception_only(type(error), error))
            else:
                tb = error.__traceback__
                for _ in range(skip_frames):
                    tb = tb.tb_next if tb is not None and tb.tb_next is not None else tb
                text = "".join(traceback.format_exception(type(error), error, tb))
        except Exception:
            text = ""
    return bound_middle(strip_ansi(text).rstrip("\n"), TRACEBACK_CHARS)


def _ipython_traceback(error: BaseException, skip_frames: int, before_exec: bool) -> str:
    from IPython.core import ultratb

    try:
        formatter = ultratb.FormattedTB(mode="Plain", theme_name="nocolor")  # IPython 9
    except TypeError:
        formatter = ultratb.FormattedTB(mode="Plain", color_scheme="NoColor")  # IPython 8
    # A syntax error happened while compiling: IPython's own frames are all it has.
    tb = None if before_exec else error.__traceback__
    return formatter.stb2text(formatter.structured_traceback(type(error), error, tb, tb_offset=skip_frames))


def strip_ansi(text: str) -> str:
    return _ANSI.sub("", text)


def bound_middle(text: str, limit: int) -> str:
    """At most about ``limit`` characters: the first lines and the last ones, with a mark between."""
    if len(text) <= limit:
        return text
    head, tail = text[: limit // 4], text[-(limit - limit // 4) :]
    head = head[: head.rfind("\n")] if "\n" in head else head
    tail = tail[tail.find("\n") + 1 :] if "\n" in tail else tail
    omitted = len(text) - len(head) - len(tail)
    return f"{head}\n    … [{omitted:,} characters omitted] …\n{tail}"


# -- the notebook --------------------------------------------------------------------------
@dataclass
class Notebook:
    """What a cell may refer to. ``inputs`` is indexed by execution count (``In[0]`` is empty)."""

    inputs: Sequence[str] = ()
    outputs: Mapping[int, Any] = field(default_factory=dict)
    errors: ErrorLog = field(default_factory=ErrorLog)
    current: int = 0  # the execution count of the cell being run

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


def fill(text: str, namespace: Mapping[str, Any], notebook: Notebook | None = None, max_value_chars: int = DEFAULT_MAX_VALUE_CHARS) -> Filled:
    """``text`` with ``{name}`` and ``{In[n]}``-style references replaced; never raises.

    Key-shaped strings in the values are masked (``sk-…1234``), as everywhere else.

    A plain name is the user's: it is used when it exists and left alone otherwise (code
    with braces is common, so that is not worth a note). ``{Err}`` means the last error
    unless the user has their own ``Err``. A cell reference that does not exist is left as
    written and named in a note.
    """
    filled = Filled(text, limit=max_value_chars)
    notebook = notebook or Notebook()

    def value_of(placeholder: Placeholder) -> str | None:
        if placeholder.index is None and placeholder.name in namespace:
            found, value = True, namespace[placeholder.name]
        elif placeholder.index is not None or placeholder.name == "Err":
            found, value = notebook.lookup(placeholder)
            if not found:
                _add_once(filled.missing, placeholder.text)
                return None
        else:
            return None
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
    return value if type(value) is str else str.__str__(value) if isinstance(value, str) else _safe_str(value)


def _add_once(items: list[str], item: str) -> None:
    if item not in items:
        items.append(item)


def bound(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters, with a mark that tells the model it was cut."""
    if len(text) <= limit:
        return text
    return f"{text[:limit]}… [{len(text) - limit:,} more characters cut]"


# -- values --------------------------------------------------------------------------------
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


def frame_library(value: Any) -> str | None:
    """``"pandas"`` or ``"polars"`` for their DataFrame and Series (subclasses too), else None.

    Decided from class names and modules, so neither library is imported to check.
    """
    for cls in type(value).__mro__:
        root = (getattr(cls, "__module__", "") or "").split(".")[0]
        if root in ("pandas", "polars") and cls.__name__ in ("DataFrame", "Series"):
            return root
    return None


def describe_frame(frame: Any, library: str) -> str:
    """Shape, column types and the first rows as a Markdown table, bounded in rows, columns and cell width."""
    kind = type(frame).__name__
    if _is_series(frame, library):
        frame = frame.to_frame()
    rows, columns = frame.shape
    names = [str(name) for name in frame.columns]
    types = [str(dtype) for dtype in frame.dtypes]
    shown = names[:FRAME_COLUMNS]
    if library == "pandas":
        head = frame.iloc[:FRAME_ROWS, :FRAME_COLUMNS]
        index_name = str(frame.index.name) if frame.index.name is not None else ""
        header = [index_name] + shown
        body = [list(row) for row in head.itertuples(index=True, name=None)]
    else:
        head = frame.head(FRAME_ROWS).select(frame.columns[:FRAME_COLUMNS])
        header = shown
        body = [list(row) for row in head.rows()]
    lines = [
        f"{kind} ({library}): {rows:,} rows × {columns:,} columns",
        "column types: " + ", ".join(f"{name} {dtype}" for name, dtype in zip(names, types)),
        "",
        _markdown_row(header),
        _markdown_row(["---"] * len(header)),
        *(_markdown_row(row) for row in body),
    ]
    more = []
    if rows > FRAME_ROWS:
        more.append(f"first {FRAME_ROWS} of {rows:,} rows")
    if columns > FRAME_COLUMNS:
        more.append(f"first {FRAME_COLUMNS} of {columns:,} columns")
    if more:
        lines.append(f"({'; '.join(more)})")
    return "\n".join(lines)


def _is_series(frame: Any, library: str) -> bool:
    return any(cls.__name__ == "Series" and (cls.__module__ or "").startswith(library) for cls in type(frame).__mro__)


def _markdown_row(cells: Sequence[Any]) -> str:
    return "| " + " | ".join(_cell_text(cell) for cell in cells) + " |"


def _cell_text(value: Any) -> str:
    text = _safe_str(value).replace("\r", " ").replace("\n", " ").replace("|", "\\|")
    return text if len(text) <= FRAME_CELL_CHARS else text[: FRAME_CELL_CHARS - 1] + "…"


def _safe_str(value: Any) -> str:
    try:
        return str(value)
    except Exception:
        return f"<{type(value).__name__}>"


# -- explaining an error -------------------------------------------------------------------
def explain_prompt(error: CellError, language: str = "en", max_value_chars: int = DEFAULT_MAX_VALUE_CHARS) -> Filled:
    """The prompt ``%chat explain`` sends for ``error``: the instruction, the cell's code and its traceback."""
    filled = Filled("", limit=max_value_chars, about=error)
    code, error_text = redact(error.code.strip("\n")), redact(error.text())
    parts = {}
    for ref, value, lang in ((f"In[{error.cell}]", code, "python"), (f"Err[{error.cell}]", error_text, "text")):
        bounded = bound(value, max_value_chars)
        if bounded != value:
            filled.cut.append((ref, len(value), max_value_chars))
        parts[lang] = fence(bounded, lang)
    filled.text = EXPLAIN.get(language, cell=error.cell, code=parts["python"], error=parts["text"])
    return filled


def fence(text: str, language: str = "") -> str:
    """A Markdown code block that ``text``'s own backticks cannot close."""
    longest = max((len(run) for run in re.findall(r"`{3,}", text)), default=2)
    marks = "`" * (longest + 1)
    return f"{marks}{language}\n{text}\n{marks}"


__all__ = [
    "CellError", "ErrorLog", "Filled", "Notebook", "bound", "describe", "explain_prompt", "fill", "frame_library",
    "plain_traceback",
]
