"""Masking: a key is shown as ``sk-…1234``, and every secret the session knows is masked in text.

Any text that leaves the kernel (a server's message, a keyring's error, a recorded answer, a value
sent to a model) goes through ``redact``. What looks like a key is decided in ``urls.py``
(``KEY_SHAPED``, one rule for text and URLs); which secrets the session knows, in
``known_secrets.py``. No keyring and no I/O here: ``replay`` and ``errors`` import it.
"""

from __future__ import annotations

import re

from .urls import KEY_SHAPED, hide_url


def mask(key: str | None) -> str:
    """``sk-…1234``: enough to tell keys apart, never enough to use one."""
    if not key:
        return ""
    prefix = "sk-" if key.startswith("sk-") else ""
    return f"{prefix}…{key[-4:]}" if len(key) > 8 else "…"


# Prefixes a server may drop when it echoes a key (``sk-proj-abc…`` comes back as ``abc…``).
_KEY_PREFIXES = ("sk-proj-", "sk-svcacct-", "sk-admin-", "sk-")
_STORED_KEY = re.compile(r'("api_key"\s*:\s*)"(?:[^"\\]|\\.)*"')


def secret_forms(secret: str) -> list[str]:
    """The secret and its prefix-less forms, longest first (each long enough to be the key)."""
    forms = [secret]
    for prefix in _KEY_PREFIXES:
        if secret.startswith(prefix) and len(secret) - len(prefix) >= 8:
            forms.append(secret[len(prefix):])
    return forms


def redact(text, *secrets: str | None, url: str | None = None):
    """``text`` with every known secret (with or without its prefix) and every key-shaped string masked.

    With ``url`` (a base URL, "" for none), URLs are shown as ``mask_url`` shows them too (urls.py).
    """
    if not isinstance(text, str) or not text:
        return text
    if url is not None:
        text = hide_url(text, url)
    for secret in secrets:
        if secret and len(secret) >= 8:
            for form in secret_forms(secret):
                text = text.replace(form, mask(secret))
    text = _STORED_KEY.sub(lambda m: m.group(1) + '"…"', text)  # a keyring error quoting its stored JSON
    return KEY_SHAPED.sub(lambda m: mask(m.group(0).replace("*", "")) or "sk-…", text)


def redact_fields(record, *secrets: str | None, url: str | None = None):
    """Mask ``secrets`` (and ``url``'s secret parts) in every text field of a dataclass (a failure's
    status, type, code, request id, message, base URL...): a server can echo a key in any of them."""
    from dataclasses import fields

    for item in fields(record):
        value = getattr(record, item.name)
        if isinstance(value, str):
            setattr(record, item.name, redact(value, *secrets, url=url))
        elif isinstance(value, list):
            setattr(record, item.name, [redact(v, *secrets, url=url) for v in value])
        elif isinstance(value, dict):
            setattr(record, item.name, {k: redact(v, *secrets, url=url) for k, v in value.items()})
    return record
