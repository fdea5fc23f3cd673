"""The names in what the package saves and shows: the provenance in a notebook's metadata, the
replay file, the rows of ``%chat usage``.

They were first written with Chat Completions' names for usage and the reason an answer ended,
and a notebook or a replay file written then must read the same now, whatever the wire: so they
are kept as they are, here, apart from the wire (each dialect reads its own usage into
``tokens.Figures``, and these names are written from the figures).
"""

from __future__ import annotations

PROMPT_TOKENS = "prompt_tokens"
COMPLETION_TOKENS = "completion_tokens"
CACHED_TOKENS = "cached_tokens"
REASONING_TOKENS = "reasoning_tokens"
FINISH_REASON = "finish_reason"  # why the answer ended, as the wire said it
MESSAGES = "messages"  # how many messages were sent (provenance counts them, never copies them)


def usage_fields(figures) -> dict:
    """A ``tokens.Figures`` under the saved names."""
    return {
        PROMPT_TOKENS: figures.prompt,
        COMPLETION_TOKENS: figures.completion,
        CACHED_TOKENS: figures.cached,
        REASONING_TOKENS: figures.reasoning,
    }
