"""The error catalog: every failure a user can meet, as data.

Each entry says what happened, why, what to do now, where to read more, which
buttons to offer and whether it is retried. The widget, HTML and plain-text
renderers all read from here; classification is table lookups, body ``code``
and ``type`` first, because ``RateLimitError`` covers both a rate limit and an
exhausted quota.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field

from .credentials import SOURCE_LABELS, redact
from .i18n import Text

HELP_COLLECTION = "https://help.openai.com/en/collections/3675931-openai-api#api-error-codes-explained"
BILLING_URL = "https://platform.openai.com/settings/organization/billing/overview"
USAGE_URL = "https://platform.openai.com/usage"
KEYS_URL = "https://platform.openai.com/account/api-keys"

# Actions a panel can offer; the magics layer binds them to buttons.
SET_KEY, RETRY, SWITCH_MODEL, RESET = "set_key", "retry", "switch_model", "reset"


@dataclass(frozen=True)
class ErrorKind:
    kind: str
    title: Text
    explanation: Text
    next_step: Text
    help_url: str | None = None
    retried: bool = False
    actions: tuple[str, ...] = ()
    links: tuple[tuple[Text, str], ...] = ()


def _kind(*args, **kwargs) -> ErrorKind:
    return ErrorKind(*args, **kwargs)


CATALOG: dict[str, ErrorKind] = {
    k.kind: k
    for k in (
        _kind(
            "missing_key",
            Text("No API key is set", "尚未设置 API 密钥"),
            Text(
                "There is no key for connection '{connection}' in this session, the keyring or OPENAI_API_KEY. No request was sent.",
                "在本会话、密钥环和 OPENAI_API_KEY 中都找不到连接“{connection}”的密钥。未发送任何请求。",
            ),
            Text(
                "Run %chatkey to open the key form, or %chatkey set to type it at a hidden prompt. Never paste a key into a cell.",
                "运行 %chatkey 打开密钥表单，或运行 %chatkey set 在隐藏提示中输入。切勿把密钥粘贴到单元格里。",
            ),
            KEYS_URL,
            actions=(SET_KEY,),
        ),
        _kind(
            "malformed_key",
            Text("The API key contains characters a key cannot have", "API 密钥包含密钥中不可能出现的字符"),
            Text(
                "The key {masked_key} (from {key_source}) has a space, line break or non-ASCII character ({message}) in it, usually picked up while copying it. No request was sent.",
                "密钥 {masked_key}（来源：{key_source}）中含有空格、换行或非 ASCII 字符（{message}），这通常是复制时带进来的。未发送任何请求。",
            ),
            Text(
                "Copy the key again from the API keys page and set it with %chatkey.",
                "从 API 密钥页面重新复制密钥，然后用 %chatkey 设置。",
            ),
            KEYS_URL,
            actions=(SET_KEY,),
        ),
        _kind(
            "invalid_api_key",
            Text("The API key was rejected", "API 密钥被拒绝"),
            Text(
                "The server did not accept the key {masked_key} (from {key_source}). It may be mistyped, revoked or for another account.",
                "服务器不接受密钥 {masked_key}（来源：{key_source}）。它可能输错了、已被撤销，或属于其他账户。",
            ),
            Text(
                "Create a new secret key on the API keys page and set it with %chatkey.",
                "在 API 密钥页面创建新的秘密密钥，然后用 %chatkey 设置。",
            ),
            "https://help.openai.com/en/articles/6891767-error-code-401-invalid-authentication",
            actions=(SET_KEY,),
            links=((Text("API keys page", "API 密钥页面"), KEYS_URL),),
        ),
        _kind(
            "organization",
            Text("The organization ID is the problem", "组织 ID 有问题"),
            Text(
                "The key works, but the organization {organization} was refused: it does not exist, does not match the key, or the account belongs to no organization.",
                "密钥有效，但组织 {organization} 被拒绝：它不存在、与密钥不匹配，或该账户不属于任何组织。",
            ),
            Text(
                "Copy the organization ID from your account settings, or clear it: %chatkey set --org \"\" (and unset OPENAI_ORG_ID / OPENAI_ORGANIZATION).",
                "从账户设置中复制组织 ID，或将其清空：%chatkey set --org \"\"（并取消 OPENAI_ORG_ID / OPENAI_ORGANIZATION）。",
            ),
            "https://help.openai.com/en/articles/6891767-error-code-401-invalid-authentication",
            actions=(SET_KEY,),
        ),
        _kind(
            "model_not_found",
            Text("Model {model} is not available", "模型 {model} 不可用"),
            Text(
                "The model does not exist, or this account has no access to it.",
                "该模型不存在，或此账户无权使用它。",
            ),
            Text(
                "Pick a model this account has (buttons below) or run %chat models to list them.",
                "选择此账户可用的模型（见下方按钮），或运行 %chat models 列出全部模型。",
            ),
            "https://community.openai.com/t/when-i-try-the-gpt-4-model-chat-completion-in-api-request-i-get-an-error-that-model-does-not-exist/98850",
            actions=(SWITCH_MODEL,),
        ),
        _kind(
            "rate_limit",
            Text("Rate limit reached", "已达到速率限制"),
            Text(
                "Too many requests or tokens per minute for this account. It was retried {attempts} times over {waited} s.",
                "此账户每分钟的请求数或令牌数过多。已重试 {attempts} 次，共等待 {waited} 秒。",
            ),
            Text(
                "Wait a little and press Retry, use a smaller max tokens, or raise your limits.",
                "稍等片刻后点击“重试”，减小最大令牌数，或提高您的限额。",
            ),
            "https://help.openai.com/en/articles/6891829-error-code-429-rate-limit-reached-for-requests",
            retried=True,
            actions=(RETRY,),
        ),
        _kind(
            "insufficient_quota",
            Text("You exceeded your current quota", "您已超过当前配额"),
            Text(
                "The API is paid, and this account has no credits left (or no billing set up). Retrying cannot help, so nothing was retried.",
                "API 是付费的，此账户已没有剩余信用点（或尚未设置结算）。重试无济于事，因此没有重试。",
            ),
            Text(
                "Add credits or a payment method on the billing page, then check used and available credits on the usage page.",
                "在结算页面添加信用点或付款方式，然后在用量页面查看已用和可用的信用点。",
            ),
            "https://help.openai.com/en/articles/6891831-error-code-429-you-exceeded-your-current-quota-please-check-your-plan-and-billing-details",
            links=((Text("Billing", "结算"), BILLING_URL), (Text("Usage", "用量"), USAGE_URL)),
        ),
        _kind(
            "overloaded",
            Text("The server is overloaded", "服务器当前超载"),
            Text(
                "The model's servers are busy or had an internal error. It was retried {attempts} times over {waited} s.",
                "模型服务器繁忙或出现内部错误。已重试 {attempts} 次，共等待 {waited} 秒。",
            ),
            Text("Press Retry in a moment.", "请稍后点击“重试”。"),
            "https://help.openai.com/en/articles/6891834-error-code-429-the-engine-is-currently-overloaded-please-try-again-later",
            retried=True,
            actions=(RETRY,),
        ),
        _kind(
            "context_length",
            Text("The conversation is too long for {model}", "对话对 {model} 来说太长了"),
            Text(
                "The earlier exchanges plus this cell exceed the model's context window.",
                "之前的对话加上此单元格超出了模型的上下文窗口。",
            ),
            Text(
                "Use a model with a larger context window, or run %chat reset to forget earlier exchanges.",
                "换用上下文窗口更大的模型，或运行 %chat reset 清除之前的对话。",
            ),
            actions=(SWITCH_MODEL, RESET),
        ),
        _kind(
            "connection",
            Text("Can't reach {base_url}", "无法连接 {base_url}"),
            Text(
                "The endpoint refused the connection or its name did not resolve. It was retried {attempts} times.",
                "端点拒绝连接或域名无法解析。已重试 {attempts} 次。",
            ),
            Text(
                "Check the network and the base URL (OPENAI_BASE_URL or %config ChatMagics.base_url), then press Retry.",
                "检查网络和基础 URL（OPENAI_BASE_URL 或 %config ChatMagics.base_url），然后点击“重试”。",
            ),
            retried=True,
            actions=(RETRY,),
        ),
        _kind(
            "timeout",
            Text("{base_url} did not answer in time", "{base_url} 未能及时响应"),
            Text(
                "No response within {timeout} s. It was retried {attempts} times.",
                "{timeout} 秒内没有响应。已重试 {attempts} 次。",
            ),
            Text(
                "Press Retry, or raise the limit with %config ChatMagics.timeout = 120.",
                "点击“重试”，或用 %config ChatMagics.timeout = 120 提高时限。",
            ),
            retried=True,
            actions=(RETRY,),
        ),
        _kind(
            "gateway",
            Text("The server returned an error page: {summary}", "服务器返回了错误页面：{summary}"),
            Text(
                "A proxy or gateway in front of {base_url} failed, rather than the API itself. It was retried {attempts} times.",
                "{base_url} 前面的代理或网关出错，而不是 API 本身。已重试 {attempts} 次。",
            ),
            Text("Press Retry in a moment.", "请稍后点击“重试”。"),
            retried=True,
            actions=(RETRY,),
        ),
        _kind(
            "stream_interrupted",
            Text("The answer was cut off", "回答被中断"),
            Text(
                "The stream stopped before the answer was complete. The partial answer above is kept and marked incomplete.",
                "回答完成前数据流就停止了。上方保留了部分回答，并标记为不完整。",
            ),
            Text("Press Retry to ask again.", "点击“重试”重新提问。"),
            actions=(RETRY,),
        ),
        _kind(
            "region",
            Text("Not available in your region", "您所在的地区不受支持"),
            Text("The server said: {message}", "服务器返回：{message}"),
            Text(
                "The API is not offered in this country, region or territory.",
                "该 API 不在此国家、地区或领土提供。",
            ),
        ),
        _kind(
            "request_refused",
            Text("The request was refused (HTTP {status})", "请求被拒绝（HTTP {status}）"),
            Text("The server said: {message}", "服务器返回：{message}"),
            Text(
                "Check the cell's options; %chat error shows the technical details.",
                "检查单元格选项；%chat error 显示技术细节。",
            ),
            HELP_COLLECTION,
        ),
    )
}

# Lookup tables, most specific first: body code, then body type, then HTTP status.
BY_CODE = {
    "invalid_api_key": "invalid_api_key",
    "invalid_organization": "organization",
    "mismatched_organization": "organization",
    "no_organization": "organization",
    "model_not_found": "model_not_found",
    "rate_limit_exceeded": "rate_limit",
    "slow_down": "rate_limit",
    "insufficient_quota": "insufficient_quota",
    "server_is_overloaded": "overloaded",
    "server_error": "overloaded",
    "context_length_exceeded": "context_length",
    "unsupported_country_region_territory": "region",
}
BY_TYPE = {
    "insufficient_quota": "insufficient_quota",
    "server_error": "overloaded",
    "service_unavailable_error": "overloaded",
    "rate_limit_error": "rate_limit",
    "requests": "rate_limit",
    "tokens": "rate_limit",
}
BY_STATUS = {401: "invalid_api_key", 403: "request_refused", 404: "request_refused", 429: "rate_limit"}

_TITLE = re.compile(r"<title[^>]*>(.*?)</title>", re.IGNORECASE | re.DOTALL)
_TAGS = re.compile(r"<[^>]+>")
_HIDDEN = re.compile(r"<(script|style|head)\b[^>]*>.*?</\1\s*>", re.IGNORECASE | re.DOTALL)  # never shown by a browser


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

    @property
    def retried(self) -> bool:
        return self.kind.retried

    def values(self, language: str = "en") -> dict:
        """The facts a catalog text may name, ready to show in ``language``."""
        source = SOURCE_LABELS.get(self.key_source)
        return {
            "model": self.model,
            "base_url": self.base_url,
            "connection": self.connection,
            "masked_key": self.masked_key or "—",
            "key_source": source.get(language) if source else (self.key_source or "—"),
            "organization": self.organization or "—",
            "timeout": f"{self.timeout:g}" if self.timeout else "—",
            "summary": self.summary,
            "message": self.message,
            "status": self.status if self.status is not None else "—",
            "attempts": max(self.attempts - 1, 0),
            "waited": f"{self.waited:.1f}",
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
        message = body.get("message") or message
    elif isinstance(body, str) and body.strip():
        summary = redact(summarize_page(body, status), *secrets)  # a page may echo the key too
        message = summary
    name = _kind_name(exc, status, code, error_type, body, message, partial)
    return Failure(
        kind=CATALOG[name],
        status=status,
        error_type=error_type,
        code=str(code) if code is not None else None,
        request_id=getattr(exc, "request_id", None),
        message=redact(str(message), *secrets),
        summary=summary or (f"HTTP {status}" if status else ""),
        exception=type(exc).__name__,
    )


def _kind_name(exc, status, code, error_type, body, message, partial) -> str:
    exc_names = {cls.__name__ for cls in type(exc).__mro__}
    if partial or (status is None and "APIError" in exc_names and "APIConnectionError" not in exc_names):
        return "stream_interrupted"  # an error event mid-stream, or a drop after text arrived
    if "APITimeoutError" in exc_names:
        return "timeout"
    if "APIConnectionError" in exc_names:
        return "connection"
    if code in BY_CODE:
        return BY_CODE[code]
    if error_type in BY_TYPE:
        return BY_TYPE[error_type]
    if status is not None and status >= 500:
        return "gateway" if not isinstance(body, dict) else "overloaded"
    if status == 404 and "model" in str(message).lower():
        return "model_not_found"  # e.g. Ollama and vLLM say "model ... not found" without a code
    if status == 403 and "region" in str(message).lower():
        return "region"
    return BY_STATUS.get(status, "request_refused")
