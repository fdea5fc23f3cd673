"""``--dry-run``: what a request would send, as plain text, and nothing sent.

The request (a ``wire.dialect.Outgoing``: its settings and its prompt) comes from ``ChatSession.preview``: the steps a real request takes before it is
sent (parameter rules, context fitting, budget), so what is shown is what would be sent. The text holds the user's cells and earlier answers:
it is shown as text, never as HTML or Markdown.
"""

from __future__ import annotations

import json
from typing import Any

from .i18n import Text

TEXT = {
    "title": Text("Dry run: nothing was sent. This is what %%chat would send:", "试运行：未发送任何内容。%%chat 将发送以下内容："),
    "many": Text("{count} messages", "{count} 条消息"),
    "message": Text("1 message", "1 条消息"),
    "estimate": Text("estimate: ~{tokens:,} input tokens", "估计：约 {tokens:,} 个输入令牌"),
    "cost": Text(", {cost} for the input (the answer costs extra)", "，输入 {cost}（回答另计）"),  # {cost} says "≈" itself
    "refused": Text("It would not be sent: {title}", "不会发送：{title}"),
}


def render(outgoing, language: str = "en", notes: list[str] | tuple = (), refusal=None) -> str:
    """Plain text: the settings, then every message of the prompt in full, then the estimate and notes.

    ``refusal`` is the catalog failure that would stop the request before sending (too large for
    the model, over budget); it is named first, so a dry run never looks like a green light.
    """
    lines = [TEXT["title"].get(language)]
    if refusal is not None:
        lines.append(TEXT["refused"].get(language, title=_title(refusal, language)))
    lines.append("")
    settings = outgoing.settings
    width = max((len(name) for name in settings), default=0)
    path = getattr(outgoing.dialect, "path", "/chat/completions")
    if path != "/chat/completions":  # another wire than the usual one: said, with where it goes
        width = max(width, len("endpoint"))
        lines.append(f"{'endpoint':<{width}}  POST {path}")
    for name, value in settings.items():
        lines.append(f"{name:<{width}}  {_value(value)}")
    turns = outgoing.prompt.turns()
    lines += ["", TEXT["message" if len(turns) == 1 else "many"].get(language, count=len(turns))]
    for number, turn in enumerate(turns, 1):
        lines.append(f"── [{number}] {turn.role} " + "─" * 20)
        lines.append(_content(turn.parts))
    estimate = estimate_line(outgoing, language)
    if estimate or notes:
        lines.append("─" * 30)
    if estimate:
        lines.append(estimate)
    for note in notes:
        lines.append(f"[{note}]")
    return "\n".join(lines)


def estimate_line(outgoing, language: str = "en") -> str | None:
    """About how many input tokens, and what they cost, from the cost modules; None when they can't say.

    Guarded: an estimate is a courtesy, and must never stop a dry run.
    """
    try:
        from .tokens import estimate_prompt

        tokens = estimate_prompt(outgoing.prompt)
    except Exception:
        return None
    line = TEXT["estimate"].get(language, tokens=tokens)
    try:
        from .pricing import format_cost, price
        from .tokens import Figures

        cost = format_cost(price(outgoing.model, Figures(prompt=tokens, estimated=True)))
    except Exception:
        cost = ""
    if cost:
        line += TEXT["cost"].get(language, cost=cost)
    return line


def _title(failure, language: str) -> str:
    try:
        return failure.kind.title.get(language, **failure.values(language))
    except Exception:
        return failure.kind.kind


def _value(value: Any) -> str:
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def _content(parts) -> str:
    """A message's parts, each as ``prompt.shown`` says (a text in full)."""
    from .prompt import shown

    return "\n".join(shown(part) for part in parts)
