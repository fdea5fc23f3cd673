"""The account's model list (``GET /models``), fetched at most once a cell.

One failing cell can need the list more than once: the default model's fallback after a 404,
then the panel's suggestions (a missing or retired model, a conversation too long), after a
fallback too. Each fetch is a round trip and, on a rate-limited account, one more request;
two fetches can also disagree, and the panel would then offer models the fallback never saw.
So within one ``ChatSession.ask`` the first outcome (the list, or the ``ChatFailure`` it raised)
is kept and handed to every later caller: a failing list is not asked again either, and each
caller treats it as before (no fallback, suggestions from the model table).

Not kept longer, and on purpose: an account's models change (a model granted, a gateway's model
pulled), and a cell whose default fell back already remembers the model that answered
(``ChatSession.fallbacks``), so the next cells need no list at all. Outside a cell,
``%chat models`` and the key form's check are the user asking for the list now: each call fetches.
"""

from __future__ import annotations

from contextlib import contextmanager


class OncePerCell:
    """The memo of one session: active only inside ``cell()``, empty at each cell's start."""

    def __init__(self):
        self._memo: dict | None = None  # key -> (names, None) or (None, the exception raised)

    @contextmanager
    def cell(self):
        outer, self._memo = self._memo, {}
        try:
            yield
        finally:
            self._memo = outer

    def fetch(self, key, load) -> list[str]:
        """``load()``, or what it gave (or raised) the first time in this cell for ``key``."""
        if self._memo is None:
            return load()
        if key not in self._memo:
            try:
                self._memo[key] = (list(load()), None)
            except Exception as exc:  # ChatFailure: a KeyboardInterrupt is not an outcome to keep
                self._memo[key] = (None, exc)
        names, failed = self._memo[key]
        if failed is not None:
            raise failed
        return list(names)  # a copy: no caller can change what the next one gets
