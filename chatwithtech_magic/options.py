"""Which values a setting or a cell option may take, read by ``%config`` and by ``%%chat``; the ranges
themselves are rows of the table of settings (settings.py).

A value out of range must never cost a request, and must never reach the SDK, where ``nan``
or a negative timeout becomes a ``ValueError`` traceback. The traits (``ChatMagics.timeout``)
and the cell options (``-t``) are checked by the same rule, so both refuse the same values
with the same message. No IPython and no ``openai`` here: the magics import this at load time.
"""

from __future__ import annotations

import math

from .i18n import Text, sentences
from .settings import RANGES, Range  # noqa: F401 (re-exported): the ranges are written in the table of settings

OUT_OF_RANGE = Text("{option} = {value} is not allowed: use {expected}.", "{option} = {value} 不可用：请使用{expected}。")
EMPTY_MODEL = Text("{option} needs a model name; it is empty.", "{option} 需要一个模型名称，但它是空的。")
NOT_SENT = Text("Nothing was sent.", "未发送任何请求。")
KEPT = Text("It stays {current}.", "它保持为 {current}。")


# A base URL without a scheme (``localhost:11434/v1``) was sent as it was: httpx refused it, and the
# user got three retries and "a network problem". Every place a base URL is accepted says so instead.
NO_SCHEME = Text(
    "{option} = {value} does not start with http:// or https://, so no request can reach it: write {suggested}.",
    "{option} = {value} 不是以 http:// 或 https:// 开头，任何请求都无法到达：请写成 {suggested}。",
)
_LOCAL_HOSTS = ("localhost", "127.", "0.0.0.0", "[::1]", "host.docker.internal")


def scheme_fix(url: str | None) -> str | None:
    """None when ``url`` is empty or starts with http:// or https://; else the URL to write instead
    (``http://`` before a local host, ``https://`` before any other)."""
    url = (url or "").strip()
    scheme, sep, rest = url.partition("://")
    if not url or (sep and scheme.lower() in ("http", "https")):
        return None
    bare = rest if sep else url.lstrip("/")
    host = bare.rpartition("@")[2].lower()  # after a user:password@
    return ("http://" if host.startswith(_LOCAL_HOSTS) else "https://") + bare


def base_url_problem(url: str | None, option: str = "base_url", language: str = "en") -> str | None:
    """Why ``url`` can't be a base URL (it has no http:// or https://), said with the URL to write instead."""
    suggested = scheme_fix(url)
    if suggested is None:
        return None
    from .urls import mask_url  # only for a bad value: a URL's own password or key is never echoed

    return NO_SCHEME.get(language, option=option, value=mask_url(str(url).strip()), suggested=mask_url(suggested))


def problem(name: str, value, option: str | None = None, language: str = "en") -> str | None:
    """Why ``value`` can't be used for setting ``name`` (shown as ``option``), or None when it can."""
    option = option or name
    if name == "base_url":
        return base_url_problem(value, option, language)
    if name == "model":
        return EMPTY_MODEL.get(language, option=option) if not str(value or "").strip() else None
    rule = RANGES.get(name)
    if rule is None or value is None:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        number = math.nan
    bad = not math.isfinite(number)  # nan and inf compare False to everything: refuse them first
    bad = bad or (rule.low is not None and (number < rule.low or (rule.low_open and number == rule.low)))
    bad = bad or (rule.high is not None and number > rule.high)
    if not bad:
        return None
    return OUT_OF_RANGE.get(language, option=option, value=value, expected=rule.text.get(language))


# -- --out NAME -------------------------------------------------------------------------------

# Names IPython keeps in the user namespace and relies on: overwriting one breaks later cells
# (``In``/``Out``, the output cache ``_``/``__``/``___``, ``_i``/``_ii``/``_iii``, ``_oh``/``_ih``/``_dh``)
# or every magic (``get_ipython``).
IPYTHON_NAMES = frozenset(
    {"In", "Out", "get_ipython", "exit", "quit", "_", "__", "___", "_i", "_ii", "_iii", "_oh", "_ih", "_dh", "_sh"}
)
BAD_OUT = Text("--out needs a Python variable name, not '{name}'.", "--out 需要一个 Python 变量名，而不是“{name}”。")
RESERVED_OUT = Text(
    "--out {name} would overwrite a name that Python or IPython needs ({why}); choose another name, e.g. --out answer.",
    "--out {name} 会覆盖 Python 或 IPython 需要的名称（{why}）；请换一个名称，例如 --out answer。",
)
WHY = {
    "keyword": Text("a Python keyword", "Python 关键字"),
    "dunder": Text("a double-underscore name", "双下划线名称"),
    "ipython": Text("IPython's own", "IPython 自己的名称"),
    "builtin": Text("a built-in", "内置名称"),
}


def out_problem(name: str, language: str = "en") -> str | None:
    """Why ``--out name`` must be refused, or None. Shadowing a built-in such as ``print`` breaks code too."""
    import builtins
    import keyword

    if not name.isidentifier():
        return BAD_OUT.get(language, name=name)
    why = None
    if keyword.iskeyword(name):
        why = "keyword"
    elif name.startswith("__") and name.endswith("__"):
        why = "dunder"
    elif name in IPYTHON_NAMES or _is_history_name(name):
        why = "ipython"
    elif hasattr(builtins, name):
        why = "builtin"
    return RESERVED_OUT.get(language, name=name, why=WHY[why].get(language)) if why else None


def _is_history_name(name: str) -> bool:
    """``_i12``, ``_12``, ``_i00``: IPython's numbered copies of inputs and outputs."""
    rest = name[2:] if name.startswith("_i") else name[1:] if name.startswith("_") else None
    return rest is not None and rest.isdigit()


def cell_problem(args, language: str = "en") -> str | None:
    """The first of a ``%%chat`` line's options that is out of range, said as the user wrote it."""
    checks = (
        ("model", getattr(args, "model", None), "-m/--model"),
        ("temperature", getattr(args, "temperature", None), "-t/--temperature"),
        ("max_tokens", getattr(args, "max_tokens", None), "--max-tokens"),
    )
    for name, value, option in checks:
        if name == "model" and value is None:
            continue  # not given: ChatMagics.model applies
        found = problem(name, value, option, language)
        if found:
            return sentences(language, found, NOT_SENT.get(language))
    return None


def request_problem(request, language: str = "en") -> str | None:
    """The first value of a ``ChatRequest`` that must not be sent (plain Python skips the magics' checks)."""
    checks = (
        ("model", request.model, "model"),
        ("temperature", request.temperature, "temperature"),
        ("max_tokens", request.max_tokens, "max_tokens"),
        ("timeout", request.timeout, "timeout"),
    )
    for name, value, option in checks:
        found = problem(name, value, option, language)
        if found:
            return found
    return None
