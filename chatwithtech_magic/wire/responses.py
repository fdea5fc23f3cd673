"""Responses (``POST /responses``): the second dialect, and the only module that knows its field names:
``input``, ``instructions``, ``max_output_tokens``, ``reasoning``, ``store``, ``output``, the
``response.*`` event types, ``input_tokens``...

Stateless on purpose: the window's exchanges go as ``input`` items and the system prompt as
``instructions`` with every request (never ``previous_response_id``), and ``store`` is false unless
the user asks (``ChatMagics.store``), so nothing is kept on OpenAI's side for a notebook cell.
``background`` is never sent: it keeps data and breaks zero-data-retention.

Events are read by their ``type``; unknown ones are ignored and any order is tolerated (Ollama sends
summary deltas without a ``reasoning_summary_part.added`` first). A ``response.failed`` or a
top-level ``error`` event is raised as the SDK's ``Stream`` raises an error event: a plain
``openai.APIError`` (no status), so ``errors.classify`` gives its panel and the text so far is kept.
"""

from __future__ import annotations

from typing import Any

from ..defaults import DEFAULT_TEMPERATURE
from ..i18n import Text
from ..params import ADAPTED_DROPPED, NOT_TAKEN, NOT_THIS_VALUE, accepts, ignored
from ..prompt import ASSISTANT, Prompt, TextPart, write_parts
from ..tokens import Figures
from .dialect import CONTENT_FILTER, FAILED, LENGTH, REFUSAL, STOP
from .json_object import JsonObject, as_attributes

# Settings worth recording in provenance; any other name is left out, whatever it holds.
RECORDED = ("model", "temperature", "max_output_tokens", "stream", "store")

# The events that end a response: each carries the whole ``response`` (its usage, its status).
ENDINGS = ("response.completed", "response.incomplete", "response.failed")
_ENDED = {"completed": STOP, "max_output_tokens": LENGTH, "content_filter": CONTENT_FILTER, "refusal": REFUSAL}

STOPPED = Text("the model stopped early: {reason}", "模型提前停止：{reason}")

# The spec's minimum for ``max_output_tokens``: a smaller cap is refused with a 400, so the least is sent.
MIN_OUTPUT_TOKENS = 16
RAISED_CAP = Text(
    "max tokens {asked} is below the Responses API's least ({least}): {least} was sent",
    "最大令牌数 {asked} 低于 Responses API 的下限（{least}）：已发送 {least}",
)


class Responses:
    name: str = "responses"
    path: str = "/responses"
    adaptable: tuple[str, ...] = ("temperature", "reasoning", "max_output_tokens")

    # -- the request ------------------------------------------------------------------
    def settings(self, request, compat) -> tuple[dict, list]:
        """The body's fields but ``input`` and ``instructions``, and notes on settings ignored.

        The temperature follows the rules of Chat Completions (the same models refuse it); the answer's
        cap is ``max_output_tokens`` whatever the model; ``-r`` is ``reasoning.effort``, and a reasoning
        model is asked for a summary of its thinking (``reasoning.summary: "auto"``), shown apart.
        """
        from ..models import is_reasoning

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
            settings["max_output_tokens"] = max(request.max_tokens, MIN_OUTPUT_TOKENS)
            if request.max_tokens < MIN_OUTPUT_TOKENS:
                notes.append(RAISED_CAP.fill(asked=request.max_tokens, least=MIN_OUTPUT_TOKENS))
        reasoning: dict = {}
        if request.reasoning_effort:
            if compat.reasoning_effort is False:
                notes.append(ignored("reasoning_effort", request.reasoning_effort, request.model))
            else:
                reasoning["effort"] = request.reasoning_effort
        if compat.reasoning_effort is not False and compat.reasoning_summary and is_reasoning(request.model):
            reasoning["summary"] = "auto"
        if reasoning:
            settings["reasoning"] = reasoning
        if request.stream:
            settings["stream"] = True
        settings["store"] = bool(getattr(request, "store", False))
        return settings, notes

    def body(self, prompt: Prompt, settings: dict) -> dict:
        body: dict = {"model": settings.get("model"), "input": input_items(prompt)}
        instructions = instructions_of(prompt)
        if instructions:
            body["instructions"] = instructions
        body.update(settings)
        return body

    def max_tokens(self, settings: dict) -> int:
        try:
            return max(int(settings.get("max_output_tokens") or 0), 0)
        except (TypeError, ValueError):
            return 0

    def plain_settings(self, settings: dict) -> dict:
        kept: dict = {"api": self.name}
        kept.update({name: _plain(settings[name]) for name in RECORDED if name in settings})
        reasoning = settings.get("reasoning")
        if isinstance(reasoning, dict):
            if "effort" in reasoning:
                kept["reasoning_effort"] = _plain(reasoning["effort"])
            if "summary" in reasoning:
                kept["reasoning_summary"] = _plain(reasoning["summary"])
        return kept

    # -- the answer -------------------------------------------------------------------
    def is_end(self, data: bytes) -> bool:
        return data.startswith(b"[DONE]")  # a gateway's habit from Chat Completions; the API ends with an ending event

    def apply(self, event: dict | None, draft, view, throttle, request=None) -> bool:
        """One event into ``draft``; True when it ends the response (nothing is read after it)."""
        if not event:
            return False
        kind = event.get("type")
        if not isinstance(kind, str):
            if isinstance(event.get("error"), dict):  # Chat Completions' shape, from a gateway
                _raise(event["error"], request)
            return False
        if kind == "response.output_text.delta":
            delta = event.get("delta")
            if delta and isinstance(delta, str):
                draft.add(delta)
                _show(draft, view, throttle)
        elif kind in ("response.reasoning_summary_text.delta", "response.reasoning_text.delta"):
            delta = event.get("delta")
            if delta and isinstance(delta, str):
                part = (kind, event.get("item_id"), event.get("summary_index", event.get("content_index")))
                if draft.thinking_size and getattr(draft, "thinking_part", part) != part:
                    draft.add_thinking("\n\n")  # a new summary part: a paragraph of its own
                draft.thinking_part = part
                draft.add_thinking(delta)
                _show(draft, view, throttle)
        elif kind == "response.refusal.delta":
            delta = event.get("delta")
            if delta and isinstance(delta, str):
                draft.refusal_parts.append(delta)
        elif kind in ("response.created", "response.in_progress"):
            _take_response(event.get("response"), draft, usage=False)
        elif kind in ENDINGS:
            response = event.get("response")
            _take_response(response, draft)
            if kind == "response.failed":
                error = response.get("error") if isinstance(response, dict) else None
                _raise(error if isinstance(error, dict) else {}, request)
            if not draft.size and isinstance(response, dict):  # a gateway that sends the text only at the end
                _take_output(as_attributes(response), draft)
            return True
        elif kind == "error":
            _raise(event, request)
        return False

    def take_whole(self, value, draft) -> None:
        """A whole response: the text of its ``output_text`` parts, its summary, usage and status.
        A 200 that is not a JSON object, or an object without ``output``, is ``faults.NotAnAnswer``."""
        from ..faults import NotAnAnswer, describe_shape

        if isinstance(value, str):
            raise NotAnAnswer(value)
        if not isinstance(value.output, list):
            raise NotAnAnswer(describe_shape(value))
        _take_response(value.model_dump(), draft)
        _take_output(value, draft)
        if value.status == "failed":
            error = value.error.model_dump() if isinstance(value.error, JsonObject) else {}
            _raise(error, None)

    def figures(self, usage) -> Figures | None:
        """``Figures`` from a Responses usage (read as attributes, or a dict as recorded)."""
        if usage is None:
            return None
        given, made = _field(usage, "input_tokens"), _field(usage, "output_tokens")
        if given is None and made is None:
            return None
        given_details, made_details = _field(usage, "input_tokens_details"), _field(usage, "output_tokens_details")
        return Figures(
            prompt=_number(given),
            completion=_number(made),
            cached=_number(_field(given_details, "cached_tokens")) if given_details is not None else 0,
            reasoning=_number(_field(made_details, "reasoning_tokens")) if made_details is not None else 0,
        )

    def stop_note(self, reason: str | None) -> Text | None:
        """Why an incomplete response stopped, when that is not the max tokens (said by the usual line)."""
        if reason in (None, "completed", "max_output_tokens"):
            return None
        return STOPPED.fill(reason=str(reason).replace("_", " "))

    def ended(self, reason: str | None) -> str | None:
        if reason is None:
            return None
        return _ENDED.get(reason, FAILED)

    # -- refusals of a parameter we added ---------------------------------------------
    def refused(self, failure, settings: dict) -> str | None:
        """The optional parameter we added that a 400 refused (as Chat Completions reads it), or None."""
        from .chat_completions import CHAT

        if failure.status not in (400, 422):
            return None
        return _named(CHAT, failure, settings, self.adaptable)

    def group(self, param: str) -> frozenset:
        return frozenset({param})

    def endpoint_wide(self, param: str) -> bool:
        return False

    def adapt(self, failure, settings: dict, request, compat):
        """Once without the refused parameter: (new settings, lessons, notes, param); None when we can't."""
        param = self.refused(failure, settings)
        if param is None:
            return None
        model, message = request.model, failure.message or ""
        settings = dict(settings)
        value = settings.pop(param)
        changes: dict[str, Any] = {}
        notes: list[Text] = []
        if param == "temperature":
            said = accepts(message)
            changes.update(temperature=False, default_temperature=False, temperature_accepts=said)
            if request.temperature is not None:
                notes.append(ignored("temperature", value, model, said or NOT_THIS_VALUE))
            else:
                changes.pop("temperature")
                notes.append(ADAPTED_DROPPED.fill(model=model, param=param))
        elif param == "reasoning" and _about_summary(failure) and isinstance(value, dict) and "summary" in value:
            # Only the summary we asked for was refused ("your organization must be verified to generate
            # reasoning summaries"): the user's effort stays, on this wire and the other.
            rest = {key: item for key, item in value.items() if key != "summary"}
            if rest:
                settings["reasoning"] = rest
            changes["reasoning_summary"] = False
            notes.append(NO_SUMMARY.fill(model=model))
        elif param == "reasoning":
            changes["reasoning_effort"] = False
            if request.reasoning_effort:
                notes.append(ignored("reasoning_effort", request.reasoning_effort, model, NOT_TAKEN))
        else:  # max_output_tokens
            notes.append(ignored("max_tokens", value, model, accepts(message) or NOT_THIS_VALUE))
        return settings, changes, notes, param


RESPONSES = Responses()


NO_SUMMARY = Text(
    "{model}: no summary of its thinking for this organization (OpenAI asks for a verified organization); the answer is whole",
    "{model}：此组织无法获得思考摘要（OpenAI 要求组织已验证）；回答完整",
)


def _about_summary(failure) -> bool:
    """A refusal of ``reasoning.summary`` alone, by its param or its words."""
    return (failure.param or "") == "reasoning.summary" or "summar" in (failure.message or "").lower()


def _named(chat, failure, settings: dict, adaptable: tuple) -> str | None:
    """Which of ``adaptable`` a refusal names, read as Chat Completions reads its refusals."""
    import re

    from .chat_completions import _REFUSAL, _REFUSAL_CODES

    message = failure.message or ""
    if failure.code not in _REFUSAL_CODES and not _REFUSAL.search(message):
        return None
    named = (failure.param or "").split(".", 1)[0]  # "reasoning.effort" is the reasoning object
    if named in adaptable and named in settings:
        return named
    for param in adaptable:
        if param in settings and re.search(rf"\b{param}\b", message):
            return param
    return None


def input_items(prompt: Prompt) -> list[dict]:
    """The window's exchanges and the cell as ``input`` items (the system prompt goes as ``instructions``)."""
    items = []
    for turn in prompt.turns():
        if turn.role in ("system", "developer"):
            continue
        items.append({"role": turn.role, "content": _content(turn.role, turn.parts)})
    return items


def instructions_of(prompt: Prompt) -> str:
    from ..prompt import text_of

    return text_of(prompt.system) if prompt.system else ""


def _content(role: str, parts):
    """A turn's parts: a lone text as itself (the replay key stays the same kind of value), else
    ``input_text``/``output_text`` and ``input_image`` parts (a base64 ``data:`` URL with its ``detail``)."""
    if len(parts) == 1 and isinstance(parts[0], TextPart):
        return parts[0].text
    kind = "output_text" if role == ASSISTANT else "input_text"
    return write_parts(
        parts,
        text=lambda part: {"type": kind, "text": part.text},
        image=lambda part: {"type": "input_image", "image_url": part.data_url(), "detail": part.detail},
    )


def _take_response(response, draft, usage: bool = True) -> None:
    """The id, model, status and usage a ``response`` object carries (a dict)."""
    if not isinstance(response, dict):
        return
    if isinstance(response.get("id"), str):
        draft.response_id = response["id"]
    if isinstance(response.get("model"), str) and response["model"]:
        draft.model = response["model"]
    status = response.get("status")
    if status == "incomplete":
        details = response.get("incomplete_details")
        reason = details.get("reason") if isinstance(details, dict) else None
        draft.finish_reason = reason if isinstance(reason, str) and reason else "incomplete"
    elif status == "completed":
        draft.finish_reason = "completed"
    if usage and isinstance(response.get("usage"), dict):
        draft.usage = as_attributes(response["usage"])


def _take_output(value, draft) -> None:
    """The text, refusal and summary of a whole response's ``output`` items (read as attributes)."""
    output = value.output if isinstance(value.output, list) else []
    for item in output:
        if not isinstance(item, JsonObject):
            continue
        if item.type == "message" and isinstance(item.content, list):
            for part in item.content:
                if not isinstance(part, JsonObject):
                    continue
                if part.type == "output_text" and isinstance(part.text, str):
                    draft.add(part.text)
                elif part.type == "refusal" and isinstance(part.refusal, str) and part.refusal:
                    draft.refusal_parts.append(part.refusal)
        elif item.type == "reasoning" and isinstance(item.summary, list):
            for part in item.summary:
                if isinstance(part, JsonObject) and isinstance(part.text, str) and part.text:
                    if draft.thinking_size:
                        draft.add_thinking("\n\n")
                    draft.add_thinking(part.text)


def _show(draft, view, throttle) -> None:
    if throttle.ready(draft.size + draft.thinking_size):
        if draft.thinking_size and hasattr(view, "think"):
            view.think(draft.thinking)
        if draft.size:
            view.update(draft.text)


def _raise(error: dict, request):
    """A failure the server reported inside a 200, as the SDK's ``Stream`` raises an error event."""
    import openai

    message = error.get("message")
    if not message or not isinstance(message, str):
        message = "An error occurred during streaming"
    body = {name: error.get(name) for name in ("message", "type", "param", "code") if name in error}
    body["message"] = message
    raise openai.APIError(message, request, body=body)


def _plain(value):
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return str(value)


def _number(value) -> int:
    try:
        return max(int(value or 0), 0)
    except (TypeError, ValueError):
        return 0


def _field(obj, name):
    return obj.get(name) if isinstance(obj, dict) else getattr(obj, name, None)
