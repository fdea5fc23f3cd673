"""The live half of a failure: the buttons for the next step, and a slot for the key form.

The failure's message is not part of this widget: it is an ordinary output (HTML and
text) shown just above, so a saved notebook reopened without its kernel, or in a
frontend that can't show widgets, still reads it. What a button brings (an answer, a
new failure, a countdown) replaces that message through its display id (``place``),
so it is saved as an ordinary output too; only the buttons and the form are widgets.
"""

from __future__ import annotations

from ..errors import RESET, RETRY, SET_KEY, SWITCH_MODEL, Failure
from ..i18n import Text

LABELS = {
    SET_KEY: Text("Set API key", "设置 API 密钥"),
    RETRY: Text("Retry", "重试"),
    RESET: Text("Reset conversation and retry", "清除对话并重试"),
    SWITCH_MODEL: Text("Use {model}", "改用 {model}"),
}


class ErrorPanel:
    """``on_action(action, model_or_None, panel)`` runs when a button is pressed.

    ``place`` is the cell output holding the message (``.show(bundle)`` replaces it).
    """

    def __init__(self, failure: Failure, language: str, on_action, place=None):
        import ipywidgets as widgets

        self.language, self.on_action, self.place = language, on_action, place
        self.row = widgets.HBox()
        self.slot = widgets.VBox()  # the key form opens here, under the buttons
        self.widget = widgets.VBox([self.row, self.slot])
        self.widget.add_class("chatwithtech-error-panel")
        self.buttons: list = []
        self.view = None  # the cell output showing this widget (set by whoever displays it)
        self.show_buttons(failure)

    def show_buttons(self, failure: Failure) -> None:
        """The buttons for ``failure`` (a Retry that failed again offers the new failure's)."""
        import ipywidgets as widgets

        buttons = []
        for action in failure.kind.actions:
            targets = failure.suggestions if action == SWITCH_MODEL else [None]
            for target in targets:
                button = widgets.Button(
                    description=LABELS[action].get(self.language, model=target or ""),
                    button_style="primary" if action in (SET_KEY, RETRY) else "",
                    layout=widgets.Layout(width="auto"),
                )
                button.on_click(lambda _b, a=action, t=target: self.on_action(a, t, self))
                buttons.append(button)
        old, self.buttons = self.buttons, buttons
        self.row.children = buttons
        self.slot.children = ()
        for button in old:
            button.close()

    def close(self) -> None:
        """The failure is resolved: the buttons' output becomes empty text, so a notebook saved now holds
        no widget there (reopened, it would read "Error displaying widget" or "Loading widget...")."""
        if self.view is not None:
            self.view.show({"text/plain": ""})
        for widget in (*self.buttons, *self.slot.children, self.row, self.slot, self.widget):
            widget.close()

    def bundle(self) -> dict:
        """The widget's view; its text is empty, since the message is the output above, not a fallback."""
        view = self.widget._repr_mimebundle_()["application/vnd.jupyter.widget-view+json"]
        return {"text/plain": "", "application/vnd.jupyter.widget-view+json": view}


def widget_bundle(widget, fallback: dict) -> dict:
    """A widget's view plus HTML/text fallbacks for frontends that can't show widgets."""
    view = widget._repr_mimebundle_()["application/vnd.jupyter.widget-view+json"]
    return {**fallback, "application/vnd.jupyter.widget-view+json": view}
