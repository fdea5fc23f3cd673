"""Which optional parameters a model takes, as data, and the one place that builds them.

Each (endpoint, model) has a ``Compat`` record: filled from family rules first (reasoning
models take ``max_completion_tokens``, no default temperature, ``reasoning_effort``), then
from what the server refused this session. A refusal of a parameter *we* added is a
compatibility gap, not the user's error: ``adapt`` says how to resend once (without it, or
under its other name), and ``Adaptations.resend`` keeps the lesson for the session. Never a
loop: each parameter is adapted at most once per question.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from . import models
from .defaults import DEFAULT_TEMPERATURE
from .i18n import Text

MAX_TOKENS_NAMES = ("max_tokens", "max_completion_tokens")
ADAPTABLE = ("temperature", "max_tokens", "max_completion_tokens", "stream_options", "reasoning_effort")
_OTHER_NAME = {"max_tokens": "max_completion_tokens", "max_completion_tokens": "max_tokens"}


@dataclass(frozen=True)
class Compat:
    max_tokens_field: str | None = "max_tokens"  # None: the endpoint takes neither name
    default_temperature: bool = True  # send the seed's 0.3 when the user set none
    temperature: bool = True  # False: a temperature is refused, even the user's
    temperature_accepts: Text | None = None  # what the server said it takes ("only the default (1)")
    reasoning_effort: bool | None = None  # None: unknown model, sent when the user asks
    stream_options: bool = True


def family(model: str) -> Compat:
    """What a model takes before the server has said anything, from the model table."""
    reasoning = models.is_reasoning(model)
    if reasoning is None:
        return Compat()  # a gateway's or local model: the classic parameters, adapted on refusal
    if reasoning:
        return Compat(max_tokens_field="max_completion_tokens", default_temperature=False, reasoning_effort=True)
    return Compat(reasoning_effort=False)


class Tried(set):
    """The parameters one question adapted, and the lessons it learned on the way: ``(key, before, group)``.

    A lesson is kept only if it worked. Against a server that refuses every name of a parameter, a
    lesson learned as the resend went out (``max_completion_tokens`` instead of ``max_tokens``) was
    refused too, and kept, it flipped the next cell's first try; taken back, each cell starts from
    the last lesson that worked.
    """

    def __init__(self):
        super().__init__()
        self.lessons: list[tuple[tuple, dict | None, frozenset]] = []


class Adaptations:
    """What each endpoint and model refused this session (``*`` as the model: every model there)."""

    def __init__(self):
        self.learned: dict[tuple[str, str], dict] = {}

    def get(self, endpoint: str, model: str) -> Compat:
        compat = family(model)
        for key in ((endpoint, "*"), (endpoint, model)):
            if key in self.learned:
                compat = replace(compat, **self.learned[key])
        return compat

    def learn(self, endpoint: str, model: str, changes: dict) -> None:
        self.learned.setdefault((endpoint, model), {}).update(changes)

    def resend(self, failure, params: dict, request, endpoint: str, tried: set) -> tuple[dict, list[Text]] | None:
        """The parameters to send once more after ``failure`` refused one we added, and notes saying so.

        None when the refusal is about nothing we can adapt, or when this question already adapted
        that parameter (``tried``, updated here; both max-tokens names count as one): never a loop.
        The lesson is kept for the model, or for the whole endpoint when it refused ``stream_options``.
        """
        step = adapt(failure, params, request, self.get(endpoint, request.model))
        if step is None or step[3] in tried:
            return None
        params, changes, notes, param = step
        group = frozenset(MAX_TOKENS_NAMES) if param in MAX_TOKENS_NAMES else frozenset({param})
        tried |= group
        key = (endpoint, "*" if param == "stream_options" else request.model)
        if isinstance(tried, Tried):  # what to go back to if the resend is refused for the same parameter
            tried.lessons.append((key, dict(self.learned[key]) if key in self.learned else None, group))
        self.learn(*key, changes)
        return params, notes

    def settle(self, tried, failure, params: dict) -> None:
        """After the question's last request: take back each lesson whose resend was refused for the
        same parameter again (it did not work); keep the others."""
        refused = refused_param(failure, params) if failure is not None and getattr(failure, "status", None) else None
        for key, before, group in reversed(getattr(tried, "lessons", ())):
            if refused is not None and refused in group:
                if before is None:
                    self.learned.pop(key, None)
                else:
                    self.learned[key] = before

    def clear(self) -> None:
        self.learned.clear()


IGNORED = Text("{setting} {value} ignored: {model} {accepts}", "已忽略 {setting} {value}：{model} {accepts}")
ONLY_DEFAULT = Text("accepts only the default ({value})", "只接受默认值（{value}）")
AT_MOST = Text("accepts at most {value}", "最多接受 {value}")
NOT_TAKEN = Text("does not take it", "不接受该参数")
NOT_THIS_VALUE = Text("does not accept this value", "不接受此值")
ADAPTED_DROPPED = Text(
    "{model} refused {param}: sent without it (remembered for this session)",
    "{model} 拒绝了 {param}：已不带该参数重新发送（本会话内记住）",
)
ADAPTED_RENAMED = Text(
    "{model} refused {param}: sent as {other} (remembered for this session)",
    "{model} 拒绝了 {param}：已改用 {other} 发送（本会话内记住）",
)
NO_STREAM_USAGE = Text(
    "this endpoint refused stream_options: token counts are not reported (remembered for this session)",
    "此端点拒绝 stream_options：不会报告令牌数（本会话内记住）",
)
SETTING_NAMES = {"temperature": "temperature", "max_tokens": "max tokens", "reasoning_effort": "reasoning effort"}


def build(prompt: str, request, conversation, compat: Compat) -> tuple[dict, list[Text]]:
    """The chat request's body (the fields of ``client.chat.completions.create``), and notes on settings ignored.

    ``request.temperature`` None means the user set none: the seed's 0.3 goes only to models
    that take it. A user's own value is sent unless this model is known to refuse it.
    """
    params = {"model": request.model, "messages": conversation.messages(prompt, request.window, request.system)}
    notes = []
    if request.temperature is not None:
        if compat.temperature:
            params["temperature"] = request.temperature
        else:
            notes.append(_ignored("temperature", request.temperature, request.model, compat.temperature_accepts))
    elif compat.default_temperature and compat.temperature:
        params["temperature"] = DEFAULT_TEMPERATURE
    if request.max_tokens:
        if compat.max_tokens_field:
            params[compat.max_tokens_field] = request.max_tokens
        else:
            notes.append(_ignored("max_tokens", request.max_tokens, request.model))
    effort = getattr(request, "reasoning_effort", None)
    if effort:
        if compat.reasoning_effort is False:
            notes.append(_ignored("reasoning_effort", effort, request.model))
        else:
            params["reasoning_effort"] = effort
    if request.stream:
        params["stream"] = True
        if compat.stream_options:
            params["stream_options"] = {"include_usage": True}
    return params, notes


def _ignored(setting: str, value, model: str, accepts: Text | None = None) -> Text:
    how = accepts or NOT_TAKEN
    values = {"setting": SETTING_NAMES.get(setting, setting), "value": value, "model": model}
    return Text(IGNORED.en.format(accepts=how.en, **values), IGNORED.zh.format(accepts=how.zh, **values))


_UNRECOGNIZED = re.compile(r"unrecognized request argument|unsupported parameter|not supported|unknown (parameter|field|argument)|extra (inputs|fields) (are )?not permitted|unexpected keyword", re.I)
# What a refusal of a parameter looks like: OpenAI's codes, Azure's and gateways' wordings (LiteLLM, vLLM's
# pydantic "extra inputs"). Other 400s that name a parameter (a temperature of 5) are the user's to fix: a panel.
_REFUSAL_CODES = ("unsupported_parameter", "unsupported_value")
_REFUSAL = re.compile(
    r"unrecognized request argument|unsupported ?param|does not support parameters?|not supported with this model"
    r"|extra (inputs|fields) (are )?not permitted|unknown (parameter|field|argument)",
    re.I,
)
_ONLY_VALUE = re.compile(r"only the default \(([^)]*)\) value is supported", re.I)


def refused_param(failure, params: dict) -> str | None:
    """The optional parameter we added that a 400 refused, or None when the refusal is about something else."""
    if failure.status not in (400, 422) or failure.kind.kind == "context_length":
        return None
    message = failure.message or ""
    if failure.code not in _REFUSAL_CODES and not _REFUSAL.search(message) and "stream_options" not in message:
        return None  # stream_options: any refusal naming it (the endpoints that refuse it say so in many ways)
    named = getattr(failure, "param", None)
    if named in ADAPTABLE and named in params:
        return named  # the body says which one
    for param in ADAPTABLE:
        if param not in params:
            continue
        if re.search(rf"\b{param}\b", message):
            return param
    return None


def adapt(failure, params: dict, request, compat: Compat) -> tuple[dict, dict, list[Text], str] | None:
    """How to resend once after ``failure``: (new params, lessons to remember, notes, param); None when we can't."""
    param = refused_param(failure, params)
    if param is None:
        return None
    model, message = request.model, failure.message or ""
    params = dict(params)
    value = params.pop(param)
    notes, changes = [], {}
    if param in MAX_TOKENS_NAMES:
        other = _OTHER_NAME[param]
        renamed = _UNRECOGNIZED.search(message) and (failure.code in (None, "unsupported_parameter") or other in message)
        if renamed and compat.max_tokens_field == param:
            params[other] = value
            changes["max_tokens_field"] = other
            notes.append(ADAPTED_RENAMED.fill(model=model, param=param, other=other))
        else:
            notes.append(_ignored("max_tokens", value, model, _accepts(message) or NOT_THIS_VALUE))
    elif param == "temperature":
        accepts = _accepts(message)
        changes.update(temperature=False, default_temperature=False, temperature_accepts=accepts)
        if request.temperature is not None:  # the user's own value
            notes.append(_ignored("temperature", value, model, accepts or NOT_THIS_VALUE))
        else:
            changes.pop("temperature")  # only our default was refused: a user's own value may still be taken
            notes.append(ADAPTED_DROPPED.fill(model=model, param=param))
    elif param == "reasoning_effort":
        if failure.code == "unsupported_value":  # the model takes the parameter, not this value
            notes.append(_ignored("reasoning_effort", value, model, _accepts(message) or NOT_THIS_VALUE))
        else:
            changes["reasoning_effort"] = False
            notes.append(_ignored("reasoning_effort", value, model))
    elif param == "stream_options":
        changes["stream_options"] = False
        notes.append(NO_STREAM_USAGE)
    return params, changes, notes, param


def _accepts(message: str) -> Text | None:
    """What the server's message says the model takes, in both languages; None when it does not say."""
    match = _ONLY_VALUE.search(message)
    if match:
        return ONLY_DEFAULT.fill(value=match.group(1))
    match = re.search(r"supports at most (\d+)", message, re.I)
    return AT_MOST.fill(value=match.group(1)) if match else None
