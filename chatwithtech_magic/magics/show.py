"""Showing failures and notices, the same way for every magic.

A notebook gets the failure's message as an ordinary output (HTML and text, so a
saved notebook reads well when reopened without its kernel) and, below it, a small
widget with the buttons for the next step; a terminal gets the catalog's plain text.
"""

from __future__ import annotations

import sys


def is_terminal(shell) -> bool:
    return type(shell).__name__ == "TerminalInteractiveShell"


class Place:
    """A cell output that is replaced in place through its display id.

    A panel's button runs in a widget callback, which has no cell of its own; an update by
    display id still reaches the cell that first showed the output (JupyterLab, Notebook 7),
    so what the button brings replaces the panel's message and is saved as an ordinary output.
    It also stands in for ``IPython.display.display`` in an answer view (see ``MarkdownView``).
    """

    def __init__(self, bundle: dict, handle=None):
        from IPython.display import display

        from ..render.safe import plain_bundle

        if handle is not None:  # an output the cell already has (the live line's, blank now): taken over
            handle.update(plain_bundle(bundle), raw=True)
            self.handle = handle
        else:
            self.handle = display(plain_bundle(bundle), raw=True, display_id=True)

    def show(self, bundle: dict, metadata: dict | None = None) -> None:
        from ..render.safe import plain_bundle  # text/plain is printed by consoles: never escape sequences

        self.handle.update(plain_bundle(bundle), raw=True, **({"metadata": metadata} if metadata else {}))

    def update(self, bundle: dict, raw: bool = True, metadata: dict | None = None) -> None:  # DisplayHandle's interface
        self.show(bundle, metadata)

    def display(self, bundle: dict, raw: bool = True, display_id=None, metadata: dict | None = None):  # display()'s
        self.show(bundle, metadata)
        return self


def show_failure(shell, failure, language: str, on_action=None, panel=None, over=None):
    """Display ``failure``; returns the panel whose buttons were shown, if any.

    ``panel``: the failure came through that panel's button, so it replaces the panel's
    message and buttons instead of adding a second panel below the first. ``over``: a blank
    output of the cell's (the live line's) that the message takes instead of adding one.
    """
    from ..render.panels import failure_bundle, failure_text

    if is_terminal(shell):
        from ..stream import visible  # a server's message is text, never escape sequences

        print(visible(failure_text(failure, language, "terminal")), file=sys.stdout)  # no buttons, no form, no cells below
        return None
    message = failure_bundle(failure, language)
    if panel is not None:
        panel.place.show(message)
        panel.show_buttons(failure)
        return panel
    place = Place(message, over)
    if on_action is None:
        return None
    try:
        from ..widgets.error_panel import ErrorPanel

        panel = ErrorPanel(failure, language, on_action, place)
    except ImportError:  # ipywidgets missing: the message above still says everything
        return None
    if not panel.buttons:  # e.g. a missing model with nothing to suggest
        panel.close()
        return None
    panel.view = Place(panel.bundle())  # by display id too, so a resolved panel can leave no widget behind
    return panel


def publish(bundle: dict, place=None) -> None:
    if place is not None:  # a panel's button: replace the panel's message
        place.show(bundle)
        return
    from IPython.display import display

    from ..render.safe import plain_bundle

    display(plain_bundle(bundle), raw=True)  # a model list, a notice: text/plain never carries escape sequences


def notice(shell, text: str, place=None) -> None:
    """A one-line message: never a traceback, never lost in a log."""
    if place is not None:
        publish({"text/plain": text}, place)
    else:
        from ..stream import visible  # notices can quote a server or a model: text, never escape sequences

        print(visible(text))
