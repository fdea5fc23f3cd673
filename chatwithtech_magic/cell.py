"""Cell text before it becomes a prompt: ``{name}`` interpolation.

Only ``{identifier}`` whose name exists in the namespace is replaced. Everything
else -- code with braces, f-strings, dict literals, ``{undefined}``, ``{{escaped}}``
-- is sent exactly as written, and nothing here ever raises.
"""

from __future__ import annotations

import re

# A lone {name}: not part of {{...}}, which users write to keep braces literal.
_PLACEHOLDER = re.compile(r"(?<!\{)\{([A-Za-z_][A-Za-z0-9_]*)\}(?!\})")


def interpolate(text: str, namespace: dict) -> str:
    def replace(match: re.Match) -> str:
        name = match.group(1)
        if name not in namespace:
            return match.group(0)
        try:
            return str(namespace[name])
        except Exception:  # a user object whose __str__ fails keeps its placeholder
            return match.group(0)

    return _PLACEHOLDER.sub(replace, text)


def is_blank(text: str | None) -> bool:
    return text is None or not text.strip()


_FENCE = re.compile(r"^```[^\n`]*\n(.*?)^```\s*$", re.DOTALL | re.MULTILINE)


def extract_code(answer: str) -> str | None:
    """The fenced code blocks of an answer joined into one cell's text, or None when there are none."""
    blocks = [block.rstrip("\n") for block in _FENCE.findall(answer)]
    return "\n\n".join(blocks) if blocks else None
