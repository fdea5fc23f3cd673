"""Every setting in one table: its default, the values it may take, and its help.

The table generates ``ChatMagics``' traits (magics/traits.py), the ranges ``%%chat``'s options and
``%config`` are checked against (options.py) and the request's defaults (defaults.py, request.py,
retry.py). A default or a limit written twice drifts: the timeout was 60 s in one place and 600 s in
another. Plain values and no IPython, traitlets or ``openai`` here: the magics read this at
``%load_ext``.
"""

from __future__ import annotations

from typing import NamedTuple

from .i18n import Text


class Range(NamedTuple):  # a NamedTuple, not a dataclass: this module is imported at %load_ext
    low: float | None = None  # None: unbounded
    high: float | None = None
    low_open: bool = False  # True: the low end itself is refused (a timeout of 0 can never be met)
    text: Text = Text("", "")  # what a valid value looks like, for the message


class Setting(NamedTuple):
    name: str
    kind: type  # str, float, int or bool; a setting with choices is a str
    default: object
    help: str
    range: Range | None = None
    choices: tuple = ()  # the only values a str setting takes (empty: any text)


REASONING_EFFORTS = ("none", "minimal", "low", "medium", "high", "xhigh", "max")  # which a model takes varies
APIS = ("auto", "chat", "responses")  # wire/endpoints.py
CACHE_MODES = ("off", "auto", "record", "replay")  # replay.py
LANGUAGES = ("auto", "en", "zh")
WINDOW_RANGE = (1, 50)

SETTINGS: tuple[Setting, ...] = (
    # Current, inexpensive and general (genai-prices: the cheapest general model, 1,050,000-token window);
    # a reasoning model, so no temperature is sent unless the user sets one. See model_table.json.
    Setting("model", str, "gpt-6-luna", "Model used when a cell gives no -m. Left at the default, a server without it answers with the best model it lists."),
    # The seed documentation's default, for models that take a temperature.
    Setting("temperature", float, 0.3, "Sampling temperature, 0-2. Unless you set it, 0.3 goes only to models that take a temperature (not to reasoning models).",
            Range(0, 2, text=Text("a number from 0 to 2", "0 到 2 之间的数"))),
    Setting("reasoning_effort", str, "", "Reasoning effort for reasoning models (none, minimal, low, medium, high, xhigh, max); empty: the model's default.",
            choices=("",) + REASONING_EFFORTS),
    # 0 leaves the limit to the model, for the trait and for a cell's --max-tokens alike.
    Setting("max_tokens", int, 0, "Largest answer in tokens; 0 leaves it to the model.",
            Range(0, None, text=Text("a whole number, 0 or more (0 leaves it to the model)", "大于等于 0 的整数（0 表示由模型决定）"))),
    Setting("window", int, 4, f"Window memory: how many past exchanges each request sends ({WINDOW_RANGE[0]}-{WINDOW_RANGE[1]}).",
            Range(*WINDOW_RANGE, text=Text(f"a whole number from {WINDOW_RANGE[0]} to {WINDOW_RANGE[1]}", f"{WINDOW_RANGE[0]} 到 {WINDOW_RANGE[1]} 之间的整数"))),
    Setting("system", str, "", "System prompt sent with every request."),
    Setting("base_url", str, "", "API base URL; empty uses the connection's, then OPENAI_BASE_URL, then OpenAI."),
    # The longest silence allowed once the server has the request: the SDK's own default read timeout.
    # Reasoning models can think for minutes before their first token, and a read timeout is never re-sent.
    Setting("timeout", float, 600.0, "The longest silence allowed, in seconds: how long a model may think before its first token, or pause "
            "between two. Connecting has its own 10 s limit. A request that went silent is never sent again on its own.",
            Range(0, 3600, low_open=True, text=Text("a number of seconds above 0, at most 3600", "大于 0、最多 3600 的秒数"))),
    Setting("show_thinking", bool, True, "Show a model's thinking (reasoning_content, reasoning, <think>) dimmed and folded above its answer. "
            "It is never part of the answer: not sent back, not in --out."),
    Setting("retries", int, 3, "Extra attempts after a rate limit, overload or network failure (quota errors: never).",
            Range(0, 20, text=Text("a whole number from 0 to 20", "0 到 20 之间的整数"))),
    Setting("max_retry_wait", float, 60.0, "Most seconds spent waiting between retries of one cell.",
            Range(0, 3600, text=Text("a number of seconds from 0 to 3600", "0 到 3600 之间的秒数"))),
    Setting("retry_initial_delay", float, 1.0, "First backoff in seconds when the server gives no retry hint.",
            Range(0, 600, text=Text("a number of seconds from 0 to 600", "0 到 600 之间的秒数"))),
    Setting("connection", str, "openai", "Named connection whose key is used (see %chatkey)."),
    Setting("language", str, "auto", "UI language: auto (from the locale), en or zh.", choices=LANGUAGES),
    # ~10 frames/s reads as live without re-rendering per token; a huge value renders once, at the end.
    Setting("render_interval", float, 0.1, "Least seconds between re-renders of a streaming answer. Long answers re-render less often, "
            "so what is sent to the browser stays under 20× the answer.",
            Range(0, None, text=Text("a number of seconds, 0 or more", "大于等于 0 的秒数"))),
    Setting("budget", float, 0.0, "Most US dollars this session may spend (estimated); 0 means no cap. A cell that would go over it is not sent. "
            "An answer priced by neither the server's nor the requested model name counts at the highest rate the price table lists "
            "for OpenAI's models.",
            Range(0, None, text=Text("an amount in US dollars, 0 or more (0: no cap)", "大于等于 0 的美元金额（0 表示不设上限）"))),
    Setting("max_value_chars", int, 4000, "Longest value sent for one {name}, {In[n]}, {Out[n]} or {Err[n]}; longer ones are cut, with a note.",
            Range(1, None, text=Text("a whole number of characters, 1 or more", "大于等于 1 的整数（字符数）"))),
    # OpenAI scales every image to fit 2048×2048: a larger one costs bytes and time, not detail.
    Setting("image_max_side", int, 2048, "Longest side in pixels of an image sent ({fig}, {Out[n]}, --image); a larger one is downscaled "
            "(aspect ratio kept; needs Pillow: pip install \"chatwithtech_magic[images]\").",
            Range(16, 8192, text=Text("a whole number of pixels from 16 to 8192", "16 到 8192 之间的像素数"))),
    Setting("image_detail", str, "auto", "How closely a model looks at an image: auto, low (85 tokens) or high (85 + 170 per 512-px tile).",
            choices=("auto", "low", "high")),
    Setting("api", str, "auto", "Which OpenAI API asks the model: auto (Chat Completions, or Responses for a model that only answers "
            "there), chat or responses.", choices=APIS),
    # Nothing kept on OpenAI's side for a notebook cell unless the user asks (Responses' own default is to keep it).
    Setting("store", bool, False, "Responses API: let OpenAI store the response (store: true). Off: nothing is kept there."),
    Setting("cache", str, "off", "Recorded answers beside the notebook: off, auto (reuse), record (always ask, keep) or replay "
            "(never send). The environment variable CHATWITHTECH_CACHE, when set, wins.", choices=CACHE_MODES),
)

BY_NAME: dict[str, Setting] = {setting.name: setting for setting in SETTINGS}
RANGES: dict[str, Range] = {setting.name: setting.range for setting in SETTINGS if setting.range is not None}


def default(name: str):
    """The default of setting ``name``: the one place it is written."""
    return BY_NAME[name].default


# What a value of each kind looks like, for a value of the wrong type (``%config ChatMagics.system = 5``).
KIND_TEXT = {
    str: Text("text in quotes", "带引号的文本"),
    bool: Text("True or False", "True 或 False"),
    int: Text("a whole number", "整数"),
    float: Text("a number", "数字"),
}
CHOICES = Text("one of {choices}", "以下之一：{choices}")


def expected(name: str, language: str = "en") -> str:
    """What a valid value of setting ``name`` looks like, in ``language``."""
    setting = BY_NAME[name]
    if setting.choices:
        return CHOICES.get(language, choices=", ".join(repr(c) if not c else c for c in setting.choices))
    if setting.range is not None:
        return setting.range.text.get(language)
    return KIND_TEXT[setting.kind].get(language)
