"""What produced an answer, as metadata on its output: a saved notebook keeps the record.

The record holds the model that answered, the request id, the usage, the estimated cost,
when it was sent and how long it took, and the parameters sent. The parameters are the short
list of known, plain ones the dialect keeps (wire/), so nothing else that may sit in a request
(headers, a client's key) can ever reach a notebook file; the messages are counted, not copied
(the notebook already shows the cell, and earlier exchanges may hold things the user deleted).
The record's names are the ones notebooks already hold (saved_names.py), whatever the wire.
"""

from __future__ import annotations

import datetime

from .saved_names import FINISH_REASON, MESSAGES, usage_fields

KEY = "chatwithtech_magic"  # the output metadata key


def parameters(settings: dict, messages: int, images: tuple = ()) -> dict:
    """The parameters sent (plain, as ``Dialect.plain_settings`` keeps them), how many messages, and the
    cell's images by size and hash (never their bytes: a notebook already shows the plot)."""
    sent = {**settings, MESSAGES: messages}
    if images:
        sent["images"] = [{"sha256": i.sha256, "media_type": i.media_type, "width": i.width, "height": i.height,
                           "detail": i.detail} for i in images]
    return sent


def describe(answer, bill, sent: dict, ticket, request_id: str | None = None) -> dict:
    """The output metadata for ``answer`` priced in ``bill`` (spend.Bill), JSON-serialisable."""
    from . import pricing

    figures, cost = bill.figures, bill.cost
    usage = None
    if figures is not None:
        usage = {**usage_fields(figures), "estimated": figures.estimated}
    version = pricing.version()  # of the loaded table, or recorded with the rates kept (price_rates.py)
    sent_at = datetime.datetime.fromtimestamp(ticket.sent_at, datetime.timezone.utc)
    return {
        KEY: {
            "model": answer.model,
            "request_id": request_id,
            "usage": usage,
            "cost_usd": float(cost) if cost is not None else None,
            "cost_source": f"genai-prices {version}, an estimate" if cost is not None and version else None,
            "replayed": bool(answer.replayed),
            "sent_at": sent_at.isoformat(timespec="seconds").replace("+00:00", "Z"),
            "elapsed_s": round(bill.elapsed or 0.0, 3),
            "complete": bool(answer.complete),
            FINISH_REASON: answer.reason,
            "dropped_exchanges": ticket.dropped,
            "parameters": sent,
        }
    }
