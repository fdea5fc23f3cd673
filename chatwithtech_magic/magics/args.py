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


# argparse alone misreads a mistyped option: ``%%chat --colour blue`` took ``blue`` for the command and
# said "argument command: invalid choice: 'blue'", never naming ``--colour``. So the words are checked
# first, here, and every message names what was wrong, in the user's language, in one line.
UNKNOWN_OPTION = Text(
    "{magic} has no option {option}{close}. Its options: {valid} (details: {magic}?). {nothing}",
    "{magic} 没有选项 {option}{close}。可用选项：{valid}（详见 {magic}?）。{nothing}",
)
CLOSE = Text(" (did you mean {option}?)", "（您是想用 {option} 吗？）")
UNKNOWN_WORD = Text(
    "{magic} has no command '{word}'{close}. Commands: {valid}; options: {magic}?. {nothing}",
    "{magic} 没有命令“{word}”{close}。可用命令：{valid}；选项见 {magic}?。{nothing}",
)
CELL_WORD = Text(
    "{magic} takes options only, not '{word}': the question goes on the lines below it (details: {magic}?). {nothing}",
    "{magic} 只接受选项，不接受“{word}”：问题写在它下面的行中（详见 {magic}?）。{nothing}",
)
EXTRA_WORD = Text(
    "{magic} does not take '{word}' here: one command at most, then options (details: {magic}?). {nothing}",
    "{magic} 在此处不接受“{word}”：最多一个命令，其后是选项（详见 {magic}?）。{nothing}",
)
EXTRA_WORD_HIDDEN = Text(
    "{magic} got more words than it takes (details: {magic}?). {nothing}",
    "{magic} 收到的词多于它接受的数量（详见 {magic}?）。{nothing}",
)
OTHER = Text(
    "Could not read the options of {magic}: {problem} (details: {magic}?). {nothing}",
    "无法解析 {magic} 的选项：{problem}（详见 {magic}?）。{nothing}",
)
NOTHING_SENT = Text("Nothing was sent.", "未发送任何请求。")
NOTHING_CHANGED = Text("Nothing was changed.", "未做任何更改。")


def parse(magic, line: str, language: str = "en", echo: bool = True, name: str | None = None, nothing: Text = NOTHING_SENT):
    """``line`` split like a shell (quotes group words and are removed), then parsed by ``magic``'s
    ``@magic_arguments``. ``echo=False`` keeps the line out of the message (``%chatkey``: it may hold a secret).
    ``name``: the magic as the user typed it (``%%chat``, ``%chat``); ``nothing``: what did not happen."""
    try:
        argv = shlex.split(line)
    except ValueError as exc:
        text = BAD_QUOTES if echo else BAD_QUOTES_HIDDEN
        raise UsageError(text.get(language, problem=str(exc), line=line)) from None
    parser, name = magic.parser, name or f"%{magic.__name__}"
    said = dict(magic=name, nothing=nothing.get(language))
    problem = _first_problem(parser, argv, echo, cell=name.startswith("%%"))
    if problem is not None:
        text, values = problem
        if values.get("close"):
            values["close"] = CLOSE.get(language, option=values["close"])
        if "valid" in values:  # a list, joined the way each language lists things
            values["valid"] = ("、" if language == "zh" else ", ").join(values["valid"])
        raise UsageError(text.get(language, **said, **values)) from None
    try:
        return parser.parse_args(argv)
    except UsageError as exc:  # argparse's own words (a bad value, a missing one): said in one bilingual line
        raise UsageError(OTHER.get(language, **said, problem=str(exc) if echo else _without_values(str(exc)))) from None


def _first_problem(parser, argv: list[str], echo: bool, cell: bool = False):
    """The first unknown option, unknown command or word too many on the line: (Text, values), or None."""
    options = parser._option_string_actions  # argparse's table of option strings
    positionals = [a for a in parser._actions if not a.option_strings]
    words: list[str] = []
    takes_value = False
    for token in argv:
        if takes_value:  # the value of the option before, even when it starts with "-" (-t -1)
            takes_value = False
            continue
        if token == "--":
            break
        if not token.startswith("-") or token == "-" or _is_number(token):
            words.append(token)
            continue
        option, attached = token.split("=", 1)[0], "=" in token
        action = options.get(option) or _abbreviation(options, option)
        if action is None and not token.startswith("--") and token[:2] in options:
            action, attached = options[token[:2]], True  # -t0.5, -fcode
        if action is None:
            if not echo and not token.startswith("--"):
                option = token[:2]  # ``-xVALUE`` is -x with a value, which may be a secret (a key that lost its "sk")
            import difflib  # only for a mistyped option: every well-formed line skips its import

            close = difflib.get_close_matches(option, [o for o in options if o.startswith("--")], n=1, cutoff=0.75)
            return UNKNOWN_OPTION, {"option": option, "close": close[0] if close else "", "valid": _valid_options(parser)}
        takes_value = action.nargs is None and not attached
    for index, word in enumerate(words):
        if index >= len(positionals):
            return (EXTRA_WORD, {"word": word}) if echo else (EXTRA_WORD_HIDDEN, {})
        choices = positionals[index].choices
        if cell and choices and word not in choices:  # a known command gets its own advice (use the line magic)
            return CELL_WORD, {"word": word}
        if choices and word not in choices:
            import difflib  # a mistyped command (``%chat modles``) gets "did you mean models?" too

            close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.75)
            return UNKNOWN_WORD, {"word": word, "close": close[0] if close else "", "valid": list(choices)}
    return None


def _abbreviation(options: dict, option: str):
    """argparse takes an unambiguous prefix of a long option (``--mod`` for ``--model``)."""
    if not option.startswith("--"):
        return None
    found = {action for name, action in options.items() if name.startswith(option)}
    return found.pop() if len(found) == 1 else None


def _valid_options(parser) -> list[str]:
    return ["/".join(a.option_strings) for a in parser._actions if a.option_strings]


def _is_number(token: str) -> bool:
    try:
        float(token)
    except ValueError:
        return False
    return True


def _without_values(message: str) -> str:
    """argparse quotes the offending value ('...'); a %chatkey line may hold a secret, so it is left out."""
    import re

    return re.sub(r"'[^']*'", "'…'", message)
