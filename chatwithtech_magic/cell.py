"""Cell text before it becomes a prompt: ``{name}`` and ``{In[n]}`` interpolation.

Only ``{identifier}`` whose name exists in the namespace is replaced, and the notebook
references ``{In[n]}``, ``{Out[n]}``, ``{Err[n]}`` (their values come from
``placeholders``). Everything else -- code with braces, f-strings, dict literals,
``{undefined}``, ``{{escaped}}`` -- is sent exactly as written, and nothing here ever raises.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable

# A lone {name} or {In[n]}/{Out[n]}/{Err[n]}/{fig[n]}: not part of {{...}}, which users write to keep braces literal.
_PLACEHOLDER = re.compile(r"(?<!\{)\{(?:(In|Out|Err|fig)\[(-?[0-9]+)\]|([A-Za-z_][A-Za-z0-9_]*))\}(?!\})")


@dataclass(frozen=True)
class Placeholder:
    text: str  # as written, e.g. "{Out[-1]}"
    name: str
    index: int | None = None  # for the notebook references


def substitute(text: str, value_of: Callable[[Placeholder], str | None]) -> str:
    """Each placeholder replaced by ``value_of(placeholder)``; None or an exception keeps it as written."""

    def replace(match: re.Match) -> str:
        if match.group(1):
            placeholder = Placeholder(match.group(0), match.group(1), int(match.group(2)))
        else:
            placeholder = Placeholder(match.group(0), match.group(3))
        try:
            value = value_of(placeholder)
        except Exception:  # a user object whose __str__ fails keeps its placeholder
            return match.group(0)
        return match.group(0) if value is None else value

    return _PLACEHOLDER.sub(replace, text)


def interpolate(text: str, namespace: dict) -> str:
    """Plain ``{name}`` interpolation (the notebook references need ``placeholders.fill``)."""

    def value_of(placeholder: Placeholder) -> str | None:
        if placeholder.index is not None or placeholder.name not in namespace:
            return None
        return str(namespace[placeholder.name])

    return substitute(text, value_of)


def is_blank(text: str | None) -> bool:
    return text is None or not text.strip()


_FENCE = re.compile(r"^```[^\n`]*\n(.*?)^```\s*$", re.DOTALL | re.MULTILINE)


def extract_code(answer: str) -> str | None:
    """The fenced code blocks of an answer joined into one cell's text, or None when there are none."""
    blocks = [block.rstrip("\n") for block in _FENCE.findall(answer)]
    return "\n\n".join(blocks) if blocks else None
