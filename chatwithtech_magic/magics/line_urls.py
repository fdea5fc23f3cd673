"""URLs with a secret of their own typed on a magic's line: refused like keys, masked in every copy.

``%chatkey set --base-url https://user:password@gw/v1`` or ``--base-url=https://gw/v1?api-key=…``
put a password or a gateway key in the cell, ``In[]``, ``_i`` and the history database, the same
places a key typed on the line would go (line_secrets.py). ``urls.mask_url`` decides what is
secret (userinfo, a query parameter ``secret_name`` calls secret); such a URL is refused with
the key's treatment, and each copy keeps the URL masked (``https://…@gw/v1``) so the user can
still read what was refused. A URL without a secret (``http://localhost:11434/v1``,
``?api-version=2024-10-21``) is not touched.

``%config ChatMagics.base_url = "…"`` is IPython's own magic and is not intercepted here.
"""

from __future__ import annotations

import re

from ..i18n import Text

# A URL with a scheme, wherever it stands in a word (``--base-url=https://…``, ``"https://…"``, in ``-s "…"``).
SCHEMED = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*://[^\s'\"]+")
# The value of ``--base-url`` (or an abbreviation argparse takes, ``--base``), which may have no scheme.
BASE_URL_VALUE = re.compile(r"(?:^|\s)(--b[a-z_\-]*)(?:=|\s+)['\"]?([^\s'\"]+)")
BASE_URL_NAMES = frozenset({"--base-url"[:n] for n in range(3, 11)} | {"--base_url", "--baseurl"})
# A connection name safe to repeat in the advice (never a secret: short, no random run).
CONNECTION = re.compile(r"(?:^|\s)(?:-c|--connection)(?:=|\s+)['\"]?([A-Za-z0-9_.\-]{1,40})['\"]?(?=\s|$)")

REFUSED = Text(
    "Refused: a URL with a password or key in it, typed on the magic's line, would be saved in the notebook and in "
    "IPython's history. It was masked in this session's history; change that password or key if the notebook was shared. "
    "Run {command} (the form), choose Provider “OpenAI-compatible” and paste the URL into its Base URL field, which shows it masked.",
    "已拒绝：写在魔法命令行上、含有密码或密钥的 URL 会被保存在笔记本和 IPython 历史记录中。"
    "已在本会话的历史记录中将其遮盖；如果笔记本已被分享，请更换该密码或密钥。"
    "请运行 {command}（表单），将“提供者”选为“兼容 OpenAI 的服务”，并把 URL 粘贴到“基础 URL”字段中（该字段会遮盖显示）。",
)
# A terminal has no form, and its hidden prompt asks for the key only.
REFUSED_TERMINAL = Text(
    "Refused: a URL with a password or key in it, typed on the magic's line, would be saved in IPython's history. "
    "It was masked in this session's history. A terminal has no form: set OPENAI_BASE_URL before starting IPython "
    "(used when the connection has no URL of its own and ChatMagics.base_url is empty).",
    "已拒绝：写在魔法命令行上、含有密码或密钥的 URL 会被保存在 IPython 历史记录中。"
    "已在本会话的历史记录中将其遮盖。终端中没有表单：请在启动 IPython 之前设置 OPENAI_BASE_URL"
    "（当连接没有自己的 URL 且 ChatMagics.base_url 为空时使用）。",
)


def might_hold_url(line: str) -> bool:
    """False for the usual line without reading it further: no scheme, no ``--b…`` option."""
    return "://" in line or "--b" in line


def secret_urls(line: str) -> list[str]:
    """Each URL on ``line`` that carries a secret, exactly as typed there (so it can be found and replaced)."""
    if not might_hold_url(line):
        return []
    from ..urls import mask_url

    found = [m.group(0) for m in SCHEMED.finditer(line)]
    found += [m.group(2) for m in BASE_URL_VALUE.finditer(line) if m.group(1) in BASE_URL_NAMES]
    return list(dict.fromkeys(url for url in found if mask_url(url) != url))


def refused(shell, line: str, key_secrets: list[str], key_message: Text, language: str, value_options: tuple, terminal: bool) -> bool:
    """Refuse ``line`` if it holds a key (``key_secrets``, found by line_secrets) or a URL with a secret.

    True when refused: the cell rewritten, every copy masked, one line printed.
    """
    urls = secret_urls(line)
    secrets = list(dict.fromkeys(urls + list(key_secrets)))
    if not secrets:
        return False
    from .line_secrets import refuse

    # A key inside a refused URL (``?api-key=sk-…``) is that URL's secret: the URL's advice fits it.
    if urls and all(any(key in url for url in urls) for key in key_secrets):
        match = CONNECTION.search(line)
        command = "%chatkey" if match is None or any(secret in match.group(1) for secret in secrets) else f"%chatkey -c {match.group(1)}"
        message = (REFUSED_TERMINAL if terminal else REFUSED).get(language, command=command)
    else:
        message = key_message.get(language)
    # --base-url (or --base) goes with its value, on %chat too, which has no such option.
    refuse(shell, line, secrets, message, tuple(value_options) + tuple(BASE_URL_NAMES), terminal)
    return True
