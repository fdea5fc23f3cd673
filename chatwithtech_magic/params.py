"""Which optional parameters a model takes, as data, whatever the wire.

Each (endpoint, model) has a ``Compat`` record: filled from family rules first (reasoning
models take the newer name for max tokens, no default temperature, ``reasoning_effort``), then
from what the server refused this session. The dialect (wire/) writes the parameters from it in
its own names. A refusal of a parameter *we* added is a compatibility gap, not the user's error:
the dialect's ``adapt`` says how to resend once (without it, or under its other name), and
``Adaptations.resend`` keeps the lesson for the session. Never a loop: each parameter is adapted
at most once per question.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from . import models
from .i18n import Text

@dataclass(frozen=True)
class Compat:
    # Which name the answer's cap goes under, as the dialect writes it: "plain" (the classic name),
    # "completion" (the newer one reasoning models take), None (the endpoint takes neither).
    cap: str | None = "plain"
    default_temperature: bool = True  # send the seed's 0.3 when the user set none
    temperature: bool = True  # False: a temperature is refused, even the user's
    temperature_accepts: Text | None = None  # what the server said it takes ("only the default (1)")
    reasoning_effort: bool | None = None  # None: unknown model, sent when the user asks
    reasoning_summary: bool = True  # Responses: a summary of the thinking is asked for (an unverified org is refused it)
    stream_usage: bool = True  # the endpoint reports usage at the end of a stream when asked


def family(model: str) -> Compat:
    """What a model takes before the server has said anything, from the model table."""
    reasoning = models.is_reasoning(model)
    if reasoning is None:
        return Compat()  # a gateway's or local model: the classic parameters, adapted on refusal
    if reasoning:
        return Compat(cap="completion", default_temperature=False, reasoning_effort=True)
    return Compat(reasoning_effort=False)


class Tried(set):
    """The parameters one question adapted, and the lessons it learned on the way: ``(key, before, group)``.

    A lesson is kept only if it worked. Against a server that refuses every name of a parameter, a
    lesson learned as the resend went out (max tokens under its other name) was
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

    def resend(self, failure, outgoing, request, endpoint: str, tried: set):
        """``(outgoing, notes)`` to send once more after ``failure`` refused a parameter we added.

        None when the refusal is about nothing the dialect can adapt, or when this question already
        adapted that parameter (``tried``, updated here; a parameter's names count as one): never a loop.
        The lesson is kept for the model, or for the whole endpoint when the dialect says so (a stream option).
        """
        dialect = outgoing.dialect
        step = dialect.adapt(failure, outgoing.settings, request, self.get(endpoint, request.model))
        if step is None or step[3] in tried:
            return None
        settings, changes, notes, param = step
        group = dialect.group(param)
        tried |= group
        key = (endpoint, "*" if dialect.endpoint_wide(param) else request.model)
        if isinstance(tried, Tried):  # what to go back to if the resend is refused for the same parameter
            tried.lessons.append((key, dict(self.learned[key]) if key in self.learned else None, group))
        self.learn(*key, changes)
        return outgoing.but(settings=settings), notes

    def keep_what_worked(self, tried: Tried, failure, outgoing) -> None:
        """After the question's last request: take back each lesson whose resend was refused for the
        same parameter again (it did not work); keep the others."""
        refused = outgoing.dialect.refused(failure, outgoing.settings) if failure is not None and failure.status else None
        for key, before, group in reversed(tried.lessons):
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
SETTING_NAMES = {"temperature": "temperature", "max_tokens": "max tokens", "reasoning_effort": "reasoning effort"}


def ignored(setting: str, value, model: str, accepts: Text | None = None) -> Text:
    how = accepts or NOT_TAKEN
    values = {"setting": SETTING_NAMES.get(setting, setting), "value": value, "model": model}
    return Text(IGNORED.en.format(accepts=how.en, **values), IGNORED.zh.format(accepts=how.zh, **values))


_ONLY_VALUE = re.compile(r"only the default \(([^)]*)\) value is supported", re.I)


def accepts(message: str) -> Text | None:
    """What the server's message says the model takes, in both languages; None when it does not say."""
    match = _ONLY_VALUE.search(message)
    if match:
        return ONLY_DEFAULT.fill(value=match.group(1))
    match = re.search(r"supports at most (\d+)", message, re.I)
    return AT_MOST.fill(value=match.group(1)) if match else None
