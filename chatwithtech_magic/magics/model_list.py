"""``%chat models``: the account's chat models first, each marked from the model table.

Marks are words, not symbols: reasoning, retiring (date), retired (date), the seed's catalog.
Embedding, audio, image and moderation models are counted apart on one line.
Model names come from a server: they are escaped before they go into Markdown.
"""

from __future__ import annotations

from ..i18n import Text

TITLE = Text("Chat models for connection '{connection}' ({count})", "连接“{connection}”可用的聊天模型（{count} 个）")
MARKS = {
    "reasoning": Text("reasoning", "推理模型"),
    "retiring": Text("retiring {date}", "将于 {date} 停用"),
    "scheduled": Text("shutdown {date}", "计划于 {date} 停用"),
    "retired": Text("retired {date}", "已于 {date} 停用"),
    "seed": Text("from the seed's catalog", "来自原始文档的模型目录"),
    "default": Text("default", "默认"),
}
OTHERS = Text("Not for chat ({count}): {names}", "非聊天模型（{count} 个）：{names}")
NONE = Text("This connection lists no chat models.", "此连接没有列出任何聊天模型。")


def model_list(available: list[str], connection: str, language: str) -> tuple[str, str]:
    """(Markdown, plain text) for ``%chat models``."""
    from .. import models
    from ..defaults import DEFAULT_MODEL

    rows, others = models.listing(available)
    title = TITLE.get(language, connection=connection, count=len(rows))
    md, plain = [f"**{_md(title)}**", ""], [title]
    for name, marks in rows:
        words = [_mark(mark, language) for mark in marks]
        if name == DEFAULT_MODEL:
            words.insert(0, MARKS["default"].get(language))
        suffix = f" — {', '.join(words)}" if words else ""
        md.append(f"- `{_code(name)}`{_md(suffix)}")
        plain.append(f"  {name}{suffix}")
    if not rows:
        md.append(_md(NONE.get(language)))
        plain.append(NONE.get(language))
    if others:
        line = OTHERS.get(language, count=len(others), names=", ".join(others))
        md += ["", f"<sub>{_md(line)}</sub>"]
        plain += ["", line]
    return "\n".join(md), "\n".join(plain)


def _mark(mark: str, language: str) -> str:
    kind, _, date = mark.partition(":")
    return MARKS[kind].get(language, date=date) if date else MARKS[kind].get(language)


def _md(text: str) -> str:
    """Text as literal Markdown: no markup or HTML from a server's model names."""
    from ..render.safe import literal_markdown

    return literal_markdown(text)


def _code(name: str) -> str:
    # One line, no backtick: a server's name can't close the code span or start a new block.
    return " ".join(name.replace("`", "'").split())
