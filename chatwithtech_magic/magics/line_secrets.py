"""Keys typed on a magic's line: found, refused without an error, and scrubbed from every copy.

A magic's line is stored in the cell, in ``In[]``, in IPython's history database and in
the ``_i``/``_ii``/``_iii``/``_iN`` variables (which the history manager keeps copies of
and shifts into the namespace over the next three cells). So a key typed there by mistake
is refused and removed from all of them, and the cell is rewritten.

The refusal is printed, not raised: JupyterLab applies the ``set_next_input`` payload that
rewrites the cell only when the execute reply's status is ``ok``. A raised ``UsageError``
would leave the key in the cell and in the saved notebook.
"""

from __future__ import annotations

import re
import shlex

from ..urls import KEY_SHAPED  # noqa: F401 (the one rule for a key's shape: sk-, gsk_, xai-, hf_, …)

# Keys of any provider's shape (``urls.KEY_SHAPED``), wherever they stand in a token: ``sk-…``,
# ``--key=gsk_…``, ``-csk-…``, ``"sk-…"``.
# A bare word this long on a %chatkey line is a key pasted without its prefix, in all likelihood.
LONG_WORD = re.compile(r"^[A-Za-z0-9_\-.+/=]{20,}$")
# A key that lost its "sk" starts with a dash and reads as an option: ``-proj-AbC1…`` (project keys
# are sk-proj- and ~150 random characters), ``--proj-…``, ``-AbC1…`` (legacy: sk- and 48). Option
# names are short words and dashes and a dated model name has short parts (gpt-5-mini-2025-08-07):
# a long run of random characters, letters and digits mixed, is what tells a key apart.
KEY_BODY = re.compile(r"^(?=.*[A-Za-z])(?=.*[0-9])(?=.*[A-Za-z0-9]{12})[A-Za-z0-9_\-]{20,}$")
# Cheap first look for %%chat, which reads every cell's line: no such run, no dash-led key.
RANDOM_RUN = re.compile(r"[A-Za-z0-9]{12}")


def is_key_body(text: str) -> bool:
    """``text`` (leading dashes aside) looks like a key's random body."""
    return bool(KEY_BODY.match(text.lstrip("-")))


def might_hold_key(line: str) -> bool:
    """False for the usual line without reading it further (``-m gpt-4.1-mini --no-stream``)."""
    return bool(KEY_SHAPED.search(line) or RANDOM_RUN.search(line))


def option_names(magic) -> tuple:
    """The option strings of a ``@magic_arguments`` magic (``-m``, ``--model``, ``--reasoning-effort``)."""
    parser = getattr(magic, "parser", None)
    return tuple(getattr(parser, "_option_string_actions", ()))


def dash_led_key(token: str, options: tuple, value_options: tuple) -> str | None:
    """The key in a dash-led ``token`` that is none of the magic's own options, else None.

    ``--org=org-AbC…``/``--project=proj_…``: a value option's value is an ID, long but not secret.
    """
    if not token.startswith("-"):
        return None
    name, equals, value = token.partition("=")
    if not equals:
        return None if token in options or not is_key_body(token) else token
    if name in value_options and not value.startswith("-"):
        return None
    if is_key_body(value):
        return value  # --apikey=AbC1…: the value is the key, whatever the option
    return None if name in options or not is_key_body(name) else token


def split(line: str) -> list[str]:
    try:
        return shlex.split(line)
    except ValueError:
        return line.split()


def secrets_on_line(line: str, commands: tuple = (), value_options: tuple = (), bare_words: bool = False, options: tuple = ()) -> list[str]:
    """Every key-shaped string on ``line``, in whatever option or form it stands.

    ``bare_words``: also treat a long positional word that is not a command as a key
    (``%chatkey`` takes no free words that long; ``%chatkey delete openai`` stays harmless).
    ``options``: the magic's own option strings, never taken for a key that lost its "sk".
    """
    secrets: list[str] = []
    tokens = split(line)
    for index, token in enumerate(tokens):
        # ``-csk-…``: a short option with its value attached hides the key behind a letter.
        attached = token[2:] if re.match(r"^-[A-Za-z]", token) and not token.startswith("--") else ""
        found = KEY_SHAPED.findall(token) or KEY_SHAPED.findall(attached)
        if found:
            secrets.extend(found)
            continue
        dashed = dash_led_key(token, options, value_options)
        if dashed:
            secrets.append(dashed)
            continue
        if not bare_words or token.startswith("-") or token in commands:
            continue
        if index > 0 and tokens[index - 1] in value_options:
            continue  # an option's value: an organization or project ID is long too
        if LONG_WORD.match(token):
            secrets.append(token)
    return list(dict.fromkeys(secrets))


def clean_line(line: str, secrets: list[str], value_options: tuple = ()) -> str:
    """``line`` without the words holding a secret (and without an option left with no value)."""
    words = line.split(" ")
    kept: list[str] = []
    for word in words:
        if any(secret in word for secret in secrets):
            if kept and kept[-1] in value_options:
                kept.pop()
            continue
        kept.append(word)
    cleaned = " ".join(w for w in kept if w)
    try:
        shlex.split(cleaned)
    except ValueError:  # a quoted value lost its closing quote with the key: keep the magic and its command
        cleaned = " ".join(cleaned.split()[:2])
    return cleaned


def hidden(secret: str) -> str:
    """A refused secret as its copies keep it: a URL with its secret parts masked (line_urls.py: the rest
    stays readable), a key as ``sk-…1234``."""
    from ..masking import mask
    from ..urls import mask_url

    shown = mask_url(secret)
    return shown if shown != secret else mask(secret)


def clean_cell(cell: str, secrets: list[str], magic_line: str, cleaned_line: str) -> str:
    """The cell with only the offending line rewritten; the rest is kept."""
    lines = cell.split("\n")
    for index, text in enumerate(lines):
        if not any(secret in text for secret in secrets):
            continue
        if text.strip().startswith("%") and magic_line.strip() and magic_line.strip() in text:
            indent = text[: len(text) - len(text.lstrip())]
            prefix = text.strip()[: text.strip().index(magic_line.strip())].rstrip()
            lines[index] = indent + (prefix + " " + cleaned_line if cleaned_line else prefix).rstrip()
        else:
            for secret in secrets:
                text = text.replace(secret, hidden(secret))
            lines[index] = text
    return "\n".join(lines)


def scrub_shell(shell, secrets: list[str]) -> None:
    """Mask ``secrets`` in every copy of this session's input that IPython keeps."""

    def clean(text):
        if not isinstance(text, str):
            return text
        for secret in secrets:
            text = text.replace(secret, hidden(secret))
        return text

    history = getattr(shell, "history_manager", None)
    if history is not None:
        for name in ("input_hist_parsed", "input_hist_raw"):
            entries = getattr(history, name, None)
            if isinstance(entries, list):
                entries[:] = [clean(e) for e in entries]
        # The history manager's own copies: they move into _i, _ii and _iii over the next cells.
        for name in ("_i00", "_i", "_ii", "_iii"):
            if isinstance(getattr(history, name, None), str):
                setattr(history, name, clean(getattr(history, name)))
        try:
            with history.db_input_cache_lock:
                history.db_input_cache[:] = [(n, clean(a), clean(b)) for n, a, b in history.db_input_cache]
            history.writeout_cache()
            for secret in secrets:
                history.db.execute(
                    "UPDATE history SET source = replace(source, ?, ?), source_raw = replace(source_raw, ?, ?) WHERE session = ?",
                    (secret, hidden(secret), secret, hidden(secret), history.session_number),
                )
            history.db.commit()
        except Exception:  # a history database that is off or read-only: the in-memory scrub still holds
            pass
    for namespace in (shell.user_ns, getattr(shell, "user_ns_hidden", {})):
        for name in [n for n in namespace if n in ("_i", "_ii", "_iii", "_i00") or (n.startswith("_i") and n[2:].isdigit())]:
            namespace[name] = clean(namespace[name])
    # Terminal IPython: the prompt's up-arrow history.
    pt_history = getattr(getattr(shell, "pt_app", None), "history", None)
    strings = getattr(pt_history, "_loaded_strings", None)
    if isinstance(strings, list):
        strings[:] = [clean(s) for s in strings]
    # A kernel keeps the request being answered (its code) until the next one arrives.
    kernel = getattr(shell, "kernel", None)
    for parent in (getattr(kernel, "_parents", None) or {}).values():
        content = parent.get("content") if isinstance(parent, dict) else None
        if isinstance(content, dict) and isinstance(content.get("code"), str):
            content["code"] = clean(content["code"])


def current_cell(shell, secrets: list[str]) -> str | None:
    """The raw text of the cell being run, when it holds one of ``secrets``."""
    history = getattr(shell, "history_manager", None)
    entries = getattr(history, "input_hist_raw", None) or []
    if entries and any(secret in entries[-1] for secret in secrets):
        return entries[-1]
    return None


def refuse(shell, line: str, secrets: list[str], message: str, value_options: tuple = (), terminal: bool = False) -> None:
    """Refuse a line holding ``secrets``: rewrite the cell, scrub every copy, print ``message``."""
    cleaned = clean_line(line, secrets, value_options)
    cell = current_cell(shell, secrets)
    scrub_shell(shell, secrets)
    if not terminal and cell is not None:
        # Applied by JupyterLab because this magic returns normally (the reply's status is ok). A cell
        # that does not hold the key itself (the line was built by code) is left alone.
        shell.set_next_input(clean_cell(cell, secrets, line, cleaned), replace=True)
    print(message)
