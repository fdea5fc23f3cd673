"""The prompt ``%chat explain`` sends: a failing cell's code and its error, with the instruction."""

from __future__ import annotations

import re

from .caps import bound
from .defaults import DEFAULT_MAX_VALUE_CHARS
from .error_log import CellError
from .i18n import Text
from .masking import redact
from .placeholders import Filled

EXPLAIN = Text(
    "This Jupyter notebook cell (In[{cell}]) failed. Explain the cause in plain words, briefly. "
    "Then give a corrected version of the whole cell in one fenced code block.\n\n"
    "The cell:\n{code}\n\nThe error:\n{error}",
    "这个 Jupyter notebook 单元格（In[{cell}]）运行失败。请用简体中文、用通俗的话简要解释原因，"
    "然后在一个代码块中给出整个单元格修正后的版本。\n\n单元格：\n{code}\n\n错误：\n{error}",
)


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
