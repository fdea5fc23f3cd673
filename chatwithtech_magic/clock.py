"""The package's one clock: every date it stamps or compares comes from here.

Replay's ``recorded`` stamp, a model's retirement ("shut down", "within 30 days"), the price in
force and an answer's provenance all read ``now()``/``today()``, so one setting moves them
together. Tests pin it (``pinned``); a kernel started for a test or a reproducible demo reads
``CHATWITHTECH_NOW`` (ISO 8601, e.g. ``2027-06-01`` or ``2027-06-01T12:00:00Z``). Anything else,
or nothing, is the system clock in UTC.
"""

from __future__ import annotations

import contextlib
import datetime
import os
from collections.abc import Iterator

ENV = "CHATWITHTECH_NOW"

_pinned: datetime.datetime | None = None


def now() -> datetime.datetime:
    """The current instant, timezone-aware, in UTC."""
    if _pinned is not None:
        return _pinned
    fixed = parse(os.environ.get(ENV, ""))
    return fixed if fixed is not None else datetime.datetime.now(datetime.timezone.utc)


def today() -> datetime.date:
    """Today's date in UTC (as OpenAI's shutdown dates and genai-prices' start dates are read)."""
    return now().date()


def timestamp() -> float:
    """``now()`` as seconds since the epoch (what ``time.time()`` would give)."""
    return now().timestamp()


def parse(text: str) -> datetime.datetime | None:
    """An ISO 8601 date or date-time as an aware UTC instant; None for anything else (ignored, never an error)."""
    text = text.strip()
    if not text:
        return None
    if len(text) == 10:  # a date alone: its noon, as ``pinned`` reads one
        text += "T12:00:00"
    try:
        when = datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))
        if when.tzinfo is None:
            when = when.replace(tzinfo=datetime.timezone.utc)
        return when.astimezone(datetime.timezone.utc)
    except (ValueError, OverflowError):  # not a date, or one that leaves the calendar in UTC (9999-12-31T23:59-01:00)
        return None


@contextlib.contextmanager
def pinned(when: datetime.datetime | datetime.date | str) -> Iterator[datetime.datetime]:
    """Hold the clock at ``when`` (a date means its noon, UTC) inside the ``with`` block."""
    global _pinned
    if isinstance(when, str):
        fixed = parse(when)
        if fixed is None:
            raise ValueError(f"not an ISO 8601 date: {when!r}")
        when = fixed
    elif not isinstance(when, datetime.datetime):
        when = datetime.datetime(when.year, when.month, when.day, 12, tzinfo=datetime.timezone.utc)
    elif when.tzinfo is None:
        when = when.replace(tzinfo=datetime.timezone.utc)
    previous, _pinned = _pinned, when
    try:
        yield when
    finally:
        _pinned = previous
