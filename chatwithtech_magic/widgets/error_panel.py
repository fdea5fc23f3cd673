"""A failure as an ipywidgets panel: the catalog's HTML plus buttons for the next step.

Buttons call back into the magics layer with an action name; their results are
shown in the panel's own ``Output``, since a button callback has no cell of its own.
The bundle also carries HTML and text, for static viewers and saved notebooks.
"""

from __future__ import annotations

from ..errors import RESET, RETRY, SET_KEY, SWITCH_MODEL, Failure
from ..i18n import Text
from ..render.panels import failure_html

LABELS = {
    SET_KEY: Text("Set API key", "设置 API 密钥"),
    RETRY: Text("Retry", "重试"),
    RESET: Text("Reset conversation and retry", "清除对话并重试"),
    SWITCH_MODEL: Text("Use {model}", "改用 {model}"),
}


def error_panel(failure: Failure, language: str, on_action):
    """``on_action(action, model_or_None, output)`` runs when a button is pressed."""
    import ipywidgets as widgets

    output = widgets.Output()
    buttons = []
    for action in failure.kind.actions:
        targets = failure.suggestions if action == SWITCH_MODEL else [None]
        for target in targets:
            button = widgets.Button(
                description=LABELS[action].get(language, model=target or ""),
                button_style="primary" if action in (SET_KEY, RETRY) else "",
                layout=widgets.Layout(width="auto"),
            )
            button.on_click(lambda _b, a=action, t=target: on_action(a, t, output))
            buttons.append(button)
    panel = widgets.VBox([widgets.HTML(failure_html(failure, language)), widgets.HBox(buttons), output])
    panel.add_class("chatwithtech-error-panel")
    panel.buttons = buttons
    panel.output = output
    return panel


def widget_bundle(widget, fallback: dict) -> dict:
    """The widget's view plus HTML/text fallbacks for frontends that can't show widgets."""
    view = widget._repr_mimebundle_()["application/vnd.jupyter.widget-view+json"]
    return {**fallback, "application/vnd.jupyter.widget-view+json": view}

