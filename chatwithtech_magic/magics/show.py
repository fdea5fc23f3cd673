"""Showing failures and notices, the same way for every magic.

A notebook gets a widget panel with buttons (plus HTML and text fallbacks in the
same bundle); a terminal gets the catalog's plain text.
"""

from __future__ import annotations

import sys


def is_terminal(shell) -> bool:
    return type(shell).__name__ == "TerminalInteractiveShell"


def show_failure(shell, failure, language: str, on_action=None, output=None):
    """Display ``failure``; returns the widget panel when one was shown."""
    from ..render.panels import failure_bundle, failure_text

    if is_terminal(shell):
        print(failure_text(failure, language), file=sys.stdout)
        return None
    fallback = failure_bundle(failure, language)
    panel = None
    if on_action is not None:
        try:
            from ..widgets.error_panel import error_panel, widget_bundle

            panel = error_panel(failure, language, on_action)
            bundle = widget_bundle(panel, fallback)
        except ImportError:  # ipywidgets missing: the HTML panel still says everything
            bundle = fallback
    else:
        bundle = fallback
    publish(bundle, output)
    return panel


def publish(bundle: dict, output=None) -> None:
    if output is not None:  # inside a panel's Output widget (a button callback)
        from ..render.answer import output_item

        output.outputs = tuple(output.outputs) + (output_item(bundle),)
        return
    from IPython.display import display

    display(bundle, raw=True)


def notice(shell, text: str, output=None) -> None:
    """A one-line message: never a traceback, never lost in a log."""
    if output is not None:
        publish({"text/plain": text}, output)
    else:
        print(text)
