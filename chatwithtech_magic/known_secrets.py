"""The secrets this session knows, and the one rule that takes them out of text leaving the kernel.

A key is masked by its shape (``sk-…``, ``gsk_…``: ``urls.KEY_SHAPED``), but many keys have none:
Azure's and many gateways' are 32 hex characters. Those can only be masked because the session
knows them: the connection's key, organization and project IDs, the keys held for this session,
the environment's, and the secret parts of every base URL in play (``user:password@``, a key in the
query or the path). Every outbound path -- the prompt, the history resent with it, the system
prompt, the replay file, output metadata, a failure's fields -- goes through ``KnownSecrets.redact``.

Gathered once per request by ``ChatSession``: resolving a connection may ask the OS keyring.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from .credentials import CredentialStore
from .masking import secret_forms, mask, redact
from .urls import hide_url, mask_url, url_secrets

# Environment variables that may hold a secret the session uses (the SDK reads the same names).
SECRET_VARIABLES = ("OPENAI_API_KEY", "OPENAI_ORG_ID", "OPENAI_ORGANIZATION", "OPENAI_PROJECT_ID")
URL_VARIABLES = ("OPENAI_BASE_URL",)
_ENTRY_SECRETS = ("api_key", "organization", "project")


@dataclass(frozen=True)
class KnownSecrets:
    values: tuple = field(default=(), repr=False)  # keys and IDs, longest first
    urls: tuple = field(default=(), repr=False)  # base URLs whose secret parts are masked as mask_url shows them

    def __repr__(self) -> str:  # never the secrets themselves
        return f"KnownSecrets({len(self.values)} values, {len(self.urls)} URLs)"

    def redact(self, text):
        """``text`` with every known secret and every key-shaped string masked; not text: unchanged."""
        if not isinstance(text, str) or not text:
            return text
        for url in self.urls:  # the URL as mask_url shows it; its parts quoted alone are among ``values``
            text = text.replace(url, mask_url(url))
        return redact(hide_url(text), *self.values)  # hide_url: userinfo and secret query values of any URL

    def redact_known(self, text):
        """``text`` with only the secrets this session knows masked (exactly, with or without a key's prefix):
        for a model's answer, whose example URLs and placeholder keys are its content, not secrets."""
        if not isinstance(text, str) or not text or not (self.values or self.urls):
            return text
        for url in self.urls:
            text = text.replace(url, mask_url(url))
        for secret in self.values:
            if secret and len(secret) >= 8:
                for form in secret_forms(secret):
                    text = text.replace(form, mask(secret))
        return text

    def redact_tree(self, value):
        """The same for every string inside dicts, lists and tuples (messages, metadata); a new structure."""
        if isinstance(value, str):
            return self.redact(value)
        if isinstance(value, dict):
            return {key: self.redact_tree(item) for key, item in value.items()}
        if isinstance(value, (list, tuple)):
            return type(value)(self.redact_tree(item) for item in value)
        return value


NONE = KnownSecrets()


def masked_view(view, secrets: KnownSecrets):
    """``view``, shown the answer and the thinking with ``secrets`` masked (a server may echo a key).

    Only a view that shows the whole text at each update (a notebook's Markdown): one that writes only
    what is new (a terminal, plain Python) counts what it wrote by length, and a mask changes lengths."""
    if not (secrets.values or secrets.urls) or getattr(view, "incremental", False):
        return view
    return _MaskedView(view, secrets)


class _MaskedView:
    """Passes everything on to ``view``; the text it shows while streaming goes through ``secrets.redact``.
    The finished answer is masked by the session itself, so ``finish`` needs nothing here."""

    def __init__(self, view, secrets: KnownSecrets):
        self._view, self._secrets = view, secrets

    def update(self, text: str) -> None:
        self._view.update(self._secrets.redact_known(text))

    def __getattr__(self, name):  # ``think`` only where the view has one (sse.py asks with hasattr)
        found = getattr(self._view, name)
        if name == "think":
            return lambda thinking: found(self._secrets.redact_known(thinking))
        return found


def looks_secret(value: str) -> bool:
    """Whether ``value`` is worth masking wherever it appears in a prompt. A local server's placeholder
    key (``lm-studio``, ``not-needed``, ``sk-no-key-required``) or a 4-letter password in a URL is a
    word: masking every occurrence would mangle the user's question. A key, an organization or a
    project ID is long, or mixes letters and digits."""
    value = value.strip()
    if len(value) < 12:
        return False
    return len(value) >= 20 or (any(c.isdigit() for c in value) and any(c.isalpha() for c in value))


def gather(store: CredentialStore | None, connection: str | None = None, base_url: str | None = None, environ=None) -> KnownSecrets:
    """What ``store`` knows for ``connection`` (keyring included), every key held for this session,
    the environment's, and ``base_url``'s secret parts. Never raises: a secret it can't learn stays
    masked by shape only."""
    environ = os.environ if environ is None else environ
    values: list[str] = []
    urls: list[str] = []
    entries: list[dict] = []
    if store is not None:
        entries.extend(entry for entry in store.session.values() if isinstance(entry, dict))
        try:
            resolved = store.resolve(connection) if connection else None
        except Exception:  # a keyring that raises anything: what is known stays
            resolved = None
        if resolved is not None:
            entries.append({"api_key": resolved.api_key, "organization": resolved.organization,
                            "project": resolved.project, "base_url": resolved.base_url})
    for entry in entries:
        values += [entry.get(name) for name in _ENTRY_SECRETS]
        urls.append(entry.get("base_url"))
    values += [environ.get(name) for name in SECRET_VARIABLES]
    urls += [environ.get(name) for name in URL_VARIABLES]
    urls.append(base_url)
    urls = [url for url in dict.fromkeys(urls) if isinstance(url, str) and url]
    for url in urls:
        values += url_secrets(url)  # a key in the path or query, also where it is quoted without its URL
    texts = {text for value in values if isinstance(value, str) for text in (value, value.strip()) if looks_secret(text)}
    return KnownSecrets(tuple(sorted(texts, key=len, reverse=True)), tuple(urls))


__all__ = ["KnownSecrets", "NONE", "gather"]
