"""A failure as plain text (terminals) and as HTML (notebooks, static viewers).

Both read the same catalog entry; the widget panel wraps the HTML with buttons.
"""

from __future__ import annotations

import html

from ..errors import Failure
from ..i18n import Text, labelled
from .safe import html_output

HELP = Text("Help", "帮助")
COMMAND = "%chat error"
DETAILS = Text(f"Technical details: {COMMAND}", f"技术细节：{COMMAND}")
TRY_MODELS = Text("Models this account has: {models}", "此账户可用的模型：{models}")


def _parts(failure: Failure, language: str, where: str = "panel") -> dict:
    from .wording import next_step

    values = failure.values(language)
    kind = failure.kind
    return {
        "title": kind.title.get(language, **values),
        "explanation": kind.explanation.get(language, **values),
        # Worded for where it is read: the panel has buttons, the key form and a terminal don't.
        "next_step": next_step(kind.kind, kind.next_step.get(language, **values), language, where, **values),
        "links": [(label.get(language), url) for label, url in kind.links],
        "help_url": kind.help_url,
    }


def failure_text(failure: Failure, language: str = "en", where: str = "panel") -> str:
    parts = _parts(failure, language, where)
    lines = [f"✖ {parts['title']}", parts["explanation"], f"→ {parts['next_step']}"]
    if failure.suggestions:
        lines.append(TRY_MODELS.get(language, models=", ".join(failure.suggestions)))
    for label, url in parts["links"]:
        lines.append(labelled(label, url, language))
    if parts["help_url"]:
        lines.append(labelled(HELP.get(language), parts["help_url"], language))
    lines.append(DETAILS.get(language))
    return "\n".join(lines)


def failure_html(failure: Failure, language: str = "en", where: str = "panel") -> str:
    parts = _parts(failure, language, where)
    esc = html.escape
    # Inline link style: inside an ipywidgets HTML widget, links are otherwise indistinguishable from text.
    link = '<a href="{}" target="_blank" rel="noopener" style="color:#1a73e8;text-decoration:underline">{}</a>'
    links = [link.format(esc(url), esc(label)) for label, url in parts["links"]]
    if parts["help_url"]:
        links.append(link.format(esc(parts["help_url"]), esc(HELP.get(language))))
    suggestion = ""
    if failure.suggestions:
        suggestion = f"<div>{esc(TRY_MODELS.get(language, models=', '.join(failure.suggestions)))}</div>"
    return html_output(
        f'<div class="chatwithtech-error" data-kind="{esc(failure.kind.kind)}" '
        'style="border-left:4px solid #d9534f;padding:6px 10px;margin:4px 0;background:rgba(217,83,79,0.07)">'
        f"<div><strong>✖ {esc(parts['title'])}</strong></div>"
        f"<div>{esc(parts['explanation'])}</div>"
        f"<div>→ {esc(parts['next_step'])}</div>"
        f"{suggestion}"
        f"<div style=\"font-size:smaller;margin-top:4px\">{' · '.join(links)}"
        f"{' · ' if links else ''}{esc(DETAILS.get(language)).replace(COMMAND, f'<code>{COMMAND}</code>')}</div>"
        "</div>"
    )


def failure_bundle(failure: Failure, language: str = "en") -> dict:
    return {"text/html": failure_html(failure, language), "text/plain": failure_text(failure, language)}
