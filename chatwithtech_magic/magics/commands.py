"""``%chat <command>``: the line commands that look after the conversation and the settings.

Functions of the ``ChatMagics`` instance, so the magic itself stays an adapter for asking. The module is
imported on the first line command, not at ``%load_ext``; the names a user may type are ``chat.COMMANDS``,
which the magic's options (``%chat?``) list.
"""

from __future__ import annotations

from IPython.core.error import UsageError

from .. import options
from ..caps import HISTORY_LIMIT, MESSAGE_LIMIT, cap
from ..i18n import Counted, Text
from .show import is_terminal, notice, publish, show_failure

MSG = {
    "reset": Counted(Text("Conversation forgotten (1 exchange).", "已清除对话（1 轮）。"), Text("Conversation forgotten ({count} exchanges).", "已清除对话（{count} 轮）。")),
    "no_history": Text("The conversation is empty.", "对话为空。"),
    "no_error": Text("No failure so far in this session.", "本会话中尚无失败。"),
    "key_from": Text("{key} · from {source}", "{key} · 来源：{source}"),
    "incomplete": Text("incomplete", "不完整"),
    "you": Text("you", "你"),
    "model_default": Text("model default", "模型默认值"),
    "no_temperature": Text("model default (none is sent to {model})", "模型默认值（不向 {model} 发送）"),
    "key_unset": Text("not set — run %chatkey", "未设置 — 请运行 %chatkey"),
    "exchanges": Counted(Text("1 exchange", "1 轮"), Text("{count} exchanges", "{count} 轮")),
    "no_failed_cell": Text("No cell has failed in this session, so there is nothing to explain. Nothing was sent.", "本会话中还没有运行失败的单元格，无需解释。未发送任何内容。"),
}


def run(magics, command: str, args):
    """Run ``%chat <command>``; ``command`` is one of ``chat.COMMANDS`` (the option parser allows no other)."""
    return BY_NAME[command](magics, args)


def reset(magics, args):
    count = len(magics.session.conversation.exchanges)
    magics.session.reset()
    notice(magics.shell, MSG["reset"].get(magics.lang, count))


def history(magics, args):
    from ..i18n import bracketed, labelled
    from ..render.safe import literal_markdown, safe_markdown

    lang = magics.lang
    exchanges = magics.session.conversation.exchanges
    if not exchanges:
        notice(magics.shell, MSG["no_history"].get(lang))
        return
    parts, plain = [], []
    # Every secret the session knows now, masked: an exchange may predate the key it quotes (known_secrets.py).
    known = magics.session.secrets(magics.base_request(args.connection))
    for number, exchange in enumerate(exchanges, 1):
        mark = "" if exchange.complete else bracketed(MSG["incomplete"].get(lang), lang)
        # Shown capped (caps.py): an 8 MB prompt must not print 16 MB; the conversation keeps it whole.
        prompt, reply = (cap(known.redact(text), HISTORY_LIMIT, lang) for text in (exchange.said(), exchange.answer))
        # Prompts (interpolated pages), answers and model names are text, never HTML (render/safe.py).
        you, model = MSG["you"].get(lang), literal_markdown(exchange.model)
        parts.append(f"**{number}. {you}**{bracketed(model, lang)}\n\n{safe_markdown(prompt, close=True)}\n\n**{number}. {model}**{mark}\n\n{safe_markdown(reply, close=True)}")
        plain.append(f"[{number}] {labelled(you, prompt, lang)}\n[{number}] {labelled(exchange.model + mark, reply, lang)}")
    _publish_markdown(magics.shell, "\n\n---\n\n".join(parts), "\n\n".join(plain))


def models(magics, args):
    from ..session import ChatFailure
    from .model_list import model_list

    request = magics.base_request(args.connection)
    try:
        found = magics.session.list_models(request)
    except ChatFailure as failure:
        show_failure(magics.shell, failure.failure, magics.lang)
        return
    _publish_markdown(magics.shell, *model_list(found, request.connection, magics.lang))


def error(magics, args):
    failure = magics.session.last_failure
    if failure is None:
        notice(magics.shell, MSG["no_error"].get(magics.lang))
        return
    # Only the facts this failure has: a connection failure has no status, type or request id.
    details = {k: v for k, v in failure.details().items() if v not in (None, "")}
    width = max(len(k) for k in details)
    notice(magics.shell, "\n".join(f"{k:<{width}}  {'' if v is None else cap(str(v), MESSAGE_LIMIT, magics.lang)}" for k, v in details.items()))


def explain(magics, args):
    """The last failing cell's code and traceback, with a built-in instruction in the user's language."""
    lang = magics.lang
    for problem in (args.out and options.out_problem(args.out, lang), options.cell_problem(args, lang)):
        if problem:  # the same checks as a %%chat cell's options
            raise UsageError(problem)
    last = magics.cell_errors.last
    if last is None:
        notice(magics.shell, MSG["no_failed_cell"].get(lang))
        return None
    from ..explain import explain_prompt

    filled = explain_prompt(last, lang, magics.max_value_chars)
    return magics._ask_cell(filled.text, args, filled.notes(lang))


def usage(magics, args):
    """Tokens and estimated cost per model this session, with totals, the budget and the account's pages."""
    if args.out and options.out_problem(args.out, magics.lang):
        raise UsageError(options.out_problem(args.out, magics.lang))
    from ..render.usage import usage_report

    ledger = magics.session.meter.ledger
    rows = ledger.rows()
    _publish_markdown(magics.shell, *usage_report(rows, ledger.totals(), ledger.spent, magics.budget, magics.lang))
    if args.out:
        magics.shell.user_ns[args.out] = rows


def settings(magics, args):
    lang = magics.lang
    request = magics.base_request(args.connection)
    credentials = magics.session.credentials.resolve(request.connection)
    from ..credentials import SOURCE_LABELS
    from ..urls import mask_url
    from ..client import resolve_base_url

    base_url = resolve_base_url(credentials, magics.base_url)
    rows = {
        "model": magics.model,
        "temperature": _temperature(magics, request, base_url),
        "max_tokens": magics.max_tokens or MSG["model_default"].get(lang),
        "reasoning_effort": magics.reasoning_effort or MSG["model_default"].get(lang),
        "window": magics.window,
        "system": magics.system or "—",
        "connection": request.connection,
        "key": MSG["key_from"].get(lang, key=credentials.masked_key, source=SOURCE_LABELS[credentials.source].get(lang)) if credentials else MSG["key_unset"].get(lang),
        "organization": (credentials.organization if credentials else None) or "—",
        "base_url": mask_url(base_url),  # user:password@, ?api-key= shown as …
        "timeout": magics.timeout,
        "retries": magics.retries,
        "budget": f"${magics.budget:,.2f}" if magics.budget else "—",
        "language": lang,
        "conversation": MSG["exchanges"].get(lang, len(magics.session.conversation.exchanges)),
    }
    rows["cache"] = _cache_setting(magics)
    if magics.api != "auto" or magics.store:  # shown once changed: the default needs no line
        rows["api"] = magics.api
        rows["store"] = magics.store
    width = max(len(k) for k in rows)
    notice(magics.shell, "\n".join(f"{k:<{width}}  {v}" for k, v in rows.items()))


BY_NAME = {"reset": reset, "history": history, "models": models, "error": error, "settings": settings, "explain": explain, "usage": usage}


def _temperature(magics, request, base_url: str):
    """The temperature the next cell sends: the user's, else 0.3 only where the model takes one (params.py)."""
    if request.temperature is not None:
        return request.temperature
    compat = magics.session.adaptations.get(base_url, request.model)
    if compat.default_temperature and compat.temperature:
        return magics.temperature
    return MSG["no_temperature"].get(magics.lang, model=request.model)


def _cache_setting(magics) -> str:
    """For %chat: the mode in force, where it comes from, and the file."""
    from ..replay import ENV, BadMode, effective_mode

    try:
        mode, source = effective_mode(magics.cache)
    except BadMode as bad:
        return f"{ENV}={bad} ≠ off | auto | record | replay"
    where = f" ({ENV})" if source == "env" else ""
    return f"{mode}{where} · {magics.session.answers.path.name}" if mode != "off" else f"off{where}"


def _publish_markdown(shell, markdown: str, plain: str) -> None:
    if is_terminal(shell):
        from ..stream import visible

        print(visible(plain))
    else:
        publish({"text/markdown": markdown, "text/plain": plain})
