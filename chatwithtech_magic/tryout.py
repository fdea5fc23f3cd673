"""Trying the quickstart without a key: its recorded answers are replayed, and the notebook says so.

A newcomer opens ``notebooks/quickstart.ipynb`` before having an API key. Its first cell calls
``replay_if_no_key()``: with no key anywhere (this session, the keyring, ``OPENAI_API_KEY``) the
cells replay the answers recorded beside the notebook (``chatwithtech_answers.jsonl``, replay.py),
for free and without sending anything; with a key, the answers are live. Run again after a key
was set, it switches back to live answers. ``CHATWITHTECH_CACHE``, when set, decides instead.
"""

from __future__ import annotations

from .i18n import Text

TEXT = {
    "replaying": Text(
        "No API key is set, so the answers below are replayed from {file}, recorded for this notebook: nothing is "
        "sent and nothing is paid. Cells run in order and unchanged find their answers; a changed cell has none. "
        "For real answers, set a key in the form below (%chatkey) and run this cell again.",
        "尚未设置 API 密钥，因此下面的回答是从为本笔记本录制的 {file} 重放的：不发送任何请求，也不花钱。"
        "按顺序运行且未修改的单元格能找到其回答；修改过的单元格则没有。"
        "如需真实回答，请在下面的表单（%chatkey）中设置密钥，然后重新运行此单元格。",
    ),
    "live": Text(
        "A key is set ({key}, from {source}): the answers below are live, from the model, and cost a little "
        "(%chat usage adds it up).",
        "已设置密钥（{key}，来源：{source}）：下面的回答来自模型的实时回答，会产生少量费用（%chat usage 会汇总）。",
    ),
    "environment": Text(
        "CHATWITHTECH_CACHE is set ({mode}): it decides whether answers are replayed or asked.",
        "已设置 CHATWITHTECH_CACHE（{mode}）：由它决定重放回答还是实时提问。",
    ),
}


def replay_if_no_key(shell=None) -> None:
    """Replay the recorded answers when no key is set, else ask live, and say which (nothing is returned:
    the cell shows the sentence, not an ``Out[]``)."""
    from IPython import get_ipython

    from .credentials import SOURCE_LABELS
    from .magics.show import notice
    from .replay import ENV, FILENAME, BadMode, effective_mode

    shell = shell or get_ipython()
    magics = shell.magics_manager.registry["ChatMagics"]
    lang = magics.lang
    try:
        mode, source = effective_mode(magics.cache)
    except BadMode as bad:  # %%chat itself says what is wrong with it, at the first cell
        mode, source = str(bad), "env"
    if source == "env":
        notice(shell, TEXT["environment"].get(lang, mode=f"{ENV}={mode}"))
        return
    credentials = magics.session.credentials.resolve(magics.connection)
    if credentials is None:
        magics.cache = "replay"
        notice(shell, TEXT["replaying"].get(lang, file=FILENAME))
        return
    if magics.cache == "replay":  # set here before the key was: live again
        magics.cache = "off"
    notice(shell, TEXT["live"].get(lang, key=credentials.masked_key, source=SOURCE_LABELS[credentials.source].get(lang)))
