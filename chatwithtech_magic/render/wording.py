"""Advice that fits where the user is: a notebook panel, the key form, or a terminal.

The catalog (``catalog.py``) words its next steps for the notebook panel, which has buttons
(Retry, Set API key, Use model…). The key form has only Save & test; terminal IPython has
no buttons, no form and no cells. Each gets its own wording here; a kind without an entry
keeps the catalog's, with a generic rewrite of "press Retry" so no renderer points at a
button it does not have.
"""

from __future__ import annotations

import re

from ..catalog import Kind
from ..i18n import Text

PANEL, FORM, TERMINAL = "panel", "form", "terminal"

_AGAIN_TERMINAL = Text("run the cell again", "重新运行该单元格")
_AGAIN_FORM = Text("press Save & test again", "再次点击“保存并测试”")

FORM_STEPS = {
    Kind.MISSING_KEY: Text("Paste the key into the field above and press Save & test.", "把密钥粘贴到上方的输入框，然后点击“保存并测试”。"),
    Kind.MALFORMED_KEY: Text(
        "Copy the key again from the API keys page, paste it above and press Save & test.",
        "从 API 密钥页面重新复制密钥，粘贴到上方，然后点击“保存并测试”。",
    ),
    Kind.INVALID_API_KEY: Text(
        "Create a new secret key on the API keys page, paste it above and press Save & test.",
        "在 API 密钥页面创建新的秘密密钥，粘贴到上方，然后点击“保存并测试”。",
    ),
    Kind.ORGANIZATION: Text(
        "Correct the Organization ID above, or clear it, and press Save & test.",
        "更正上方的组织 ID，或将其清空，然后点击“保存并测试”。",
    ),
    Kind.RATE_LIMIT: Text("Wait a little and press Save & test again.", "稍等片刻后再次点击“保存并测试”。"),
    Kind.OVERLOADED: Text("Press Save & test again in a moment.", "请稍后再次点击“保存并测试”。"),
    Kind.GATEWAY: Text("Press Save & test again in a moment.", "请稍后再次点击“保存并测试”。"),
    Kind.CONNECTION: Text(
        "Check the network and the base URL (the form's Base URL, OPENAI_BASE_URL or %config ChatMagics.base_url), then press Save & test again.",
        "检查网络和基础 URL（表单中的基础 URL、OPENAI_BASE_URL 或 %config ChatMagics.base_url），然后再次点击“保存并测试”。",
    ),
    Kind.PATH_NOT_FOUND: Text(
        "Correct the Base URL above (an OpenAI-compatible API's usually ends in /v1) and press Save & test again.",
        "更正上方的基础 URL（兼容 OpenAI 的 API 的基础 URL 通常以 /v1 结尾），然后再次点击“保存并测试”。",
    ),
    Kind.TIMEOUT: Text(
        "Press Save & test again, or allow a longer silence with %config ChatMagics.timeout = 1200.",
        "再次点击“保存并测试”，或用 %config ChatMagics.timeout = 1200 允许更长的静默。",
    ),
}

TERMINAL_STEPS = {
    Kind.MISSING_KEY: Text(
        "Run %chatkey set to type it at a hidden prompt, or set OPENAI_API_KEY before starting IPython. Never type a key on a magic's line.",
        "运行 %chatkey set 在隐藏提示中输入，或在启动 IPython 之前设置 OPENAI_API_KEY。切勿把密钥写在魔法命令行上。",
    ),
    Kind.MALFORMED_KEY: Text(
        "Copy the key again from the API keys page and set it with %chatkey set.",
        "从 API 密钥页面重新复制密钥，然后用 %chatkey set 设置。",
    ),
    Kind.INVALID_API_KEY: Text(
        "Create a new secret key on the API keys page and set it with %chatkey set.",
        "在 API 密钥页面创建新的秘密密钥，然后用 %chatkey set 设置。",
    ),
    Kind.MODEL_NOT_FOUND: Text(
        "Run the cell again with one of the models listed below (-m NAME), or run %chat models to list them all.",
        "用下面列出的某个模型（-m 名称）重新运行该单元格，或运行 %chat models 列出全部模型。",
    ),
    Kind.RATE_LIMIT: Text(
        "Wait a little and run the cell again, use a smaller max tokens, or raise your limits.",
        "稍等片刻后重新运行该单元格，减小最大令牌数，或提高您的限额。",
    ),
    Kind.OVERLOADED: Text("Run the cell again in a moment.", "请稍后重新运行该单元格。"),
    Kind.GATEWAY: Text("Run the cell again in a moment.", "请稍后重新运行该单元格。"),
    Kind.CONNECTION: Text(
        "Check the network and the base URL (OPENAI_BASE_URL or %config ChatMagics.base_url), then run the cell again.",
        "检查网络和基础 URL（OPENAI_BASE_URL 或 %config ChatMagics.base_url），然后重新运行该单元格。",
    ),
    Kind.TIMEOUT: Text(
        "Run the cell again, or allow a longer silence with %config ChatMagics.timeout = 1200.",
        "重新运行该单元格，或用 %config ChatMagics.timeout = 1200 允许更长的静默。",
    ),
    Kind.STREAM_INTERRUPTED: Text("Run the cell again to ask again.", "重新运行该单元格以再次提问。"),
    Kind.PATH_NOT_FOUND: Text(
        "Check the base URL (the connection's, from %chatkey set --base-url; OPENAI_BASE_URL or %config ChatMagics.base_url): "
        "an OpenAI-compatible API's usually ends in /v1, and /chat/completions or /models is added to it.",
        "检查基础 URL（连接的基础 URL，由 %chatkey set --base-url 设置；OPENAI_BASE_URL 或 %config ChatMagics.base_url）："
        "兼容 OpenAI 的 API 的基础 URL 通常以 /v1 结尾，/chat/completions 或 /models 会加在它后面。",
    ),
    Kind.MODEL_RETIRED: Text(
        "Run the cell again with -m {successor}, or set it for good: %config ChatMagics.model = \"{successor}\".",
        "用 -m {successor} 重新运行该单元格，或永久设置：%config ChatMagics.model = \"{successor}\"。",
    ),
}

# What the catalog says about buttons, and what each renderer says instead.
_BUTTON_PHRASES = {
    "en": re.compile(r"\b(?:press|click) Retry\b|\(buttons below\)|the buttons below", re.IGNORECASE),
    "zh": re.compile(r"点击“重试”|（见下方按钮）|下方的按钮"),
}


def next_step(kind: str, catalog_step: str, language: str, where: str = PANEL, **values) -> str:
    """The next step for ``kind``, worded for ``where`` (``panel``, ``form`` or ``terminal``)."""
    table = {FORM: FORM_STEPS, TERMINAL: TERMINAL_STEPS}.get(where)
    if table is None:
        return catalog_step
    if kind in table:
        return table[kind].get(language, **values)
    again = (_AGAIN_FORM if where == FORM else _AGAIN_TERMINAL).get(language)
    pattern = _BUTTON_PHRASES["zh" if language == "zh" else "en"]
    return pattern.sub(again, catalog_step)
