"""A data frame as the text a model reads: shape, column types and the first rows, bounded.

Nothing here imports pandas or polars: a frame is recognised by its class's module, and only
described with the methods of the object the user already has.
"""

from __future__ import annotations

from typing import Any, Sequence

from .caps import safe_str

FRAME_ROWS = 10
FRAME_COLUMNS = 20
FRAME_CELL_CHARS = 40


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
    text = safe_str(value).replace("\r", " ").replace("\n", " ").replace("|", "\\|")
    return text if len(text) <= FRAME_CELL_CHARS else text[: FRAME_CELL_CHARS - 1] + "…"
