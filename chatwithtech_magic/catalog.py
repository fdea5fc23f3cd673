"""The error catalog: every failure a user can meet, as data.

Each entry says what happened, why, what to do now, where to read more, which
buttons to offer and whether it is retried. The widget, HTML and plain-text
renderers all read from here, through ``errors.py`` (the public place); the
lookup tables at the end are what ``errors.classify`` reads, body ``code`` and
``type`` first, because ``RateLimitError`` covers both a rate limit and an
exhausted quota. No code here: a new failure is a new entry.
"""

from __future__ import annotations

from dataclasses import dataclass

from .i18n import Text

HELP_COLLECTION = "https://help.openai.com/en/collections/3675931-openai-api#api-error-codes-explained"
BILLING_URL = "https://platform.openai.com/settings/organization/billing/overview"
USAGE_URL = "https://platform.openai.com/usage"
KEYS_URL = "https://platform.openai.com/account/api-keys"
QUOTA_HELP = "https://help.openai.com/en/articles/6891831-error-code-429-you-exceeded-your-current-quota-please-check-your-plan-and-billing-details"

# Actions a panel can offer; the magics layer binds them to buttons.
SET_KEY, RETRY, SWITCH_MODEL, RESET = "set_key", "retry", "switch_model", "reset"


class Kind:
    """Every kind of failure, by name. The package compares and names kinds through these, never as
    typed-out strings; the values are what ``data-kind``, ``%chat error`` and the notebooks show."""

    MISSING_KEY = "missing_key"
    MALFORMED_KEY = "malformed_key"
    INVALID_API_KEY = "invalid_api_key"
    ORGANIZATION = "organization"
    MODEL_NOT_FOUND = "model_not_found"
    RATE_LIMIT = "rate_limit"
    INSUFFICIENT_QUOTA = "insufficient_quota"
    CREDIT_BALANCE_EXHAUSTED = "credit_balance_exhausted"
    ORGANIZATION_SPEND_LIMIT_EXCEEDED = "organization_spend_limit_exceeded"
    PROJECT_SPEND_LIMIT_EXCEEDED = "project_spend_limit_exceeded"
    ORGANIZATION_USAGE_LIMIT_EXCEEDED = "organization_usage_limit_exceeded"
    IP_NOT_AUTHORIZED = "ip_not_authorized"
    MODEL_RETIRED = "model_retired"
    PARAMETER_REFUSED = "parameter_refused"
    IMAGES_NOT_READ = "images_not_read"
    OVERLOADED = "overloaded"
    CONTEXT_LENGTH = "context_length"
    CELL_TOO_LARGE = "cell_too_large"
    BUDGET_REACHED = "budget_reached"
    BASE_URL_SCHEME = "base_url_scheme"
    CONNECTION = "connection"
    TIMEOUT = "timeout"
    CONNECT_TIMEOUT = "connect_timeout"
    GATEWAY = "gateway"
    STREAM_INTERRUPTED = "stream_interrupted"
    DROPPED = "dropped"
    REPLAY_MISS = "replay_miss"
    ANSWERS_FILE_UNSAFE = "answers_file_unsafe"
    PATH_NOT_FOUND = "path_not_found"
    REGION = "region"
    REQUEST_REFUSED = "request_refused"
    BAD_HEADER = "bad_header"
    NOT_JSON = "not_json"
    PROXY = "proxy"
    BAD_SETTING = "bad_setting"
    UNEXPECTED = "unexpected"
    EMPTY_ANSWER = "empty_answer"
    STREAM_FAILED = "stream_failed"
    WRONG_API = "wrong_api"
    NO_RESPONSES_API = "no_responses_api"


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
            Kind.MISSING_KEY,
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
            Kind.MALFORMED_KEY,
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
            Kind.INVALID_API_KEY,
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
            Kind.ORGANIZATION,
            Text("The organization ID is the problem", "组织 ID 有问题"),
            Text("{organization_refused}", "{organization_refused}"),  # errors.py: with an organization set, or none
            Text(
                "Copy the organization ID from your account settings, or clear it: %chatkey set --org \"\" (and unset OPENAI_ORG_ID / OPENAI_ORGANIZATION).",
                "从账户设置中复制组织 ID，或将其清空：%chatkey set --org \"\"（并取消 OPENAI_ORG_ID / OPENAI_ORGANIZATION）。",
            ),
            "https://help.openai.com/en/articles/6891767-error-code-401-invalid-authentication",
            actions=(SET_KEY,),
        ),
        _kind(
            Kind.MODEL_NOT_FOUND,
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
        _kind(  # wire/endpoints.py: Chat Completions refused a model that lives on /responses
            Kind.WRONG_API,
            Text("{model} answers only on the Responses API", "{model} 只在 Responses API 上回答"),
            Text(
                "The model exists, but it is not served on Chat Completions; the server said: {message}",
                "该模型存在，但不通过 Chat Completions 提供；服务器返回：{message}",
            ),
            Text(
                "Ask it with %%chat --api responses (or %config ChatMagics.api = \"auto\"); a server without /responses can't ask it.",
                "用 %%chat --api responses 询问它（或 %config ChatMagics.api = \"auto\"）；没有 /responses 的服务器无法询问它。",
            ),
        ),
        _kind(  # session.py: a request that went to /responses first (the model table, --api) on a server without it
            Kind.NO_RESPONSES_API,
            Text("{base_url} has no Responses API", "{base_url} 没有 Responses API"),
            Text(
                "{model} was sent to /responses, because it answers only there or because --api responses "
                "(ChatMagics.api) asked for it, and this server has no such endpoint; it said: {message}",
                "{model} 被发送到 /responses（它只在那里回答，或 --api responses / ChatMagics.api 要求如此），"
                "而此服务器没有该端点；服务器返回：{message}",
            ),
            Text(
                "Ask a model this server serves on Chat Completions, with --api chat or %config ChatMagics.api = \"auto\".",
                "请询问此服务器通过 Chat Completions 提供的模型，并使用 --api chat 或 %config ChatMagics.api = \"auto\"。",
            ),
        ),
        _kind(
            Kind.RATE_LIMIT,
            Text("Rate limit reached", "已达到速率限制"),
            Text(
                "Too many requests or tokens per minute for this account. {retried_waited}",
                "此账户每分钟的请求数或令牌数过多。{retried_waited}",
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
            Kind.INSUFFICIENT_QUOTA,
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
        # -- today's billing codes (429; never retried) and key restrictions: models.py / issue 7
        *(
            _kind(
                name,
                title,
                Text(why_en + " Retrying cannot help, so nothing was retried.", why_zh + "重试无济于事，因此没有重试。"),
                step,
                QUOTA_HELP,
                links=((Text("Billing", "结算"), BILLING_URL), (Text("Usage", "用量"), USAGE_URL)),
            )
            for name, title, why_en, why_zh, step in (
                (
                    Kind.CREDIT_BALANCE_EXHAUSTED,
                    Text("Your credit balance is used up", "您的信用余额已用完"),
                    "This account's prepaid credits are used up.",
                    "此账户的预付信用点已用完。",
                    Text("Buy credits (or turn on auto-recharge) on the billing page.", "在结算页面购买信用点（或开启自动充值）。"),
                ),
                (
                    Kind.ORGANIZATION_SPEND_LIMIT_EXCEEDED,
                    Text("The organization's spend limit is reached", "已达到组织的支出上限"),
                    "The organization has spent its monthly budget.",
                    "该组织已用完本月预算。",
                    Text("An owner can raise the organization's limit on the limits page, or wait for next month.", "组织所有者可以在限额页面提高上限，或等待下个月。"),
                ),
                (
                    Kind.PROJECT_SPEND_LIMIT_EXCEEDED,
                    Text("The project's spend limit is reached", "已达到项目的支出上限"),
                    "The key's project has spent its budget.",
                    "该密钥所属项目已用完预算。",
                    Text("A project owner can raise the project's budget in its settings, or use a key of another project.", "项目所有者可以在项目设置中提高预算，或改用其他项目的密钥。"),
                ),
                (
                    Kind.ORGANIZATION_USAGE_LIMIT_EXCEEDED,
                    Text("The organization's usage limit is reached", "已达到组织的用量上限"),
                    "The organization has reached the usage limit of its tier.",
                    "该组织已达到其等级的用量上限。",
                    Text("Wait for the limit to reset, or ask for a higher usage tier on the limits page.", "等待限额重置，或在限额页面申请更高的用量等级。"),
                ),
            )
        ),
        _kind(
            Kind.IP_NOT_AUTHORIZED,
            Text("This network's IP address is not allowed for the key", "此网络的 IP 地址不允许使用该密钥"),
            Text(
                "The key {masked_key} works, but its project only accepts requests from listed IP addresses, and this machine's is not one. The server said: {message}",
                "密钥 {masked_key} 有效，但其项目只接受来自列出的 IP 地址的请求，而本机的地址不在其中。服务器返回：{message}",
            ),
            Text(
                "Ask a project owner to add this network's address to the project's IP allowlist, or use a key of a project without one.",
                "请项目所有者把本网络的地址加入项目的 IP 允许列表，或改用没有此限制的项目的密钥。",
            ),
            "https://help.openai.com/en/articles/6891767-error-code-401-invalid-authentication",
            actions=(SET_KEY,),
        ),
        _kind(
            Kind.MODEL_RETIRED,
            Text("{model} was shut down on {shutdown}", "{model} 已于 {shutdown} 停用"),
            Text(
                "OpenAI retired this model; requests to it now fail. Its successor is {successor}.",
                "OpenAI 已停用此模型，对它的请求都会失败。它的后继模型是 {successor}。",
            ),
            Text(
                "Press the first button to ask {successor} instead, or set it for good: %config ChatMagics.model = \"{successor}\".",
                "点击第一个按钮改用 {successor}，或永久设置：%config ChatMagics.model = \"{successor}\"。",
            ),
            "https://platform.openai.com/docs/deprecations",
            actions=(SWITCH_MODEL,),
        ),
        _kind(
            Kind.PARAMETER_REFUSED,
            Text("{model} does not accept {param}", "{model} 不接受 {param}"),
            Text("The server said: {message}", "服务器返回：{message}"),
            Text(
                "Change or remove that setting for this model (the cell's option, or %config ChatMagics), then run the cell again.",
                "为此模型修改或去掉该设置（单元格选项或 %config ChatMagics），然后重新运行单元格。",
            ),
        ),
        _kind(  # a text-only model given an image: learned per endpoint and model, never sent again on its own
            Kind.IMAGES_NOT_READ,
            Text("{model} can't read images", "{model} 无法读取图像"),
            Text(
                "The server refused the cell's image: {message} Nothing was sent again.",
                "服务器拒绝了单元格中的图像：{message} 未再次发送。",
            ),
            Text(
                "Ask a model that reads images (-m, or %config ChatMagics.model), or send the cell without its image.",
                "改用能读取图像的模型（-m，或 %config ChatMagics.model），或不带图像发送此单元格。",
            ),
            actions=(SWITCH_MODEL,),
        ),
        _kind(
            Kind.OVERLOADED,
            Text("The server is overloaded", "服务器当前超载"),
            Text(
                "The model's servers are busy or had an internal error. {retried_waited}",
                "模型服务器繁忙或出现内部错误。{retried_waited}",
            ),
            Text("Press Retry in a moment.", "请稍后点击“重试”。"),
            "https://help.openai.com/en/articles/6891834-error-code-429-the-engine-is-currently-overloaded-please-try-again-later",
            retried=True,
            actions=(RETRY,),
        ),
        _kind(
            Kind.CONTEXT_LENGTH,
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
        _kind(  # spend.py: the system prompt and the cell alone don't fit the model's context window
            Kind.CELL_TOO_LARGE,
            Text("This cell is too long for {model}", "此单元格对 {model} 来说太长了"),
            Text(
                "It comes to about {cell_tokens} tokens (an estimate), and {model} takes {context_window} tokens in all, "
                "its answer included. No request was sent.",
                "它约有 {cell_tokens} 个令牌（估算值），而 {model} 总共只能容纳 {context_window} 个令牌（包括回答）。未发送任何请求。",
            ),
            Text(
                "Shorten the cell or split it into several, or use a model with a larger context window.",
                "缩短此单元格或将其拆分，或换用上下文窗口更大的模型。",
            ),
            actions=(SWITCH_MODEL,),
        ),
        _kind(  # spend.py: ChatMagics.budget would be crossed
            Kind.BUDGET_REACHED,
            Text("This cell would go over the session's {budget} budget", "此单元格将超出本会话 {budget} 的预算"),
            Text(
                "This session has spent {spent} so far, and this cell would cost {cell_cost} ({estimate}). "
                "No request was sent. The figures are estimates; your account's usage page has the real ones.",
                "本会话目前已花费 {spent}，此单元格预计还需 {cell_cost}（{estimate}）。未发送任何请求。"
                "这些数字都是估算值，实际费用以账户的用量页面为准。",
            ),
            Text(
                "Raise the cap with %config ChatMagics.budget = {raise_to} (US dollars per session; 0 removes it) "
                "and press Retry, or set a smaller --max-tokens.",
                "用 %config ChatMagics.budget = {raise_to} 提高上限（每个会话的美元数；0 表示不设上限）后点击“重试”，"
                "或设置更小的 --max-tokens。",
            ),
            actions=(RETRY,),
            links=((Text("Usage", "用量"), USAGE_URL), (Text("Billing", "结算"), BILLING_URL)),
        ),
        _kind(  # session.py: a base URL without http:// or https:// (localhost:11434/v1), before any request
            Kind.BASE_URL_SCHEME,
            Text("The base URL {base_url} does not start with http:// or https://", "基础 URL {base_url} 不是以 http:// 或 https:// 开头"),
            Text(
                "Without http:// (or https://) no request can reach it, so none was sent. It comes from {url_source}.",
                "缺少 http://（或 https://）时任何请求都无法到达它，因此未发送任何请求。它来自 {url_source}。",
            ),
            Text("Write it as {suggested} there, then run the cell again.", "请在那里把它写成 {suggested}，然后重新运行单元格。"),
        ),
        _kind(
            Kind.CONNECTION,
            Text("Can't reach {base_url}", "无法连接 {base_url}"),
            Text(
                "The connection failed: {reason}. {retried}",
                "连接失败：{reason}。{retried}",
            ),
            Text(
                "Check the network and the base URL (OPENAI_BASE_URL or %config ChatMagics.base_url), then press Retry.",
                "检查网络和基础 URL（OPENAI_BASE_URL 或 %config ChatMagics.base_url），然后点击“重试”。",
            ),
            retried=True,
            actions=(RETRY,),
        ),
        _kind(  # the server had the request and went silent: it may be working (and billing), so never re-sent on its own
            Kind.TIMEOUT,
            Text("{base_url} went silent", "{base_url} 长时间没有响应"),
            Text(
                "The server accepted the request, then sent nothing for {timeout} s (ChatMagics.timeout, the longest "
                "silence allowed). It was not sent again by itself: a request the server accepted may be billed.",
                "服务器已接受请求，随后 {timeout} 秒内没有发送任何内容（ChatMagics.timeout，允许的最长静默）。"
                "未自动重新发送：服务器已接受的请求可能会计费。",
            ),
            Text(
                "Press Retry, or allow a longer silence with %config ChatMagics.timeout = 1200.",
                "点击“重试”，或用 %config ChatMagics.timeout = 1200 允许更长的静默。",
            ),
            actions=(RETRY,),
        ),
        _kind(  # faults.after_acceptance: the server had answered 200, then the connection went before any text
            Kind.DROPPED,
            Text("{base_url} dropped the connection", "{base_url} 断开了连接"),
            Text(
                "The server accepted the request, then the connection closed before any answer came ({message}). "
                "It was not sent again by itself: a request the server accepted may be billed.",
                "服务器已接受请求，随后在任何回答到来之前连接就关闭了（{message}）。未自动重新发送：服务器已接受的请求可能会计费。",
            ),
            Text(
                "Press Retry to ask again; a proxy with an idle limit may cut long thinks: check its timeout.",
                "点击“重试”重新提问；有空闲时限的代理可能会切断长时间的思考：请检查其超时设置。",
            ),
            actions=(RETRY,),
        ),
        _kind(  # the request never left: retried like any connection failure
            Kind.CONNECT_TIMEOUT,
            Text("Can't reach {base_url}", "无法连接 {base_url}"),
            Text(
                "No connection could be made in time; the request was not sent. It was retried {attempts} times.",
                "未能及时建立连接；请求未发送。已重试 {attempts} 次。",
            ),
            Text(
                "Check the network and the base URL (OPENAI_BASE_URL or %config ChatMagics.base_url), then press Retry.",
                "检查网络和基础 URL（OPENAI_BASE_URL 或 %config ChatMagics.base_url），然后点击“重试”。",
            ),
            retried=True,
            actions=(RETRY,),
        ),
        _kind(
            Kind.GATEWAY,
            Text("The server returned an error page: {summary}", "服务器返回了错误页面：{summary}"),
            Text(
                "A proxy or gateway in front of {base_url} failed, rather than the API itself. {retried}",
                "{base_url} 前面的代理或网关出错，而不是 API 本身。{retried}",
            ),
            Text("Press Retry in a moment.", "请稍后点击“重试”。"),
            retried=True,
            actions=(RETRY,),
        ),
        _kind(
            Kind.STREAM_INTERRUPTED,
            Text("The answer was cut off", "回答被中断"),
            Text(
                "The stream stopped before the answer was complete. The partial answer above is kept and marked incomplete.",
                "回答完成前数据流就停止了。上方保留了部分回答，并标记为不完整。",
            ),
            Text("Press Retry to ask again.", "点击“重试”重新提问。"),
            actions=(RETRY,),
        ),
        _kind(  # replay.py: CHATWITHTECH_CACHE=replay (a user's CI) and nothing recorded for this request
            Kind.REPLAY_MISS,
            Text("No recorded answer for this cell", "此单元格没有录制的回答"),
            Text(
                "Recorded answers are being replayed, so nothing was sent. {summary} holds no answer for the cell that "
                "starts “{message}” with this model, endpoint, parameters and earlier conversation.",
                "当前正在重放录制的回答，因此未发送任何请求。{summary} 中没有以“{message}”开头的单元格在此模型、端点、"
                "参数和之前对话下的回答。",
            ),
            Text(
                "Record it where a key is available: run the notebook once with %config ChatMagics.cache = \"record\" "
                "(or CHATWITHTECH_CACHE=record), then commit {summary} with the notebook.",
                "在有密钥的环境中录制：用 %config ChatMagics.cache = \"record\"（或 CHATWITHTECH_CACHE=record）"
                "运行一次笔记本，然后将 {summary} 与笔记本一起提交。",
            ),
        ),
        _kind(  # replay.py + safe_file.py: the answers file is a link, a device, a folder, or too large
            Kind.ANSWERS_FILE_UNSAFE,
            Text("The recorded answers file can't be used", "无法使用录制回答文件"),
            Text(
                "{summary} {message}, so it was neither read nor written, and nothing was sent. Such a file can come with "
                "a repository you cloned; recorded answers are only kept in an ordinary file, never through a link.",
                "{summary} {message}，因此既未读取也未写入，也未发送任何请求。这样的文件可能来自您克隆的仓库；"
                "录制的回答只保存在普通文件中，绝不通过链接写入。",
            ),
            Text(
                "Look at {summary}, then delete or rename it, or turn recorded answers off with %config ChatMagics.cache = \"off\".",
                "请检查 {summary}，然后删除或重命名它，或用 %config ChatMagics.cache = \"off\" 关闭录制回答。",
            ),
        ),
        _kind(  # errors.py: a 404 on the path itself, e.g. FastAPI's {"detail": "Not Found"} or OpenAI's "Invalid URL"
            Kind.PATH_NOT_FOUND,
            Text("Nothing at {path} on {base_url} (HTTP 404)", "{base_url} 上没有 {path}（HTTP 404）"),
            Text(
                "The server has no such path; it said: {message}. The base URL {base_url} is probably wrong: "
                "a missing or doubled /v1, or the address of another service.",
                "服务器上没有这个路径；它返回：{message}。基础 URL {base_url} 多半有误：缺少或重复了 /v1，或者是其他服务的地址。",
            ),
            Text(
                "Check the base URL (the connection's in the %chatkey form, OPENAI_BASE_URL or %config ChatMagics.base_url): "
                "an OpenAI-compatible API's usually ends in /v1, and /chat/completions or /models is added to it.",
                "检查基础 URL（%chatkey 表单中连接的基础 URL、OPENAI_BASE_URL 或 %config ChatMagics.base_url）："
                "兼容 OpenAI 的 API 的基础 URL 通常以 /v1 结尾，/chat/completions 或 /models 会加在它后面。",
            ),
        ),
        _kind(
            Kind.REGION,
            Text("Not available in your region", "您所在的地区不受支持"),
            Text("The server said: {message}", "服务器返回：{message}"),
            Text(
                "The API is not offered in this country, region or territory.",
                "该 API 不在此国家、地区或领土提供。",
            ),
        ),
        _kind(
            Kind.REQUEST_REFUSED,
            Text("The request was refused (HTTP {status})", "请求被拒绝（HTTP {status}）"),
            Text("The server said: {message}", "服务器返回：{message}"),
            Text(
                "Check the cell's options; %chat error shows the technical details.",
                "检查单元格选项；%chat error 显示技术细节。",
            ),
            HELP_COLLECTION,
        ),
        # -- failures outside the SDK's exceptions (faults.py) and answers with no text (answers.py)
        _kind(
            Kind.BAD_HEADER,
            Text("The {reason} ID contains characters an HTTP header cannot carry", "{reason} ID 含有 HTTP 请求头无法携带的字符"),
            Text(
                "It has a space, line break or non-ASCII character ({message}) in it, usually picked up while copying it. No request was sent.",
                "其中含有空格、换行或非 ASCII 字符（{message}），这通常是复制时带进来的。未发送任何请求。",
            ),
            Text(
                "Copy the ID again from your account settings and set it with %chatkey, or clear it: %chatkey set --org \"\" --project \"\" (and unset OPENAI_ORG_ID / OPENAI_PROJECT_ID).",
                "从账户设置中重新复制该 ID 并用 %chatkey 设置，或将其清空：%chatkey set --org \"\" --project \"\"（并取消 OPENAI_ORG_ID / OPENAI_PROJECT_ID）。",
            ),
            actions=(SET_KEY,),
        ),
        _kind(
            Kind.NOT_JSON,
            Text("The answer from {base_url} is not an API response", "{base_url} 的响应不是 API 响应"),
            Text(
                "What came back: {summary}. A Wi-Fi login page (captive portal), a proxy or a web app answered instead of an OpenAI-compatible API.",
                "收到的内容：{summary}。应答的是 Wi-Fi 登录页面（强制门户）、代理或某个网页应用，而不是兼容 OpenAI 的 API。",
            ),
            Text(
                "Log in to the network in a browser, or check the base URL (OPENAI_BASE_URL or %config ChatMagics.base_url), then press Retry.",
                "在浏览器中登录网络，或检查基础 URL（OPENAI_BASE_URL 或 %config ChatMagics.base_url），然后点击“重试”。",
            ),
            actions=(RETRY,),
        ),
        _kind(
            Kind.PROXY,
            Text("The proxy {proxy} can't be used", "无法使用代理 {proxy}"),
            Text(
                "Requests to {base_url} go through this proxy (HTTPS_PROXY, HTTP_PROXY or ALL_PROXY), and it failed: {message}",
                "发往 {base_url} 的请求经由此代理（HTTPS_PROXY、HTTP_PROXY 或 ALL_PROXY），而它出错了：{message}",
            ),
            Text(
                "Fix or unset the proxy variable (or list the host in NO_PROXY) where the kernel starts, restart the kernel, then run the cell again.",
                "在内核启动的环境中修正或取消该代理变量（或把主机加入 NO_PROXY），重启内核，然后重新运行单元格。",
            ),
            actions=(RETRY,),
        ),
        _kind(
            Kind.BAD_SETTING,
            Text("A setting is out of range", "有一项设置超出范围"),
            Text("{message}", "{message}"),
            Text("Fix the cell's option or the %config setting and run the cell again.", "修正单元格选项或 %config 设置，然后重新运行单元格。"),
        ),
        _kind(
            Kind.UNEXPECTED,
            Text("Something went wrong inside chatwithtech_magic", "chatwithtech_magic 内部出错"),
            Text(
                "{exception}: {message}. The cell and the conversation are as they were.",
                "{exception}：{message}。单元格和对话都保持原样。",
            ),
            Text(
                "Press Retry; if it happens again, %chat error shows the details to report.",
                "点击“重试”；如果再次发生，%chat error 会显示可用于报告的细节。",
            ),
            actions=(RETRY,),
        ),
        _kind(
            Kind.EMPTY_ANSWER,
            Text("The model sent no text", "模型没有返回任何文本"),
            Text(
                "The answer ended (finish reason: {message}) without any text: {reason}. Nothing was added to the conversation.",
                "回答已结束（结束原因：{message}），但没有任何文本：{reason}。对话中未添加任何内容。",
            ),
            Text("Press Retry, or rephrase the question.", "点击“重试”，或换个方式提问。"),
            actions=(RETRY,),
        ),
        _kind(
            Kind.STREAM_FAILED,
            Text("The server reported an error instead of an answer", "服务器返回了错误，而不是回答"),
            Text("The server said: {message}", "服务器返回：{message}"),
            Text("Press Retry in a moment.", "请稍后点击“重试”。"),
            actions=(RETRY,),
        ),
    )
}

# What ``{reason}`` says, in the user's language: the cause of a connection failure, the field
# with a bad character, or why an answer had no text.
REASONS = {
    "refused": Text("the endpoint refused the connection", "端点拒绝了连接"),
    "dns": Text("its name did not resolve", "域名无法解析"),
    "other": Text("no connection could be made", "无法建立连接"),
    "organization": Text("organization", "组织"),
    "project": Text("project", "项目"),
    "tool_calls": Text("the model asked to call a tool, which %%chat does not offer", "模型请求调用工具，而 %%chat 不提供工具"),
    "function_call": Text("the model asked to call a function, which %%chat does not offer", "模型请求调用函数，而 %%chat 不提供函数"),
    "content_filter": Text("the content filter removed it", "内容过滤器将其移除"),
    "length": Text("the max tokens limit was reached before any text (reasoning models think first); raise --max-tokens", "在产生任何文本之前就达到了最大令牌数（推理模型会先思考）；请增大 --max-tokens"),
    "stop": Text("the model chose to say nothing", "模型选择不作回答"),
    "no_choices": Text("the server sent no answer at all", "服务器根本没有发送回答"),
}

# Values only some kinds name, given in ``Failure.facts`` (spend.py); "—" where a failure has none.
FACTS = ("cell_tokens", "context_window", "spent", "budget", "cell_cost", "estimate", "raise_to", "url_source", "suggested", "path")

# Lookup tables, most specific first: body code, then body type, then HTTP status.
BY_CODE = {
    "invalid_api_key": Kind.INVALID_API_KEY,
    "credit_balance_exhausted": Kind.CREDIT_BALANCE_EXHAUSTED,
    "organization_spend_limit_exceeded": Kind.ORGANIZATION_SPEND_LIMIT_EXCEEDED,
    "project_spend_limit_exceeded": Kind.PROJECT_SPEND_LIMIT_EXCEEDED,
    "organization_usage_limit_exceeded": Kind.ORGANIZATION_USAGE_LIMIT_EXCEEDED,
    "unsupported_parameter": Kind.PARAMETER_REFUSED,
    "unsupported_value": Kind.PARAMETER_REFUSED,
    "invalid_organization": Kind.ORGANIZATION,
    "mismatched_organization": Kind.ORGANIZATION,
    "no_organization": Kind.ORGANIZATION,
    "model_not_found": Kind.MODEL_NOT_FOUND,
    "unsupported_api_for_model": Kind.WRONG_API,  # a gateway in front of Copilot
    "rate_limit_exceeded": Kind.RATE_LIMIT,
    "slow_down": Kind.RATE_LIMIT,
    "insufficient_quota": Kind.INSUFFICIENT_QUOTA,
    "server_is_overloaded": Kind.OVERLOADED,
    "server_error": Kind.OVERLOADED,
    "context_length_exceeded": Kind.CONTEXT_LENGTH,
    "unsupported_country_region_territory": Kind.REGION,
}
BY_TYPE = {
    "insufficient_quota": Kind.INSUFFICIENT_QUOTA,
    "server_error": Kind.OVERLOADED,
    "service_unavailable_error": Kind.OVERLOADED,
    "rate_limit_error": Kind.RATE_LIMIT,
    "requests": Kind.RATE_LIMIT,
    "tokens": Kind.RATE_LIMIT,
}
BY_STATUS = {401: Kind.INVALID_API_KEY, 403: Kind.REQUEST_REFUSED, 404: Kind.REQUEST_REFUSED, 429: Kind.RATE_LIMIT}
