"""Is the keyring a secure store? Backends that keep a key in the clear count as no keyring.

``keyring`` picks a backend by itself. With ``keyrings.alt`` installed it may pick
``PlaintextKeyring``, a base64 file under ``~/.local/share/python_keyring/``: saying "saved
in the keyring" would then be a lie about where the key is. The null backend stores
nothing at all. Such backends are treated like a headless machine (the key is held for
this session only, and the user is told why), unless the user opts in with the
environment variable ``CHATWITHTECH_ALLOW_PLAINTEXT_KEYRING=1``.

``EncryptedKeyring`` (keyrings.alt) encrypts with a password it asks for, so it is not
refused here; where it can't ask (a widget callback), its failure is caught like any other.
"""

from __future__ import annotations

import os
import re

from .i18n import Text

ALLOW_PLAINTEXT = "CHATWITHTECH_ALLOW_PLAINTEXT_KEYRING"

NO_BACKEND = Text("no keyring backend is installed on this machine", "此机器上没有安装任何密钥环后端")
STORES_NOTHING = Text("the keyring backend {backend} stores nothing", "密钥环后端 {backend} 不保存任何内容")
PLAINTEXT = Text(
    "the keyring backend {backend} would keep the key in a plain file, so it is not used "
    "(set {variable}=1 to use it anyway)",
    "密钥环后端 {backend} 会把密钥以明文保存在文件中，因此未使用它（如确需使用，请设置 {variable}=1）",
)

_CLEAR_NAMES = re.compile(r"plain\s*text", re.IGNORECASE)


def backend_name(backend) -> str:
    return f"{type(backend).__module__}.{type(backend).__name__}"


def _chained(backend) -> list | None:
    if type(backend).__name__ != "ChainerBackend":
        return None
    try:
        return list(backend.backends)
    except Exception:
        return []


def stores_in_clear(backend) -> bool:
    """True for a backend that writes keys where anyone who can read the file can read them."""
    chain = _chained(backend)
    if chain is not None:
        return bool(chain) and stores_in_clear(chain[0])  # a chain writes to its first backend
    return bool(_CLEAR_NAMES.search(type(backend).__name__) or _CLEAR_NAMES.search(type(backend).__module__))


def allowed_by(environ) -> bool:
    return str(environ.get(ALLOW_PLAINTEXT, "")).strip().lower() in ("1", "true", "yes", "on")


def unsafe_reason(backend, environ=None) -> Text | None:
    """Why ``backend`` can't hold a key for us, or None when it can."""
    environ = os.environ if environ is None else environ
    chain = _chained(backend)
    if chain is not None:
        return unsafe_reason(chain[0], environ) if chain else NO_BACKEND
    module = type(backend).__module__
    name = backend_name(backend)
    if module == "keyring.backends.fail":
        return NO_BACKEND
    if module == "keyring.backends.null":
        return STORES_NOTHING.fill(backend=name)
    if stores_in_clear(backend) and not allowed_by(environ):
        return PLAINTEXT.fill(backend=name, variable=ALLOW_PLAINTEXT)
    try:
        priority = float(backend.priority)
    except Exception:
        priority = 0.0
    if priority < 0:  # keyring's own verdict: "not suitable"
        return STORES_NOTHING.fill(backend=name)
    return None
