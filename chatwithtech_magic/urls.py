"""A URL as shown: its secret parts masked as ``…``, the rest left as the user wrote it.

A base URL (or a proxy URL) can carry a secret of its own: ``https://user:password@gw/v1``
or a gateway key in its query, ``https://gw/v1?api-key=…``. The URL itself is used to send
requests, unchanged; whatever *shows* one (settings, ``%chatkey status``, error panels,
``%chat error``, the key form's field) shows ``mask_url(url)`` instead. Harmless query
parameters (Azure's ``api-version``) stay visible: they are what a user checks.

A URL without a secret comes back byte for byte, so nothing that shows a plain URL changes.
"""

from __future__ import annotations

import re
from urllib.parse import unquote, urlsplit, urlunsplit

HIDDEN = "…"

# A query parameter whose name holds one of these (case-insensitive; ``-`` and ``_`` alike) is a
# secret: api-key, key, subscription-key, token, access_token, sig, signature, X-Amz-Signature,
# X-Amz-Credential, password, secret, client_secret, auth, session, jwt... Masking a harmless one
# by mistake costs nothing; showing a key costs the key.
_SECRET_WORDS = ("key", "token", "secret", "pass", "pwd", "sig", "auth", "credential", "session", "jwt", "bearer", "cookie")
_SECRET_NAMES = frozenset({"code", "sas", "sv_sig", "hmac"})  # Azure Functions' ?code= is a function key
# Key-shaped strings: OpenAI's ``sk-`` keys (and the gateways that copy the shape), and the prefixed
# keys of other OpenAI-compatible providers (Groq ``gsk_``, xAI ``xai-``, Perplexity ``pplx-``,
# NVIDIA ``nvapi-``, Hugging Face ``hf_``, Replicate ``r8_``, Google ``AIza``), long enough that a
# variable name (``hf_hub``) is not one. The one rule for every place that masks by shape: text
# (masking.redact) and a URL's path and query alike. A key with no prefix (32 hex characters,
# an Azure key) has no shape: it is masked because the session knows it (known_secrets.py).
KEY_SHAPED = re.compile(
    r"(?<![A-Za-z0-9])(?:sk-[A-Za-z0-9_\-*]{6,}|(?:gsk_|xai-|pplx-|nvapi-|hf_|r8_)(?=[A-Za-z0-9_\-]*[0-9])(?=[A-Za-z0-9_\-]*[A-Z])[A-Za-z0-9_\-]{20,}|AIza[A-Za-z0-9_\-]{30,})"
)
_KEY_SHAPED = KEY_SHAPED
# For text that does not parse as a URL: userinfo before a host, and name=value pairs.
_LOOSE_USERINFO = re.compile(r"(//)[^/@\s'\"]+@")
_LOOSE_PARAM = re.compile(r"([?&;])([^=&;#\s]+)=([^&;#\s'\"]*)")


def secret_name(name: str) -> bool:
    """Whether a query parameter named ``name`` carries a secret (``api-key`` yes, ``api-version`` no)."""
    plain = unquote(name).strip().lower().replace("-", "_")
    return plain in _SECRET_NAMES or any(word in plain for word in _SECRET_WORDS)


def mask_url(url: str | None) -> str:
    """``https://user:pass@gw/v1?api-key=XYZ&api-version=1`` -> ``https://…@gw/v1?api-key=…&api-version=1``."""
    if not url:
        return url or ""
    text = str(url)
    bare = "://" not in text and not text.startswith("//")  # "user:pass@proxy:3128", as proxies are often written
    try:
        parts = urlsplit("//" + text if bare else text)
    except ValueError:  # e.g. an unclosed IPv6 bracket: masked by pattern instead
        return _mask_loose(text)
    netloc = parts.netloc
    if "@" in netloc:
        netloc = HIDDEN + "@" + netloc.rpartition("@")[2]
    query = _mask_query(parts.query)
    path = _KEY_SHAPED.sub(HIDDEN, parts.path)  # a gateway that takes the key in its path
    if (netloc, query, path) == (parts.netloc, parts.query, parts.path):
        return text  # nothing secret: exactly as written
    shown = urlunsplit(parts._replace(netloc=netloc, query=query, path=path))
    return shown[2:] if bare and shown.startswith("//") else shown


def _mask_query(query: str) -> str:
    if not query:
        return query
    pieces = re.split(r"([&;])", query)
    for i, piece in enumerate(pieces):
        name, equals, value = piece.partition("=")
        if equals and value and (secret_name(name) or _KEY_SHAPED.search(unquote(value))):
            pieces[i] = f"{name}={HIDDEN}"
        elif not equals and _KEY_SHAPED.search(unquote(piece)):
            pieces[i] = HIDDEN
    return "".join(pieces)


def _mask_loose(text: str) -> str:
    return _KEY_SHAPED.sub(HIDDEN, _mask_patterns(text))


def _mask_patterns(text: str) -> str:
    """Userinfo before a host, and secret ``name=value`` pairs after ``?``, ``&`` or ``;``, wherever they stand."""
    text = _LOOSE_USERINFO.sub(r"\1" + HIDDEN + "@", text)
    return _LOOSE_PARAM.sub(lambda m: f"{m.group(1)}{m.group(2)}={HIDDEN}" if m.group(3) and secret_name(m.group(2)) else m.group(0), text)


def url_secrets(url: str | None) -> list[str]:
    """The secret parts of ``url`` as they may appear in other text (raw and percent-decoded), longest first.

    The password (or a lone username, which is then a token), and the values of secret query
    parameters. Parts under 4 characters are left out: replacing them everywhere would mangle text.
    """
    if not url or mask_url(url) == url:
        return []
    text = str(url)
    found: set[str] = set()
    try:
        parts = urlsplit(text if "://" in text or text.startswith("//") else "//" + text)
        userinfo = parts.netloc.rpartition("@")[0] if "@" in parts.netloc else ""
        user, colon, password = userinfo.partition(":")
        found.add(password if colon else user)
        found.update(_KEY_SHAPED.findall(parts.path))
        for piece in re.split(r"[&;]", parts.query):
            name, equals, value = piece.partition("=")
            if equals and (secret_name(name) or _KEY_SHAPED.search(unquote(value))):
                found.add(value)
    except ValueError:
        found.update(m.group(3) for m in _LOOSE_PARAM.finditer(text) if secret_name(m.group(2)))
    found |= {unquote(s) for s in found}
    return sorted((s for s in found if len(s) >= 4), key=len, reverse=True)


def hide_url(text, url: str | None = None):
    """``text`` with ``url`` shown masked, its secret parts masked wherever else they appear (an
    exception or a server may quote just the password, percent-decoded), and any other URL's
    userinfo and secret query values too (``…/v1/chat/completions?api-key=…``: the request's URL)."""
    if not isinstance(text, str) or not text:
        return text
    if url and mask_url(url) != url:
        text = text.replace(str(url), mask_url(url))
        for secret in url_secrets(url):
            text = text.replace(secret, HIDDEN)
    return _mask_patterns(text)


def unmask_url(typed: str, original: str | None) -> str:
    """The URL to store when the user edits a masked URL: each ``…`` they left in place is the original's part.

    The key form shows ``https://…@gw/v1``; a user who changes only the host must not store a
    literal ``…`` as the password. A ``…`` without an original part to put back stays as typed.
    """
    typed = (typed or "").strip()
    if not original or HIDDEN not in typed:
        return typed
    if typed == mask_url(original):
        return original
    try:
        was, now = urlsplit(original), urlsplit(typed)
    except ValueError:
        return typed
    netloc = now.netloc
    if netloc.startswith(HIDDEN + "@") and "@" in was.netloc:
        netloc = was.netloc.rpartition("@")[0] + netloc[len(HIDDEN):]
    values = {}
    for piece in re.split(r"[&;]", was.query):
        name, equals, value = piece.partition("=")
        if equals:
            values.setdefault(name, value)
    pieces = re.split(r"([&;])", now.query)
    for i, piece in enumerate(pieces):
        name, equals, value = piece.partition("=")
        if equals and value == HIDDEN and name in values:
            pieces[i] = f"{name}={values[name]}"
    return urlunsplit(now._replace(netloc=netloc, query="".join(pieces)))
