"""How long to wait before retrying, and when to stop.

The SDK's own retries are switched off (``max_retries=0``) so that they never
multiply ours: a quota error costs exactly one request, and a rate limit costs a
bounded number. The wait honours ``retry-after-ms``, ``retry-after`` and
``x-ratelimit-reset-*`` headers, then the "try again in 26.604s" hint in
OpenAI's message, then falls back to exponential backoff.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .defaults import DEFAULT_MAX_RETRY_WAIT, DEFAULT_RETRIES, DEFAULT_RETRY_INITIAL_DELAY

_DURATION_PART = re.compile(r"(\d+(?:\.\d+)?)(ms|h|m|s)")
_TRY_AGAIN = re.compile(r"try again in (\d+(?:\.\d+)?)\s*(ms|s)", re.IGNORECASE)
_UNIT_SECONDS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0}


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = DEFAULT_RETRIES + 1  # requests in all, the first included
    max_total_wait: float = DEFAULT_MAX_RETRY_WAIT  # seconds spent waiting across all retries
    initial_delay: float = DEFAULT_RETRY_INITIAL_DELAY  # backoff when the server gives no hint

    def allows(self, attempt: int, waited: float, delay: float) -> bool:
        return attempt < self.max_attempts and waited + delay <= self.max_total_wait


def parse_duration(value: str) -> float | None:
    """``12ms``, ``20s``, ``6m0s``, ``1.5`` -> seconds; None when unreadable."""
    value = value.strip()
    try:
        return float(value)
    except ValueError:
        pass
    parts = _DURATION_PART.findall(value)
    if not parts or "".join(n + u for n, u in parts) != value:
        return None
    return sum(float(number) * _UNIT_SECONDS[unit] for number, unit in parts)


def server_delay(headers, message: str = "") -> float | None:
    """The wait the server asked for, in seconds, or None when it gave no hint."""
    if headers is not None:
        for name, scale in (("retry-after-ms", 0.001), ("retry-after", 1.0)):
            value = headers.get(name)
            if value is not None:
                try:
                    return max(float(value) * scale, 0.0)
                except ValueError:
                    pass
        resets = [parse_duration(headers.get(name) or "") for name in ("x-ratelimit-reset-requests", "x-ratelimit-reset-tokens")]
        resets = [r for r in resets if r is not None]
        if resets:
            return max(resets)
    match = _TRY_AGAIN.search(message or "")
    if match:
        return float(match.group(1)) * _UNIT_SECONDS[match.group(2).lower()]
    return None


def next_delay(policy: RetryPolicy, attempt: int, headers=None, message: str = "") -> float:
    hinted = server_delay(headers, message)
    if hinted is not None:
        return hinted
    return policy.initial_delay * 2 ** (attempt - 1)
