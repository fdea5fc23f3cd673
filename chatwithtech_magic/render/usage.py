"""What answers cost, for people: the line under an answer, and ``%chat usage``'s table.

Everything here is plain text built from figures; the Markdown versions escape every
name that came from a server (a model name is text, never markup).
"""

from __future__ import annotations

from decimal import Decimal

from ..errors import BILLING_URL, USAGE_URL
from ..i18n import Text, labelled
from ..pricing import format_cost
from ..spend import dollars
from ..saved_names import CACHED_TOKENS, COMPLETION_TOKENS, PROMPT_TOKENS, REASONING_TOKENS
from ..tokens import approx

LINE = {
    "tokens": Text("{prompt} → {completion} tokens", "{prompt} → {completion} 个令牌"),
    "cached": Text("{count} cached", "缓存 {count}"),
    "reasoning": Text("{count} reasoning", "推理 {count}"),
    "estimated": Text("estimated", "估算"),
    "seconds": Text("{seconds} s", "{seconds} 秒"),
}
DETAILS_OPEN = {"en": " (", "zh": "（"}
DETAILS_SEP = {"en": ", ", "zh": "，"}
DETAILS_CLOSE = {"en": ")", "zh": "）"}

TABLE = {
    "title": Text("Usage in this session", "本会话的用量"),
    "empty": Text("No answers yet in this session: nothing spent.", "本会话还没有回答：尚未产生费用。"),
    "model": Text("model", "模型"),
    "requests": Text("requests", "请求"),
    "prompt": Text("prompt", "提示"),
    "completion": Text("completion", "回答"),
    "cached": Text("cached", "缓存"),
    "reasoning": Text("reasoning", "推理"),
    "cost": Text("est. cost", "估算费用"),
    "total": Text("total", "合计"),
    "replayed": Text("{model} (replayed)", "{model}（重放）"),
    "no_price": Text("no price known", "无已知价格"),
    "unpriced": Text(
        "Answers from models with no known price are not in the total ({count}).",
        "来自没有已知价格的模型的回答未计入合计（{count} 个）。",
    ),
    "estimated": Text(
        "~ marks token counts estimated offline (a stream cut off before it reported its usage).",
        "~ 表示离线估算的令牌数（数据流在报告用量之前就中断了）。",
    ),
    "budget": Text("Budget: {spent} of {budget} spent ({percent}%).", "预算：已花费 {spent}，共 {budget}（{percent}%）。"),
    "no_budget": Text(
        "No budget set: %config ChatMagics.budget = 1.00 caps this session's spend (US dollars).",
        "未设置预算：%config ChatMagics.budget = 1.00 可为本会话的花费设上限（美元）。",
    ),
    "disclaimer": Text(
        "Costs are estimates from genai-prices' price table and the token counts the API reported; "
        "your account's usage page is the truth.",
        "费用是根据 genai-prices 的价格表和 API 报告的令牌数得出的估算值；实际以账户的用量页面为准。",
    ),
    "usage_link": Text("Usage (credits used and left)", "用量（已用和剩余的信用点）"),
    "billing_link": Text("Billing", "结算"),
}


def answer_line(answer, language: str = "en") -> str:
    """``gpt-4.1-mini · 1,111 → 123 tokens (100 cached) · 1.4 s · ≈$0.00064``, as plain text."""
    parts = [answer.model] if answer.model else []
    if answer.figures is not None:  # as the dialect read the usage, or estimated (spend.py)
        parts.append(token_text(answer.figures, language))
    if answer.elapsed is not None:
        parts.append(LINE["seconds"].get(language, seconds=f"{answer.elapsed:.1f}"))
    if answer.cost is not None:
        parts.append(format_cost(answer.cost))
    return " · ".join(parts)


def token_text(figures, language: str = "en") -> str:
    estimated = figures.estimated
    text = LINE["tokens"].get(language, prompt=approx(figures.prompt, estimated), completion=approx(figures.completion, estimated))
    details = []
    if figures.cached:
        details.append(LINE["cached"].get(language, count=f"{figures.cached:,}"))
    if figures.reasoning:
        details.append(LINE["reasoning"].get(language, count=f"{figures.reasoning:,}"))
    if estimated:
        details.append(LINE["estimated"].get(language))
    lang = "zh" if language == "zh" else "en"
    if details:
        text += DETAILS_OPEN[lang] + DETAILS_SEP[lang].join(details) + DETAILS_CLOSE[lang]
    return text


# -- %chat usage -------------------------------------------------------------------------


def _cells(row: dict, language: str, label: str | None = None) -> list[str]:
    estimated = row.get("estimated_tokens", False)
    if row["requests"] == row.get("unpriced", 0) and row["requests"]:
        cost = TABLE["no_price"].get(language)
    else:
        cost = format_cost(Decimal(str(row["cost_usd"])))
        if row.get("unpriced"):
            cost += " +?"
    return [
        label if label is not None else row["model"],
        f"{row['requests']:,}",
        approx(row[PROMPT_TOKENS], estimated),
        approx(row[COMPLETION_TOKENS], estimated),
        f"{row[CACHED_TOKENS]:,}",
        f"{row[REASONING_TOKENS]:,}",
        cost,
    ]


def _header(language: str) -> list[str]:
    return [TABLE[k].get(language) for k in ("model", "requests", "prompt", "completion", "cached", "reasoning", "cost")]


def _label(row: dict, language: str) -> str:
    return TABLE["replayed"].get(language, model=row["model"]) if row.get("replayed") else row["model"]


def usage_report(rows: list[dict], totals: dict, spent: Decimal, budget: float, language: str = "en") -> tuple[str, str]:
    """``%chat usage`` as (Markdown, plain text): the table per model, totals, budget, links, disclaimer."""
    from .safe import literal_markdown

    title = TABLE["title"].get(language)
    if not rows:
        empty = TABLE["empty"].get(language)
        return f"**{title}**\n\n{empty}\n\n{_footer_markdown(language)}", f"{title}\n{empty}\n\n{_footer_plain(language)}"
    header = _header(language)
    body = [_cells(row, language, _label(row, language)) for row in rows]
    total = _cells(totals, language, TABLE["total"].get(language))
    notes = _notes(rows, totals, spent, budget, language)

    md_rows = [header, ["---"] + ["---:"] * (len(header) - 1)]
    md_rows += [[literal_markdown(c) for c in cells] for cells in body]
    md_rows.append([f"**{literal_markdown(c)}**" for c in total])
    markdown = f"**{title}**\n\n" + "\n".join("| " + " | ".join(r) + " |" for r in md_rows)
    if notes:
        markdown += "\n\n" + "\n\n".join(literal_markdown(n) for n in notes)
    markdown += "\n\n" + _footer_markdown(language)

    plain = f"{title}\n" + _text_table(header, body, total)
    if notes:
        plain += "\n" + "\n".join(notes)
    plain += "\n\n" + _footer_plain(language)
    return markdown, plain


def _notes(rows, totals, spent: Decimal, budget: float, language: str) -> list[str]:
    notes = []
    if totals.get("unpriced"):
        notes.append(TABLE["unpriced"].get(language, count=totals["unpriced"]))
    if any(row.get("estimated_tokens") for row in rows):
        notes.append(TABLE["estimated"].get(language))
    if budget > 0:
        percent = int(spent * 100 / Decimal(str(budget)))
        notes.append(TABLE["budget"].get(language, spent=format_cost(spent), budget=dollars(budget), percent=percent))
    else:
        notes.append(TABLE["no_budget"].get(language))
    return notes


def _width(text: str) -> int:
    """Columns a string takes in a terminal: CJK characters take two."""
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(c) in ("W", "F") else 1 for c in text)


def _text_table(header: list[str], body: list[list[str]], total: list[str]) -> str:
    rows = [header, *body, total]
    widths = [max(_width(r[i]) for r in rows) for i in range(len(header))]

    def line(cells):
        out = []
        for i, cell in enumerate(cells):
            pad = " " * (widths[i] - _width(cell))
            out.append(cell + pad if i == 0 else pad + cell)
        return "  ".join(out).rstrip()

    rule = "  ".join("-" * w for w in widths)
    return "\n".join([line(header), rule, *(line(r) for r in body), rule, line(total)])


def _footer_plain(language: str) -> str:
    return "\n".join(
        [
            TABLE["disclaimer"].get(language),
            labelled(TABLE["usage_link"].get(language), USAGE_URL, language),  # full-width colon in Chinese
            labelled(TABLE["billing_link"].get(language), BILLING_URL, language),
        ]
    )


def _footer_markdown(language: str) -> str:
    from .safe import literal_markdown

    links = f"[{TABLE['usage_link'].get(language)}]({USAGE_URL}) · [{TABLE['billing_link'].get(language)}]({BILLING_URL})"
    return f"<sub>{literal_markdown(TABLE['disclaimer'].get(language))}</sub>\n\n{links}"
