"""Chat Completions (``POST /chat/completions``): the first dialect, and the only module that knows its
field names: ``messages``, ``choices``, ``delta``, ``finish_reason``, ``prompt_tokens``,
``max_completion_tokens``, ``stream_options``, ``reasoning_content``...

Events are read as the SDK's ``Stream`` reads them, so ``errors.classify`` sees the same exceptions:
an ``{"error": ...}`` event is a plain ``openai.APIError`` (no status). A server may send anything
in any field: only text is taken as text, and only an object as usage.
"""

from __future__ import annotations

import re
from typing import Any

from ..catalog import Kind
from ..defaults import DEFAULT_TEMPERATURE
from ..i18n import Text
from ..params import (
    ADAPTED_DROPPED,
    ADAPTED_RENAMED,
    NOT_TAKEN,
    NOT_THIS_VALUE,
    accepts,
    ignored,
)
from ..prompt import ASSISTANT, SYSTEM, USER, ImagePart, Prompt, TextPart, Turn, text, write_parts
from ..tokens import Figures
from .dialect import CONTENT_FILTER, FAILED, LENGTH, REFUSAL, STOP
from .json_object import JsonObject, as_attributes

MAX_TOKENS_NAMES = ("max_tokens", "max_completion_tokens")
# params.Compat.cap: which name the answer's cap goes under.
_CAP_NAME = {"plain": "max_tokens", "completion": "max_completion_tokens"}
_CAP_STYLE = {name: style for style, name in _CAP_NAME.items()}
_OTHER_NAME = {"max_tokens": "max_completion_tokens", "max_completion_tokens": "max_tokens"}

# Settings worth recording in provenance; any other name is left out, whatever it holds.
RECORDED = ("model", "temperature", "top_p", "max_tokens", "max_completion_tokens", "reasoning_effort", "verbosity",
            "seed", "stop", "presence_penalty", "frequency_penalty", "stream", "service_tier")

# Where thinking arrives as a field of a delta or a message, in the order a gateway is likelier to use:
# ``reasoning_content`` (DeepSeek, LiteLLM, older vLLM), ``reasoning`` (vLLM, Ollama, OpenRouter).
THINKING_FIELDS = ("reasoning_content", "reasoning")

_ENDED = {"stop": STOP, "length": LENGTH, "content_filter": CONTENT_FILTER, "refusal": REFUSAL}


NO_STREAM_USAGE = Text(
    "this endpoint refused stream_options: token counts are not reported (remembered for this session)",
    "此端点拒绝 stream_options：不会报告令牌数（本会话内记住）",
)


class ChatCompletions:
    name: str = "chat"
    path: str = "/chat/completions"
    adaptable: tuple[str, ...] = ("temperature", "max_tokens", "max_completion_tokens", "stream_options", "reasoning_effort")

    # -- the request ------------------------------------------------------------------
    def settings(self, request, compat) -> tuple[dict, list]:
        """The body's fields but the messages, and notes on settings ignored.

        ``request.temperature`` None means the user set none: the seed's 0.3 goes only to models
        that take it. A user's own value is sent unless this model is known to refuse it.
        """
        settings: dict = {"model": request.model}
        notes: list[Text] = []
        if request.temperature is not None:
            if compat.temperature:
                settings["temperature"] = request.temperature
            else:
                notes.append(ignored("temperature", request.temperature, request.model, compat.temperature_accepts))
        elif compat.default_temperature and compat.temperature:
            settings["temperature"] = DEFAULT_TEMPERATURE
        if request.max_tokens:
            if compat.cap:
                settings[_CAP_NAME[compat.cap]] = request.max_tokens
            else:
                notes.append(ignored("max_tokens", request.max_tokens, request.model))
        if request.reasoning_effort:
            if compat.reasoning_effort is False:
                notes.append(ignored("reasoning_effort", request.reasoning_effort, request.model))
            else:
                settings["reasoning_effort"] = request.reasoning_effort
        if request.stream:
            settings["stream"] = True
            if compat.stream_usage:
                settings["stream_options"] = {"include_usage": True}
        return settings, notes

    def body(self, prompt: Prompt, settings: dict) -> dict:
        body = {"model": settings.get("model"), "messages": messages(prompt)}
        body.update(settings)
        return body

    def max_tokens(self, settings: dict) -> int:
        value = settings.get("max_completion_tokens") or settings.get("max_tokens") or 0
        try:
            return max(int(value), 0)
        except (TypeError, ValueError):
            return 0

    def plain_settings(self, settings: dict) -> dict:
        kept = {name: _plain(settings[name]) for name in RECORDED if name in settings}
        options = settings.get("stream_options")
        if isinstance(options, dict) and "include_usage" in options:
            kept["stream_usage"] = bool(options["include_usage"])
        return kept

    # -- the answer -------------------------------------------------------------------
    def is_end(self, data: bytes) -> bool:
        return data.startswith(b"[DONE]")

    def apply(self, event: dict | None, draft, view, throttle, request=None) -> None:
        if not event:
            return
        error = event.get("error")
        if error:  # as the SDK's Stream does: a plain APIError, no status (the HTTP status was 200)
            import openai

            message = error.get("message") if isinstance(error, dict) else None
            if not message or not isinstance(message, str):
                message = "An error occurred during streaming"
            raise openai.APIError(message, request, body=error)
        model = event.get("model")
        if model and isinstance(model, str):
            draft.model = model
        usage = event.get("usage")
        if usage and isinstance(usage, dict):
            draft.usage = as_attributes(usage)
        choices = event.get("choices")
        if not choices or not isinstance(choices, list):
            return
        for choice in choices:
            if not isinstance(choice, dict):
                continue
            delta = choice.get("delta")
            if delta and isinstance(delta, dict):
                thinking = thinking_of(delta)
                if thinking:
                    draft.add_thinking(thinking)
                content = delta.get("content")
                if content and isinstance(content, str):
                    draft.add_content(content)  # <think>…</think> at its start is thinking (thinking.py)
                if (thinking or content) and throttle.ready(draft.size + draft.thinking_size):
                    if draft.thinking_size and hasattr(view, "think"):
                        view.think(draft.thinking)
                    if draft.size:
                        view.update(draft.text)
                refusal = delta.get("refusal")
                if refusal and isinstance(refusal, str):
                    draft.refusal_parts.append(refusal)
                tool_calls = delta.get("tool_calls")
                if tool_calls and isinstance(tool_calls, list):
                    draft.tool_calls.extend(as_attributes(tool_calls))
            finish = choice.get("finish_reason")
            if finish and isinstance(finish, str):
                draft.finish_reason = finish

    def take_whole(self, value, draft) -> None:
        """A non-streamed completion, recorded as a stream would be. A 200 that is not a JSON
        object (a captive portal) or an object without ``choices`` is ``faults.NotAnAnswer``."""
        from ..faults import NotAnAnswer, describe_shape

        if isinstance(value, str):
            raise NotAnAnswer(value)
        if not isinstance(value.choices, list):
            raise NotAnAnswer(describe_shape(value))
        choice = value.choices[0] if value.choices else None
        message = choice.message if isinstance(choice, JsonObject) else None
        content = message.content if isinstance(message, JsonObject) else None
        refusal = message.refusal if isinstance(message, JsonObject) else None
        if message is not None:
            thinking = thinking_of(message)
            if thinking:
                draft.add_thinking(thinking)
        if isinstance(content, str):
            draft.add_content(content)
        if refusal and isinstance(refusal, str):
            draft.refusal_parts.append(refusal)
        finish = choice.finish_reason if isinstance(choice, JsonObject) else None
        if isinstance(finish, str):
            draft.finish_reason = finish
        if isinstance(value.usage, JsonObject):
            draft.usage = value.usage
        if isinstance(value.model, str):
            draft.model = value.model

    def figures(self, usage) -> Figures | None:
        """``Figures`` from a usage (read as attributes, or a dict as recorded)."""
        if usage is None:
            return None
        prompt, completion = _field(usage, "prompt_tokens"), _field(usage, "completion_tokens")
        if prompt is None and completion is None:
            return None
        prompt_details = _field(usage, "prompt_tokens_details")
        completion_details = _field(usage, "completion_tokens_details")
        return Figures(
            prompt=_number(prompt),
            completion=_number(completion),
            cached=_number(_field(prompt_details, "cached_tokens")) if prompt_details is not None else 0,
            reasoning=_number(_field(completion_details, "reasoning_tokens")) if completion_details is not None else 0,
        )

    def ended(self, reason: str | None) -> str | None:
        if reason is None:
            return None
        return _ENDED.get(reason, FAILED)

    # -- refusals of a parameter we added ---------------------------------------------
    def refused(self, failure, settings: dict) -> str | None:
        """The optional parameter we added that a 400 refused, or None when the refusal is about something else."""
        if failure.status not in (400, 422) or failure.kind.kind == Kind.CONTEXT_LENGTH:
            return None
        message = failure.message or ""
        if failure.code not in _REFUSAL_CODES and not _REFUSAL.search(message) and "stream_options" not in message:
            return None  # stream_options: any refusal naming it (the endpoints that refuse it say so in many ways)
        named = failure.param
        if named in self.adaptable and named in settings:
            return named  # the body says which one
        for param in self.adaptable:
            if param in settings and re.search(rf"\b{param}\b", message):
                return param
        return None

    def group(self, param: str) -> frozenset:
        """The parameters adapted as one: both names of the answer's cap count as one."""
        return frozenset(MAX_TOKENS_NAMES) if param in MAX_TOKENS_NAMES else frozenset({param})

    def endpoint_wide(self, param: str) -> bool:
        """Whether a refusal of ``param`` is learned for every model of the endpoint."""
        return param == "stream_options"

    def adapt(self, failure, settings: dict, request, compat):
        """How to resend once after ``failure``: (new settings, lessons, notes, param); None when we can't."""
        param = self.refused(failure, settings)
        if param is None:
            return None
        model, message = request.model, failure.message or ""
        settings = dict(settings)
        value = settings.pop(param)
        notes: list[Text] = []
        changes: dict[str, Any] = {}
        if param in MAX_TOKENS_NAMES:
            other = _OTHER_NAME[param]
            renamed = _UNRECOGNIZED.search(message) and (failure.code in (None, "unsupported_parameter") or other in message)
            if renamed and compat.cap == _CAP_STYLE[param]:
                settings[other] = value
                changes["cap"] = _CAP_STYLE[other]
                notes.append(ADAPTED_RENAMED.fill(model=model, param=param, other=other))
            else:
                notes.append(ignored("max_tokens", value, model, accepts(message) or NOT_THIS_VALUE))
        elif param == "temperature":
            said = accepts(message)
            changes.update(temperature=False, default_temperature=False, temperature_accepts=said)
            if request.temperature is not None:  # the user's own value
                notes.append(ignored("temperature", value, model, said or NOT_THIS_VALUE))
            else:
                changes.pop("temperature")  # only our default was refused: a user's own value may still be taken
                notes.append(ADAPTED_DROPPED.fill(model=model, param=param))
        elif param == "reasoning_effort":
            if failure.code == "unsupported_value":  # the model takes the parameter, not this value
                notes.append(ignored("reasoning_effort", value, model, accepts(message) or NOT_THIS_VALUE))
            else:
                changes["reasoning_effort"] = False
                notes.append(ignored("reasoning_effort", value, model, NOT_TAKEN))
        elif param == "stream_options":
            changes["stream_usage"] = False
            notes.append(NO_STREAM_USAGE)
        return settings, changes, notes, param


CHAT = ChatCompletions()

_UNRECOGNIZED = re.compile(r"unrecognized request argument|unsupported parameter|not supported|unknown (parameter|field|argument)|extra (inputs|fields) (are )?not permitted|unexpected keyword", re.I)
# What a refusal of a parameter looks like: OpenAI's codes, Azure's and gateways' wordings (LiteLLM, vLLM's
# pydantic "extra inputs"). Other 400s that name a parameter (a temperature of 5) are the user's to fix: a panel.
_REFUSAL_CODES = ("unsupported_parameter", "unsupported_value")
_REFUSAL = re.compile(
    r"unrecognized request argument|unsupported ?param|does not support parameters?|not supported with this model"
    r"|extra (inputs|fields) (are )?not permitted|unknown (parameter|field|argument)",
    re.I,
)


def messages(prompt: Prompt) -> list[dict]:
    """The prompt as Chat Completions messages: a lone text part as a plain string."""
    return [{"role": turn.role, "content": content(turn.parts)} for turn in prompt.turns()]


def content(parts):
    """A message's parts: a lone text as itself, else ``text`` and ``image_url`` parts.

    An image goes as a base64 ``data:`` URL (Ollama takes nothing else), with its ``detail``."""
    if len(parts) == 1 and isinstance(parts[0], TextPart):
        return parts[0].text
    return write_parts(
        parts,
        text=lambda part: {"type": "text", "text": part.text},
        image=lambda part: {"type": "image_url", "image_url": {"url": part.data_url(), "detail": part.detail}},
    )


def prompt_of(sent: list[dict]) -> Prompt:
    """A body's ``messages`` read back as a ``Prompt`` (what a server received, for tests and tools)."""
    def parts(message):
        content = message.get("content")
        if isinstance(content, list):
            return tuple(_part_of(item) for item in content if isinstance(item, dict))
        return text("" if content is None else str(content))

    system = tuple(p for m in sent[:-1] if m.get("role") in (SYSTEM, "developer") for p in parts(m))
    rest = [m for m in sent[:-1] if m.get("role") not in (SYSTEM, "developer")]
    earlier, pending = [], None
    for message in rest:
        if message.get("role") == USER:
            pending = Turn(USER, parts(message))
        elif pending is not None:
            earlier.append((pending, Turn(ASSISTANT, parts(message))))
            pending = None
    return Prompt(system, tuple(earlier), parts(sent[-1]) if sent else ())


def _part_of(item: dict):
    """One content part read back: an ``image_url`` data URL as an ``ImagePart``, anything else as text."""
    if item.get("type") == "image_url" and isinstance(item.get("image_url"), dict):
        from ..images import dimensions

        url = str(item["image_url"].get("url", ""))
        head, _, data = url.partition(",")
        if head.startswith("data:") and head.endswith(";base64"):
            import base64

            raw, media_type = base64.b64decode(data), head[5:-7]
            width, height = dimensions(raw, media_type)
            return ImagePart(raw, media_type, width, height, str(item["image_url"].get("detail", "auto")))
    return TextPart(str(item.get("text", "")))


def thinking_of(part) -> str:
    """The thinking text in a delta or message (a dict, or read as attributes); "" when none."""
    for name in THINKING_FIELDS:
        value = part.get(name) if isinstance(part, dict) else getattr(part, name, None)
        if value and isinstance(value, str):
            return value
    return ""


def _plain(value):
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, (list, tuple)) and all(isinstance(v, (str, int, float)) for v in value):
        return list(value)
    return str(value)


def _number(value) -> int:
    try:
        return max(int(value or 0), 0)
    except (TypeError, ValueError):
        return 0


def _field(obj, name):
    return obj.get(name) if isinstance(obj, dict) else getattr(obj, name, None)
