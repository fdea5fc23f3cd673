"""Failures that are not ``openai.APIError``: turned into catalog failures instead of tracebacks.

The SDK raises its own exceptions for what the server says, but plenty reaches the user
from elsewhere: ``UnicodeEncodeError`` for a header or a body that can't be encoded,
``ImportError`` for a SOCKS proxy without ``socksio``, ``ValueError`` for a malformed proxy
URL, ``JSONDecodeError`` or a bare string when a captive portal answers with a web page.
Where a cause can be checked before anything is sent (header characters, lone surrogates),
it is checked here; whatever still escapes is classified by ``classify_other``, which
always returns a catalog ``Failure``, naming the proxy when one is in use.
"""

from __future__ import annotations

import json
import os
import re
from urllib.parse import urlsplit

from . import errors
from .urls import mask_url

_SURROGATE = re.compile("[\ud800-\udfff]")


class NotAnAnswer(Exception):
    """A 200 response that is not an API answer: a web page (captive portal, proxy login) or broken JSON."""

    def __init__(self, body: str, status: int | None = 200, content_type: str = ""):
        super().__init__(content_type or "not JSON")
        self.body, self.status, self.content_type = body, status, content_type


# -- checks before sending ------------------------------------------------------------------


def clean_text(text: str | None) -> str | None:
    """``text`` with lone surrogates (from bytes decoded with ``surrogateescape``, or a broken
    ``str`` object) replaced by U+FFFD: they can't be encoded as UTF-8, so the SDK would raise."""
    if not text:
        return text
    return _SURROGATE.sub("\ufffd", text)


def header_problem(credentials) -> tuple[str, str] | None:
    """``(field, "U+00E9")`` when the organization or project ID can't go into an HTTP header.

    Like a malformed key: a non-ASCII character makes httpx raise ``UnicodeEncodeError``; a line
    break becomes an ``APIConnectionError`` that reads like a network failure and is retried.
    """
    from .credentials import header_character

    for name, value in (("organization", credentials.organization), ("project", credentials.project)):
        found = header_character((value or "").strip())
        if found:
            return name, f"U+{ord(found[1]):04X}"
    return None


# -- proxies ----------------------------------------------------------------------------------


def proxy_for(url: str, environ=None) -> str | None:
    """The proxy httpx would use for ``url`` (from HTTP(S)_PROXY / ALL_PROXY), credentials removed."""
    environ = os.environ if environ is None else environ
    scheme = urlsplit(url).scheme.lower() or "https"
    host = urlsplit(url).hostname or ""
    if _bypassed(host, environ):
        return None
    for name in (f"{scheme}_proxy", "all_proxy"):
        value = environ.get(name) or environ.get(name.upper())
        if value:
            return mask_url(value.strip())  # a proxy password is a secret too
    return None


def _bypassed(host: str, environ) -> bool:
    value = environ.get("no_proxy") or environ.get("NO_PROXY") or ""
    for entry in (e.strip().lower() for e in value.split(",")):
        if entry == "*" or (entry and (host == entry.lstrip(".") or host.endswith("." + entry.lstrip(".")))):
            return True
    return False


# -- classification ---------------------------------------------------------------------------


def _chain(exc: BaseException):
    seen = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        yield exc
        exc = exc.__cause__ or exc.__context__


# Timeouts before the request was sent (httpx and httpx2 name them alike): safe to retry.
_NOT_SENT = {"ConnectTimeout", "PoolTimeout"}


def refine_connection(failure: errors.Failure, exc: BaseException, base_url: str) -> errors.Failure:
    """A connection failure's wording from its causes, not one sentence for all.

    "refused the connection or its name did not resolve" is wrong for a dead proxy or for a
    connection that never got going, so the cause chain decides: a proxy in use is named.
    """
    if failure.kind.kind not in (errors.Kind.CONNECTION, errors.Kind.TIMEOUT):
        return failure
    names = {type(e).__name__ for e in _chain(exc)}
    text = " ".join(str(e) for e in _chain(exc))
    proxy = proxy_for(base_url)
    failure.proxy = proxy or ""
    if failure.kind.kind == errors.Kind.TIMEOUT:
        if names & _NOT_SENT:  # connecting, or waiting for a pooled connection: the request never left
            failure.kind = errors.kind_named(errors.Kind.CONNECT_TIMEOUT)
        return failure
    if proxy:
        failure.kind = errors.kind_named(errors.Kind.PROXY)
        causes = [str(e) for e in _chain(exc)][1:]
        failure.message = _first_line(causes[-1] if causes else text) or failure.message
    elif "gaierror" in names or "Name or service not known" in text or "nodename nor servname" in text:
        failure.reason = "dns"
    elif "ConnectionRefusedError" in names or "Connection refused" in text:
        failure.reason = "refused"
    else:
        failure.reason = "other"
    return failure


def after_acceptance(failure: errors.Failure) -> errors.Failure:
    """A connection that failed after the server answered 2xx: the request reached it and may be billed,
    so it is a dropped answer (never sent again by itself), not a network failure to retry."""
    if failure.kind.kind in (errors.Kind.CONNECTION, errors.Kind.PROXY):
        failure.kind = errors.kind_named(errors.Kind.DROPPED)
    return failure


def classify_other(exc: BaseException, base_url: str = "", secrets: tuple = ()) -> errors.Failure:
    """Any exception that is not ``openai.APIError``, as a catalog failure (never raised further)."""
    from .masking import redact

    proxy = proxy_for(base_url) if base_url else None
    message = redact(_first_line(str(exc)) or type(exc).__name__, *secrets, url=base_url)  # proxy passwords, URL keys too
    if isinstance(exc, NotAnAnswer):
        summary = redact(errors.summarize_page(exc.body or "", exc.status), *secrets) if (exc.body or "").strip() else ""
        failure = errors.Failure(errors.kind_named(errors.Kind.NOT_JSON), status=exc.status, summary=summary or f"HTTP {exc.status}",
                                 message=summary or "empty body")
    elif isinstance(exc, json.JSONDecodeError):
        failure = errors.Failure(errors.kind_named(errors.Kind.NOT_JSON), status=200, summary=message, message=message)
    elif isinstance(exc, ImportError) and "socks" in str(exc).lower():
        failure = errors.Failure(errors.kind_named(errors.Kind.PROXY), message="SOCKS needs the socksio package: pip install socksio")
    elif proxy and (isinstance(exc, ValueError) or type(exc).__name__ == "InvalidURL") and not isinstance(exc, UnicodeError):
        failure = errors.Failure(errors.kind_named(errors.Kind.PROXY), message=message)  # a malformed proxy URL
    else:
        failure = errors.Failure(errors.kind_named(errors.Kind.UNEXPECTED), message=message)
    failure.proxy = proxy or ""
    failure.exception = type(exc).__name__
    return failure


def _first_line(text: str) -> str:
    return (text or "").strip().splitlines()[0][:300] if (text or "").strip() else ""


def describe_shape(obj) -> str:
    """What the server sent instead of an answer (its JSON object, read as a ``JsonObject``): the dialect says it is none."""
    try:
        known = {k: v for k, v in obj.model_dump().items() if v is not None}
        return json.dumps(known, default=str, ensure_ascii=False)[:300]
    except Exception:
        return type(obj).__name__


def model_ids(page) -> list[str]:
    """The ids in a ``/models`` answer, skipping entries without a string ``id`` (some gateways send them).

    ``page`` is the raw ``httpx`` response: the SDK's own paging raises ``AttributeError`` for a
    web page and for entries without ``id``, and the key form then hung at "Testing…".
    """
    content_type = page.headers.get("content-type", "")
    try:
        body = page.json()
    except ValueError:
        raise NotAnAnswer(page.text, page.status_code, content_type) from None
    data = body.get("data") if isinstance(body, dict) else body if isinstance(body, list) else None
    if not isinstance(data, list):
        raise NotAnAnswer(json.dumps(body)[:300], page.status_code, content_type)
    return sorted({entry["id"] for entry in data if isinstance(entry, dict) and isinstance(entry.get("id"), str) and entry["id"]})


def refuse_web_page(http_response) -> None:
    """Raise ``NotAnAnswer`` when a streamed request got a web page: read as SSE, it would be an empty answer."""
    content_type = http_response.headers.get("content-type", "")
    if "html" in content_type.lower():
        body = http_response.read().decode("utf-8", "replace")
        raise NotAnAnswer(body, http_response.status_code, content_type)
