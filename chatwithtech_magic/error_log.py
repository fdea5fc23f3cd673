"""Errors of failing cells, kept for ``{Err[n]}`` and ``%chat explain``.

The magics feed the ``ErrorLog`` from IPython's ``post_run_cell`` event; each entry is text (type,
message, a bounded traceback), so no exception object, frame or local stays alive.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .caps import bound_middle, safe_str

TRACEBACK_CHARS = 3000  # a deep traceback's middle says little; its head and tail say where and what
KEPT_ERRORS = 100  # errors of older cells are forgotten first

_ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07]*\x07")


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
            message=strip_ansi(safe_str(error)),
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
