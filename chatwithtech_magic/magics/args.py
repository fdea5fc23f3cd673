"""Reading a magic's options the way a shell splits words, for every magic alike.

IPython's ``parse_argstring`` keeps quotes (``posix=False``): ``%chatkey set --org ""`` stored two
quote characters as the organization and sent them as a header, and an unclosed quote was a bare
``ValueError`` traceback. ``%%chat`` and ``%chatkey`` both read their line through ``parse`` here.
"""

from __future__ import annotations

import shlex

from IPython.core.error import UsageError

from ..i18n import Text

BAD_QUOTES = Text("Could not read the options ({problem}): {line}", "无法解析选项（{problem}）：{line}")
BAD_QUOTES_HIDDEN = Text("Could not read the options ({problem}).", "无法解析选项（{problem}）。")


def parse(magic, line: str, language: str = "en", echo: bool = True):
    """``line`` split like a shell (quotes group words and are removed), then parsed by ``magic``'s
    ``@magic_arguments``. ``echo=False`` keeps the line out of the message (``%chatkey``: it may hold a secret)."""
    try:
        argv = shlex.split(line)
    except ValueError as exc:
        text = BAD_QUOTES if echo else BAD_QUOTES_HIDDEN
        raise UsageError(text.get(language, problem=str(exc), line=line)) from None
    return magic.parser.parse_args(argv)
