"""The loopback server's ``POST /v1/responses``, with the API's real event names and bodies.

Scripted with the same types as Chat Completions (``server.script_responses(...)``):
* ``Reply``: streamed as ``response.created``, ``response.output_item.added``, ``response.content_part.added``,
  ``response.output_text.delta``..., ``response.output_text.done`` and ``response.completed`` (usage:
  ``input_tokens``, ``input_tokens_details.cached_tokens``, ``output_tokens``,
  ``output_tokens_details.reasoning_tokens``); ``reasoning`` pieces come first as
  ``response.reasoning_summary_text.delta``; ``finish_reason="length"`` ends with ``response.incomplete``
  (``max_output_tokens``); whole (``output[*].content[*]``) when the request does not stream.
* ``Failed(text, code, message)``: some text, then ``response.failed``.
* ``StreamError(text, error)``: some text, then a top-level ``error`` event.
* ``Error``, ``StreamDrop`` and ``Hang`` as for Chat Completions.
Chat Completions answers a model in ``server.responses_only`` with the API's 404 (or, with
``wrong_api_style = "copilot"``, a gateway's 400 ``unsupported_api_for_model``); ``has_responses =
False`` makes the path itself a 404, as a gateway without it answers.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass

from tests.support.canned_failures import _err
from tests.support.server_types import Error, Hang, Reply, StreamDrop, StreamError

# openai 3.60's ResponsesModel names these (a few of its 27): Chat Completions refuses them.
RESPONSES_ONLY = frozenset({"gpt-5.5-pro", "gpt-5-pro", "o3-pro", "gpt-5-codex", "gpt-5.1-codex-max", "o3-deep-research"})


@dataclass
class Failed:
    """Some text streamed, then ``response.failed`` with ``response.error``."""

    text: str = "Partial answer"
    code: str = "server_error"
    message: str = "The server had an error while processing your request. Sorry about that!"


def wrong_api(style: str = "openai") -> Error:
    """Chat Completions refusing a model that lives on /v1/responses."""
    if style == "copilot":
        return Error(400, _err("The requested model is not supported for the chat completions API.",
                               "invalid_request_error", "unsupported_api_for_model", "model"))
    return Error(404, _err("This model is only supported in v1/responses and not in v1/chat/completions.",
                           "invalid_request_error", None, "model"))


def usage_of(spec, body: dict, text: str) -> dict | None:
    if spec is False or spec is None:
        return None
    if isinstance(spec, dict):
        given, made = int(spec.get("prompt_tokens", 0)), int(spec.get("completion_tokens", 0))
        cached, reasoning = int(spec.get("cached_tokens", 0)), int(spec.get("reasoning_tokens", 0))
    else:
        said = [body.get("instructions") or ""] + [
            item.get("content") if isinstance(item.get("content"), str) else json.dumps(item.get("content"))
            for item in body.get("input") or [] if isinstance(item, dict)
        ]
        given = max(sum(4 + len(str(s)) // 4 for s in said), 8)
        made, cached, reasoning = max((len(text) + 3) // 4, 1), 0, 0
    return {"input_tokens": given, "input_tokens_details": {"cached_tokens": cached},
            "output_tokens": made, "output_tokens_details": {"reasoning_tokens": reasoning},
            "total_tokens": given + made}


def respond(handler, response, body: dict) -> None:
    """Answer one POST /v1/responses on ``handler`` (the loopback server's request handler)."""
    if isinstance(response, Hang):
        handler._wait(response.seconds)
        response = response.reply if response.reply is not None else Reply()
    if response is None:
        response = Reply()
    elif isinstance(response, str):
        response = Reply(response)
    if isinstance(response, Error):
        handler._send_error(response)
        return
    owner = handler.server.owner
    model = body.get("model") or "gpt-6-luna"
    rid = "resp_" + handler.request_id.replace("req_", "test")
    shell = {"id": rid, "object": "response", "created_at": int(time.time()), "model": model, "status": "in_progress",
             "output": [], "usage": None, "error": None, "incomplete_details": None, "store": bool(body.get("store", True))}
    if isinstance(response, Reply):
        text = response.text if response.text is not None else ("".join(response.chunks) if response.chunks else owner.reply)
        chunks = response.chunks or [text[i:i + 4] for i in range(0, len(text), 4)]
        reasoning = response.reasoning or []
    else:
        text, reasoning = response.text, []
        chunks = [text[i:i + 4] for i in range(0, len(text), 4)]
    shell["model"] = getattr(response, "model", None) or model
    message = {"id": "msg_1", "type": "message", "role": "assistant", "status": "completed",
               "content": [{"type": "output_text", "text": text, "annotations": []}]}
    summary = {"id": "rs_1", "type": "reasoning", "summary": [{"type": "summary_text", "text": "".join(reasoning)}]} if reasoning else None
    ending, status = "response.completed", "completed"
    if isinstance(response, Reply) and response.finish_reason in ("length", "content_filter"):
        ending, status = "response.incomplete", "incomplete"
        shell["incomplete_details"] = {"reason": "max_output_tokens" if response.finish_reason == "length" else "content_filter"}
    final = dict(shell, status=status, output=([summary] if summary else []) + [message],
                 usage=usage_of(getattr(response, "usage", True), body, text))

    if not body.get("stream") and isinstance(response, Reply):
        handler._wait(response.think)
        handler._send_json(200, final)
        return

    sequence = iter(range(1_000_000))

    def event(kind: str, **fields) -> None:
        data = {"type": kind, "sequence_number": next(sequence), **fields}
        handler._chunk(f"event: {kind}\ndata: {json.dumps(data)}\n\n".encode())

    delay = getattr(response, "delay", 0.0)
    handler._start(200, "text/event-stream; charset=utf-8")
    event("response.created", response=shell)
    event("response.in_progress", response=shell)
    for piece in reasoning:  # as Ollama does: no reasoning_summary_part.added first
        handler._wait(delay)
        event("response.reasoning_summary_text.delta", item_id="rs_1", output_index=0, summary_index=0, delta=piece)
    index = 1 if reasoning else 0
    event("response.output_item.added", output_index=index, item=dict(message, status="in_progress", content=[]))
    event("response.content_part.added", item_id="msg_1", output_index=index, content_index=0,
          part={"type": "output_text", "text": "", "annotations": []})
    for piece in chunks:
        handler._wait(delay)
        event("response.output_text.delta", item_id="msg_1", output_index=index, content_index=0, delta=piece, logprobs=[])
    if isinstance(response, StreamDrop):
        handler._drop()
        return
    if isinstance(response, StreamError):
        error = response.error or _err("The server had an error while processing your request. Sorry about that!", "server_error")
        inner = error.get("error", error)
        event("error", code=inner.get("code"), message=inner.get("message"), param=inner.get("param"))
        handler._end_chunks()
        return
    if isinstance(response, Failed):
        event("response.failed", response=dict(shell, status="failed", error={"code": response.code, "message": response.message}))
        handler._end_chunks()
        return
    event("response.output_text.done", item_id="msg_1", output_index=index, content_index=0, text=text, logprobs=[])
    event("response.output_item.done", output_index=index, item=message)
    event(ending, response=final)
    handler._end_chunks()
