"""Failures as the user meets them: an ``openai`` exception classified into the catalog.

The catalog itself (``CATALOG``, the lookup tables, the links) is data in ``catalog.py``;
this module is the public place for both, so importers say ``from .errors import ...``.
Classification is table lookups, body ``code`` and ``type`` first, because
``RateLimitError`` covers both a rate limit and an exhausted quota.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field

from .caps import MESSAGE_LIMIT, cap
from .catalog import (  # noqa: F401  (re-exported: errors.py is where the package and its users look)
    BILLING_URL,
    BY_CODE,
    BY_STATUS,
    BY_TYPE,
    CATALOG,
    FACTS,
    HELP_COLLECTION,
    KEYS_URL,
    QUOTA_HELP,
    REASONS,
    RESET,
    RETRY,
    SET_KEY,
    SWITCH_MODEL,
    USAGE_URL,
    ErrorKind,
    Kind,
)
from .credentials import SOURCE_LABELS
from .i18n import Counted, Text
from .masking import redact

# How often a failure was retried, said as a sentence: "It was retried 0 times" read like a bug.
NOT_RETRIED = Text("It was not retried.", "未重试。")
RETRIED = Counted(Text("It was retried once.", "已重试 1 次。"), Text("It was retried {count} times.", "已重试 {count} 次。"))
RETRIED_WAITED = Counted(
    Text("It was retried once, after {waited} s.", "已重试 1 次，等待了 {waited} 秒。"),
    Text("It was retried {count} times over {waited} s.", "已重试 {count} 次，共等待 {waited} 秒。"),
)

# OpenAI: "Invalid content type. image_url is only supported by certain models."; gateways say it their own ways.
_IMAGES_REFUSED = re.compile(r"image_url is only supported|does not support (image|vision)|image input is not supported|not a (vision|multimodal) model", re.I)
_IP_NOT_AUTHORIZED = re.compile(r"\bIP\b[^.]*\bnot (authorized|allowed)|not (authorized|allowed)[^.]*\bIP\b")
_UNRECOGNIZED_ARG = re.compile(r"unrecognized request arguments? supplied:?\s*['\"`]?([A-Za-z_.\[\]0-9]+)?", re.IGNORECASE)
_TITLE = re.compile(r"<title[^>]*>(.*?)</title>", re.IGNORECASE | re.DOTALL)
_TAGS = re.compile(r"<[^>]+>")
_HIDDEN = re.compile(r"<(script|style|head)\b[^>]*>.*?</\1\s*>", re.IGNORECASE | re.DOTALL)  # never shown by a browser
# Where a base URL comes from (the base_url_scheme failure says which to fix), in resolve_base_url's order.
BASE_URL_WHERE = {
    "connection": Text(
        "connection '{connection}' (its Base URL in %chatkey, or %chatkey set --base-url)",
        "连接“{connection}”（%chatkey 中的基础 URL，或 %chatkey set --base-url）",
    ),
    "config": Text("%config ChatMagics.base_url", "%config ChatMagics.base_url"),
    "environment": Text("the environment variable OPENAI_BASE_URL", "环境变量 OPENAI_BASE_URL"),
}

# The organization failure, with an organization set and with none ("the organization — was refused" read as a bug).
ORGANIZATION_REFUSED = Text(
    "The key works, but the organization {organization} was refused: it does not exist, does not match the key, or the account belongs to no organization.",
    "密钥有效，但组织 {organization} 被拒绝：它不存在、与密钥不匹配，或该账户不属于任何组织。",
)
NO_ORGANIZATION_SET = Text(
    "The key works, but the server refused it for its organization, and no organization ID is set here. The server said: {message}",
    "密钥有效，但服务器因组织问题拒绝了它，而此处没有设置组织 ID。服务器返回：{message}",
)


@dataclass
class Failure:
    """One failure as the user meets it: a catalog entry plus the facts of this case."""

    kind: ErrorKind
    status: int | None = None
    error_type: str | None = None
    code: str | None = None
    request_id: str | None = None
    message: str = ""
    model: str = ""
    base_url: str = ""
    connection: str = ""
    masked_key: str = ""
    key_source: str = ""
    organization: str | None = None
    timeout: float | None = None
    summary: str = ""
    attempts: int = 1
    waited: float = 0.0
    suggestions: list[str] = field(default_factory=list)
    exception: str = ""
    proxy: str = ""  # the proxy in use, credentials removed (faults.proxy_for)
    reason: str = ""  # a REASONS key: why a connection failed, which header, why an answer was empty
    param: str | None = None  # the body's ``param``: which request field was refused
    shutdown: str = ""  # a retired model's shutdown date (model_retired)
    successor: str = ""  # its live successor
    facts: dict = field(default_factory=dict)  # values only one kind's texts name (budget_reached, cell_too_large)

    @property
    def retried(self) -> bool:
        return self.kind.retried

    def values(self, language: str = "en") -> dict:
        """The facts a catalog text may name, ready to show in ``language``."""
        source = SOURCE_LABELS.get(self.key_source)
        retries, waited = max(self.attempts - 1, 0), f"{self.waited:.1f}"
        message = cap(self.message, MESSAGE_LIMIT, language)  # shown capped; the whole one stays in .message
        refused = ORGANIZATION_REFUSED if self.organization else NO_ORGANIZATION_SET
        return {
            "model": self.model,
            "base_url": self.base_url,
            "connection": self.connection,
            "masked_key": self.masked_key or "—",
            "key_source": source.get(language) if source else (self.key_source or "—"),
            "organization": self.organization or "—",
            "timeout": f"{self.timeout:g}" if self.timeout else "—",
            "summary": cap(self.summary, MESSAGE_LIMIT, language),
            "message": message,
            "organization_refused": refused.get(language, organization=self.organization or "—", message=message),
            "status": self.status if self.status is not None else "—",
            "attempts": retries,
            "waited": waited,
            "retried": RETRIED.get(language, retries) if retries else NOT_RETRIED.get(language),
            "retried_waited": RETRIED_WAITED.get(language, retries, waited=waited) if retries else NOT_RETRIED.get(language),
            "proxy": self.proxy or "—",
            "reason": REASONS[self.reason].get(language) if self.reason in REASONS else (self.reason or "—"),
            "exception": self.exception or "—",
            "param": self.param or "—",
            "shutdown": self.shutdown or "—",
            "successor": self.successor or "—",
            # Facts of one kind only (spend.py: the budget's amounts, a cell's size); a Text in the user's language.
            **dict.fromkeys(FACTS, "—"),
            **{name: value.get(language) if isinstance(value, Text) else value for name, value in self.facts.items()},
        }

    def details(self) -> dict:
        """What ``%chat error`` shows for bug reports: facts only, never a key."""
        return {
            "kind": self.kind.kind,
            "status": self.status,
            "type": self.error_type,
            "code": self.code,
            "request_id": self.request_id,
            "message": self.message,
            "model": self.model,
            "base_url": self.base_url,
            "connection": self.connection,
            "key": self.masked_key,
            "key_source": self.key_source,
            "attempts": self.attempts,
            "exception": self.exception,
        }


def summarize_page(text: str, status: int | None) -> str:
    """A one-line summary of an HTML or text error page: its title, never the raw page."""
    match = _TITLE.search(text)
    line = match.group(1) if match else _TAGS.sub(" ", _HIDDEN.sub(" ", text))
    line = html.unescape(" ".join(line.split()))[:120]
    if line and status is not None and str(status) not in line:
        line = f"{line} (HTTP {status})"  # the status too, when the title does not say it
    return line or f"HTTP {status}"


def kind_named(name: str) -> ErrorKind:
    return CATALOG[name]


def classify(exc: BaseException, *, partial: bool = False, secrets: tuple = ()) -> Failure:
    """Turn an ``openai`` exception into a catalog ``Failure`` (context is filled in by the caller)."""
    status = getattr(exc, "status_code", None)
    body = getattr(exc, "body", None)
    code = error_type = None
    message = getattr(exc, "message", None) or str(exc)
    summary = ""
    if isinstance(body, dict):
        code, error_type = body.get("code"), body.get("type")
        detail = body.get("detail")  # FastAPI's and Starlette's errors: {"detail": "Not Found"}
        message = body.get("message") or (detail if isinstance(detail, str) and detail else None) or message
        param = body.get("param")
    elif isinstance(body, str) and body.strip():
        summary = redact(summarize_page(body, status), *secrets)  # a page may echo the key too
        message = summary
    name = _kind_name(exc, status, code, error_type, body, message, partial)
    facts = {"path": _path_of(exc)} if name == Kind.PATH_NOT_FOUND else {}
    return Failure(
        kind=CATALOG[name],
        status=status,
        error_type=error_type,
        code=str(code) if code is not None else None,
        request_id=getattr(exc, "request_id", None),
        message=redact(str(message), *secrets),
        summary=summary or (f"HTTP {status}" if status else ""),
        exception=type(exc).__name__,
        param=_refused_param(param if isinstance(body, dict) else None, str(message)),
        facts=facts,
    )


def _path_of(exc) -> str:
    """The path the request went to (``/v1/v1/chat/completions``), never its query (it may hold a key)."""
    try:
        return str(exc.request.url.path) or "/"
    except Exception:  # an exception made without its request
        return "—"


def _refused_param(param, message: str) -> str | None:
    """The refused field: the body's ``param``, or the one Azure names ("Unrecognized request argument supplied: x")."""
    if isinstance(param, str) and param:
        return param
    match = _UNRECOGNIZED_ARG.search(message)
    return match.group(1) if match else None


def _kind_name(exc, status, code, error_type, body, message, partial) -> str:
    exc_names = {cls.__name__ for cls in type(exc).__mro__}
    if partial:
        return Kind.STREAM_INTERRUPTED  # an error event mid-stream, or a drop after text arrived
    if status is None and "APIError" in exc_names and "APIConnectionError" not in exc_names:
        return Kind.STREAM_FAILED  # an error event before any text: there is no partial answer to keep
    if status == 200:
        return Kind.NOT_JSON  # APIResponseValidationError: a 200 whose body is not a chat completion
    if "APITimeoutError" in exc_names:
        return Kind.TIMEOUT
    if "APIConnectionError" in exc_names:
        return Kind.CONNECTION
    if status == 400 and _IMAGES_REFUSED.search(str(message)):
        return Kind.IMAGES_NOT_READ
    if code in BY_CODE:
        return BY_CODE[code]
    if error_type in BY_TYPE:
        return BY_TYPE[error_type]
    if status is not None and status >= 500:
        return Kind.GATEWAY if not isinstance(body, dict) else Kind.OVERLOADED
    if status in (400, 404) and "only supported in v1/responses" in str(message):
        return Kind.WRONG_API  # OpenAI's words for a model Chat Completions doesn't serve (wire/endpoints.py)
    if status == 404 and "model" in str(message).lower():
        return Kind.MODEL_NOT_FOUND  # e.g. Ollama and vLLM say "model ... not found" without a code
    if status == 404 and code is None:
        return Kind.PATH_NOT_FOUND  # the path itself: a wrong base URL (a missing or doubled /v1), not the cell's options
    if status == 403 and "region" in str(message).lower():
        return Kind.REGION
    if status == 401 and _IP_NOT_AUTHORIZED.search(str(message)):
        return Kind.IP_NOT_AUTHORIZED
    if status == 400 and _UNRECOGNIZED_ARG.search(str(message)):
        return Kind.PARAMETER_REFUSED  # Azure and some gateways: no code, just the argument's name
    return BY_STATUS.get(status, Kind.REQUEST_REFUSED)
