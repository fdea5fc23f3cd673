"""One ``openai.OpenAI`` client per connection, reused across cells.

``openai`` is imported here, on first use, never at extension load: the import
alone costs about half a second. SDK retries are off; ``retry.py`` owns retrying.
"""

from __future__ import annotations

import hashlib
import os

from .credentials import DEFAULT_BASE_URL, Credentials
from .defaults import CONNECT_TIMEOUT


def resolve_base_url(credentials: Credentials | None, configured: str = "", environ=None) -> str:
    """The connection's own URL, then ``ChatMagics.base_url``, then ``OPENAI_BASE_URL``, then OpenAI."""
    environ = os.environ if environ is None else environ
    own = credentials.base_url if credentials else None
    return (own or configured or environ.get("OPENAI_BASE_URL") or DEFAULT_BASE_URL).rstrip("/")


def split_query(base_url: str) -> tuple[str, dict]:
    """``https://gw/v1?api-key=K&api-version=1`` -> (``https://gw/v1``, its query as a dict).

    The SDK appends the endpoint's path to the whole base URL, query included, so a gateway
    that takes its key or version in the query (``?api-key=``, Azure's ``?api-version=``)
    got ``/v1?api-key=K/chat/completions``. Its query goes with every request instead.
    """
    root, _, query = base_url.partition("?")
    if not query:
        return base_url, {}
    from urllib.parse import parse_qsl

    return root.rstrip("/"), dict(parse_qsl(query.split("#", 1)[0], keep_blank_values=True))


def http_timeout(seconds: float):
    """``ChatMagics.timeout`` as the SDK's ``Timeout``: the longest silence once connected, and a short connect.

    One number for every phase meant a model that thinks for a minute was given up on (and
    asked again) at 60 s, and a dead address took as long to fail as a slow answer. Reading,
    writing and waiting for the first byte get ``seconds``; connecting (and waiting for a pooled
    connection) gets ``CONNECT_TIMEOUT`` at most: a server that can't be reached fails fast.
    """
    import openai

    seconds = float(seconds)
    connect = min(CONNECT_TIMEOUT, seconds)
    return openai.Timeout(seconds, connect=connect, pool=connect)


class ClientCache:
    def __init__(self):
        self._clients: dict[str, object] = {}

    def __repr__(self) -> str:
        return f"ClientCache({len(self._clients)} clients)"

    def get(self, credentials: Credentials, base_url: str, timeout: float):
        # The cache key is a digest, so no key sits in a dict that a debugger or repr might print.
        identity = "\0".join(
            [credentials.api_key, credentials.organization or "", credentials.project or "", base_url, repr(timeout)]
        )
        digest = hashlib.sha256(identity.encode()).hexdigest()
        client = self._clients.get(digest)
        if client is None:
            import openai

            root, query = split_query(base_url)
            client = openai.OpenAI(
                api_key=credentials.api_key,
                organization=credentials.organization or None,
                project=credentials.project or None,
                base_url=root,
                default_query=query or None,
                timeout=http_timeout(timeout),
                max_retries=0,
            )
            self._clients[digest] = client
        return client

    def clear(self) -> None:
        for client in self._clients.values():
            try:
                client.close()
            except Exception:
                pass
        self._clients.clear()
