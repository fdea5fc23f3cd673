"""What produced an answer, as metadata on its output: a saved notebook keeps the record.

The record holds the model that answered, the request id, the usage, the estimated cost,
when it was sent and how long it took, and the parameters sent. It is built from a
short list of known, plain parameters, so nothing else that may sit in a request (headers,
a client's key) can ever reach a notebook file; the messages are counted, not copied (the
notebook already shows the cell, and earlier exchanges may hold things the user deleted).
"""

from __future__ import annotations

import datetime

KEY = "chatwithtech_magic"  # the output metadata key

# Parameters worth recording; any other name is left out, whatever it holds.
SENT = (
    "model",
    "temperature",
    "top_p",
    "max_tokens",
    "max_completion_tokens",
    "reasoning_effort",
    "verbosity",
    "seed",
    "stop",
    "presence_penalty",
    "frequency_penalty",
    "stream",
    "service_tier",
)


def _plain(value):
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, (list, tuple)) and all(isinstance(v, (str, int, float)) for v in value):
        return list(value)
    return str(value)


def parameters(params: dict) -> dict:
    """The parameters sent, without the messages: only known names, as plain JSON values."""
    sent = {name: _plain(params[name]) for name in SENT if name in params}
    options = params.get("stream_options")
    if isinstance(options, dict) and "include_usage" in options:
        sent["stream_usage"] = bool(options["include_usage"])
    sent["messages"] = len(params.get("messages") or ())
    return sent


def record(answer, params: dict, ticket, request_id: str | None = None) -> dict:
    """The output metadata for ``answer`` (JSON-serialisable)."""
    from . import pricing

    figures, cost = getattr(answer, "figures", None), getattr(answer, "cost", None)
    usage = None
    if figures is not None:
        usage = {
            "prompt_tokens": figures.prompt,
            "completion_tokens": figures.completion,
            "cached_tokens": figures.cached,
            "reasoning_tokens": figures.reasoning,
            "estimated": figures.estimated,
        }
    version = pricing.version()  # of the loaded table, or recorded with the rates kept (price_rates.py)
    sent_at = datetime.datetime.fromtimestamp(ticket.sent_at, datetime.timezone.utc)
    return {
        KEY: {
            "model": answer.model,
            "request_id": request_id,
            "usage": usage,
            "cost_usd": float(cost) if cost is not None else None,
            "cost_source": f"genai-prices {version}, an estimate" if cost is not None and version else None,
            "replayed": bool(getattr(answer, "replayed", False)),
            "sent_at": sent_at.isoformat(timespec="seconds").replace("+00:00", "Z"),
            "elapsed_s": round(getattr(answer, "elapsed", 0.0) or 0.0, 3),
            "complete": bool(answer.complete),
            "finish_reason": answer.finish_reason,
            "dropped_exchanges": ticket.dropped,
            "parameters": parameters(params),
        }
    }
