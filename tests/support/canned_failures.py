"""Canned failures of the OpenAI API: each factory returns the ``Error`` (status, body, headers) the real
API or a gateway answers, with OpenAI's own wording, for a test to script into the loopback server
(tests/support/openai_server.py, which re-exports every name here).
"""

from __future__ import annotations

from http import HTTPStatus

from tests.support.server_types import REQUEST_ID_PLACEHOLDER, Error

# --------------------------------------------------------------------------- error factories

_KEYS_URL = "https://platform.openai.com/account/api-keys"


def _err(message: str, type: str | None, code: str | None = None, param: str | None = None) -> dict:
    return {"message": message, "type": type, "param": param, "code": code}


def mask_key(key: str) -> str:
    """Mask a key the way OpenAI echoes it: first 3 chars + ``*****`` + last 4."""
    return f"{key[:3]}*****{key[-4:]}"


def invalid_api_key(key: str = "sk-test-1234") -> Error:
    return Error(
        401,
        _err(
            f"Incorrect API key provided: {mask_key(key)}. You can find your API key at {_KEYS_URL}.",
            "invalid_request_error",
            "invalid_api_key",
        ),
    )


def missing_api_key() -> Error:
    return Error(
        401,
        _err(
            "You didn't provide an API key. You need to provide your API key in an Authorization header using "
            "Bearer auth (i.e. Authorization: Bearer YOUR_KEY), or as the password field (with blank username) if "
            "you're accessing the API from your browser and are prompted for a username and password. You can "
            f"obtain an API key from {_KEYS_URL}.",
            "invalid_request_error",
        ),
    )


def invalid_organization(org: str = "org-xxx") -> Error:
    return Error(401, _err(f"No such organization: {org}.", "invalid_request_error", "invalid_organization"))


def mismatched_organization() -> Error:
    return Error(
        401,
        _err(
            "OpenAI-Organization header should match organization for API key",
            "invalid_request_error",
            "mismatched_organization",
        ),
    )


def no_organization() -> Error:
    return Error(
        401,
        _err(
            "You must be a member of an organization to use the API. Please contact us through our help center "
            "at help.openai.com.",
            "invalid_request_error",
            "no_organization",
        ),
    )


def model_not_found(model: str = "gpt-4") -> Error:
    return Error(
        404,
        _err(
            f"The model `{model}` does not exist or you do not have access to it.",
            "invalid_request_error",
            "model_not_found",
        ),
    )


def model_deprecated(model: str = "gpt-3.5-turbo") -> Error:
    """What a shut-down model answers today."""
    return Error(
        404,
        _err(
            f"The model `{model}` has been deprecated, learn more here: https://platform.openai.com/docs/deprecations",
            "invalid_request_error",
            "model_not_found",
        ),
    )


def unsupported_max_tokens() -> Error:
    return Error(
        400,
        _err(
            "Unsupported parameter: 'max_tokens' is not supported with this model. Use 'max_completion_tokens' instead.",
            "invalid_request_error",
            "unsupported_parameter",
            "max_tokens",
        ),
    )


def unsupported_temperature(value: float = 0.3) -> Error:
    return Error(
        400,
        _err(
            f"Unsupported value: 'temperature' does not support {value:g} with this model. Only the default (1) value is supported.",
            "invalid_request_error",
            "unsupported_value",
            "temperature",
        ),
    )


def unrecognized_argument(name: str) -> Error:
    """How older Azure API versions and some gateways refuse a parameter: no code, no param."""
    return Error(400, _err(f"Unrecognized request argument supplied: {name}", "invalid_request_error"))


BILLING_CODES = (
    "credit_balance_exhausted",
    "organization_spend_limit_exceeded",
    "project_spend_limit_exceeded",
    "organization_usage_limit_exceeded",
)


def billing_error(code: str = "credit_balance_exhausted") -> Error:
    """Today's billing refusals: 429, type still ``insufficient_quota``, a code per cause."""
    messages = {
        "credit_balance_exhausted": "Your credit balance is too low to access the API. Please go to Billing to purchase credits.",
        "organization_spend_limit_exceeded": "Your organization has reached its monthly spend limit. Please increase the limit in your organization settings.",
        "project_spend_limit_exceeded": "This project has reached its spend limit. Please increase the project's budget.",
        "organization_usage_limit_exceeded": "Your organization has reached its usage limit for this tier.",
    }
    return Error(429, _err(messages[code], "insufficient_quota", code))


def ip_not_authorized(ip: str = "203.0.113.7") -> Error:
    return Error(
        401,
        _err(f"IP not authorized. Your IP address {ip} is not in this project's allowlist.", "invalid_request_error"),
    )


def rate_limit(
    retry_after: float | None = None,
    retry_after_ms: int | None = None,
    reset_requests: str | None = None,
    reset_tokens: str | None = None,
    *,
    model: str = "gpt-4",
    organization: str = "org-test",
    kind: str = "tokens",
) -> Error:
    """429 ``rate_limit_exceeded`` (type ``tokens`` or ``requests``) with the x-ratelimit-*
    headers; ``retry-after``/``retry-after-ms`` only when given."""
    wait = f"{retry_after:g}s" if retry_after is not None else "26.604s"
    if kind == "requests":
        message = (
            f"Rate limit reached for {model} in organization {organization} on requests per min (RPM): "
            f"Limit 500, Used 500, Requested 1. Please try again in {wait}. "
            "Visit https://platform.openai.com/account/rate-limits to learn more."
        )
    else:
        message = (
            f"Rate limit reached for {model} in organization {organization} on tokens per min (TPM): "
            f"Limit 10000, Used 9348, Requested 5086. Please try again in {wait}. "
            "Visit https://platform.openai.com/account/rate-limits to learn more."
        )
    headers = {
        "x-ratelimit-limit-requests": "500",
        "x-ratelimit-remaining-requests": "0" if kind == "requests" else "499",
        "x-ratelimit-reset-requests": reset_requests or ("120ms" if kind != "requests" else wait),
        "x-ratelimit-limit-tokens": "10000",
        "x-ratelimit-remaining-tokens": "652",
        "x-ratelimit-reset-tokens": reset_tokens or (wait if kind != "requests" else "6ms"),
    }
    if retry_after is not None:
        headers["retry-after"] = f"{retry_after:g}"
    if retry_after_ms is not None:
        headers["retry-after-ms"] = str(int(retry_after_ms))
    return Error(429, _err(message, kind, "rate_limit_exceeded"), headers)


def insufficient_quota() -> Error:
    return Error(
        429,
        _err(
            "You exceeded your current quota, please check your plan and billing details. For more information on "
            "this error, read the docs: https://platform.openai.com/docs/guides/error-codes/api-errors.",
            "insufficient_quota",
            "insufficient_quota",
        ),
    )


def overloaded() -> Error:
    return Error(
        503,
        _err(
            "That model is currently overloaded with other requests. You can retry your request, or contact us "
            "through our help center at help.openai.com if the error persists. (Please include the request ID "
            f"{REQUEST_ID_PLACEHOLDER} in your message.)",
            "server_error",
        ),
    )


def server_is_overloaded() -> Error:
    return Error(
        503,
        _err(
            "Our servers are currently overloaded. Please try again later.",
            "service_unavailable_error",
            "server_is_overloaded",
        ),
    )


def slow_down() -> Error:
    # The guide names the cause; the wording here follows its explanation.
    return Error(
        429,
        _err(
            "A sudden increase in your request rate is impacting service reliability. Please reduce your request "
            "rate to its original level, maintain a consistent rate for at least 15 minutes, and then gradually "
            "increase it.",
            "rate_limit_error",
            "slow_down",
        ),
    )


def server_error() -> Error:
    return Error(
        500,
        _err(
            "The server had an error processing your request. Sorry about that! You can retry your request, or "
            "contact us through our help center at help.openai.com if you keep seeing this error. (Please include "
            f"the request ID {REQUEST_ID_PLACEHOLDER} in your email.)",
            "server_error",
        ),
    )


def context_length_exceeded(limit: int = 8192, used: int = 8227) -> Error:
    return Error(
        400,
        _err(
            f"This model's maximum context length is {limit} tokens. However, your messages resulted in {used} "
            "tokens. Please reduce the length of the messages.",
            "invalid_request_error",
            "context_length_exceeded",
            "messages",
        ),
    )


def region_not_supported() -> Error:
    return Error(
        403,
        _err(
            "Country, region, or territory not supported",
            "request_forbidden",
            "unsupported_country_region_territory",
        ),
    )


def bad_request(message: str = "Invalid request.", param: str | None = None, code: str | None = None) -> Error:
    return Error(400, _err(message, "invalid_request_error", code, param))


def images_not_supported(index: int = 1) -> Error:
    """What a text-only model answers when a message holds an image (OpenAI's exact words)."""
    return Error(
        400,
        _err(
            "Invalid content type. image_url is only supported by certain models.",
            "invalid_request_error",
            None,
            f"messages.[0].content.[{index}].type",
        ),
    )


def html_gateway(status: int = 502) -> Error:
    title = f"{status} {HTTPStatus(status).phrase}"
    page = (
        f"<html>\r\n<head><title>{title}</title></head>\r\n<body>\r\n"
        f"<center><h1>{title}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"
    )
    return Error(status, page, content_type="text/html")


def stream_server_error() -> dict:
    """The error event OpenAI sends when a stream fails mid-way."""
    return _err("The server had an error while processing your request. Sorry about that!", "server_error")
